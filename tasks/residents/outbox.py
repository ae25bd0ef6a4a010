"""A register's outbox of reports (residents: moves, vehicles: new holders). The register writes the report in
the transaction of the change it reports, so no change is lost between the register and the permits; the worker
delivers each report (processes.register_reports) and marks it delivered, or retries it with backoff and, once
the attempts are used up, keeps it as a problem for the operators. A report is taken with a lease (a conditional
update), so two workers draining at once never deliver the same report together."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import JSON, DateTime, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from engine.db import transaction

from ..common import Tenant, utcnow

MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 60  # then doubling: 1, 2, 4, 8 minutes
MAX_RETRY_SECONDS = 3600
MAX_PROBLEM = 1000
STATES = ("pending", "delivered", "failed")


class ReportColumns:
    """The columns of an outbox table (each register has its own table and migration)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    report_id: Mapped[str] = mapped_column(String(80))  # the report's "meldung_id"
    report: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(20))  # STATES
    attempts: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: due at once
    lease: Mapped[str | None] = mapped_column(String(36))  # the worker's delivery that holds it
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    instance_ids: Mapped[list | None] = mapped_column(JSON)  # the report processes it started
    problem: Mapped[str | None] = mapped_column(Text)  # the last failure, German
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Outbox:
    def __init__(self, sessions: sessionmaker[Session], model):
        self.sessions, self.model = sessions, model

    def add(self, session: Session, tenant: str, report: dict) -> dict:
        """Writes the report in ``session``'s transaction (the change's); a report already written is kept
        as it is and returned."""
        m = self.model
        known = session.scalar(select(m).where(m.tenant == tenant, m.report_id == report["meldung_id"]))
        if known is not None:
            return known.report
        session.add(m(tenant=tenant, report_id=report["meldung_id"], report=report, created_at=utcnow(),
                      state="pending", attempts=0))
        return report

    def due(self, now: datetime, limit: int = 50) -> list[dict]:
        """Pending reports due now and held by no live lease, oldest first: {"id", "tenant", "report"}."""
        m = self.model
        with transaction(self.sessions) as session:
            rows = session.execute(select(m.id, m.tenant, m.report).where(*self._takeable(now))
                                   .order_by(m.id).limit(limit)).all()
            return [{"id": r.id, "tenant": r.tenant, "report": r.report} for r in rows]

    def take(self, row_id: int, now: datetime, lock_seconds: int) -> str | None:
        """Leases the report for one delivery -> the lease, or None when another worker took it first. The
        attempt counts when it is taken, so a worker that dies while delivering uses one up too."""
        m, lease = self.model, str(uuid.uuid4())
        with transaction(self.sessions) as session:
            taken = session.execute(update(m).where(m.id == row_id, *self._takeable(now)).values(
                lease=lease, lease_expires_at=now + timedelta(seconds=lock_seconds), attempts=m.attempts + 1))
            return lease if taken.rowcount == 1 else None

    def delivered(self, row_id: int, lease: str, instance_ids: list[str], now: datetime) -> None:
        self._finish(row_id, lease, instance_ids, state="delivered", delivered_at=now, problem=None, due_at=None)

    def failed(self, row_id: int, lease: str, instance_ids: list[str], problem: str, now: datetime) -> str:
        """Notes a failed delivery -> "pending" (tried again after a backoff) or "failed" (attempts used up)."""
        with transaction(self.sessions) as session:
            attempts = session.scalar(select(self.model.attempts).where(self.model.id == row_id))
        if attempts >= MAX_ATTEMPTS:
            state, due = "failed", None
        else:
            state = "pending"
            due = now + timedelta(seconds=min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempts - 1)))
        self._finish(row_id, lease, instance_ids, state=state, due_at=due, problem=problem[:MAX_PROBLEM])
        return state

    def retry(self, tenant: str | None, row_id: int) -> bool:
        """An operator's retry of a failed report: due at once with fresh attempts. False unless it had failed."""
        m = self.model
        with transaction(self.sessions) as session:
            done = session.execute(update(m).where(m.id == row_id, m.state == "failed",
                                                   *([m.tenant == tenant] if tenant else []))
                                   .values(state="pending", attempts=0, due_at=None))
            return done.rowcount == 1

    def troubled(self, tenant: str | None = None) -> list[dict]:
        """Reports not delivered at the first attempt and not delivered since: the failed ones first, then
        those still being retried."""
        m = self.model
        with transaction(self.sessions) as session:
            rows = session.scalars(select(m).where(m.state != "delivered", m.problem.is_not(None),
                                                   *([m.tenant == tenant] if tenant else []))
                                   .order_by(m.state, m.id)).all()
            return [{"id": r.id, "tenant": r.tenant, "report_id": r.report_id, "report": r.report,
                     "state": r.state, "attempts": r.attempts, "due_at": r.due_at, "problem": r.problem,
                     "created_at": r.created_at} for r in rows]

    def reports(self, tenant: str) -> list[dict]:
        m = self.model
        with transaction(self.sessions) as session:
            rows = session.scalars(select(m).where(m.tenant == tenant).order_by(m.id)).all()
            return [{"id": r.id, "report_id": r.report_id, "state": r.state, "attempts": r.attempts,
                     "instance_ids": list(r.instance_ids or []), "problem": r.problem} for r in rows]

    def _takeable(self, now: datetime) -> tuple:
        m = self.model
        return (m.state == "pending", or_(m.due_at.is_(None), m.due_at <= now),
                or_(m.lease_expires_at.is_(None), m.lease_expires_at < now))

    def _finish(self, row_id: int, lease: str, instance_ids: list[str], **values) -> None:
        m = self.model
        with transaction(self.sessions) as session:
            row = session.scalar(select(m).where(m.id == row_id, m.lease == lease).with_for_update())
            if row is None:  # the lease expired and another worker took the report over
                return
            for key, value in values.items():
                setattr(row, key, value)
            row.instance_ids = [*(row.instance_ids or []), *[i for i in instance_ids if i not in (row.instance_ids or [])]]
            row.lease, row.lease_expires_at = None, None
