"""portal: applications the citizen has not sent yet, kept on the server

Revision ID: portal_0002
Revises: portal_0001

Formerly part of the single history's revision 0009; must match tasks/portal/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'portal_0002'
down_revision = 'portal_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("citizen", sa.String(length=200), nullable=False),
        sa.Column("service_key", sa.String(length=100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_draft")),
        sa.UniqueConstraint("tenant", "citizen", "service_key", name="uq_portal_draft_tenant_citizen_service"),
    )


def downgrade() -> None:
    op.drop_table("portal_draft")
