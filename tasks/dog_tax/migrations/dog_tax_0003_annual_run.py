"""dog tax: the yearly assessment run (the holder's portal account, the annual notice an assessment went
out with), the exemption granted to a dog for the following years, with its end, and households by the
main residence: the family name leaves the household key, so households at one address are merged

Revision ID: dog_tax_0003
Revises: dog_tax_0002

Must match tasks/dog_tax/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'dog_tax_0003'
down_revision = 'dog_tax_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dog_tax_holder", sa.Column("account", sa.String(length=200), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_kind", sa.String(length=30), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_percent", sa.Integer(), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_reason", sa.Text(), nullable=True))
    op.add_column("dog_tax_dog", sa.Column("exemption_valid_until", sa.Date(), nullable=True))
    op.add_column("dog_tax_assessment", sa.Column("notice_document_id", sa.Integer(), nullable=True))
    merge_households(op.get_bind())


def merge_households(conn) -> None:
    """"postal|street|family" becomes "postal|street": the first household at an address takes over the
    holders and dogs of the others there."""
    households = sa.table("dog_tax_household", sa.column("id"), sa.column("tenant"), sa.column("household_key"))
    kept: dict = {}
    for row in conn.execute(sa.select(households).order_by(households.c.id)):
        address = (row.tenant, "|".join(row.household_key.split("|")[:2]))
        if address not in kept:
            kept[address] = row.id
            conn.execute(households.update().where(households.c.id == row.id).values(household_key=address[1]))
            continue
        for name in ("dog_tax_holder", "dog_tax_dog"):
            table = sa.table(name, sa.column("household_id"))
            conn.execute(table.update().where(table.c.household_id == row.id).values(household_id=kept[address]))
        conn.execute(households.delete().where(households.c.id == row.id))


def downgrade() -> None:
    # Merged households stay merged (the family names are with the holders). Plain DROP COLUMN (SQLite 3.35+).
    op.drop_column("dog_tax_assessment", "notice_document_id")
    for column in ("exemption_valid_until", "exemption_reason", "exemption_percent", "exemption_kind"):
        op.drop_column("dog_tax_dog", column)
    op.drop_column("dog_tax_holder", "account")
