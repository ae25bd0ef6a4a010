"""resident parking: residents' register with street directory, vehicle register, permits

Revision ID: 0006
Revises: 0004

Must match tasks/residents/models.py, tasks/vehicles/models.py and tasks/parking/models.py
exactly (tests/tasks/test_migrations.py checks).
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0004"
branch_labels = None
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

    op.create_table(
        "vehicles_vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("plate", sa.String(length=12), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("holder_name", sa.String(length=300), nullable=False),
        sa.Column("holder_family_name", sa.String(length=200), nullable=True),
        sa.Column("holder_date_of_birth", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vehicles_vehicle"),
        sa.UniqueConstraint("tenant", "plate", name="uq_vehicles_vehicle_tenant_plate"),
    )

    op.create_table(
        "parking_counter",
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_parking_counter"),
    )

    op.create_table(
        "parking_permit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("permit_number", sa.String(length=30), nullable=False),
        sa.Column("resident_key", sa.String(length=300), nullable=False),
        sa.Column("holder_name", sa.String(length=300), nullable=False),
        sa.Column("plate", sa.String(length=12), nullable=False),
        sa.Column("zone", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", TIMESTAMP, nullable=True),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["replaces_id"], ["parking_permit.id"],
                                name="fk_parking_permit_replaces_id_parking_permit"),
        sa.PrimaryKeyConstraint("id", name="pk_parking_permit"),
        sa.UniqueConstraint("tenant", "permit_number", name="uq_parking_permit_tenant_permit_number"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_parking_permit_tenant_idempotency_key"),
    )
    op.create_index("ix_parking_permit_resident", "parking_permit", ["tenant", "resident_key", "plate"])


def downgrade() -> None:
    op.drop_table("parking_permit")
    op.drop_table("parking_counter")
    op.drop_table("vehicles_vehicle")
    op.drop_table("residents_retrieval")
    op.drop_table("residents_street")
    op.drop_table("residents_zone")
    op.drop_table("residents_residence")
    op.drop_table("residents_person")
