"""finance: counters, receivables, payments

Revision ID: finance_0001
Revises: 

Formerly part of the single history's revision 0002; must match tasks/finance/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'finance_0001'
down_revision = None
branch_labels = ('finance',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _tenant():
    return sa.Column("tenant", TENANT, nullable=False)


def upgrade() -> None:
    op.create_table(
        "finance_counter",
        _tenant(),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_finance_counter"),
    )

    op.create_table(
        "finance_receivable",
        _id(),
        _tenant(),
        sa.Column("cash_reference", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=300), nullable=False),
        sa.Column("debtor_name", sa.String(length=300), nullable=False),
        sa.Column("debtor_address", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_finance_receivable"),
        sa.UniqueConstraint("tenant", "cash_reference", name="uq_finance_receivable_tenant_cash_reference"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_finance_receivable_tenant_idempotency_key"),
    )
    op.create_index("ix_finance_receivable_case", "finance_receivable", ["tenant", "business_key"])

    op.create_table(
        "finance_payment",
        _id(),
        _tenant(),
        sa.Column("receivable_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("paid_at", TIMESTAMP, nullable=False),
        sa.Column("reference", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["receivable_id"], ["finance_receivable.id"], name="fk_finance_payment_receivable_id_finance_receivable"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_finance_payment"),
    )
    op.create_index("ix_finance_payment_receivable_id", "finance_payment", ["receivable_id"])


def downgrade() -> None:
    op.drop_table("finance_payment")
    op.drop_table("finance_receivable")
    op.drop_table("finance_counter")
