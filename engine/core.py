"""The one path by which an instance changes: lock the row, load the workflow, apply an
action, run to the next wait state, save the state and its index rows in one transaction."""
from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Callable

import orjson
from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from . import spiff, timebounds
from .clock import SystemClock
from .db import is_postgres, writer
from .errors import EngineError, InvalidState, ModelError, NotFound, OptimisticLockingError
from .fastsql import Statement
from .models import (
    AuditEvent,
    HumanTask,
    Incident,
    Job,
    MessageSubscription,
    ProcessInstance,
)
from .operations import OperationRegistry
from .sandbox import ScriptError

ENDED = ("completed", "cancelled")
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_SECONDS = 5

Action = Callable[[object, spiff.StepLog], object]


def canonical(keys: dict) -> str:
    return orjson.dumps(keys, option=orjson.OPT_SORT_KEYS).decode()


class WorkflowCache:
    """Live workflows as last saved, keyed by instance and version, so a process that saved an
    instance need not deserialize it again. ``take`` hands an entry to one caller only; it
    comes back with ``put`` after that caller's transaction committed.

    ``size=0`` keeps nothing: every command loads the state from the database, as a worker in
    another process does (several processes on one database, or checking that every model
    survives a save and restore)."""

    DEFAULT_SIZE = 2000

    def __init__(self, size: int = DEFAULT_SIZE):
        if size < 0:
            raise ValueError("size must be >= 0")
        self._entries: OrderedDict[str, tuple[int, object]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, instance_id: str, version: int):
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        return entry[1] if entry is not None and entry[0] == version else None

    def put(self, outcome: "Outcome") -> None:
        if outcome.workflow is None or self._size == 0:
            return
        with self._lock:
            self._entries[outcome.instance_id] = (outcome.version, outcome.workflow)
            self._entries.move_to_end(outcome.instance_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


@dataclass
class EngineContext:
    sessions: sessionmaker[Session]
    registry: OperationRegistry
    clock: object = field(default_factory=SystemClock)
    _compiled: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    workflows: WorkflowCache = field(default_factory=lambda: WorkflowCache())

    @property
    def db(self) -> Engine:
        return self.sessions.kw["bind"]

    @cached_property
    def writer(self) -> Engine:
        return writer(self.db)

    @property
    def postgres(self) -> bool:
        return is_postgres(self.db)

    def now(self) -> datetime:
        return self.clock.now()

    def compiled(self, definition_id: str) -> spiff.CompiledProcess:
        compiled = self._compiled.get(definition_id)
        if compiled is None:
            from .repository import compile_definition

            with self._lock:
                compiled = self._compiled.get(definition_id) or compile_definition(self, definition_id)
                self._compiled[definition_id] = compiled
        return compiled


@dataclass
class Outcome:
    """What a command did, for the caller."""

    instance_id: str
    state: str
    version: int = 0
    workflow: object = None  # the saved workflow, while the instance is not ended


def create_instance(ctx: EngineContext, conn: Connection, definition, tenant: str, business_key, variables, actor):
    compiled = ctx.compiled(definition.id)
    instance_id = str(uuid.uuid4())
    row = {
        "id": instance_id,
        "definition_id": definition.id,
        "process_key": definition.key,
        "tenant": tenant,
        "business_key": business_key,
        "state": "running",
        "version": 0,
        "variables": {},
        "workflow_state": None,
        "wait_points": {},
        "started_at": ctx.now(),
        "started_by": actor,
        "ended_at": None,
    }
    started = {"action": "instance_started", "changes": {"set": variables} if variables else None}
    try:
        workflow = spiff.new_workflow(compiled, variables)
    except Exception as err:  # start variables SpiffWorkflow cannot take (a key shadowing a global …)
        raise model_error(err, NOT_STARTED) from err
    return _run_and_save(ctx, conn, row, workflow, lambda _workflow, _log: None, actor, started, new=True,
                         refused=NOT_STARTED)


def execute(ctx: EngineContext, instance_id: str, action: Action, actor: str | None, audit_action: str | None = None,
            claim: Callable[[Connection], bool] | None = None, claimed: str | None = None,
            conn: Connection | None = None, refused: str | None = None) -> Outcome:
    """Apply ``action`` to the instance and advance it, in one transaction (``conn``'s if given).

    ``claim`` runs first and resolves the wait point ``claimed`` that this command answers
    (deletes the job, marks the human task completed); when it returns False someone else got
    there first (a job whose lock expired) and nothing happens. When ``action`` itself fails in
    the model, ``ModelError`` rolls the whole transaction back. ``refused`` marks a caller's
    command (what becomes of it, for the message): a failure further on is the caller's
    ``ModelError`` too; without it (a worker's job) the instance parks with an incident. See
    ``_run_and_save``."""
    if conn is None:
        with ctx.writer.begin() as conn:
            outcome = execute(ctx, instance_id, action, actor, audit_action, claim, claimed, conn, refused)
        ctx.workflows.put(outcome)
        return outcome
    row = lock_instance(ctx, conn, instance_id)
    if claim is not None:
        if not claim(conn):
            return Outcome(instance_id, row["state"])
        row["wait_points"] = _without(row["wait_points"] or {}, claimed)
    if row["state"] in ENDED:
        raise InvalidState(f"Der Vorgang {instance_id} ist bereits beendet ({row['state']}).")
    if row["state"] == "suspended":
        raise InvalidState(f"Der Vorgang {instance_id} ist angehalten; setzen Sie ihn zuerst fort.")
    compiled = ctx.compiled(row["definition_id"])

    def load():
        return spiff.load_state(_SELECT_STATE.first(conn, {"instance_id": instance_id})["workflow_state"], compiled)

    workflow = ctx.workflows.take(instance_id, row["version"]) or load()
    return _run_and_save(ctx, conn, row, workflow, action, actor, {"action": audit_action} if audit_action else None,
                         reload=load, refused=refused)


def _without(waits: dict, task_id: str | None) -> dict:
    """The wait points minus one its command already resolved, so saving does not touch it again."""
    return {kind: ({k: v for k, v in ids.items() if k != task_id} if isinstance(ids, dict) else [i for i in ids if i != task_id])
            for kind, ids in waits.items()}


# Hot-path statements run on the DB-API cursor (see fastsql).
INSTANCES, JOBS, AUDIT = ProcessInstance.__table__, Job.__table__, AuditEvent.__table__
_TASKS, _SUBSCRIPTIONS = HumanTask.__table__, MessageSubscription.__table__
# What a command needs of the row; variables are rewritten on save, and the state blob is read
# only when the workflow cache does not hold the instance.
_SELECT_INSTANCE = (select(*(INSTANCES.c[k] for k in ("id", "definition_id", "process_key", "tenant", "business_key",
                                                    "state", "version", "wait_points")))
                    .where(INSTANCES.c.id == bindparam("instance_id")))
_GET_INSTANCE, _LOCK_INSTANCE = Statement(_SELECT_INSTANCE), Statement(_SELECT_INSTANCE.with_for_update())
_SELECT_STATE = Statement(select(INSTANCES.c.workflow_state).where(INSTANCES.c.id == bindparam("instance_id")))
_UPDATE_INSTANCE = Statement(INSTANCES.update().where(INSTANCES.c.id == bindparam("b_id"),
                                                      INSTANCES.c.version == bindparam("b_version")))
_INSERT_INSTANCE, _INSERT_JOB, _INSERT_AUDIT = Statement(INSTANCES.insert()), Statement(JOBS.insert()), Statement(AUDIT.insert())
_INSERT_TASK, _INSERT_SUBSCRIPTION = Statement(_TASKS.insert()), Statement(_SUBSCRIPTIONS.insert())
_DELETE_JOB = Statement(JOBS.delete().where(JOBS.c.id == bindparam("b_id")))
_MOVE_TIMER = Statement(JOBS.update().where(JOBS.c.id == bindparam("b_id")).values(due_at=bindparam("due_at")))
_CANCEL_TASK = Statement(_TASKS.update().where(_TASKS.c.id == bindparam("b_id"), _TASKS.c.state == "open")
                         .values(state="cancelled", completed_at=bindparam("now")))
_DELETE_SUBSCRIPTION = Statement(_SUBSCRIPTIONS.delete().where(_SUBSCRIPTIONS.c.id == bindparam("b_id")))


def lock_instance(ctx: EngineContext, conn: Connection | Session, instance_id: str) -> dict:
    """The instance row, locked against other writers until the transaction ends."""
    row = (_LOCK_INSTANCE if ctx.postgres else _GET_INSTANCE).first(conn, {"instance_id": instance_id})
    if row is None:
        raise NotFound(f"Vorgang {instance_id} nicht gefunden.")
    return row


NOTHING_SAVED = "Es wurde nichts gespeichert."
NOT_STARTED = "Der Vorgang wurde nicht angelegt; prüfen Sie die Startdaten."


def _run_and_save(ctx, conn, row, workflow, action, actor, first_audit=None, new=False, reload=None,
                  refused: str | None = None) -> Outcome:
    """Where a model failure goes depends on whether someone is waiting for this command:

    - the command's own step fails (``action``: a user task's output data association, its
      postScript or io-specification outputs, a message's payload or correlation on the
      catching event): the caller's data or the model are wrong, so ``ModelError`` rolls
      everything back (the task stays open, the message undelivered; a job's attempt is
      counted by the executor, which retries and then opens an incident);
    - a caller's command (start, task completion, message; ``refused`` says what became of
      it) fails further on, before the instance reaches its next wait state (a later script,
      gateway condition, throw event's payload or correlation): most often the caller's data
      lack what the model reads, and the caller is there to hear it and to try again with
      better data, while an operator retrying an incident could not supply them. So again
      ``ModelError`` and nothing is stored: no instance, the task still open;
    - a worker's job (timer, service result, an incident's retry; ``refused`` None) fails
      further on: the instance moved on past a wait state and no one waits for the answer, so
      it parks with an incident at the state right after the job's step, for an operator to
      retry once the cause is fixed;
    - the state reached cannot be saved (data that are not JSON, a user task's bad ``dueIn``):
      the same as a failure of the run, found when preparing the rows, before any write."""
    caller_waits = refused is not None
    refused = refused or NOTHING_SAVED
    log = spiff.StepLog()
    _apply(action, workflow, log, refused)
    failure = None
    try:
        spiff.run_to_wait_state(workflow, log)
        prepared = _prepare(ctx, row, workflow, log, None)
    except Exception as err:  # a script, expression or model error
        if new or caller_waits or reload is None:
            raise model_error(err, refused) from err
        failure = err
        workflow = reload()
        log = spiff.StepLog()
        _apply(action, workflow, log, refused)
        try:
            prepared = _prepare(ctx, row, workflow, log, failure)
        except Exception as again:  # the step itself leads to a state that cannot be saved
            raise model_error(again, refused) from again
    if first_audit:
        log.entries.insert(0, {"activity_id": None, "activity_name": None, "changes": None, **first_audit})
    try:
        _write(ctx, conn, row, prepared, actor, new=new, failure=failure)
    except (DBAPIError, EngineError):
        raise
    except Exception as err:  # data the database's JSON cannot hold (a timedelta …): roll back, say where
        raise model_error(err, refused, workflow) from err
    live = workflow if row["state"] not in ENDED else None
    return Outcome(row["id"], row["state"], row["version"], live)


def _apply(action, workflow, log, refused) -> None:
    try:
        action(workflow, log)
    except EngineError:
        raise
    except Exception as err:
        raise model_error(err, refused) from err


@dataclass
class _Prepared:
    """Everything a save writes, computed before the first write: what fails here (the state
    does not serialize, a due date does not parse) has written nothing yet."""

    completed: bool
    points: object
    old: dict
    waits: dict
    values: dict
    task_rows: list
    subscription_rows: list
    log: object


def _prepare(ctx, row, workflow, log, failure) -> _Prepared:
    now = ctx.now()
    completed = failure is None and workflow.is_completed()
    points = spiff.WaitPoints() if completed else spiff.wait_points(workflow)
    old = row["wait_points"] or {}
    waits = {
        "h": [str(t.id) for t in points.user_tasks],
        "s": [str(t.id) for t in points.service_tasks],
        "t": {str(t.id): due.isoformat() for t, due in points.timers},
        "m": [spiff.subscription_id(t.id, name) for t, name, _ in points.messages],
    }
    if completed:
        waits = {}
        state = "completed"
    elif failure is not None or row["state"] == "failed":
        state = "failed"  # stays so until an operator has retried every open incident
    else:
        state = "waiting"
    values = {
        "state": state,
        "version": row["version"] + 1,
        "variables": spiff.workflow_variables(workflow),
        "workflow_state": None if completed else spiff.dump_state(workflow),
        "wait_points": waits,
        "ended_at": now if completed else None,
    }
    added_tasks = set(waits.get("h", [])) - set(old.get("h", []))
    task_rows = [(t, _human_task_row(row, t, now)) for t in points.user_tasks if str(t.id) in added_tasks]
    added_subscriptions = set(waits.get("m", [])) - set(old.get("m", []))
    subscription_rows = [
        {
            "id": spiff.subscription_id(task.id, name),
            "instance_id": row["id"],
            "task_id": str(task.id),
            "tenant": row["tenant"],
            "message_name": name,
            "correlation": canonical(keys),
            "activity_id": task.task_spec.bpmn_id,
            "created_at": now,
        }
        for task, name, keys in points.messages
        if spiff.subscription_id(task.id, name) in added_subscriptions
    ]
    return _Prepared(completed, points, old, waits, values, task_rows, subscription_rows, log)


def _write(ctx, conn, row, prepared: _Prepared, actor, new=False, failure=None) -> None:
    now = ctx.now()
    completed, points, old, waits, values = (prepared.completed, prepared.points, prepared.old, prepared.waits,
                                             prepared.values)
    if new:
        _INSERT_INSTANCE.execute(conn, {**row, **values})
    else:
        if _UPDATE_INSTANCE.execute(conn, {"b_id": row["id"], "b_version": row["version"], **values}) != 1:
            raise OptimisticLockingError(f"Vorgang {row['id']} wurde gleichzeitig geändert; bitte erneut versuchen.")
    row.update(values)
    _sync_human_tasks(conn, row, old.get("h", []), waits.get("h", []), prepared.task_rows, now)
    _sync_service_jobs(conn, row, old.get("s", []), waits.get("s", []), points, now)
    _sync_timers(conn, row, old.get("t", {}), waits.get("t", {}), now)
    _sync_subscriptions(conn, old.get("m", []), waits.get("m", []), prepared.subscription_rows)
    if failure is not None:
        _park_failure(conn, ctx, row, failure, now)
    audit_rows = [
        {"instance_id": row["id"], "tenant": row["tenant"], "at": now, "actor": actor, "action": "activity_completed", **e}
        for e in prepared.log.entries
    ]
    if completed:
        audit_rows.append({"instance_id": row["id"], "tenant": row["tenant"], "at": now, "actor": actor,
                           "action": "instance_completed", "activity_id": None, "activity_name": None, "changes": None})
    _INSERT_AUDIT.execute_many(conn, audit_rows)


def _sync_human_tasks(conn, row, old, new, task_rows, now):
    gone = [t for t in old if t not in set(new)]
    _INSERT_TASK.execute_many(conn, [r for _, r in task_rows])
    # The completing command marks its own task completed first; what is left was cancelled.
    _CANCEL_TASK.execute_many(conn, [{"b_id": t, "now": now} for t in gone])


def _human_task_row(row, task, now) -> dict:
    spec = task.task_spec
    props = spiff.task_properties(task)
    return {
        "id": str(task.id),
        "instance_id": row["id"],
        "tenant": row["tenant"],
        "process_key": row["process_key"],
        "business_key": row["business_key"],
        "activity_id": spec.bpmn_id,
        "name": spec.bpmn_name or spec.bpmn_id,
        "form_key": props.get("formJsonSchemaFilename"),
        "candidate_group": props.get("candidateGroup") or getattr(spec, "lane", None),
        "assignee": None,
        "state": "open",
        "created_at": now,
        "due_at": _due_from_property(props.get("dueIn"), now, spec.bpmn_id),
        "follow_up_at": None,
        "completed_at": None,
        "completed_by": None,
    }


def _due_from_property(value: str | None, now: datetime, activity_id: str | None = None) -> datetime | None:
    if not value:
        return None
    try:
        return timebounds.due_after(value, now)  # bounded: SpiffWorkflow's own parser loops once per month
    except timebounds.TimeBoundError as err:
        raise ModelError(f"Element '{activity_id}': Die Frist dueIn={value!r} ist unbrauchbar ({err}). "
                         "Tragen Sie eine Dauer wie 'P14D' oder 'PT8H' ein.", activity_id, "dueIn") from err


def _sync_service_jobs(conn, row, old, new, points, now):
    added = set(new) - set(old)
    gone = [t for t in old if t not in set(new)]
    _DELETE_JOB.execute_many(conn, [{"b_id": t} for t in gone])
    if added:
        rows = []
        for task in points.service_tasks:
            if str(task.id) not in added:
                continue
            spec, request = task.task_spec, task.internal_data["request"]
            rows.append({
                **_job_base(row, str(task.id), "service", spec.bpmn_id, now, now),
                "operation": request["operation"],
                "params": request["params"],
                "idempotency_key": f"amtsweg:{task.id}",
                "retries_left": spec.retries if spec.retries is not None else DEFAULT_RETRIES,
                "backoff_seconds": spec.retry_backoff_base or DEFAULT_BACKOFF_SECONDS,
            })
        _INSERT_JOB.execute_many(conn, rows)


def _sync_timers(conn, row, old: dict, new: dict, now):
    gone = [t for t in old if t not in new]
    _DELETE_JOB.execute_many(conn, [{"b_id": t} for t in gone])
    _INSERT_JOB.execute_many(conn, [
        {**_job_base(row, t, "timer", None, datetime.fromisoformat(new[t]), now), "idempotency_key": f"timer:{t}"}
        for t in new if t not in old
    ])
    _MOVE_TIMER.execute_many(conn, [  # cycle timers move on
        {"b_id": t, "due_at": datetime.fromisoformat(new[t])} for t in new if t in old and new[t] != old[t]])


def _job_base(row, job_id, kind, activity_id, due_at, now) -> dict:
    return {
        "id": job_id,
        "instance_id": row["id"],
        "tenant": row["tenant"],
        "kind": kind,
        "task_id": job_id if kind != "continuation" else None,
        "activity_id": activity_id,
        "operation": None,
        "params": None,
        "idempotency_key": None,
        "state": "ready",
        "due_at": due_at,
        "retries_left": DEFAULT_RETRIES,
        "attempts": 0,
        "backoff_seconds": DEFAULT_BACKOFF_SECONDS,
        "lock_owner": None,
        "lock_expires_at": None,
        "last_error": None,
        "created_at": now,
    }


def _sync_subscriptions(conn, old, new, rows):
    gone = [t for t in old if t not in set(new)]
    _DELETE_SUBSCRIPTION.execute_many(conn, [{"b_id": t} for t in gone])
    _INSERT_SUBSCRIPTION.execute_many(conn, rows)


def _park_failure(conn, ctx, row, failure, now) -> None:
    """The state before the failing step is saved; a failed continuation job and an incident
    let an operator retry from there once the cause is fixed."""
    job_id = str(uuid.uuid4())
    activity_id = _failed_element(failure)[0]
    job = {**_job_base(row, job_id, "continuation", activity_id, now, now),
           "idempotency_key": f"continuation:{job_id}", "state": "failed", "retries_left": 0,
           "last_error": describe_error(failure)}
    _INSERT_JOB.execute(conn, job)
    open_incident(conn, ctx, row, job_id, activity_id, "failed_continuation", describe_error(failure))


def open_incident(conn, ctx, row, job_id, activity_id, kind, message) -> None:
    now = ctx.now()
    conn.execute(insert(Incident), [{
        "id": str(uuid.uuid4()), "instance_id": row["id"], "tenant": row["tenant"], "job_id": job_id,
        "activity_id": activity_id, "kind": kind, "message": message, "created_at": now,
        "resolved_at": None, "resolved_by": None,
    }])
    audit(conn, ctx, row, None, "incident_opened", activity_id=activity_id, changes={"error": message})


# Python's NameError, the sandbox's and simpleeval's wording of an unknown name
_UNDEFINED = re.compile(r"name '([^']+)' is not defined|Unbekannter Name '([^']+)'|'([^']+)' is not defined for")


def _failed_element(err: BaseException) -> tuple[str | None, str | None]:
    """The id and name of the element an error comes from, if it says."""
    if isinstance(err, ModelError):
        return err.activity_id, None
    spec = getattr(getattr(err, "task", None), "task_spec", None) or getattr(err, "task_spec", None)
    bpmn_id = getattr(spec, "bpmn_id", None)
    name = getattr(spec, "bpmn_name", None)
    return bpmn_id, (name if name and name != bpmn_id else None)


def _cause(err: BaseException) -> str:
    """The error's text, with the original error SpiffWorkflow wrapped ("Error evaluating expression …")."""
    wrapped = err.__cause__ or err.__context__
    if isinstance(err, ScriptError) or isinstance(wrapped, ScriptError):  # the sandbox's own message says it all, in German
        return str(err if isinstance(err, ScriptError) else wrapped).strip().rstrip(". ")
    text = (str(err) or type(err).__name__).strip().rstrip(". ")
    inner = err.__cause__ or err.__context__
    if inner is not None and getattr(err, "task", None) is not None and str(inner) not in text:
        text = f"{text}: {type(inner).__name__}: {str(inner).strip()}"
    return text


def model_error(err: BaseException, refused: str = NOTHING_SAVED, workflow=None) -> ModelError:
    """A failure inside SpiffWorkflow as the caller's typed error: which element failed, on
    which variable, why, and what happened to the command (``refused``)."""
    if isinstance(err, ModelError):
        return err
    activity_id, name = _failed_element(err)
    cause = _cause(err)
    data = getattr(err, "data_output", None) or getattr(err, "data_input", None)
    variable = getattr(data, "bpmn_id", None) or getattr(data, "name", None)
    undefined = _UNDEFINED.search(cause)
    if variable is None and undefined:
        variable = next(g for g in undefined.groups() if g)
    if getattr(err, "data_output", None) is not None:
        why = f"Die Datenausgabe '{variable}' ist nicht in den Daten der Aufgabe ({cause})."
        todo = f"Geben Sie '{variable}' mit an, oder lassen Sie die Datenzuordnung im Modell korrigieren."
    elif getattr(err, "data_input", None) is not None:
        why = f"Die Dateneingabe '{variable}' fehlt ({cause})."
        todo = f"Sorgen Sie dafür, dass '{variable}' vorher gesetzt wird, oder lassen Sie das Modell korrigieren."
    elif undefined:
        why = f"Die Variable '{variable}' ist nicht definiert ({cause})."
        todo = f"Geben Sie '{variable}' mit an, oder lassen Sie das Modell korrigieren."
    elif isinstance(err, (TypeError, ValueError)) and activity_id is None and workflow is not None:
        why = f"Die Daten des Vorgangs lassen sich nicht speichern ({type(err).__name__}: {cause})."
        todo = "Skripte dürfen nur JSON-Werte (Text, Zahl, Wahrheitswert, Liste, Objekt, Datum) in die Daten legen."
    else:
        why = f"{type(err).__name__}: {cause}." if isinstance(err, (RecursionError, KeyError, TypeError)) else f"{cause}."
        todo = "Lassen Sie das Modell prüfen und korrigieren."
    where = f"Element '{activity_id}'" + (f" („{name}“)" if name else "") if activity_id else "Modell"
    return ModelError(f"{where}: {why} {refused} {todo}", activity_id, variable)


def describe_error(err: BaseException) -> str:
    text = str(err) if isinstance(err, EngineError) else _cause(err)
    task = getattr(err, "task", None)
    spec = getattr(task, "task_spec", None)
    if spec is not None and getattr(spec, "bpmn_id", None):
        text = f"{spec.bpmn_id}: {text}"
    return text[:4000]


def audit(conn, ctx, row, actor, action, activity_id=None, changes=None) -> None:
    _INSERT_AUDIT.execute(conn, {
        "instance_id": row["id"], "tenant": row["tenant"], "at": ctx.now(), "actor": actor, "action": action,
        "activity_id": activity_id, "activity_name": None, "changes": changes,
    })

