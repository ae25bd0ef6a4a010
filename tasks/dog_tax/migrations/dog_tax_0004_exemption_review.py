"""dog tax: the review of a limited exemption before it ends

Revision ID: dog_tax_0004
Revises: dog_tax_0003

Must match tasks/dog_tax/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'dog_tax_0004'
down_revision = 'dog_tax_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dog_tax_exemption_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("new_valid_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("corrections", sa.JSON(), nullable=True),
        sa.Column("business_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dog_id"], ["dog_tax_dog.id"],
                                name="fk_dog_tax_exemption_review_dog_id_dog_tax_dog"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_exemption_review"),
        sa.UniqueConstraint("tenant", "dog_id", "valid_until",
                            name="uq_dog_tax_exemption_review_tenant_dog_id_valid_until"),
    )
    op.create_index("ix_dog_tax_exemption_review_dog_id", "dog_tax_exemption_review", ["dog_id"])


def downgrade() -> None:
    op.drop_index("ix_dog_tax_exemption_review_dog_id", table_name="dog_tax_exemption_review")
    op.drop_table("dog_tax_exemption_review")
