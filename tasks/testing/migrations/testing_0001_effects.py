"""testing system's table (tasks.testing); only in databases that register the testing system

Revision ID: testing_0001
Revises: 

Formerly part of the single history's revision 0003; must match tasks/testing/__init__.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'testing_0001'
down_revision = None
branch_labels = ('testing',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "testing_effect",
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_testing_effect")),
    )


def downgrade() -> None:
    op.drop_table("testing_effect")
