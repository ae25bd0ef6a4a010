"""local staff accounts (argon2 hash, TOTP secret)

Revision ID: staff_accounts_0001
Revises:

Must match tasks/staff_accounts/models.py exactly (tests/engine/test_migrate.py checks).
"""
from alembic import op
import sqlalchemy as sa

revision = 'staff_accounts_0001'
down_revision = None
branch_labels = ('staff_accounts',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=False),
        sa.Column("last_totp_step", sa.Integer(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_account"),
        sa.UniqueConstraint("username", name="uq_staff_account_username"),
    )


def downgrade() -> None:
    op.drop_table("staff_account")
