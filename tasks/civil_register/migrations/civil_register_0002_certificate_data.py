"""civil register: what the certificates must carry (§§ 57-60 PStG): sex, place of birth, last residence,
marital status, the death of a person in an entry (§ 62 Abs. 3 PStG), the time of death

Revision ID: civil_register_0002
Revises: civil_register_0001

Must match tasks/civil_register/models.py exactly (tests/engine/test_migrate.py checks).
"""
import sqlalchemy as sa
from alembic import op

revision = 'civil_register_0002'
down_revision = 'civil_register_0001'
branch_labels = None
depends_on = None

PERSON_COLUMNS = (
    ("place_of_birth", sa.String(length=200)),
    ("sex", sa.String(length=20)),
    ("last_residence", sa.String(length=200)),
    ("marital_status", sa.String(length=30)),
    ("date_of_death", sa.Date()),
)


def upgrade() -> None:
    op.add_column("civreg_entry", sa.Column("event_time", sa.Time(), nullable=True))
    for name, kind in PERSON_COLUMNS:
        op.add_column("civreg_person", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of civreg_entry could not drop the table
    # that civreg_person's rows refer to.
    for name, _ in reversed(PERSON_COLUMNS):
        op.drop_column("civreg_person", name)
    op.drop_column("civreg_entry", "event_time")
