"""dog tax: the yearly assessment run (the holder's portal account, the annual notice an assessment went
out with) and the exemption granted to a dog for the following years, with its end. Households are left
as they are: a household is a flat, never a building, so households at one address are not merged

Revision ID: dog_tax_0003
Revises: dog_tax_0002

Must match tasks/dog_tax/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'dog_tax_0003'
down_revision = 'dog_tax_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dog_tax_holder", sa.Column("account", sa.String(length=200), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_kind", sa.String(length=30), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_percent", sa.Integer(), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_reason", sa.Text(), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_valid_until", sa.Date(), nullable=True))
    op.add_column("dog_tax_assessment", sa.Column("notice_document_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+).
    op.drop_column("dog_tax_assessment", "notice_document_id")
    for column in ("exemption_valid_until", "exemption_reason", "exemption_percent", "exemption_kind"):
        op.drop_column("dog_tax_dog", column)
    op.drop_column("dog_tax_holder", "account")
