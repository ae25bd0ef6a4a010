"""Management service for operators: jobs, incidents and their retry, suspend and resume."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from . import core
from .clock import as_utc
from .db import transaction
from .errors import InvalidState, NotFound
from .models import Incident, Job, ProcessInstance


@dataclass(frozen=True)
class JobInfo:
    id: str
    instance_id: str
    tenant: str
    kind: str
    activity_id: str | None
    operation: str | None
    state: str
    due_at: datetime
    retries_left: int
    attempts: int
    lock_owner: str | None
    lock_expires_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class IncidentInfo:
    id: str
    instance_id: str
    tenant: str
    job_id: str | None
    activity_id: str | None
    kind: str
    message: str
    created_at: datetime
    resolved_at: datetime | None


class ManagementService:
    def __init__(self, ctx):
        self.ctx = ctx

    def jobs(self, instance_id: str | None = None, tenant: str | None = None, state: str | None = None,
             page: int = 1, per_page: int = 100) -> list[JobInfo]:
        query = select(Job).order_by(Job.due_at, Job.id)
        for column, value in ((Job.instance_id, instance_id), (Job.tenant, tenant), (Job.state, state)):
            if value is not None:
                query = query.where(column == value)
        with self.ctx.sessions() as session:
            return [_job(j) for j in session.scalars(query.offset((page - 1) * per_page).limit(per_page))]

    def incidents(self, instance_id: str | None = None, tenant: str | None = None, open_only: bool = True,
                  page: int = 1, per_page: int = 100) -> list[IncidentInfo]:
        query = select(Incident).order_by(Incident.created_at, Incident.id)
        if open_only:
            query = query.where(Incident.resolved_at.is_(None))
        for column, value in ((Incident.instance_id, instance_id), (Incident.tenant, tenant)):
            if value is not None:
                query = query.where(column == value)
        with self.ctx.sessions() as session:
            return [_incident(i) for i in session.scalars(query.offset((page - 1) * per_page).limit(per_page))]

    def incident(self, incident_id: str) -> IncidentInfo:
        with self.ctx.sessions() as session:
            found = session.get(Incident, incident_id)
            if found is None:
                raise NotFound(f"Störung {incident_id} nicht gefunden.")
            return _incident(found)

    def retry_incident(self, incident_id: str, user: str | None = None, retries: int = 1) -> None:
        """Makes the failed job due again; the instance leaves 'failed' when no incident is left."""
        now = self.ctx.now()
        with transaction(self.ctx.sessions) as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"Störung {incident_id} nicht gefunden.")
            if incident.resolved_at is not None:
                raise InvalidState("Diese Störung ist bereits behoben.")
            instance = core.lock_instance(self.ctx, session, incident.instance_id)
            incident.resolved_at, incident.resolved_by = now, user
            session.execute(update(Job).where(Job.id == incident.job_id).values(
                state="suspended" if instance["state"] == "suspended" else "ready",
                retries_left=retries, due_at=now, lock_owner=None, lock_expires_at=None))
            session.flush()
            still_open = session.scalar(select(func.count()).select_from(Incident).where(
                Incident.instance_id == incident.instance_id, Incident.resolved_at.is_(None)))
            if instance["state"] == "failed" and not still_open:
                session.execute(update(ProcessInstance).where(ProcessInstance.id == incident.instance_id).values(state="waiting"))
            core.audit(session, self.ctx, instance, user, "incident_retried", activity_id=incident.activity_id)

    def suspend(self, instance_id: str, user: str | None = None) -> None:
        with transaction(self.ctx.sessions) as session:
            row = core.lock_instance(self.ctx, session, instance_id)
            if row["state"] in core.ENDED or row["state"] == "suspended":
                raise InvalidState(f"Der Vorgang kann im Zustand '{row['state']}' nicht angehalten werden.")
            session.execute(update(Job).where(Job.instance_id == instance_id, Job.state == "ready").values(state="suspended"))
            session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(state="suspended"))
            core.audit(session, self.ctx, row, user, "instance_suspended")

    def resume(self, instance_id: str, user: str | None = None) -> None:
        with transaction(self.ctx.sessions) as session:
            row = core.lock_instance(self.ctx, session, instance_id)
            if row["state"] != "suspended":
                raise InvalidState("Nur angehaltene Vorgänge können fortgesetzt werden.")
            session.execute(update(Job).where(Job.instance_id == instance_id, Job.state == "suspended").values(state="ready"))
            open_incidents = session.scalar(select(func.count()).select_from(Incident).where(
                Incident.instance_id == instance_id, Incident.resolved_at.is_(None)))
            session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                            .values(state="failed" if open_incidents else "waiting"))
            core.audit(session, self.ctx, row, user, "instance_resumed")

    def figures(self, tenant: str | None = None) -> dict:
        """Counts for the operator's overview."""
        with self.ctx.sessions() as session:
            query = select(ProcessInstance.process_key, ProcessInstance.state, func.count()).group_by(
                ProcessInstance.process_key, ProcessInstance.state)
            if tenant:
                query = query.where(ProcessInstance.tenant == tenant)
            instances = {}
            for key, state, count in session.execute(query):
                instances.setdefault(key, {})[state] = count
            jobs_query = select(Job.state, func.count()).group_by(Job.state)
            incidents_query = select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None))
            if tenant:
                jobs_query = jobs_query.where(Job.tenant == tenant)
                incidents_query = incidents_query.where(Incident.tenant == tenant)
            return {"instances": instances, "jobs": dict(session.execute(jobs_query).all()),
                    "open_incidents": session.scalar(incidents_query)}


def _job(j: Job) -> JobInfo:
    return JobInfo(j.id, j.instance_id, j.tenant, j.kind, j.activity_id, j.operation, j.state, as_utc(j.due_at),
                   j.retries_left, j.attempts, j.lock_owner, as_utc(j.lock_expires_at), j.last_error)


def _incident(i: Incident) -> IncidentInfo:
    return IncidentInfo(i.id, i.instance_id, i.tenant, i.job_id, i.activity_id, i.kind, i.message,
                        as_utc(i.created_at), as_utc(i.resolved_at))
