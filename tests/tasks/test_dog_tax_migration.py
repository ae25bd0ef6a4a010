"""dog_tax_0003 leaves the households as they are: households at one address (neighbours' flats, other
families) are not merged (on SQLite and PostgreSQL, as tests/engine/test_migrate.py runs them)."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from engine.migrate import config, upgrade
from tests.engine.test_migrate import PRODUCTION, empty_engine  # noqa: F401 (the fixture)

ROWS = """
INSERT INTO dog_tax_household (id, tenant, household_key, street, postal_code, city, created_at) VALUES
 (1, 'plauen', '08523|bahnhofstrasse12|beispiel', 'Bahnhofstraße 12', '08523', 'Plauen', '2026-01-01'),
 (2, 'plauen', '08523|bahnhofstrasse12|neumann', 'Bahnhofstraße 12', '08523', 'Plauen', '2026-01-02'),
 (3, 'plauen', '08523|lindenweg3|neumann', 'Lindenweg 3', '08523', 'Plauen', '2026-01-03'),
 (4, 'musterstadt', '08523|bahnhofstrasse12|neumann', 'Bahnhofstraße 12', '08523', 'Musterstadt', '2026-01-04');
INSERT INTO dog_tax_holder (id, tenant, household_id, given_name, family_name, name_key, created_at) VALUES
 (1, 'plauen', 1, 'Jonas', 'Beispiel', 'jonas beispiel', '2026-01-01'),
 (2, 'plauen', 2, 'Lena', 'Neumann', 'lena neumann', '2026-01-02'),
 (3, 'plauen', 3, 'Erika', 'Neumann', 'erika neumann', '2026-01-03'),
 (4, 'musterstadt', 4, 'Lena', 'Neumann', 'lena neumann', '2026-01-04');
INSERT INTO dog_tax_dog (id, tenant, holder_id, household_id, name, breed, held_since, dangerous, status,
                         idempotency_key, created_at) VALUES
 (1, 'plauen', 1, 1, 'Bello', 'Labrador', '2019-07-01', false, 'angemeldet', 'k1', '2026-01-01'),
 (2, 'plauen', 2, 2, 'Paula', 'Dackel', '2025-07-01', false, 'angemeldet', 'k2', '2026-01-02'),
 (3, 'plauen', 3, 3, 'Bruno', 'Pudel', '2025-07-01', false, 'angemeldet', 'k3', '2026-01-03'),
 (4, 'musterstadt', 4, 4, 'Rex', 'Boxer', '2025-07-01', false, 'angemeldet', 'k4', '2026-01-04');
"""


def test_households_at_one_address_are_not_merged(empty_engine):  # noqa: F811
    upgrade(empty_engine, PRODUCTION)
    cfg = config(empty_engine, PRODUCTION)
    command.downgrade(cfg, "dog_tax_0002")
    with empty_engine.begin() as conn:
        for statement in ROWS.strip().split(";"):
            if statement.strip():
                conn.execute(text(statement))
    command.upgrade(cfg, "dog_tax@head")
    with empty_engine.connect() as conn:
        households = conn.execute(text("SELECT id, tenant, household_key FROM dog_tax_household ORDER BY id")).all()
        holders = conn.execute(text("SELECT id, household_id FROM dog_tax_holder ORDER BY id")).all()
        dogs = conn.execute(text("SELECT id, household_id FROM dog_tax_dog ORDER BY id")).all()
    assert [tuple(h) for h in households] == [
        (1, "plauen", "08523|bahnhofstrasse12|beispiel"), (2, "plauen", "08523|bahnhofstrasse12|neumann"),
        (3, "plauen", "08523|lindenweg3|neumann"), (4, "musterstadt", "08523|bahnhofstrasse12|neumann")]
    assert [tuple(h) for h in holders] == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert [tuple(d) for d in dogs] == [(1, 1), (2, 2), (3, 3), (4, 4)]
