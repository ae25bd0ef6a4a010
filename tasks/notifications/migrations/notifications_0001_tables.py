"""notifications: outgoing e-mail

Revision ID: notifications_0001
Revises: 

Formerly part of the single history's revision 0002; must match tasks/notifications/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'notifications_0001'
down_revision = None
branch_labels = ('notifications',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _tenant():
    return sa.Column("tenant", TENANT, nullable=False)


def upgrade() -> None:
    op.create_table(
        "notify_mail",
        _id(),
        _tenant(),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notify_mail"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_notify_mail_tenant_idempotency_key"),
    )
    op.create_index("ix_notify_mail_case", "notify_mail", ["tenant", "business_key"])


def downgrade() -> None:
    op.drop_table("notify_mail")
