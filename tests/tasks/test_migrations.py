"""Migration 0002 creates exactly the specialist systems' tables as the models define them."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import tasks.models
from engine.db import MIGRATIONS_DIR, Base, make_engine, upgrade


def ours(name: str | None) -> bool:
    return bool(name) and name.startswith(tasks.models.TABLE_PREFIXES)


def test_upgraded_schema_matches_the_models(db):
    def include_object(obj, name, type_, reflected, compare_to):
        return ours(name) if type_ == "table" else True  # the engine's tables are 0001's business

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert {t for t in inspect(db.engine).get_table_names() if ours(t)} == {t for t in Base.metadata.tables if ours(t)}


def test_downgrade_drops_the_tables(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    upgrade(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert not [t for t in inspect(engine).get_table_names() if ours(t)]
    upgrade(engine)
    assert "civreg_entry" in inspect(engine).get_table_names()
    engine.dispose()
