"""Migrations per branch (engine/migrate.py): the engine's branch plus one labelled branch per
specialist system, fresh databases, databases of the old single history, and each branch alone."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String, Text, Time, insert, inspect, text

import engine.models
from engine.db import Base, make_engine, normalise_url
from engine.migrate import config, heads, upgrade
from processes.bootstrap import migration_locations
from tasks import testing
from tasks.builtin import BUILTIN_PLUGINS
from tests.conftest import POSTGRES_URL, ROOT

PRODUCTION = tuple(migration_locations(BUILTIN_PLUGINS))
EVERYTHING = (*PRODUCTION, testing.PLUGIN.migrations)
LEGACY_SCRIPTS = Path(__file__).resolve().parents[1] / "models" / "legacy_migrations"

EXPECTED_HEADS = {
    "engine": "0001",
    "accounts": "accounts_0001",
    "civil_register": "civil_register_0002",
    "dog_tax": "dog_tax_0004",
    "efile": "efile_0002",
    "finance": "finance_0003",
    "notifications": "notifications_0001",
    "parking": "parking_0003",
    "portal": "portal_0003",
    "print_mail": "print_mail_0001",
    "residents": "residents_0003",
    "staff_accounts": "staff_accounts_0001",
    "signin": "signin_0001",
    "trade": "trade_0001",
    "vehicles": "vehicles_0002",
    "xoev": "xoev_0001",
}
ENGINE_TABLES = {cls.__table__.name for cls in vars(engine.models).values()
                 if isinstance(cls, type) and issubclass(cls, Base) and hasattr(cls, "__table__")}
PREFIX = {"civil_register": "civreg_", "notifications": "notify_", "staff_accounts": "staff_account"}


def owned_tables(label: str) -> set[str]:
    """The model tables a branch owns: the engine's tables, or those with the system's prefix."""
    if label == "engine":
        return set(ENGINE_TABLES)
    prefix = PREFIX.get(label, f"{label}_")
    return {name for name in Base.metadata.tables if name.startswith(prefix)}


ALL_TABLES = set(Base.metadata.tables)
BORN_AFTER_THE_SPLIT = ("staff_accounts", "signin", "accounts", "trade")  # branches the old single history never had
# Branches with revisions after the split: the last revision the old history had, and the tables added since.
MOVED_ON = {"portal": "portal_0002", "civil_register": "civil_register_0001", "dog_tax": "dog_tax_0001",
            "finance": "finance_0002", "parking": "parking_0001", "efile": "efile_0001",
            "residents": "residents_0001", "vehicles": "vehicles_0001"}
ADDED_AFTER_THE_SPLIT = {"portal_delivery_choice", "efile_attachment", "parking_register_report", "residents_report",
                         "vehicles_report", "dog_tax_exemption_review"}
LEGACY_TABLES = (ALL_TABLES - {t for label in BORN_AFTER_THE_SPLIT for t in owned_tables(label)}
                 - ADDED_AFTER_THE_SPLIT)
PRODUCTION_TABLES = ALL_TABLES - {"testing_effect"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """A SQLAlchemy engine on an empty database (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        db_engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield db_engine
        db_engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("AMTSWEG_TEST_POSTGRES_URL is not set")
    schema = f"amtsweg_migrate_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = normalise_url(POSTGRES_URL)
    db_engine = make_engine(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}")
    try:
        yield db_engine
    finally:
        db_engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def tables(db_engine) -> set[str]:
    return set(inspect(db_engine).get_table_names()) - {"alembic_version"}


def versions(db_engine) -> set[str]:
    with db_engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def schema_diff(db_engine, only: set[str]) -> list:
    """Differences between the database and the models, restricted to the tables in ``only``."""
    def include(obj, name, type_, reflected, compare_to):
        return name in only if type_ == "table" else True

    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        return compare_metadata(context, Base.metadata)


def build_legacy(db_engine, revision: str = "heads") -> None:
    """A database as today's (pre-branch) single history 0001-0009 created it."""
    cfg = Config()
    cfg.set_main_option("script_location", str(LEGACY_SCRIPTS))
    with db_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _value(column, inserted: dict):
    for fk in column.foreign_keys:
        if fk.column.table is column.table:
            return None  # self reference (supersedes, replaces): nullable
        return inserted[fk.column.table.name][fk.column.name]
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 7
    if isinstance(kind, DateTime):
        return dt.datetime(2024, 5, 17, 9, 30, tzinfo=dt.UTC)
    if isinstance(kind, Time):
        return dt.time(9, 30)
    if isinstance(kind, Date):
        return dt.date(2024, 5, 17)
    if isinstance(kind, JSON):
        return {"schlüssel": ["wert", 1]}
    if isinstance(kind, LargeBinary):
        return b"%PDF-1.4 amtsweg"
    if isinstance(kind, (String, Text)):
        return f"{column.table.name[:3]}-{column.name}"[: kind.length or 100]
    raise AssertionError(f"no sample value for {column.table.name}.{column.name} ({kind!r})")


def fill_every_table(db_engine, names: set[str]) -> None:
    """One row in every table of ``names``, foreign keys pointing at the parents' rows."""
    inserted: dict[str, dict] = {}
    reflected = inspect(db_engine)
    with db_engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in names:
                continue
            present = {c["name"] for c in reflected.get_columns(table.name)}
            row = {column.name: _value(column, inserted) for column in table.columns if column.name in present}
            conn.execute(insert(table).values(row))
            inserted[table.name] = row


def contents(db_engine, names: set[str], columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of the tables in ``names`` (only ``columns[table]`` where given), in a stable order."""
    def plain(value):
        return bytes(value) if isinstance(value, memoryview) else value

    def select(name):
        listed = ", ".join(f'"{c}"' for c in columns[name]) if columns else "*"
        return text(f'SELECT {listed} FROM "{name}"')

    with db_engine.connect() as conn:
        return {name: sorted((tuple(plain(v) for v in row) for row in conn.execute(select(name))), key=repr)
                for name in sorted(names)}


def column_names(db_engine, names: set[str]) -> dict[str, list[str]]:
    reflected = inspect(db_engine)
    return {name: [c["name"] for c in reflected.get_columns(name)] for name in names}


def test_heads_name_one_revision_per_branch():
    assert heads(PRODUCTION) == EXPECTED_HEADS
    assert heads(EVERYTHING) == {**EXPECTED_HEADS, "testing": "testing_0001"}
    assert heads(()) == {"engine": "0001"}


def test_every_system_with_a_branch_is_listed():
    folders = {p.parent.name for p in (ROOT / "tasks").glob("*/migrations") if p.is_dir()}
    assert folders == {p.parent.name for p in EVERYTHING}
    assert {p.name for p in BUILTIN_PLUGINS if p.migrations} == set(EXPECTED_HEADS) - {"engine"}


def test_fresh_database_gets_the_production_branches_without_the_testing_table(empty_engine):
    upgrade(empty_engine, PRODUCTION)
    assert tables(empty_engine) == PRODUCTION_TABLES
    assert "testing_effect" not in tables(empty_engine)
    assert schema_diff(empty_engine, PRODUCTION_TABLES) == []
    assert versions(empty_engine) == set(heads(PRODUCTION).values())

    upgrade(empty_engine, PRODUCTION)  # nothing left to do
    assert versions(empty_engine) == set(EXPECTED_HEADS.values())


def test_fresh_database_with_the_testing_system(empty_engine):
    upgrade(empty_engine, EVERYTHING)
    assert tables(empty_engine) == ALL_TABLES
    assert schema_diff(empty_engine, ALL_TABLES) == []
    assert versions(empty_engine) == set(heads(EVERYTHING).values())


def test_the_engine_alone(empty_engine):
    upgrade(empty_engine, ())
    assert tables(empty_engine) == ENGINE_TABLES
    assert versions(empty_engine) == {"0001"}


def test_the_test_database_matches_all_models(db):
    assert schema_diff(db.engine, ALL_TABLES) == []
    assert tables(db.engine) == ALL_TABLES


def test_the_legacy_mapping_follows_the_frozen_history():
    from alembic.script import ScriptDirectory

    from engine.migrate import LEGACY

    cfg = Config()
    cfg.set_main_option("script_location", str(LEGACY_SCRIPTS))
    frozen = {rev.revision: tuple(rev._all_down_revisions) for rev in ScriptDirectory.from_config(cfg).walk_revisions()}
    assert frozen == {old: parents for old, (parents, _) in LEGACY.items()}
    every_new = [new for _, news in LEGACY.values() for new in news]
    legacy_heads = {**{label: rev for label, rev in heads(EVERYTHING).items() if label not in BORN_AFTER_THE_SPLIT},
                    **MOVED_ON}
    assert sorted(every_new) == sorted(set(legacy_heads.values()) | {"finance_0001", "portal_0001"})


def test_legacy_database_is_adopted_with_its_data(empty_engine):
    build_legacy(empty_engine)
    assert versions(empty_engine) == {"0005", "0006", "0007", "0008", "0009"}
    assert tables(empty_engine) == LEGACY_TABLES  # the old history created every table then, testing's too
    fill_every_table(empty_engine, LEGACY_TABLES)
    old_columns = column_names(empty_engine, LEGACY_TABLES)
    before = contents(empty_engine, LEGACY_TABLES, old_columns)
    assert all(before.values())

    upgrade(empty_engine, EVERYTHING)

    assert contents(empty_engine, LEGACY_TABLES, old_columns) == before
    assert schema_diff(empty_engine, ALL_TABLES) == []
    assert versions(empty_engine) == set(heads(EVERYTHING).values())


def test_legacy_adoption_stamps_only_the_given_branches(empty_engine):
    build_legacy(empty_engine)
    fill_every_table(empty_engine, LEGACY_TABLES)
    old_columns = column_names(empty_engine, LEGACY_TABLES)
    before = contents(empty_engine, LEGACY_TABLES, old_columns)

    upgrade(empty_engine, PRODUCTION)

    assert versions(empty_engine) == set(EXPECTED_HEADS.values())  # no testing_0001: Alembic could not locate it
    assert contents(empty_engine, LEGACY_TABLES, old_columns) == before  # testing_effect is left as it was, not dropped
    assert schema_diff(empty_engine, PRODUCTION_TABLES) == []


@pytest.mark.parametrize("legacy, missing", [
    ("0004", {"dog_tax_dog", "parking_permit", "vehicles_vehicle", "xoev_message", "portal_draft"}),
    ("0006", {"dog_tax_dog", "xoev_message", "portal_draft"}),
    ("0008", {"testing_effect", "portal_status", "portal_draft", "dog_tax_dog", "xoev_message"}),
])
def test_partly_migrated_legacy_database_is_adopted_and_completed(empty_engine, legacy, missing):
    build_legacy(empty_engine, legacy)
    present = tables(empty_engine)
    assert missing.isdisjoint(present)
    fill_every_table(empty_engine, present)
    old_columns = column_names(empty_engine, present)
    before = contents(empty_engine, present, old_columns)

    upgrade(empty_engine, EVERYTHING)

    assert contents(empty_engine, present, old_columns) == before
    if "booking_key" not in old_columns["finance_payment"]:  # finance_0002 has just added it
        with empty_engine.connect() as conn:
            assert conn.execute(text("SELECT booking_key FROM finance_payment")).scalars().all() == [None]
    assert tables(empty_engine) == ALL_TABLES
    assert schema_diff(empty_engine, ALL_TABLES) == []
    assert versions(empty_engine) == set(heads(EVERYTHING).values())


def test_each_branch_goes_down_to_its_base_and_up_again_alone(empty_engine):
    upgrade(empty_engine, EVERYTHING)
    fill_every_table(empty_engine, ALL_TABLES)
    cfg = config(empty_engine, EVERYTHING)
    all_heads = heads(EVERYTHING)
    owners = [owned_tables(label) for label in all_heads]
    assert set().union(*owners) == ALL_TABLES and sum(map(len, owners)) == len(ALL_TABLES)

    for label, head in all_heads.items():
        others = ALL_TABLES - owned_tables(label)
        before = contents(empty_engine, others)

        command.downgrade(cfg, f"{label}@base")
        assert tables(empty_engine) == others, label
        assert versions(empty_engine) == set(all_heads.values()) - {head}, label
        assert contents(empty_engine, others) == before, label

        command.upgrade(cfg, f"{label}@head")
        assert tables(empty_engine) == ALL_TABLES, label
        assert versions(empty_engine) == set(all_heads.values()), label
        fill_every_table(empty_engine, owned_tables(label))

    assert schema_diff(empty_engine, ALL_TABLES) == []


def test_alembic_heads_from_the_repository_root():
    env = {k: v for k, v in os.environ.items() if k != "ALEMBIC_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "alembic", "heads"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    listed = {}
    for line in result.stdout.splitlines():
        revision, label, marker = line.split()
        assert marker == "(head)"
        listed[label.strip("()")] = revision
    assert listed == EXPECTED_HEADS


def test_the_engine_migrates_without_importing_any_plugin(tmp_path):
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    code = (
        "import sys\n"
        "from engine.db import make_engine\n"
        "from engine.migrate import upgrade\n"
        f"upgrade(make_engine({url!r}), ())\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tasks', 'processes', 'webui'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)


def schema_of(db_engine) -> dict:
    """Tables, columns, keys, indexes and constraint names as the database reports them."""
    reflected = inspect(db_engine)
    result = {}
    for name in sorted(tables(db_engine)):
        pk = reflected.get_pk_constraint(name)
        result[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in reflected.get_columns(name)],
            "pk": (pk["name"], pk["constrained_columns"]),
            "fks": sorted((fk["name"], fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                          for fk in reflected.get_foreign_keys(name)),
            "indexes": sorted((ix["name"], ix["column_names"], bool(ix["unique"]))
                              for ix in reflected.get_indexes(name)),
            "unique": sorted((uq["name"], uq["column_names"]) for uq in reflected.get_unique_constraints(name)),
        }
    return result


def test_the_branches_build_the_same_schema_as_the_old_history(empty_engine):
    upgrade(empty_engine, EVERYTHING)
    assert set(schema_of(empty_engine)) == ALL_TABLES
    for revision in MOVED_ON.values():  # as far as the old history went
        command.downgrade(config(empty_engine, EVERYTHING), revision)
    new = schema_of(empty_engine)
    command.downgrade(config(empty_engine, EVERYTHING), "base")
    assert tables(empty_engine) == set() and versions(empty_engine) == set()
    with empty_engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))

    build_legacy(empty_engine)

    assert schema_of(empty_engine) == {t: schema for t, schema in new.items() if t in LEGACY_TABLES}


def test_a_failing_upgrade_leaves_a_legacy_database_as_it_was(empty_engine, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "broken_0001.py").write_text(
        'from alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "broken_0001"\ndown_revision = None\nbranch_labels = ("broken",)\ndepends_on = None\n\n\n'
        'def upgrade():\n    op.create_table("broken_thing", sa.Column("id", sa.Integer(), primary_key=True))\n'
        '    raise RuntimeError("halfway")\n\n\ndef downgrade():\n    pass\n'
    )
    build_legacy(empty_engine, "0008")
    before_tables, before_versions = tables(empty_engine), versions(empty_engine)

    with pytest.raises(RuntimeError, match="halfway"):
        upgrade(empty_engine, (*EVERYTHING, broken))

    assert versions(empty_engine) == before_versions == {"0008"}
    assert tables(empty_engine) == before_tables
