"""Trade office operations: the trade register (Gewerberegister) and its retrieval log, the
trade-law checks of a notice, the completed form for the receipt, the statistics calendar."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import BERLIN, call_today, next_counter, parse_date, require, run_once, utcnow
from . import calendar, form, register, rules
from .models import TradeBusiness, TradeChange, TradeCounter

PURGE_TIME = time(3, 0)  # the nightly purge of the retrieval log, Berlin time


class Trade(SpecialistSystem):
    name = "trade"
    operations = ("check_notice", "check_reference", "record_notice", "receipt_form", "register_information",
                  "purge_retrieval_log", "statistics_due")

    def __init__(self, sessions: sessionmaker[Session] | None = None):
        self.sessions = sessions  # None: the rules and the calendar only, no register

    def check_notice(self, call: ServiceCall) -> dict:
        """params: notice (the application) -> {"findings": [{"code", "text"}], "needs_clerk": bool}."""
        require(call.params, "notice")
        notice = call.params["notice"]
        if not isinstance(notice, dict) or not isinstance(notice.get("betrieb"), dict):
            raise InvalidRequest("notice muss eine Gewerbeanzeige (Antrag) sein.")
        findings = rules.check(notice)
        return {"findings": findings, "needs_clerk": bool(findings)}

    def check_reference(self, call: ServiceCall) -> dict:
        """params: notice, ags (the municipality key) -> {"ok", "reason" (German, for the notice) or None,
        "entry" (the register entry named) or None}. A registration names no entry and is always ok."""
        require(call.params, "notice", "ags")
        notice = _notice(call.params["notice"])
        if notice["meldungsart"] == "anmeldung":
            return {"ok": True, "reason": None, "entry": None}
        with self.sessions() as session:
            reason, entry = register.refusal(session, call.tenant, str(call.params["ags"]), notice)
            return {"ok": reason is None, "reason": reason, "entry": register.view(session, entry) if entry else None}

    def record_notice(self, call: ServiceCall) -> dict:
        """params: notice, case_number, received_on, ags -> {"ok": True, "number", "entry", "registration":
        {"case_number", "received_on"}, "previous" (the state before a change or closure) or None}.
        A registration creates the entry; a change or closure updates the one it names, checked again
        under the entry's lock: a notice on the same entry (a second closure) may have been certified
        in between. Then nothing is recorded and the answer is {"ok": False, "reason"} (German, for the
        refusal notice) - a business outcome, not a fault."""
        p = call.params
        require(p, "notice", "case_number", "received_on", "ags")
        notice, ags = _notice(p["notice"]), str(p["ags"])
        received_on = parse_date(p["received_on"], "received_on")

        def find(session: Session):
            entry = session.scalar(select(TradeBusiness).where(
                TradeBusiness.tenant == call.tenant, TradeBusiness.idempotency_key == call.idempotency_key))
            if entry is not None:
                return _outcome(session, entry, None)
            change = session.scalar(select(TradeChange).where(
                TradeChange.tenant == call.tenant, TradeChange.idempotency_key == call.idempotency_key))
            return _outcome(session, session.get(TradeBusiness, change.business_id), change) if change else None

        def create(session: Session):
            now = utcnow()
            if notice["meldungsart"] == "anmeldung":
                number = register.number_for(ags, next_counter(session, TradeCounter, call.tenant, "betrieb"))
                entry = register.create(session, call.tenant, call.idempotency_key, number, notice,
                                        str(p["case_number"]), received_on, now)
                return _outcome(session, entry, None)
            reason, entry = register.refusal(session, call.tenant, ags, notice)
            if entry is not None:  # lock, then look again: a closure may have been recorded meanwhile
                session.refresh(entry, with_for_update=True)
                reason, entry = register.refusal(session, call.tenant, ags, notice)
            if reason:
                return {"ok": False, "reason": reason}
            change = register.apply(session, entry, call.idempotency_key, notice, str(p["case_number"]), now)
            return _outcome(session, entry, change)

        return run_once(self.sessions, find, create)

    def receipt_form(self, call: ServiceCall) -> dict:
        """params: notice, record? (the result of record_notice) -> {"form", "title", "sections"}: the
        completed GewA form for the receipt (§ 15 GewO), with the register number and, for a change,
        the previous address and activity."""
        require(call.params, "notice")
        notice = call.params["notice"]
        if not isinstance(notice, dict) or notice.get("meldungsart") not in form.FORMS \
                or not isinstance(notice.get("betrieb"), dict) or not isinstance(notice.get("person"), dict):
            raise InvalidRequest("notice muss eine Gewerbeanzeige (Antrag) sein.")
        return form.receipt_form(notice, call.params.get("record"))

    def register_information(self, call: ServiceCall) -> dict:
        """params: number, requester, purpose, file_number, official -> {"found", "entry" (§ 14 Abs. 5
        Satz 2 GewO: name, business address, activity) or None}. Every retrieval is logged with purpose,
        file number, who asked, who answered and when (§ 14 Abs. 11 GewO), found or not."""
        p = call.params
        require(p, "number", "requester", "purpose", "file_number", "official")
        return self.information(call.tenant, **{k: str(p[k]) for k in
                                                ("number", "requester", "purpose", "file_number", "official")},
                                at=_now(call))

    def purge_retrieval_log(self, call: ServiceCall) -> dict:
        """-> {"deleted", "kept_from" (ISO date), "next_at" (ISO, UTC: 03:00 Berlin time the next day)}:
        deletes the retrievals logged more than six months ago (§ 14 Abs. 11 GewO), by the engine's clock."""
        today = call_today(call)
        cutoff = register.log_cutoff(today)
        with transaction(self.sessions) as session:
            start = datetime.combine(cutoff, time(0), tzinfo=BERLIN).astimezone(UTC)  # stored in UTC
            deleted = register.purge_log(session, call.tenant, start)
        next_at = datetime.combine(today + timedelta(days=1), PURGE_TIME, tzinfo=BERLIN).astimezone(UTC)
        return {"deleted": deleted, "kept_from": cutoff.isoformat(), "next_at": next_at.isoformat()}

    def statistics_due(self, call: ServiceCall) -> dict:
        """params: month ("2026-03") -> {"month", "due_at" (ISO, UTC), "next_month"}."""
        require(call.params, "month")
        month = str(call.params["month"])
        try:
            datetime.strptime(month, "%Y-%m")
        except ValueError:
            raise InvalidRequest(f"month muss die Form JJJJ-MM haben, nicht {month!r}.") from None
        due = calendar.statistics_due(month).astimezone(UTC)
        year, number = int(month[:4]), int(month[5:7])
        return {"month": month, "due_at": due.isoformat(), "next_month": f"{year + number // 12}-{number % 12 + 1:02d}"}

    # Plain methods for the clerk's and operator's views (and tests).

    def information(self, tenant: str, number: str, requester: str, purpose: str, file_number: str,
                    official: str, at: datetime | None = None) -> dict:
        for label, value, limit in (("Anfragende Stelle", requester, 200), ("Zweck", purpose, 300),
                                    ("Aktenzeichen", file_number, 100), ("Auskunft erteilt von", official, 200),
                                    ("Betriebsnummer", number, 20)):
            if not value.strip() or len(value) > limit:
                raise InvalidRequest(f"{label}: bitte angeben, höchstens {limit} Zeichen.")
        with transaction(self.sessions) as session:
            entry = register.find(session, tenant, number.strip())
            register.log_retrieval(session, tenant, number.strip(), requester, purpose, file_number, official,
                                   entry is not None, at or utcnow())
            return {"found": entry is not None, "entry": register.public_view(entry) if entry else None}

    def entry(self, tenant: str, number: str) -> dict | None:
        with self.sessions() as session:
            found = register.find(session, tenant, number)
            return register.view(session, found) if found else None

    def retrievals(self, tenant: str) -> list[dict]:
        with self.sessions() as session:
            rows = session.scalars(select(register.TradeRetrieval).where(register.TradeRetrieval.tenant == tenant)
                                   .order_by(register.TradeRetrieval.id))
            return [{"number": r.number, "requester": r.requester, "purpose": r.purpose, "file_number": r.file_number,
                     "official": r.official, "found": r.found, "at": _utc(r.at).isoformat()} for r in rows]


def _now(call: ServiceCall) -> datetime:
    """The engine's clock where the worker set it (``ServiceCall.extra["now"]``), else the wall clock."""
    now = (call.extra or {}).get("now")
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    return now.astimezone(UTC) if isinstance(now, datetime) else utcnow()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)  # SQLite keeps no zone


def _notice(value) -> dict:
    if not isinstance(value, dict) or value.get("meldungsart") not in form.FORMS \
            or not isinstance(value.get("betrieb"), dict) or not isinstance(value.get("person"), dict):
        raise InvalidRequest("notice muss eine Gewerbeanzeige (Antrag) sein.")
    return value


def _outcome(session: Session, entry: TradeBusiness, change: TradeChange | None) -> dict:
    return {"ok": True, "number": entry.number, "entry": register.view(session, entry),
            "registration": {"case_number": entry.case_number, "received_on": entry.registered_on.isoformat()},
            "previous": change.previous if change else None}
