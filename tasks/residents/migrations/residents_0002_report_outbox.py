"""residents: the register's outbox of reports (moves reported on to the permits)

Revision ID: residents_0002
Revises: residents_0001

Must match tasks/residents/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'residents_0002'
down_revision = 'residents_0001'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "residents_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("report_id", sa.String(length=80), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=True),
        sa.Column("lease", sa.String(length=36), nullable=True),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("instance_ids", sa.JSON(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_residents_report"),
        sa.UniqueConstraint("tenant", "report_id", name="uq_residents_report_tenant_report_id"),
    )
    op.create_index("ix_residents_report_due", "residents_report", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_residents_report_due", table_name="residents_report")
    op.drop_table("residents_report")
