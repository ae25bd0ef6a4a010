"""INTERIM (replaced by the migrations branch)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def upgrade(db_engine: Engine, locations: Sequence[Path] = (), revision: str = "heads") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
