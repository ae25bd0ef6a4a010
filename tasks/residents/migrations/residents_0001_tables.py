"""residents' register: persons, residences, parking zones, street directory, retrievals

Revision ID: residents_0001
Revises: 

Formerly part of the single history's revision 0006; must match tasks/residents/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'residents_0001'
down_revision = None
branch_labels = ('residents',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "residents_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("family_name_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_residents_person"),
    )
    op.create_index("ix_residents_person_search", "residents_person", ["tenant", "family_name_key", "date_of_birth"])

    op.create_table(
        "residents_residence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house_number", sa.String(length=20), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("moved_in", sa.Date(), nullable=False),
        sa.Column("moved_out", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["residents_person.id"],
                                name="fk_residents_residence_person_id_residents_person"),
        sa.PrimaryKeyConstraint("id", name="pk_residents_residence"),
    )
    op.create_index("ix_residents_residence_person_id", "residents_residence", ["person_id"])

    op.create_table(
        "residents_zone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_residents_zone"),
        sa.UniqueConstraint("tenant", "code", name="uq_residents_zone_tenant_code"),
    )

    op.create_table(
        "residents_street",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("street_key", sa.String(length=200), nullable=False),
        sa.Column("number_from", sa.Integer(), nullable=True),
        sa.Column("number_to", sa.Integer(), nullable=True),
        sa.Column("zone_code", sa.String(length=5), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_residents_street"),
    )
    op.create_index("ix_residents_street_key", "residents_street", ["tenant", "street_key"])

    op.create_table(
        "residents_retrieval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("query_summary", sa.Text(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_residents_retrieval"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_residents_retrieval_tenant_idempotency_key"),
    )
    op.create_index("ix_residents_retrieval_case", "residents_retrieval", ["tenant", "business_key"])


def downgrade() -> None:
    op.drop_table("residents_retrieval")
    op.drop_table("residents_street")
    op.drop_table("residents_zone")
    op.drop_table("residents_residence")
    op.drop_table("residents_person")
