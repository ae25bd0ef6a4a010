"""portal: postbox or post, the citizen's choice; how each message was delivered

Revision ID: portal_0003
Revises: portal_0002

Must match tasks/portal/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'portal_0003'
down_revision = 'portal_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_delivery_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("citizen", sa.String(length=200), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_delivery_choice")),
        sa.UniqueConstraint("tenant", "citizen", name="uq_portal_delivery_choice_tenant_citizen"),
    )
    # Messages sent so far went to the postbox.
    op.add_column("portal_message", sa.Column("delivery", sa.String(length=10), nullable=False,
                                              server_default="postfach"))
    op.add_column("portal_message", sa.Column("print_job_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_message") as batch:
        batch.drop_column("print_job_id")
        batch.drop_column("delivery")
    op.drop_table("portal_delivery_choice")
