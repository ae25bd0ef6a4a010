"""trade notices: XÖV outbox, delivery log, recipient mailbox, monthly statistics batches

Revision ID: xoev_0001
Revises: 

Formerly part of the single history's revision 0007; must match tasks/xoev/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'xoev_0001'
down_revision = None
branch_labels = ('xoev',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "xoev_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("recipient", sa.String(length=10), nullable=False),
        sa.Column("message_uuid", sa.String(length=36), nullable=False),
        sa.Column("message_type", sa.String(length=60), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_xoev_message"),
        sa.UniqueConstraint("tenant", "idempotency_key", "recipient", name="uq_xoev_message_tenant_idempotency_key"),
    )
    op.create_index("ix_xoev_message_case", "xoev_message", ["tenant", "business_key"])

    op.create_table(
        "xoev_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=50), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["xoev_message.id"], name="fk_xoev_delivery_message_id_xoev_message"),
        sa.PrimaryKeyConstraint("id", name="pk_xoev_delivery"),
    )
    op.create_index("ix_xoev_delivery_message_id", "xoev_delivery", ["message_id"])

    op.create_table(
        "xoev_mailbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("recipient", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("stored_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["xoev_message.id"], name="fk_xoev_mailbox_message_id_xoev_message"),
        sa.PrimaryKeyConstraint("id", name="pk_xoev_mailbox"),
        sa.UniqueConstraint("message_id", name="uq_xoev_mailbox_message_id"),
    )
    op.create_index("ix_xoev_mailbox_recipient", "xoev_mailbox", ["tenant", "recipient"])

    op.create_table(
        "xoev_stat_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["xoev_message.id"], name="fk_xoev_stat_batch_message_id_xoev_message"),
        sa.PrimaryKeyConstraint("id", name="pk_xoev_stat_batch"),
        sa.UniqueConstraint("tenant", "month", name="uq_xoev_stat_batch_tenant_month"),
    )

    op.create_table(
        "xoev_stat_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["xoev_stat_batch.id"], name="fk_xoev_stat_record_batch_id_xoev_stat_batch"),
        sa.PrimaryKeyConstraint("id", name="pk_xoev_stat_record"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_xoev_stat_record_tenant_idempotency_key"),
    )
    op.create_index("ix_xoev_stat_record_month", "xoev_stat_record", ["tenant", "month"])
    op.create_index("ix_xoev_stat_record_batch_id", "xoev_stat_record", ["batch_id"])


def downgrade() -> None:
    op.drop_table("xoev_stat_record")
    op.drop_table("xoev_stat_batch")
    op.drop_table("xoev_mailbox")
    op.drop_table("xoev_delivery")
    op.drop_table("xoev_message")
