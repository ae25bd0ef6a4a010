"""resident parking: a permit can be withdrawn (date and reason)

Revision ID: parking_0002
Revises: parking_0001

Must match tasks/parking/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'parking_0002'
down_revision = 'parking_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("parking_permit", sa.Column("withdrawn_on", sa.Date(), nullable=True))
    op.add_column("parking_permit", sa.Column("withdrawal_reason", sa.String(length=300), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy could not drop the table that replaces_id refers to.
    op.drop_column("parking_permit", "withdrawal_reason")
    op.drop_column("parking_permit", "withdrawn_on")
