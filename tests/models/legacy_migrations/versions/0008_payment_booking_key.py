"""finance: a booking key per payment, so a payment sent twice is booked once

Revision ID: 0008
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("finance_payment", sa.Column("booking_key", sa.String(length=200), nullable=True))
    op.create_index("uq_finance_payment_booking_key", "finance_payment", ["tenant", "booking_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_finance_payment_booking_key", table_name="finance_payment")
    with op.batch_alter_table("finance_payment") as batch:
        batch.drop_column("booking_key")
