"""finance: a receivable can be cancelled when its case closes unpaid

Revision ID: finance_0003
Revises: finance_0002

Must match tasks/finance/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'finance_0003'
down_revision = 'finance_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("finance_receivable", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("finance_receivable", sa.Column("cancel_reason", sa.String(length=300), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy could not drop the table finance_payment refers to.
    op.drop_column("finance_receivable", "cancel_reason")
    op.drop_column("finance_receivable", "cancelled_at")
