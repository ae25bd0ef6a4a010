"""citizen portal: status history and postbox (documents live in the e-file, no table of their own)

Revision ID: portal_0001
Revises: 

Formerly part of the single history's revision 0004; must match tasks/portal/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'portal_0001'
down_revision = None
branch_labels = ('portal',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "portal_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("case_number", BUSINESS_KEY, nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portal_status"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_portal_status_tenant_idempotency_key"),
    )
    op.create_index("ix_portal_status_case", "portal_status", ["tenant", "case_number"])

    op.create_table(
        "portal_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("case_number", BUSINESS_KEY, nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("recipient_email", sa.String(length=320), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("read_at", TIMESTAMP, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_portal_message"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_portal_message_tenant_idempotency_key"),
    )
    op.create_index("ix_portal_message_case", "portal_message", ["tenant", "case_number"])
    op.create_index("ix_portal_message_recipient", "portal_message", ["tenant", "recipient"])


def downgrade() -> None:
    op.drop_table("portal_message")
    op.drop_table("portal_status")
