"""accounts: server-side sessions

Revision ID: accounts_0001
Revises: 

Must match tasks/accounts/models.py exactly (tests/engine/test_migrate.py checks).
"""
from alembic import op
import sqlalchemy as sa

revision = 'accounts_0001'
down_revision = None
branch_labels = ('accounts',)
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.String(length=200), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("principal", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("idle_seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts_session"),
        sa.UniqueConstraint("token_hash", name="uq_accounts_session_token_hash"),
    )
    op.create_index("ix_accounts_session_expires_at", "accounts_session", ["expires_at"])
    op.create_index("ix_accounts_session_principal_id", "accounts_session", ["principal_id"])


def downgrade() -> None:
    op.drop_index("ix_accounts_session_principal_id", table_name="accounts_session")
    op.drop_index("ix_accounts_session_expires_at", table_name="accounts_session")
    op.drop_table("accounts_session")
