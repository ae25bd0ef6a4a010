"""vehicle register

Revision ID: vehicles_0001
Revises: 

Formerly part of the single history's revision 0006; must match tasks/vehicles/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'vehicles_0001'
down_revision = None
branch_labels = ('vehicles',)
depends_on = None

TENANT = sa.String(length=100)


def upgrade() -> None:
    op.create_table(
        "vehicles_vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("plate", sa.String(length=12), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("holder_name", sa.String(length=300), nullable=False),
        sa.Column("holder_family_name", sa.String(length=200), nullable=True),
        sa.Column("holder_date_of_birth", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vehicles_vehicle"),
        sa.UniqueConstraint("tenant", "plate", name="uq_vehicles_vehicle_tenant_plate"),
    )


def downgrade() -> None:
    op.drop_table("vehicles_vehicle")
