"""civil register: entries, persons, blocking notes, retrieval log

Revision ID: civil_register_0001
Revises: 

Formerly part of the single history's revision 0002; must match tasks/civil_register/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'civil_register_0001'
down_revision = None
branch_labels = ('civil_register',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
TIMESTAMP = sa.DateTime(timezone=True)


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _tenant():
    return sa.Column("tenant", TENANT, nullable=False)


def upgrade() -> None:
    op.create_table(
        "civreg_entry",
        _id(),
        _tenant(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("register_number", sa.String(length=40), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("event_place", sa.String(length=200), nullable=False),
        sa.Column("adoption", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_entry"),
        sa.UniqueConstraint("tenant", "register_number", name="uq_civreg_entry_tenant_register_number"),
    )
    op.create_index("ix_civreg_entry_search", "civreg_entry", ["tenant", "kind", "event_date"])

    op.create_table(
        "civreg_person",
        _id(),
        _tenant(),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("birth_name", sa.String(length=200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("family_name_key", sa.String(length=200), nullable=False),
        sa.Column("birth_name_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["civreg_entry.id"], name="fk_civreg_person_entry_id_civreg_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_person"),
    )
    op.create_index("ix_civreg_person_entry_id", "civreg_person", ["entry_id"])
    op.create_index("ix_civreg_person_family_name", "civreg_person", ["tenant", "family_name_key"])
    op.create_index("ix_civreg_person_birth_name", "civreg_person", ["tenant", "birth_name_key"])

    op.create_table(
        "civreg_blocking_note",
        _id(),
        _tenant(),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["civreg_entry.id"], name="fk_civreg_blocking_note_entry_id_civreg_entry"),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_blocking_note"),
    )
    op.create_index("ix_civreg_blocking_note_entry_id", "civreg_blocking_note", ["entry_id"])

    op.create_table(
        "civreg_retrieval_log",
        _id(),
        _tenant(),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("operation", sa.String(length=50), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=True),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("query_summary", sa.Text(), nullable=False),
        sa.Column("result_status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_civreg_retrieval_log"),
    )
    op.create_index("ix_civreg_retrieval_log_tenant_at", "civreg_retrieval_log", ["tenant", "at"])
    op.create_index("ix_civreg_retrieval_log_case", "civreg_retrieval_log", ["tenant", "business_key"])


def downgrade() -> None:
    op.drop_table("civreg_retrieval_log")
    op.drop_table("civreg_blocking_note")
    op.drop_table("civreg_person")
    op.drop_table("civreg_entry")
