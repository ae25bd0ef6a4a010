"""The composition root: the one place that builds an installation (database, specialist
systems, engine, case service) from one ``Settings``. The web app, the CLI, the worker and the
tests all get their installation here; tests pass their own plugins or clock."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from engine import migrate
from engine.clock import SystemClock
from engine.db import make_engine, make_sessionmaker, transaction
from engine.facade import ProcessEngine
from engine.repository import read_paths
from tasks.base import Plugin
from tasks.builtin import BUILTIN_PLUGINS
from tasks.registry import Registry, build_registry, combine, plugins_from_modules

from .attachments import load_scanner
from .cases import CaseService, Oversight
from .catalog import MODELS, services
from .checks import application_checks
from .register_reports import RegisterReports
from .sessions import SessionService
from .settings import Settings
from .standing import start_standing_processes

DEMO_TENANTS = ("plauen", "musterstadt")
HOUSEKEEPING_SECONDS = 5.0  # how often a worker delivers the registers' reports and clears abandoned uploads

log = logging.getLogger(__name__)


@dataclass
class Installation:
    settings: Settings
    plugins: tuple[Plugin, ...]
    registry: Registry
    engine: ProcessEngine
    cases: CaseService
    oversight: Oversight  # the operators' view of instances and incidents
    user_sessions: SessionService
    register_reports: RegisterReports  # the registers' reports reach the parking permits they concern

    def upgrade_database(self) -> None:
        """Applies the engine's migrations and every registered system's branch."""
        migrate.upgrade(self.engine.ctx.db, self.migration_locations())

    def migration_locations(self) -> list[Path]:
        return migration_locations(self.plugins)

    def readiness(self) -> str | None:
        """None when the database answers and every branch is at its head; else what is missing (German)."""
        db = self.engine.ctx.db
        try:
            with db.connect() as conn:
                conn.execute(text("SELECT 1"))
            missing = migrate.pending(db, self.migration_locations())
        except Exception:  # noqa: BLE001 (any failure means: not ready)
            return "Datenbank nicht erreichbar"
        return f"Datenbank nicht auf dem neuesten Stand ({len(missing)} Zweig(e) fehlen)" if missing else None

    def deploy_models(self) -> list:
        """Deploys every service's model folder; returns the definitions."""
        return [info for svc in services().values()
                for info in self.engine.repository.deploy(read_paths([MODELS / svc.key]), name=svc.key)]

    def seed_demo(self, tenants: Sequence[str] = DEMO_TENANTS) -> dict[str, int]:
        return seed_demo(self.engine.sessions, self.plugins, tenants)

    def start_standing_processes(self) -> list[str]:
        return start_standing_processes(self.engine)

    def housekeeping(self) -> dict[str, int]:
        """The worker's periodic pass: the registers' reports go to the permits they concern; files staged
        with a draft that was never sent are deleted once older than ``staged_upload_days``. -> what it did."""
        staged_before = self.engine.ctx.now() - timedelta(days=self.settings.staged_upload_days)
        return {"reports": self.register_reports.drain(),
                "uploads": self.registry.system("efile").delete_unclaimed(staged_before)}

    def start_housekeeping(self, stop: Callable[[], bool] = lambda: False) -> threading.Thread:
        """Runs ``housekeeping`` every HOUSEKEEPING_SECONDS in a thread of its own until ``stop``; a failed
        pass (the database away, say) is logged and the next one tries again."""
        def loop() -> None:
            while not stop():
                try:
                    self.housekeeping()
                except Exception:  # the worker stays up; the next pass retries
                    log.exception("Regelmäßiger Durchgang des Workers fehlgeschlagen")
                deadline = time.monotonic() + HOUSEKEEPING_SECONDS
                while not stop() and time.monotonic() < deadline:
                    time.sleep(0.2)

        thread = threading.Thread(target=loop, name="amtsweg-housekeeping", daemon=True)
        thread.start()
        return thread

    def work(self, until_idle: bool = False, stop: Callable[[], bool] = lambda: False, **options) -> int:
        """The worker: due jobs plus the periodic pass -> the jobs done. ``until_idle``: one periodic pass,
        then the jobs until none is due (the reports it delivered included). Options as ``executor``."""
        executor = self.engine.executor(**options)
        if until_idle:
            self.housekeeping()
            return executor.run(until_idle=True)
        self.start_housekeeping(stop)
        return executor.run(stop=stop)

    def close(self) -> None:
        self.engine.ctx.db.dispose()


def migration_locations(plugins: Iterable[Plugin]) -> list[Path]:
    """The Alembic branches of these plugins (the engine's own is always applied)."""
    return [p.migrations for p in plugins if p.migrations is not None]


def seed_demo(sessions, plugins: Iterable[Plugin], tenants: Sequence[str] = DEMO_TENANTS) -> dict[str, int]:
    """Demo data of every system that has some, in plugin order; running it again adds nothing.
    Returns the rows added per tenant."""
    added = {}
    for tenant in tenants:
        with transaction(sessions) as session:
            added[tenant] = sum(p.seed(session, tenant) for p in plugins if p.seed is not None)
    return added


def bootstrap(settings: Settings | None = None, plugins: Iterable[Plugin] | None = None, clock=None) -> Installation:
    """``plugins`` defaults to the built-in systems plus those of ``settings.plugin_modules``, which
    replace built-in systems of the same name."""
    settings = settings or Settings.from_env()
    if plugins is None:
        plugins = combine(BUILTIN_PLUGINS, plugins_from_modules(settings.plugin_modules))
    plugins = tuple(plugins)
    sessions = make_sessionmaker(make_engine(settings.database_url))
    registry = build_registry(plugins, sessions, settings)
    engine = ProcessEngine(sessions, registry, clock or SystemClock(), workflow_cache_size=settings.workflow_cache_size,
                           lock_seconds=settings.lock_seconds)
    cases = CaseService(engine, portal=registry.system("portal"), finance=registry.system("finance"),
                        print_mail=registry.system("print_mail"), checks=application_checks(registry),
                        efile=registry.system("efile"), scanner=load_scanner(settings.attachment_scanner),
                        max_file_bytes=settings.attachment_max_file_bytes,
                        max_total_bytes=settings.attachment_max_total_bytes)
    oversight = Oversight(engine)
    user_sessions = SessionService(registry.system("accounts"), engine.ctx.now,
                                   staff_absolute=timedelta(hours=settings.staff_session_hours),
                                   staff_idle=timedelta(minutes=settings.staff_idle_minutes))
    return Installation(settings, plugins, registry, engine, cases, oversight, user_sessions,
                        RegisterReports(engine, registry, lock_seconds=settings.lock_seconds))
