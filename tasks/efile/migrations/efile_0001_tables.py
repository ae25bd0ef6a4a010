"""e-file: filing plan, counters, files, documents

Revision ID: efile_0001
Revises: 

Formerly part of the single history's revision 0002; must match tasks/efile/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'efile_0001'
down_revision = None
branch_labels = ('efile',)
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
        "efile_plan_entry",
        _id(),
        _tenant(),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_efile_plan_entry"),
        sa.UniqueConstraint("tenant", "code", name="uq_efile_plan_entry_tenant_code"),
    )

    op.create_table(
        "efile_counter",
        _tenant(),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_efile_counter"),
    )

    op.create_table(
        "efile_file",
        _id(),
        _tenant(),
        sa.Column("file_number", sa.String(length=60), nullable=False),
        sa.Column("plan_code", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_efile_file"),
        sa.UniqueConstraint("tenant", "file_number", name="uq_efile_file_tenant_file_number"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_efile_file_tenant_idempotency_key"),
        sa.UniqueConstraint("tenant", "business_key", name="uq_efile_file_tenant_business_key"),
    )

    op.create_table(
        "efile_document",
        _id(),
        _tenant(),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("json_content", sa.JSON(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["efile_file.id"], name="fk_efile_document_file_id_efile_file"),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["efile_document.id"], name="fk_efile_document_supersedes_id_efile_document"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_efile_document"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_efile_document_tenant_idempotency_key"),
    )
    op.create_index("ix_efile_document_file_id", "efile_document", ["file_id"])


def downgrade() -> None:
    op.drop_table("efile_document")
    op.drop_table("efile_file")
    op.drop_table("efile_counter")
    op.drop_table("efile_plan_entry")
