"""trade: the trade register (businesses, persons, changes) and the retrieval log

Revision ID: trade_0001
Revises:

Must match tasks/trade/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'trade_0001'
down_revision = None
branch_labels = ('trade',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trade_counter",
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_trade_counter"),
    )
    op.create_table(
        "trade_business",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("case_number", BUSINESS_KEY, nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_form", sa.String(length=30), nullable=False),
        sa.Column("register_entry", sa.JSON(), nullable=False),
        sa.Column("street", sa.String(length=100), nullable=False),
        sa.Column("house_number", sa.String(length=10), nullable=False),
        sa.Column("postal_code", sa.String(length=5), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("activity", sa.String(length=300), nullable=False),
        sa.Column("wz", sa.String(length=5), nullable=False),
        sa.Column("other_activities", sa.Text(), nullable=True),
        sa.Column("persons_count", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closure_reason", sa.String(length=2), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trade_business"),
        sa.UniqueConstraint("tenant", "number", name="uq_trade_business_tenant_number"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_trade_business_tenant_idempotency_key"),
    )
    op.create_table(
        "trade_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_names", sa.String(length=100), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["trade_business.id"],
                                name="fk_trade_person_business_id_trade_business"),
        sa.PrimaryKeyConstraint("id", name="pk_trade_person"),
        sa.UniqueConstraint("business_id", "position", name="uq_trade_person_business_id_position"),
    )
    op.create_index("ix_trade_person_business_id", "trade_person", ["business_id"])
    op.create_table(
        "trade_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("case_number", BUSINESS_KEY, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["trade_business.id"],
                                name="fk_trade_change_business_id_trade_business"),
        sa.PrimaryKeyConstraint("id", name="pk_trade_change"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_trade_change_tenant_idempotency_key"),
    )
    op.create_index("ix_trade_change_business", "trade_change", ["business_id"])
    op.create_table(
        "trade_retrieval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("requester", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("file_number", sa.String(length=100), nullable=False),
        sa.Column("official", sa.String(length=200), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trade_retrieval"),
    )
    op.create_index("ix_trade_retrieval_at", "trade_retrieval", ["tenant", "at"])


def downgrade() -> None:
    op.drop_index("ix_trade_retrieval_at", table_name="trade_retrieval")
    op.drop_table("trade_retrieval")
    op.drop_index("ix_trade_change_business", table_name="trade_change")
    op.drop_table("trade_change")
    op.drop_index("ix_trade_person_business_id", table_name="trade_person")
    op.drop_table("trade_person")
    op.drop_table("trade_business")
    op.drop_table("trade_counter")
