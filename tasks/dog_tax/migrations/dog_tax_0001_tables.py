"""dog tax: households, holders, dogs, tax tags, SEPA mandates, assessments

Revision ID: dog_tax_0001
Revises: 

Formerly part of the single history's revision 0005; must match tasks/dog_tax/models.py exactly
(tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'dog_tax_0001'
down_revision = None
branch_labels = ('dog_tax',)
depends_on = None

TENANT = sa.String(length=100)
BUSINESS_KEY = sa.String(length=200)
INSTANCE_ID = sa.String(length=36)
IDEMPOTENCY_KEY = sa.String(length=200)
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dog_tax_counter",
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "scope", name="pk_dog_tax_counter"),
    )
    op.create_table(
        "dog_tax_household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("household_key", sa.String(length=400), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_household"),
        sa.UniqueConstraint("tenant", "household_key", name="uq_dog_tax_household_tenant_household_key"),
    )
    op.create_table(
        "dog_tax_holder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["dog_tax_household.id"],
                                name="fk_dog_tax_holder_household_id_dog_tax_household"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_holder"),
        sa.UniqueConstraint("tenant", "household_id", "name_key", name="uq_dog_tax_holder_tenant_household_id_name_key"),
    )
    op.create_index("ix_dog_tax_holder_household_id", "dog_tax_holder", ["household_id"])
    op.create_table(
        "dog_tax_dog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("breed", sa.String(length=100), nullable=False),
        sa.Column("born_on", sa.Date(), nullable=True),
        sa.Column("held_since", sa.Date(), nullable=False),
        sa.Column("chip_number", sa.String(length=20), nullable=True),
        sa.Column("insurer", sa.String(length=200), nullable=True),
        sa.Column("previous_holder", sa.String(length=300), nullable=True),
        sa.Column("previous_address", sa.String(length=300), nullable=True),
        sa.Column("listed_breed", sa.String(length=100), nullable=True),
        sa.Column("dangerous", sa.Boolean(), nullable=False),
        sa.Column("permit_number", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["holder_id"], ["dog_tax_holder.id"], name="fk_dog_tax_dog_holder_id_dog_tax_holder"),
        sa.ForeignKeyConstraint(["household_id"], ["dog_tax_household.id"],
                                name="fk_dog_tax_dog_household_id_dog_tax_household"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_dog"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_dog_tenant_idempotency_key"),
    )
    op.create_index("ix_dog_tax_dog_holder_id", "dog_tax_dog", ["holder_id"])
    op.create_index("ix_dog_tax_dog_household", "dog_tax_dog", ["tenant", "household_id", "status"])
    op.create_index("ix_dog_tax_dog_case", "dog_tax_dog", ["tenant", "business_key"])
    op.create_table(
        "dog_tax_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.ForeignKeyConstraint(["dog_id"], ["dog_tax_dog.id"], name="fk_dog_tax_tag_dog_id_dog_tax_dog"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_tag"),
        sa.UniqueConstraint("tenant", "number", name="uq_dog_tax_tag_tenant_number"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_tag_tenant_idempotency_key"),
    )
    op.create_index("ix_dog_tax_tag_dog_id", "dog_tax_tag", ["dog_id"])
    op.create_table(
        "dog_tax_mandate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("bank_name", sa.String(length=200), nullable=True),
        sa.Column("account_holder", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["holder_id"], ["dog_tax_holder.id"], name="fk_dog_tax_mandate_holder_id_dog_tax_holder"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_mandate"),
        sa.UniqueConstraint("tenant", "reference", name="uq_dog_tax_mandate_tenant_reference"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_mandate_tenant_idempotency_key"),
    )
    op.create_index("ix_dog_tax_mandate_holder_id", "dog_tax_mandate", ["holder_id"])
    op.create_table(
        "dog_tax_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("rate_kind", sa.String(length=30), nullable=False),
        sa.Column("annual_rate_cents", sa.Integer(), nullable=False),
        sa.Column("pro_rata_cents", sa.Integer(), nullable=False),
        sa.Column("reduction_percent", sa.Integer(), nullable=False),
        sa.Column("exemption_kind", sa.String(length=30), nullable=True),
        sa.Column("exemption_decision", sa.String(length=20), nullable=True),
        sa.Column("exemption_reason", sa.Text(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("instalments", sa.JSON(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=True),
        sa.Column("cash_reference", sa.String(length=40), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("business_key", BUSINESS_KEY, nullable=True),
        sa.Column("instance_id", INSTANCE_ID, nullable=True),
        sa.Column("idempotency_key", IDEMPOTENCY_KEY, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["dog_id"], ["dog_tax_dog.id"], name="fk_dog_tax_assessment_dog_id_dog_tax_dog"),
        sa.ForeignKeyConstraint(["mandate_id"], ["dog_tax_mandate.id"],
                                name="fk_dog_tax_assessment_mandate_id_dog_tax_mandate"),
        sa.PrimaryKeyConstraint("id", name="pk_dog_tax_assessment"),
        sa.UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_assessment_tenant_idempotency_key"),
    )
    op.create_index("ix_dog_tax_assessment_dog_id", "dog_tax_assessment", ["dog_id"])
    op.create_index("ix_dog_tax_assessment_case", "dog_tax_assessment", ["tenant", "business_key"])


def downgrade() -> None:
    for table in ("dog_tax_assessment", "dog_tax_mandate", "dog_tax_tag", "dog_tax_dog", "dog_tax_holder",
                  "dog_tax_household", "dog_tax_counter"):
        op.drop_table(table)
