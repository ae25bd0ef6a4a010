"""residents: the flat of a residence in its building (Lage der Wohnung), so a household is a flat

Revision ID: residents_0003
Revises: residents_0002

Must match tasks/residents/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'residents_0003'
down_revision = 'residents_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("residents_residence", sa.Column("flat", sa.String(length=50), nullable=True))


def downgrade() -> None:
    op.drop_column("residents_residence", "flat")  # plain DROP COLUMN (SQLite 3.35+)
