"""Schema migrations: the engine's Alembic branch plus one labelled branch per specialist system.

The engine owns only its own history (``engine/migrations/versions``, branch ``engine``). Each
specialist system keeps its branch beside its code (``tasks/<system>/migrations``, branch label =
the system's package name); the composition root passes the folders of the systems it registers.
A system whose folder is not passed is neither migrated nor stamped. Nothing here imports a plugin.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

SCRIPT_LOCATION = Path(__file__).parent / "migrations"
ENGINE_VERSIONS = SCRIPT_LOCATION / "versions"
ENGINE_BRANCH = "engine"

# Until the split into branches one linear-ish history 0001-0009 held the engine's and every
# system's tables, so existing databases carry those ids in alembic_version. ``upgrade`` replaces
# them by the branch revisions that create the same schema (no DDL, no data touched).
# legacy id -> (its down revisions, the new revisions equivalent to it). Frozen: never extend it.
LEGACY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "0001": ((), ("0001",)),
    "0002": (("0001",), ("civil_register_0001", "finance_0001", "efile_0001", "print_mail_0001",
                         "notifications_0001")),
    "0003": (("0002",), ("testing_0001",)),
    "0004": (("0003",), ("portal_0001",)),
    "0005": (("0004",), ("dog_tax_0001",)),
    "0006": (("0004",), ("residents_0001", "vehicles_0001", "parking_0001")),
    "0007": (("0004",), ("xoev_0001",)),
    "0008": (("0002",), ("finance_0002",)),
    "0009": (("0004",), ("portal_0002",)),
}


def config(db_engine: Engine | None, locations: Sequence[Path]) -> Config:
    """An Alembic configuration for the engine's branch and the branches in ``locations``.

    With ``db_engine`` the migration environment runs on it (in its own transaction); without,
    only commands that need no database work (heads, history). A caller may put an open connection into
    ``cfg.attributes["connection"]`` to run inside its transaction instead.
    """
    folders: list[str] = []
    for folder in (ENGINE_VERSIONS, *locations):
        path = str(Path(folder).resolve())
        if path not in folders:
            folders.append(path)
    cfg = Config()
    cfg.set_main_option("script_location", _escape(str(SCRIPT_LOCATION)))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", _escape(os.pathsep.join(folders)))
    if db_engine is not None:
        cfg.attributes["engine"] = db_engine
    return cfg


def upgrade(db_engine: Engine, locations: Sequence[Path], revision: str = "heads") -> None:
    """Adopts a database of the old single history, then upgrades the engine's branch and every
    branch in ``locations`` to ``revision``, all in one transaction."""
    cfg = config(db_engine, locations)
    script = ScriptDirectory.from_config(cfg)
    with db_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        adopted = _adopted_revisions(conn, script)
        if adopted is not None:
            command.stamp(cfg, sorted(adopted), purge=True)
        command.upgrade(cfg, revision)


def heads(locations: Sequence[Path]) -> dict[str, str]:
    """Branch label -> head revision, for the engine's branch and every branch in ``locations``."""
    script = ScriptDirectory.from_config(config(None, locations))
    result: dict[str, str] = {}
    for head in script.get_revisions("heads"):
        for label in head.branch_labels:  # Alembic carries a branch's label to all its revisions
            result[label] = head.revision
    return dict(sorted(result.items()))


def pending(db_engine: Engine, locations: Sequence[Path]) -> set[str]:
    """The head revisions (engine's branch and ``locations``) the database is not at yet; empty when
    it is up to date."""
    script = ScriptDirectory.from_config(config(None, locations))
    with db_engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    known = {r.revision for r in script.walk_revisions()}
    applied: set[str] = set()
    for rev in current:
        if rev in known:
            applied |= {r.revision for r in script.walk_revisions(base="base", head=rev)}
    return {head for head in script.get_heads() if head not in applied}


def _adopted_revisions(conn: Connection, script: ScriptDirectory) -> set[str] | None:
    """The new revisions that replace the legacy rows of alembic_version, or None if there are none."""
    rows = set(MigrationContext.configure(conn).get_current_heads())
    known = {rev.revision for rev in script.walk_revisions()}
    legacy = {row for row in rows if row in LEGACY and row not in known}
    if not legacy:
        return None
    covered = {new for old in _legacy_ancestors(legacy) for new in LEGACY[old][1] if new in known}
    return _newest(script, (rows - legacy) | covered)


def _legacy_ancestors(revisions: Iterable[str]) -> set[str]:
    """The legacy revisions applied in a database whose alembic_version holds ``revisions``."""
    applied: set[str] = set()
    todo = list(revisions)
    while todo:
        rev = todo.pop()
        if rev not in applied:
            applied.add(rev)
            todo.extend(LEGACY[rev][0])
    return applied


def _newest(script: ScriptDirectory, revisions: set[str]) -> set[str]:
    """``revisions`` without those that another of them already includes (per branch the newest)."""
    older: set[str] = set()
    for rev in revisions:
        older |= {r.revision for r in script.walk_revisions(base="base", head=rev) if r.revision != rev}
    return revisions - older


def _escape(value: str) -> str:
    return value.replace("%", "%%")  # Config values are interpolated
