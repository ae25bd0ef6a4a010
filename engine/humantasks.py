"""Task service: worklists, claim, unclaim, complete with form validation."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from types import SimpleNamespace

from sqlalchemy import bindparam, or_, select, update

from . import core, forms, spiff
from .clock import as_utc
from .errors import FormInvalid, InvalidState, NotFound, TaskAlreadyClaimed
from .fastsql import Statement
from .models import HumanTask, ProcessInstance
from .operations import ServiceCall


@dataclass(frozen=True)
class TaskInfo:
    id: str
    instance_id: str
    tenant: str
    process_key: str
    business_key: str | None
    activity_id: str
    name: str
    form_key: str | None
    candidate_group: str | None
    assignee: str | None
    state: str
    created_at: datetime
    due_at: datetime | None
    follow_up_at: datetime | None
    completed_by: str | None


_DEFINITION_OF = Statement(select(ProcessInstance.__table__.c.definition_id).where(
    ProcessInstance.__table__.c.id == bindparam("instance_id")))
_SELECT_TASK = Statement(select(*HumanTask.__table__.c).where(HumanTask.__table__.c.id == bindparam("task_id")))
_MARK_COMPLETED = Statement(HumanTask.__table__.update()
                            .where(HumanTask.__table__.c.id == bindparam("task_id"), HumanTask.__table__.c.state == "open")
                            .values(state="completed", completed_at=bindparam("now"), completed_by=bindparam("user")))


MAX_PER_PAGE = 200


class TaskService:
    def __init__(self, ctx, repository):
        self.ctx = ctx
        self.repository = repository

    def query(self, tenant: str | None = None, candidate_group: str | None = None,
              candidate_groups: Iterable[str] | None = None, assignee: str | None = None,
              instance_id: str | None = None, state: str = "open", due_before: datetime | None = None,
              follow_up_before: datetime | None = None, page: int = 1, per_page: int = 50) -> list[TaskInfo]:
        """Tasks matching every given filter, in SQL (after Camunda's TaskQuery): ``candidate_groups``
        is an IN list (empty: no task); ``follow_up_before`` keeps tasks without a follow-up date or
        with one at or before that time (``followUpBeforeOrNotExistent``). Sorted by due date (tasks
        without one last), then creation time and id; ``page`` counts from 1, ``per_page`` is at most
        MAX_PER_PAGE."""
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"page must be >= 1 and per_page between 1 and {MAX_PER_PAGE}, not {page}/{per_page}")
        query = select(HumanTask).where(HumanTask.state == state)
        for column, value in ((HumanTask.tenant, tenant), (HumanTask.candidate_group, candidate_group),
                              (HumanTask.assignee, assignee), (HumanTask.instance_id, instance_id)):
            if value is not None:
                query = query.where(column == value)
        if candidate_groups is not None:
            query = query.where(HumanTask.candidate_group.in_(list(candidate_groups)))
        if due_before is not None:
            query = query.where(HumanTask.due_at <= _utc(due_before))
        if follow_up_before is not None:
            query = query.where(or_(HumanTask.follow_up_at.is_(None), HumanTask.follow_up_at <= _utc(follow_up_before)))
        query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
        with self.ctx.sessions() as session:
            return [_info(t) for t in session.scalars(query.offset((page - 1) * per_page).limit(per_page))]

    def get(self, task_id: str) -> TaskInfo:
        with self.ctx.db.connect() as conn:
            return self._get(conn, task_id)

    @staticmethod
    def _get(conn, task_id: str) -> TaskInfo:
        task = _SELECT_TASK.first(conn, {"task_id": task_id})
        if task is None:
            raise NotFound(f"Aufgabe {task_id} nicht gefunden.")
        return _info(SimpleNamespace(**task))

    def form(self, task_id: str) -> dict | None:
        with self.ctx.db.connect() as conn:
            return self._form(conn, self._get(conn, task_id))

    def _form(self, conn, task: TaskInfo) -> dict | None:
        if not task.form_key:
            return None
        definition_id = _DEFINITION_OF.first(conn, {"instance_id": task.instance_id})["definition_id"]
        schema = self.repository.get_form(definition_id, task.form_key)
        if not forms.choice_sources(schema):
            return schema
        return forms.with_choices(schema, lambda source: self._choices(source, task))

    def _choices(self, source: str, task: TaskInfo) -> list[dict]:
        """The choices of an ``x-choices`` field, from the specialist system, for the task's municipality."""
        call = ServiceCall(source, {}, idempotency_key=f"choices:{task.id}", tenant=task.tenant,
                           instance_id=task.instance_id, business_key=task.business_key)
        return self.ctx.registry.resolve(source)(call)["choices"]

    def claim(self, task_id: str, user: str) -> None:
        with self.ctx.sessions() as session, session.begin():
            result = session.execute(update(HumanTask).where(
                HumanTask.id == task_id, HumanTask.state == "open",
                or_(HumanTask.assignee.is_(None), HumanTask.assignee == user)).values(assignee=user))
            if result.rowcount != 1:
                self._explain(session, task_id)

    def unclaim(self, task_id: str, user: str | None = None) -> None:
        with self.ctx.sessions() as session, session.begin():
            query = update(HumanTask).where(HumanTask.id == task_id, HumanTask.state == "open")
            if user is not None:
                query = query.where(or_(HumanTask.assignee.is_(None), HumanTask.assignee == user))
            if session.execute(query.values(assignee=None)).rowcount != 1:
                self._explain(session, task_id)

    def set_follow_up(self, task_id: str, follow_up_at: datetime | None) -> None:
        with self.ctx.sessions() as session, session.begin():
            if session.execute(update(HumanTask).where(HumanTask.id == task_id, HumanTask.state == "open")
                               .values(follow_up_at=_utc(follow_up_at))).rowcount != 1:
                self._explain(session, task_id)

    def complete(self, task_id: str, data: dict, user: str | None = None) -> None:
        """Validates ``data`` against the task's form; on any error nothing is stored: FormInvalid,
        InvalidState, or ModelError when the task's own completion fails in the model."""
        # The form is checked before the write lock: its x-choices come from the specialist systems,
        # which read on connections of their own.
        with self.ctx.db.connect() as conn:
            task = self._open(conn, task_id, user)
            schema = self._form(conn, task)
        if schema is not None:
            data, errors = forms.clean(schema, data, today=forms.local_date(self.ctx.now()))
            if errors:
                raise FormInvalid(errors)
        with self.ctx.writer.begin() as conn:
            task = self._open(conn, task_id, user)

            def mark_completed(conn) -> bool:
                if _MARK_COMPLETED.execute(conn, {"task_id": task_id, "now": self.ctx.now(), "user": user}) != 1:
                    raise InvalidState(f"Die Aufgabe '{task.name}' ist bereits erledigt.")
                return True

            def complete(workflow, log):
                if not spiff.complete_user_task(workflow, task_id, data, log):
                    raise InvalidState(f"Die Aufgabe '{task.name}' wartet nicht mehr auf eine Eingabe.")
                log.entries[-1]["action"] = "task_completed"

            # A model failure of the completion (output data association, postScript, io-specification)
            # or of what runs after it up to the next wait state raises ModelError and rolls back:
            # the task stays open and the clerk learns which element and variable (core._run_and_save).
            outcome = core.execute(self.ctx, task.instance_id, complete, user, claim=mark_completed, claimed=task_id,
                                   conn=conn, refused=f"Die Aufgabe '{task.name}' bleibt offen.")
        self.ctx.workflows.put(outcome)

    def _open(self, conn, task_id: str, user: str | None) -> TaskInfo:
        task = self._get(conn, task_id)
        if task.state != "open":
            raise InvalidState(f"Die Aufgabe '{task.name}' ist bereits erledigt.")
        if task.assignee and user and task.assignee != user:
            raise TaskAlreadyClaimed(f"Die Aufgabe '{task.name}' bearbeitet bereits {task.assignee}.")
        return task

    def _explain(self, session, task_id: str):
        task = session.get(HumanTask, task_id)
        if task is None:
            raise NotFound(f"Aufgabe {task_id} nicht gefunden.")
        if task.state != "open":
            raise InvalidState(f"Die Aufgabe '{task.name}' ist bereits erledigt.")
        raise TaskAlreadyClaimed(f"Die Aufgabe '{task.name}' bearbeitet bereits {task.assignee}.")


def _utc(value: datetime | None) -> datetime | None:
    """What the engine stores and compares is UTC (SQLite compares the stored text, zone dropped)."""
    return as_utc(value).astimezone(timezone.utc) if value is not None else None


def _info(t) -> TaskInfo:
    return TaskInfo(t.id, t.instance_id, t.tenant, t.process_key, t.business_key, t.activity_id, t.name, t.form_key,
                    t.candidate_group, t.assignee, t.state, as_utc(t.created_at), as_utc(t.due_at),
                    as_utc(t.follow_up_at), t.completed_by)
