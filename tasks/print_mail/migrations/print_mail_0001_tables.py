"""print and mail: jobs and their documents

Revision ID: print_mail_0001
Revises: 

Formerly part of the single history's revision 0002; must match tasks/print_mail/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'print_mail_0001'
down_revision = None
branch_labels = ('print_mail',)
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
        "print_mail_job",
        _id(),
        _tenant(),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("address", sa.JSON(), nullable=False),
        sa.Column("address_block", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("posted_at", TIMESTAMP, nullable=True),
        sa.Column("posted_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_mail_job"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_print_mail_job_tenant_idempotency_key"),
    )
    op.create_index("ix_print_mail_job_open", "print_mail_job", ["tenant", "status"])
    op.create_index("ix_print_mail_job_batch", "print_mail_job", ["tenant", "batch_id"])

    op.create_table(
        "print_mail_document",
        _id(),
        _tenant(),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["print_mail_job.id"], name="fk_print_mail_document_job_id_print_mail_job"),
        sa.PrimaryKeyConstraint("id", name="pk_print_mail_document"),
    )
    op.create_index("ix_print_mail_document_job_id", "print_mail_document", ["job_id"])


def downgrade() -> None:
    op.drop_table("print_mail_document")
    op.drop_table("print_mail_job")
