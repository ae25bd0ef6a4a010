"""History service: the audit trail: queries, and the record of who looked at what."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .clock import as_utc
from .db import transaction
from .errors import NotFound
from .models import AuditEvent, ProcessInstance


@dataclass(frozen=True)
class AuditEntry:
    id: int
    instance_id: str
    tenant: str
    at: datetime
    actor: str | None
    action: str
    activity_id: str | None
    activity_name: str | None
    changes: dict | None


class HistoryService:
    def __init__(self, ctx):
        self.ctx = ctx

    def record_access(self, instance_id: str, actor: str, action: str, details: dict | None = None) -> None:
        """Writes that someone read an instance's data (a task page, documents, the operator's view):
        changes nothing else. NotFound if there is no such instance."""
        with transaction(self.ctx.sessions) as session:
            tenant = session.scalar(select(ProcessInstance.tenant).where(ProcessInstance.id == instance_id))
            if tenant is None:
                raise NotFound(f"Vorgang {instance_id} nicht gefunden.")
            session.add(AuditEvent(instance_id=instance_id, tenant=tenant, at=self.ctx.now(), actor=actor,
                                   action=action, changes=details))

    def audit(self, instance_id: str | None = None, tenant: str | None = None, actor: str | None = None,
              action: str | None = None, since: datetime | None = None, until: datetime | None = None,
              page: int = 1, per_page: int = 200) -> list[AuditEntry]:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for column, value in ((AuditEvent.instance_id, instance_id), (AuditEvent.tenant, tenant),
                              (AuditEvent.actor, actor), (AuditEvent.action, action)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if until is not None:
            query = query.where(AuditEvent.at < until)
        with self.ctx.sessions() as session:
            return [AuditEntry(e.id, e.instance_id, e.tenant, as_utc(e.at), e.actor, e.action, e.activity_id,
                               e.activity_name, e.changes)
                    for e in session.scalars(query.offset((page - 1) * per_page).limit(per_page))]
