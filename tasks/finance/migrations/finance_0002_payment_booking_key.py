"""finance: a booking key per payment, so a payment sent twice is booked once

Revision ID: finance_0002
Revises: finance_0001

Formerly part of the single history's revision 0008; must match tasks/finance/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'finance_0002'
down_revision = 'finance_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("finance_payment", sa.Column("booking_key", sa.String(length=200), nullable=True))
    op.create_index("uq_finance_payment_booking_key", "finance_payment", ["tenant", "booking_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_finance_payment_booking_key", table_name="finance_payment")
    with op.batch_alter_table("finance_payment") as batch:
        batch.drop_column("booking_key")
