"""resident parking: counters and permits

Revision ID: parking_0001
Revises: 

Formerly part of the single history's revision 0006; must match tasks/parking/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'parking_0001'
down_revision = None
branch_labels = ('parking',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "parking_counter",
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_parking_counter"),
    )

    op.create_table(
        "parking_permit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("permit_number", sa.String(length=30), nullable=False),
        sa.Column("resident_key", sa.String(length=300), nullable=False),
        sa.Column("holder_name", sa.String(length=300), nullable=False),
        sa.Column("plate", sa.String(length=12), nullable=False),
        sa.Column("zone", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", TIMESTAMP, nullable=True),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["replaces_id"], ["parking_permit.id"],
                                name="fk_parking_permit_replaces_id_parking_permit"),
        sa.PrimaryKeyConstraint("id", name="pk_parking_permit"),
        sa.UniqueConstraint("tenant", "permit_number", name="uq_parking_permit_tenant_permit_number"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_parking_permit_tenant_idempotency_key"),
    )
    op.create_index("ix_parking_permit_resident", "parking_permit", ["tenant", "resident_key", "plate"])


def downgrade() -> None:
    op.drop_table("parking_permit")
    op.drop_table("parking_counter")
