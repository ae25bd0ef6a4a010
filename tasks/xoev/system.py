"""The XÖV message hub for trade notices: builds XGewerbeanzeige messages per recipient,
checks them against the schema, keeps them in an outbox and delivers them with retries,
logging every attempt; collects the statistics office's monthly batch."""
from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall, TemporaryFailure

from ..base import SpecialistSystem
from ..common import iso, require, run_once, utcnow
from .message import build_message
from .models import (
    XoevDelivery,
    XoevMailbox,
    XoevMessage,
    XoevStatBatch,
    XoevStatRecord,
)
from .recipients import RECIPIENTS, entitled, filter_notice
from .schema import SUBSET, validate
from .senders import Sender, default_senders

KINDS = ("anmeldung", "ummeldung", "abmeldung")
RECORD_NAMESPACE = uuid.UUID("6f1c3b9e-55a2-4c43-9d39-6a3b1c0e2a10")  # for stable business ids


class Xoev(SpecialistSystem):
    name = "xoev"
    operations = ("forward", "queue_statistics", "deliver_statistics")

    def __init__(self, sessions: sessionmaker[Session], senders: dict[str, Sender] | None = None,
                 schema_path: Path = SUBSET):
        self.sessions = sessions
        self.senders = senders if senders is not None else default_senders()
        self.schema_path = schema_path

    def forward(self, call: ServiceCall) -> dict:
        """params: notice (the application, bpmn-models/gewerbe/antrag.schema.json), case_number,
        received_on (ISO date), author ({"ags", "behoerdenname", ...}), recipients (settings
        {code: {"kennung", "name", "transport"}}), registration? ({"case_number", "received_on"} of the
        business's registration, trade.record_notice) -> {"messages": [{"recipient", "message_id",
        "message_uuid", "state"}]}. Each entitled recipient gets its own filtered message, once;
        a recipient that cannot be reached raises TemporaryFailure after the others were delivered.
        A change or closure carries the business id of its registration (gewerbebetriebID), so the
        recipient files it with the business it registered."""
        p = call.params
        require(p, "notice", "case_number", "received_on", "author", "recipients")
        notice, recipients = _notice(p["notice"]), p["recipients"]
        codes = entitled(notice, recipients)

        def find(session: Session):
            rows = self._messages(session, call.tenant, call.idempotency_key)
            return [r.id for r in rows] or None

        def create(session: Session):
            ids = []
            for code in codes:
                meta = record_meta(call.tenant, p, utcnow())
                row = self._store(session, call, code, [{"notice": filter_notice(notice, code), "meta": meta}],
                                  p["author"], recipients[code])
                ids.append(row.id)
            return ids

        ids = run_once(self.sessions, find, create)
        self._deliver(ids, recipients)
        with self.sessions() as session:
            rows = self._messages(session, call.tenant, call.idempotency_key)
            return {"messages": [message_view(r) for r in rows]}

    def queue_statistics(self, call: ServiceCall) -> dict:
        """params: notice, case_number, received_on, month ("2026-03", the month of the receipt),
        author ({"ags", ...}) -> {"record_id", "month"}. The record joins the first month from
        ``month`` on whose batch has not gone out yet, so a late record is never lost."""
        p = call.params
        require(p, "notice", "case_number", "received_on", "month", "author")
        notice = filter_notice(_notice(p["notice"]), "sta")

        def find(session: Session):
            row = session.scalar(select(XoevStatRecord).where(
                XoevStatRecord.tenant == call.tenant, XoevStatRecord.idempotency_key == call.idempotency_key))
            return {"record_id": row.id, "month": row.month} if row else None

        def create(session: Session):
            month = _month(p["month"])
            sent = set(session.scalars(select(XoevStatBatch.month).where(
                XoevStatBatch.tenant == call.tenant, XoevStatBatch.month >= month)))
            while month in sent:
                month = next_month(month)
            now = utcnow()
            row = XoevStatRecord(tenant=call.tenant, idempotency_key=call.idempotency_key,
                                 business_key=call.business_key, month=month, created_at=now,
                                 record={"notice": notice, "meta": {**record_meta(call.tenant, p, now), "created": iso(now)}})
            session.add(row)
            session.flush()
            return {"record_id": row.id, "month": month}

        return run_once(self.sessions, find, create)

    def deliver_statistics(self, call: ServiceCall) -> dict:
        """params: month, author, recipient (settings of "sta": {"kennung", "name", "transport"})
        -> {"month", "records", "message_id" (None for a month without notices)}. One batch per month."""
        p = call.params
        require(p, "month", "author", "recipient")
        month = _month(p["month"])

        def find(session: Session):
            batch = session.scalar(select(XoevStatBatch).where(
                XoevStatBatch.tenant == call.tenant, XoevStatBatch.month == month))
            return batch_view(batch) if batch else None

        def create(session: Session):
            records = session.scalars(select(XoevStatRecord).where(
                XoevStatRecord.tenant == call.tenant, XoevStatRecord.month == month,
                XoevStatRecord.batch_id.is_(None)).order_by(XoevStatRecord.id)).all()
            message = None
            if records:
                message = self._store(session, call, "sta", [r.record for r in records], p["author"], p["recipient"])
            batch = XoevStatBatch(tenant=call.tenant, month=month, message_id=message.id if message else None,
                                  records=len(records), created_at=utcnow())
            session.add(batch)
            session.flush()
            for record in records:
                record.batch_id = batch.id
            return batch_view(batch)

        result = run_once(self.sessions, find, create)
        if result["message_id"] is not None:
            self._deliver([result["message_id"]], {"sta": p["recipient"]})
        return result

    # Plain methods for the clerk's and operator's views (and tests).

    def messages(self, tenant: str, business_key: str | None = None, recipient: str | None = None) -> list[dict]:
        query = select(XoevMessage).where(XoevMessage.tenant == tenant)
        if business_key is not None:
            query = query.where(XoevMessage.business_key == business_key)
        if recipient is not None:
            query = query.where(XoevMessage.recipient == recipient)
        with self.sessions() as session:
            return [{**message_view(r), "xml": r.xml, "attempts": r.attempts, "last_error": r.last_error}
                    for r in session.scalars(query.order_by(XoevMessage.id))]

    def mailbox(self, tenant: str, recipient: str) -> list[dict]:
        with self.sessions() as session:
            rows = session.scalars(select(XoevMailbox).where(
                XoevMailbox.tenant == tenant, XoevMailbox.recipient == recipient).order_by(XoevMailbox.id))
            return [{"message_id": r.message_id, "filename": r.filename, "xml": r.xml} for r in rows]

    def deliveries(self, tenant: str, message_id: int) -> list[dict]:
        with self.sessions() as session:
            rows = session.scalars(select(XoevDelivery).where(
                XoevDelivery.tenant == tenant, XoevDelivery.message_id == message_id).order_by(XoevDelivery.id))
            return [{"attempt": r.attempt, "outcome": r.outcome, "transport": r.transport, "detail": r.detail}
                    for r in rows]

    # Internals.

    def _messages(self, session: Session, tenant: str, key: str) -> list[XoevMessage]:
        return list(session.scalars(select(XoevMessage).where(
            XoevMessage.tenant == tenant, XoevMessage.idempotency_key == key).order_by(XoevMessage.id)))

    def _store(self, session: Session, call: ServiceCall, code: str, records: list[dict], author: dict,
               reader: dict) -> XoevMessage:
        if not isinstance(reader, dict) or not reader.get("kennung") or not reader.get("name"):
            raise InvalidRequest(f"Empfänger {code}: Kennung und Name fehlen in den Einstellungen.")
        require(author, "ags", "behoerdenname")
        now = utcnow()
        message_uuid = str(uuid.uuid4())
        root = RECIPIENTS[code].root
        xml = build_message(root, records, author, reader, message_uuid, now)
        validate(xml, self.schema_path)  # never store, let alone send, what the schema rejects
        row = XoevMessage(tenant=call.tenant, idempotency_key=call.idempotency_key, business_key=call.business_key,
                          instance_id=call.instance_id, recipient=code, message_uuid=message_uuid, message_type=root,
                          xml=xml.decode("utf-8"), state="pending", attempts=0, created_at=now)
        session.add(row)
        session.flush()
        return row

    def _deliver(self, ids: list[int], recipients: dict) -> None:
        """Each pending message in its own transaction; failures are logged, then reported together."""
        failures = []
        for message_id in ids:
            with self.sessions() as session:
                row = session.get(XoevMessage, message_id)
                if row.state == "delivered":
                    continue
                code, attempt = row.recipient, row.attempts + 1
            transport = str((recipients.get(code) or {}).get("transport") or "postfach")
            sender = self.senders.get(transport)
            if sender is None:
                raise InvalidRequest(f"Empfänger {code}: unbekannter Übertragungsweg {transport!r}.")
            try:
                with transaction(self.sessions) as session:
                    row = session.get(XoevMessage, message_id, with_for_update=True)
                    if row.state == "delivered":
                        continue
                    note = sender.send(session, row)
                    row.state, row.delivered_at, row.attempts, row.last_error = "delivered", utcnow(), attempt, None
                    session.add(_log(row, attempt, transport, "delivered", note))
            except TemporaryFailure as err:
                with transaction(self.sessions) as session:
                    row = session.get(XoevMessage, message_id, with_for_update=True)
                    row.attempts, row.last_error = attempt, str(err)
                    session.add(_log(row, attempt, transport, "failed", str(err)))
                failures.append(f"{RECIPIENTS[code].name}: {err}")
        if failures:
            raise TemporaryFailure("Zustellung fehlgeschlagen – " + "; ".join(failures))


def _log(row: XoevMessage, attempt: int, transport: str, outcome: str, detail: str) -> XoevDelivery:
    return XoevDelivery(tenant=row.tenant, message_id=row.id, attempt=attempt, transport=transport,
                        outcome=outcome, detail=detail, at=utcnow())


def _notice(value) -> dict:
    if not isinstance(value, dict) or value.get("meldungsart") not in KINDS:
        raise InvalidRequest("notice muss eine Gewerbeanzeige mit meldungsart (anmeldung, ummeldung, abmeldung) sein.")
    if not isinstance(value.get("betrieb"), dict) or not isinstance(value.get("person"), dict):
        raise InvalidRequest("notice braucht die Abschnitte betrieb und person.")
    return value


def _month(value) -> str:
    text = str(value or "")
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise InvalidRequest(f"month muss die Form JJJJ-MM haben, nicht {value!r}.") from None
    return text


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def record_meta(tenant: str, p: dict, now: datetime) -> dict:
    case_number = str(p["case_number"])
    return {"case_number": case_number, "received_on": str(p["received_on"])[:10], "created": now,
            "record_uuid": str(uuid.uuid5(RECORD_NAMESPACE, f"{tenant}:{case_number}:satz")),
            "business_uuid": business_uuid(tenant, _registration_case(p) or case_number),
            "ags": p["author"]["ags"]}


def business_uuid(tenant: str, registration_case_number: str) -> str:
    """The business's id in every message about it: derived from the case number of its registration."""
    return str(uuid.uuid5(RECORD_NAMESPACE, f"{tenant}:{registration_case_number}:betrieb"))


def _registration_case(p: dict) -> str | None:
    registration = p.get("registration")
    if registration is None:
        return None
    if not isinstance(registration, dict) or not registration.get("case_number"):
        raise InvalidRequest("registration braucht die Fallnummer (case_number) der Gewerbe-Anmeldung.")
    return str(registration["case_number"])


def message_view(row: XoevMessage) -> dict:
    return {"recipient": row.recipient, "message_id": row.id, "message_uuid": row.message_uuid, "state": row.state}


def batch_view(batch: XoevStatBatch) -> dict:
    return {"month": batch.month, "records": batch.records, "message_id": batch.message_id}
