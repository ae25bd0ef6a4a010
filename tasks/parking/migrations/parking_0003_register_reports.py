"""resident parking: the register reports that started a permit's report process (once per report)

Revision ID: parking_0003
Revises: parking_0002

Must match tasks/parking/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'parking_0003'
down_revision = 'parking_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parking_register_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("report_id", sa.String(length=80), nullable=False),
        sa.Column("permit_number", sa.String(length=30), nullable=False),
        sa.Column("business_key", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_parking_register_report"),
        sa.UniqueConstraint("tenant", "source", "report_id", "permit_number", name="uq_parking_register_report_once"),
    )


def downgrade() -> None:
    op.drop_table("parking_register_report")
