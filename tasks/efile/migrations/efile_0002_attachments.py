"""e-file: attachments (staged with a draft, claimed by the case, filed as documents)

Revision ID: efile_0002
Revises: efile_0001

Must match tasks/efile/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'efile_0002'
down_revision = 'efile_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "efile_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("later", sa.Boolean(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["efile_document.id"],
                                name="fk_efile_attachment_document_id_efile_document"),
        sa.PrimaryKeyConstraint("id", name="pk_efile_attachment"),
    )
    op.create_index("ix_efile_attachment_business_key", "efile_attachment", ["business_key"])


def downgrade() -> None:
    op.drop_table("efile_attachment")
