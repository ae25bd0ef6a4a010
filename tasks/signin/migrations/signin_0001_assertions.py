"""signin: accepted SAML assertions until they expire (replay protection)

Revision ID: signin_0001
Revises: 

Must match tasks/signin/models.py exactly (tests/engine/test_migrate.py checks).
"""
from alembic import op
import sqlalchemy as sa

revision = 'signin_0001'
down_revision = None
branch_labels = ('signin',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_assertion",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_signin_assertion")),
    )
    op.create_index("ix_signin_assertion_expires_at", "signin_assertion", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_signin_assertion_expires_at", table_name="signin_assertion")
    op.drop_table("signin_assertion")
