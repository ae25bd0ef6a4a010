"""The engine's public face, in the spirit of Camunda 7's ProcessEngineServices.
``processes/``, ``webui/`` and the CLI use this and the typed errors in ``engine.errors``."""
from __future__ import annotations

from .clock import SystemClock
from .core import EngineContext, WorkflowCache
from .db import make_engine, make_sessionmaker
from .history import HistoryService
from .humantasks import TaskService
from .jobs import JobExecutor
from .management import ManagementService
from .repository import RepositoryService
from .runtime import RuntimeService


class ProcessEngine:
    def __init__(self, sessions, registry, clock=None, workflow_cache: WorkflowCache | None = None):
        """``workflow_cache`` holds the workflows this process saved last; ``WorkflowCache(size=0)``
        makes every command load the instance state from the database."""
        self.ctx = EngineContext(sessions, registry, clock or SystemClock(),
                                 workflows=workflow_cache if workflow_cache is not None else WorkflowCache())
        self.sessions = sessions
        self.repository = RepositoryService(self.ctx)
        self.runtime = RuntimeService(self.ctx, self.repository)
        self.tasks = TaskService(self.ctx, self.repository)
        self.management = ManagementService(self.ctx)
        self.history = HistoryService(self.ctx)

    def executor(self, **options) -> JobExecutor:
        return JobExecutor(self.ctx, **options)

    def instance_view(self, instance_id: str) -> dict:
        """An instance with its open tasks, incidents and audit trail, as JSON-ready data."""
        info = self.runtime.get(instance_id)
        return {
            "id": info.id,
            "process_key": info.process_key,
            "tenant": info.tenant,
            "business_key": info.business_key,
            "state": info.state,
            "variables": info.variables,
            "open_tasks": [_plain(t) for t in self.tasks.query(instance_id=instance_id)],
            "incidents": [_plain(i) for i in self.management.incidents(instance_id=instance_id)],
            "audit": [_plain(a) for a in self.history.audit(instance_id=instance_id)],
        }


def _plain(obj) -> dict:
    from dataclasses import asdict
    from datetime import datetime

    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(obj).items()}


def open_engine(url: str | None = None, registry=None, clock=None) -> ProcessEngine:
    """An engine on the database at ``url`` (default AMTSWEG_DATABASE_URL) with the adapters wired
    in ``tasks.registry`` unless a registry is given."""
    sessions = make_sessionmaker(make_engine(url))
    if registry is None:
        from tasks.registry import default_registry

        registry = default_registry(sessions)
    return ProcessEngine(sessions, registry, clock)
