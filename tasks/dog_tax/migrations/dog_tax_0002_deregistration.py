"""dog tax: deregistration (end of keeping, reason, new holder or address), the corrected assessment,
and the day a tag became invalid (replaced by an Ersatzmarke)

Revision ID: dog_tax_0002
Revises: dog_tax_0001

Must match tasks/dog_tax/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'dog_tax_0002'
down_revision = 'dog_tax_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dog_tax_dog", sa.Column("held_until", sa.Date(), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("end_reason", sa.String(length=20), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("end_details", sa.Text(), nullable=True))
    op.add_column("dog_tax_assessment", sa.Column("last_month", sa.Integer(), nullable=True))
    op.add_column("dog_tax_assessment", sa.Column("corrected_cents", sa.Integer(), nullable=True))
    op.add_column("dog_tax_tag", sa.Column("invalid_since", sa.Date(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of dog_tax_dog would break the tables that refer to it.
    op.drop_column("dog_tax_tag", "invalid_since")
    for column in ("corrected_cents", "last_month"):
        op.drop_column("dog_tax_assessment", column)
    for column in ("end_details", "end_reason", "held_until"):
        op.drop_column("dog_tax_dog", column)
