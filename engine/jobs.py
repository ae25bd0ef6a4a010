"""Job executor: acquires due jobs with a lock owner and expiry, calls adapters outside any
database transaction with an idempotency key that survives retries, retries with exponential
backoff and opens an incident when the retries are used up."""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.exc import DBAPIError

from . import core, spiff
from .clock import as_utc
from .db import transaction, unavailable
from .errors import EngineError
from .fastsql import Statement
from .models import Job, ProcessInstance
from .operations import BusinessError, InvalidRequest, ServiceCall

log = logging.getLogger(__name__)

_AUDIT_ACTIONS = {"service": "service_completed", "timer": "timer_fired", "continuation": "continuation"}
POLL_SECONDS = 0.5  # timers fire within about this much of their due time
DEFAULT_LOCK_SECONDS = 300
MAX_BACKOFF_SECONDS = 3600
FLUSH_SECONDS = 0.2
OUTAGE_FIRST_PAUSE_SECONDS = 0.5  # a worker retries the database after this, doubling up to
OUTAGE_MAX_PAUSE_SECONDS = 5.0


_J = Job.__table__
_DUE_WHERE = (_J.c.state == "ready", _J.c.due_at <= bindparam("now"),
              or_(_J.c.lock_expires_at.is_(None), _J.c.lock_expires_at < bindparam("now")))
_ANY_DUE = select(_J.c.id).where(*_DUE_WHERE).limit(1)
_DUE = select(_J.c.id, _J.c.lock_owner).where(*_DUE_WHERE).order_by(_J.c.due_at).limit(bindparam("limit"))
_DUE_LOCKED = _DUE.with_for_update(skip_locked=True)
_LOCK = (_J.update().where(_J.c.id.in_(bindparam("ids", expanding=True)))
         .values(lock_owner=bindparam("owner"), lock_expires_at=bindparam("expires"),
                 # an attempt counts before it runs; taking over a lost job runs nothing (see WorkerLost)
                 attempts=_J.c.attempts + case((_J.c.lock_owner.is_(None), 1), else_=0)))
_ACQUIRED = (select(_J.c.id, _J.c.instance_id, _J.c.tenant, _J.c.kind, _J.c.task_id, _J.c.activity_id, _J.c.operation,
                    _J.c.params, _J.c.idempotency_key, _J.c.attempts, ProcessInstance.__table__.c.business_key)
             .join(ProcessInstance.__table__, ProcessInstance.__table__.c.id == _J.c.instance_id)
             .where(_J.c.id.in_(bindparam("ids", expanding=True))).order_by(_J.c.due_at))
_RELEASE = (_J.update().where(_J.c.lock_owner == bindparam("owner"))
            .values(lock_owner=None, lock_expires_at=None))
_CONSUME_JOB = Statement(_J.delete().where(_J.c.id == bindparam("b_id"), _J.c.lock_owner == bindparam("owner")))


class WorkerLost(Exception):
    def __init__(self):
        super().__init__("Der Worker ist während dieses Auftrags ausgefallen (Absturz, Speicherlimit oder Neustart).")


@dataclass(frozen=True)
class AcquiredJob:
    id: str
    instance_id: str
    tenant: str
    kind: str
    task_id: str | None
    activity_id: str | None
    operation: str | None
    params: dict | None
    idempotency_key: str
    attempts: int  # including this one: counted when the job was acquired
    business_key: str | None
    lost: bool = False  # the worker that held it last died before finishing it


class JobExecutor:
    def __init__(self, ctx, owner: str | None = None, lock_seconds: int | None = None, batch_size: int = 20):
        self.ctx = ctx
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lock_seconds = lock_seconds or DEFAULT_LOCK_SECONDS
        self.batch_size = batch_size

    def run(self, until_idle: bool = False, stop=lambda: False) -> int:
        """Runs jobs until stopped; with ``until_idle`` returns once no job is due (and raises
        on a database outage instead of waiting it out)."""
        done = 0
        outage = _Outage(self.owner)
        while not stop():
            try:
                if outage.ongoing:
                    # An acquire cut off by the outage may have committed its locks: give them back.
                    outage.recovered(f"{_n(self._release_locks(), 'gesperrter Auftrag', 'gesperrte Aufträge')} freigegeben")
                jobs = self.acquire()
                if jobs:
                    self.execute_batch(jobs, stop=stop, patient=not until_idle)
                    done += len(jobs)
                    continue
                if until_idle:
                    return done
                pause = self._idle_seconds()
            except DBAPIError as err:
                if until_idle or not unavailable(err):
                    raise
                pause = outage.failed(err)
            time.sleep(pause)
        return done

    def run_due(self) -> int:
        return self.run(until_idle=True)

    def _idle_seconds(self) -> float:
        with self.ctx.sessions() as session:
            next_due = as_utc(session.scalar(select(func.min(Job.due_at)).where(Job.state == "ready")))
        if next_due is None:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(0.01, (next_due - self.ctx.now()).total_seconds()))

    def acquire(self) -> list[AcquiredJob]:
        now = self.ctx.now()
        params = {"now": now, "limit": self.batch_size}
        with self.ctx.db.connect() as conn:  # a cheap read first: idle polls take no write lock
            if conn.execute(_ANY_DUE, params).first() is None:
                return []
        with self.ctx.writer.begin() as conn:
            due = conn.execute(_DUE_LOCKED if self.ctx.postgres else _DUE, params).all()
            if not due:
                return []
            ids, lost = [job_id for job_id, _ in due], {job_id for job_id, owner in due if owner is not None}
            conn.execute(_LOCK, {"ids": ids, "owner": self.owner, "expires": now + timedelta(seconds=self.lock_seconds)})
            return [AcquiredJob(*row, lost=row.id in lost) for row in conn.execute(_ACQUIRED, {"ids": ids})]

    def execute_batch(self, jobs: list[AcquiredJob], stop=lambda: False, patient: bool = True) -> None:
        """Calls the adapters one by one outside any transaction, then applies the results in
        one transaction (one savepoint each): a batch costs one durable commit, not one per job.
        Results wait at most FLUSH_SECONDS for the rest of the batch.

        When the database goes away meanwhile, the batch stops calling adapters; the outcomes
        it has are kept and, once the database is back, applied (idempotently: only while this
        worker still holds the job) and the rest of its locks released, so the jobs not yet
        called are taken again at once. Not ``patient``: the outage is raised instead."""
        pending, since = [], time.monotonic()
        try:
            for job in jobs:
                # A job whose last worker died (a crash, the memory limit, a kill) counts as failed:
                # a job that kills every worker it meets ends as an incident, not in an endless takeover.
                outcome = WorkerLost() if job.lost else self._call(job)
                if unavailable(outcome) and not self._database_reachable():
                    raise outcome  # our own database is down, not the adapter's peer: the job was not done
                pending.append((job, outcome))
                if time.monotonic() - since > FLUSH_SECONDS:
                    self._apply(pending)
                    pending, since = [], time.monotonic()
            self._apply(pending)
        except DBAPIError as err:
            if not patient or not unavailable(err):
                raise
            self._recover(pending, err, stop)

    def _recover(self, pending, err: Exception, stop) -> None:
        """Waits out an outage (short pauses, doubling), then applies ``pending`` and releases
        every other job this worker still holds."""
        outage = _Outage(self.owner)
        while True:
            pause = outage.failed(err, held=len(pending))
            if stop():
                log.error("Worker %s beendet während des Datenbankausfalls: %d Ergebnisse nicht übernommen; ihre "
                          "Aufträge werden nach Ablauf der Sperre erneut ausgeführt.", self.owner, len(pending))
                return
            time.sleep(pause)
            try:
                self._apply(pending)
                released = self._release_locks()
            except DBAPIError as again:
                if not unavailable(again):
                    raise
                err = again
                continue
            outage.recovered(f"{_n(len(pending), 'Ergebnis', 'Ergebnisse')} übernommen, "
                             f"{_n(released, 'Auftrag', 'Aufträge')} freigegeben")
            return

    def _release_locks(self) -> int:
        """Gives back every job this worker holds but will not finish, so any worker takes it at once."""
        with self.ctx.writer.begin() as conn:
            return conn.execute(_RELEASE, {"owner": self.owner}).rowcount

    def _database_reachable(self) -> bool:
        try:
            with self.ctx.db.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as err:
            if unavailable(err):
                return False
            raise
        return True

    def _call(self, job: AcquiredJob):
        """The job's action on the workflow, or the exception that made it fail."""
        if job.kind == "timer":
            return lambda wf, log: spiff.fire_timer(wf, job.task_id)
        if job.kind != "service":
            return lambda wf, log: None
        call = ServiceCall(operation=job.operation, params=job.params or {}, idempotency_key=job.idempotency_key,
                           tenant=job.tenant, instance_id=job.instance_id, attempt=job.attempts,
                           business_key=job.business_key, extra={"now": self.ctx.now()})
        try:
            result = self.ctx.registry.resolve(job.operation)(call)
        except BusinessError as err:
            code, payload = err.code, {"code": err.code, "message": str(err), **err.payload}

            def throw(workflow, log):
                if not spiff.throw_service_error(workflow, job.task_id, code, payload):
                    raise EngineError(f"Fehler '{code}' aus {job.operation} wird im Modell nicht abgefangen: "
                                      f"{payload['message']}")

            return throw
        except Exception as err:  # every failure is recorded on the job, never lost
            return err
        return lambda wf, log: spiff.complete_service_task(wf, job.task_id, result or {}, log)

    def _apply(self, outcomes) -> None:
        failed = [(job, o) for job, o in outcomes if isinstance(o, Exception)]
        actions = [(job, o) for job, o in outcomes if not isinstance(o, Exception)]
        saved = []
        try:
            saved = self._advance_all(actions)
        except Exception as err:
            if unavailable(err):
                raise  # the database, not a job, failed: nothing of this transaction counts
            # One job failed and took the batch's transaction with it (rare): one transaction per
            # job, so the others still count. Cheaper than a savepoint around every job.
            saved = []
            for job, action in actions:
                try:
                    saved += self._advance_all([(job, action)])
                except Exception as err:
                    if unavailable(err):
                        raise
                    failed.append((job, err))
        for outcome in saved:
            self.ctx.workflows.put(outcome)
        for job, err in failed:
            log.warning("job %s (%s) failed: %s", job.id, job.operation or job.kind, err)
            self._fail(job, err)

    def _advance_all(self, actions) -> list:
        """Applies the actions in one transaction; all or nothing."""
        if not actions:
            return []
        with self.ctx.writer.begin() as conn:
            return [self._advance(conn, job, action) for job, action in actions]

    def _advance(self, conn, job: AcquiredJob, action) -> None:
        def still_mine(conn) -> bool:
            # A worker that outlived its lock must not apply a result twice.
            return _CONSUME_JOB.execute(conn, {"b_id": job.id, "owner": self.owner}) == 1

        return core.execute(self.ctx, job.instance_id, action, None, audit_action=_AUDIT_ACTIONS[job.kind],
                            claim=still_mine, claimed=job.id, conn=conn)

    def _fail(self, job: AcquiredJob, err: Exception) -> None:
        now = self.ctx.now()
        message = core.describe_error(err)
        with transaction(self.ctx.sessions) as session:
            row = session.get(Job, job.id)
            if row is None or row.lock_owner != self.owner:
                return
            row.retries_left = 0 if isinstance(err, InvalidRequest) else row.retries_left - 1  # retrying cannot help
            row.last_error = message
            row.lock_owner = None
            row.lock_expires_at = None
            instance = core.lock_instance(self.ctx, session, job.instance_id)
            core.audit(session, self.ctx, instance, None, "job_failed", activity_id=job.activity_id,
                       changes={"error": message, "attempt": row.attempts, "operation": job.operation})
            if row.retries_left > 0:
                delay = min(MAX_BACKOFF_SECONDS, row.backoff_seconds * 2 ** (row.attempts - 1))
                row.due_at = now + timedelta(seconds=delay)
                return
            row.state = "failed"
            core.open_incident(session, self.ctx, instance, job.id, job.activity_id, "failed_job", message)
            if instance["state"] not in core.ENDED and instance["state"] != "suspended":
                session.execute(update(ProcessInstance).where(ProcessInstance.id == job.instance_id).values(state="failed"))


class _Outage:
    """A database outage as one worker sees it: the pauses between attempts and the log lines
    for operators (one when it begins, one when it is over)."""

    def __init__(self, owner: str):
        self.owner = owner
        self.since: float | None = None
        self.pause = OUTAGE_FIRST_PAUSE_SECONDS

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, err: Exception, held: int = 0) -> float:
        """The pause before the next attempt."""
        if self.since is None:
            self.since = time.monotonic()
            log.error("Worker %s: Datenbank nicht erreichbar%s, neuer Versuch in Kürze: %s", self.owner,
                      f" ({_n(held, 'Ergebnis wird', 'Ergebnisse werden')} bis dahin gehalten)" if held else "",
                      _first_line(err))
        else:
            log.info("Worker %s: Datenbank weiter nicht erreichbar (seit %.1f s)", self.owner,
                     time.monotonic() - self.since)
        pause, self.pause = self.pause, min(OUTAGE_MAX_PAUSE_SECONDS, self.pause * 2)
        return pause

    def recovered(self, detail: str) -> None:
        log.warning("Worker %s: Datenbank nach %.1f s wieder erreichbar; %s.", self.owner,
                    time.monotonic() - self.since, detail)
        self.since, self.pause = None, OUTAGE_FIRST_PAUSE_SECONDS


def _first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
