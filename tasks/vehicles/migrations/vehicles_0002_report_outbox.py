"""vehicles: the register's outbox of reports (new holders reported on to the permits)

Revision ID: vehicles_0002
Revises: vehicles_0001

Must match tasks/vehicles/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'vehicles_0002'
down_revision = 'vehicles_0001'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vehicles_report",
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
        sa.PrimaryKeyConstraint("id", name="pk_vehicles_report"),
        sa.UniqueConstraint("tenant", "report_id", name="uq_vehicles_report_tenant_report_id"),
    )
    op.create_index("ix_vehicles_report_due", "vehicles_report", ["state", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_vehicles_report_due", table_name="vehicles_report")
    op.drop_table("vehicles_report")
