"""Runtime service: start instances, correlate messages, cancel, read an instance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from . import core, spiff
from .clock import as_utc
from .db import transaction
from .errors import InvalidState, MessageNotCorrelated, NotFound
from .models import HumanTask, Job, MessageSubscription, ProcessInstance


@dataclass(frozen=True)
class InstanceInfo:
    id: str
    process_key: str
    definition_id: str
    tenant: str
    business_key: str | None
    state: str
    variables: dict
    started_at: datetime
    ended_at: datetime | None
    started_by: str | None


class RuntimeService:
    def __init__(self, ctx, repository):
        self.ctx = ctx
        self.repository = repository

    def start(self, key: str, tenant: str, business_key: str | None = None, variables: dict | None = None,
              user: str | None = None, version: int | None = None, claim=None) -> str | None:
        """Starts an instance and returns its id. ``claim`` runs first in the same transaction
        (e.g. takes the draft the instance is started from); when it returns False nothing is
        started and the result is None, so the claim and the start happen together or not at all.
        A model failure before the first wait state stores nothing and raises ModelError (see
        ``core._run_and_save``); later ones, in the worker's jobs, park the instance with an incident."""
        with self.ctx.writer.begin() as conn:
            if claim is not None and not claim(conn):
                return None
            definition = self.repository.find_definition(conn, key, version)
            outcome = core.create_instance(self.ctx, conn, definition, tenant, business_key, dict(variables or {}), user)
        self.ctx.workflows.put(outcome)
        return outcome.instance_id

    def correlate(self, message_name: str, correlation_keys: dict | None = None, payload: dict | None = None,
                  tenant: str | None = None, user: str | None = None) -> str:
        """Deliver a message to the one instance waiting for it with these keys."""
        query = select(MessageSubscription.task_id, MessageSubscription.instance_id).where(
            MessageSubscription.message_name == message_name,
            MessageSubscription.correlation == core.canonical(correlation_keys or {}),
        )
        if tenant is not None:
            query = query.where(MessageSubscription.tenant == tenant)
        with self.ctx.sessions() as session:
            matches = session.execute(query.limit(2)).all()
        if not matches:
            raise MessageNotCorrelated(f"Kein Vorgang wartet auf die Nachricht '{message_name}' mit {correlation_keys or {}}.")
        if len(matches) > 1:
            raise MessageNotCorrelated(f"Die Nachricht '{message_name}' mit {correlation_keys or {}} passt zu mehreren Vorgängen.")
        task_id, instance_id = matches[0]
        data = {**(correlation_keys or {}), **(payload or {})}  # a message carries its keys

        def deliver(workflow, log):
            if not spiff.deliver_message(workflow, task_id, message_name, data):
                raise MessageNotCorrelated(f"Der Vorgang {instance_id} wartet nicht mehr auf '{message_name}'.")

        # The payload is the caller's: a model failure on it (messageVariable, correlation) or further
        # on up to the next wait state is a ModelError and nothing changes (core._run_and_save).
        core.execute(self.ctx, instance_id, deliver, user, audit_action="message_received",
                     refused=f"Die Nachricht '{message_name}' wurde nicht zugestellt.")
        return instance_id

    def cancel(self, instance_id: str, user: str | None = None, reason: str | None = None) -> None:
        now = self.ctx.now()
        with transaction(self.ctx.sessions) as session:
            row = core.lock_instance(self.ctx, session, instance_id)
            if row["state"] in core.ENDED:
                raise InvalidState(f"Der Vorgang {instance_id} ist bereits beendet ({row['state']}).")
            session.execute(delete(Job).where(Job.instance_id == instance_id))
            session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == instance_id))
            session.execute(update(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open")
                            .values(state="cancelled", completed_at=now))
            session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(
                state="cancelled", ended_at=now, workflow_state=None, wait_points={}, version=row["version"] + 1))
            core.audit(session, self.ctx, row, user, "instance_cancelled", changes={"reason": reason} if reason else None)

    def get(self, instance_id: str) -> InstanceInfo:
        with self.ctx.sessions() as session:
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"Vorgang {instance_id} nicht gefunden.")
            return _info(row)

    def query(self, tenant: str | None = None, process_key: str | None = None, state: str | None = None,
              business_key: str | None = None, started_by: str | None = None,
              page: int = 1, per_page: int = 50) -> list[InstanceInfo]:
        query = select(ProcessInstance).order_by(ProcessInstance.started_at.desc(), ProcessInstance.id)
        for column, value in ((ProcessInstance.tenant, tenant), (ProcessInstance.process_key, process_key),
                              (ProcessInstance.state, state), (ProcessInstance.business_key, business_key),
                              (ProcessInstance.started_by, started_by)):
            if value is not None:
                query = query.where(column == value)
        with self.ctx.sessions() as session:
            return [_info(r) for r in session.scalars(query.offset((page - 1) * per_page).limit(per_page))]


def _info(row: ProcessInstance) -> InstanceInfo:
    return InstanceInfo(row.id, row.process_key, row.definition_id, row.tenant, row.business_key, row.state,
                        row.variables or {}, as_utc(row.started_at), as_utc(row.ended_at), row.started_by)


__all__ = ["RuntimeService", "InstanceInfo"]
