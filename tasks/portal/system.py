"""The citizen's view of a case: status history and postbox, fed by the processes."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import parseaddr

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import as_utc
from engine.db import transaction
from engine.operations import BusinessError, InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import address_lines, iso, require, run_once, utcnow
from .models import PortalDeliveryChoice, PortalDraft, PortalMessage, PortalStatus

# Default German labels of the usual status codes; other codes need a label.
STATUS_LABELS = {
    "eingegangen": "Antrag eingegangen",
    "in_pruefung": "Antrag wird geprüft",
    "rueckfrage": "Rückfrage an Sie",
    "zahlung_offen": "Zahlung offen",
    "in_bearbeitung": "In Bearbeitung",
    "versandt": "Versandt",
    "abgelehnt": "Abgelehnt",
    "eingestellt": "Verfahren eingestellt",
}
STATUS_CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
DRAFT_DAYS = 30
DELIVERIES = {"postfach": "Postfach", "post": "Post"}  # a citizen's choice, with its German label
MAIL_SUBJECT = "Neue Nachricht in Ihrem Postfach"
MAIL_BODY = """Guten Tag,

in Ihrem Postfach im Serviceportal liegt eine neue Nachricht zu Ihrem Antrag {case_number}:

„{title}“

Bitte melden Sie sich im Serviceportal an, um die Nachricht und ihre Anlagen zu lesen.

Diese E-Mail wurde automatisch erstellt. Bitte antworten Sie nicht darauf.
"""


class DocumentNotFound(LookupError):
    """The document is not attached to a message of this case (or has no content)."""


class MessageNotFound(LookupError):
    """No such postbox message for this recipient."""


class Portal(SpecialistSystem):
    name = "portal"
    operations = ("notify",)

    def __init__(self, sessions: sessionmaker[Session], efile, notifications, print_mail, documents):
        self.sessions = sessions
        self.efile = efile
        self.mail = notifications
        self.print_mail = print_mail
        self.documents = documents

    def notify(self, call: ServiceCall) -> dict:
        """params: case_number, status, label? (default for the usual codes), title? + text? (a message),
        document_ids? [e-file ids of this case], recipient? (the applicant's account), email? (a notice that a
        message arrived in the postbox), address? (the applicant's postal address), posted_separately? [those
        of document_ids the process posts itself with print_mail.enqueue], file_number? + municipality? (the
        letterhead: a message without documents goes by post as a letter with its text)
        -> {"status_id", "message_id" (or None), "delivery": "postfach" | "post" | None, "print_job_id",
        "email": "sent" | "refused" | None, "email_message_id"}.

        Where a message goes is decided here: to the postbox if the applicant has an account and has not
        chosen post; otherwise (a case taken at the counter or from a letter, or the choice "Post") to the
        print outbox, addressed to the applicant. Each document goes on paper once."""
        p = call.params
        require(p, "case_number", "status")
        case_number, status = str(p["case_number"]).strip(), str(p["status"]).strip()
        if not STATUS_CODE.match(status):
            raise InvalidRequest(f"Ungültiger Statuscode {status!r} (Kleinbuchstaben, Ziffern, _).")
        label = str(p.get("label") or STATUS_LABELS.get(status) or "").strip()
        if not label:
            raise InvalidRequest(f"Für den Status {status!r} fehlt die Bezeichnung (label).")
        message = message_params(p)
        paper = paper_params(p, message) if message else None
        if message:
            self._check_documents(call.tenant, case_number, message["document_ids"])

        def find(session: Session):
            status_id = session.scalar(select(PortalStatus.id).where(
                PortalStatus.tenant == call.tenant, PortalStatus.idempotency_key == call.idempotency_key))
            if status_id is None:
                return None
            posted = session.scalar(select(PortalMessage).where(
                PortalMessage.tenant == call.tenant, PortalMessage.idempotency_key == call.idempotency_key))
            return outcome(status_id, posted)

        def create(session: Session):
            now = utcnow()
            row = PortalStatus(tenant=call.tenant, case_number=case_number, status=status, label=label[:200], at=now,
                               idempotency_key=call.idempotency_key, instance_id=call.instance_id)
            session.add(row)
            posted = None
            if message:
                posted = PortalMessage(tenant=call.tenant, case_number=case_number, created_at=now,
                                       delivery=self._delivery(session, call.tenant, message["recipient"]),
                                       idempotency_key=call.idempotency_key, instance_id=call.instance_id, **message)
                session.add(posted)
            session.flush()
            return outcome(row.id, posted)

        result = {**run_once(self.sessions, find, create), "email": None, "email_message_id": None}
        if result["delivery"] == "post" and paper is not None and result["print_job_id"] is None:
            result["print_job_id"] = self._post(call, case_number, message, paper, result["message_id"])
        elif result["delivery"] == "postfach" and message["recipient_email"]:
            result.update(self._announce(call, case_number, message))
        return result

    def _delivery(self, session: Session, tenant: str, recipient: str | None) -> str:
        """Post for an applicant without an account; else the account's choice, the postbox by default."""
        if recipient is None:
            return "post"
        return session.scalar(select(PortalDeliveryChoice.delivery).where(
            PortalDeliveryChoice.tenant == tenant, PortalDeliveryChoice.citizen == recipient)) or "postfach"

    def _post(self, call: ServiceCall, case_number: str, message: dict, paper: dict, message_id: int) -> int:
        """The letter goes to the print outbox under its own key: queued once, also across retries."""
        document_ids = paper["document_ids"] or [self._letter(call, case_number, message, paper)]
        job = self.print_mail.enqueue(replace(
            call, operation="print_mail.enqueue", idempotency_key=f"{call.idempotency_key}:post",
            params={"address": paper["address"], "document_ids": document_ids, "business_key": case_number}))
        with transaction(self.sessions) as session:
            session.execute(update(PortalMessage).where(PortalMessage.id == message_id)
                            .values(print_job_id=job["print_job_id"]))
        return job["print_job_id"]

    def _letter(self, call: ServiceCall, case_number: str, message: dict, paper: dict) -> int:
        """A message without documents (a question, a reminder) on paper: a letter with its text, in the e-file."""
        rendered = self.documents.render(replace(
            call, operation="documents.render", idempotency_key=f"{call.idempotency_key}:brief",
            params={"template": "mitteilung", "title": message["title"], "file_number": paper["file_number"],
                    "municipality": paper["municipality"],
                    "data": {"case_number": case_number, "applicant": paper["address"], "heading": message["title"],
                             "paragraphs": message["text"] or message["title"]}}))
        return rendered["document_id"]

    def _announce(self, call: ServiceCall, case_number: str, message: dict) -> dict:
        """The e-mail goes through the notifications outbox under its own key: sent once, also across retries."""
        mail_call = replace(call, operation="notifications.send_email", idempotency_key=f"{call.idempotency_key}:mail",
                            params={"to": message["recipient_email"], "subject": MAIL_SUBJECT,
                                    "body": MAIL_BODY.format(case_number=case_number, title=message["title"])})
        try:
            sent = self.mail.send_email(mail_call)
        except BusinessError as exc:
            if exc.code != "mail_recipient_refused":
                raise
            return {"email": "refused"}  # the message is in the postbox all the same
        return {"email": "sent", "email_message_id": sent["message_id"]}

    # Plain methods for the web UI.

    def statuses(self, tenant: str, case_number: str) -> list[dict]:
        """The status history, oldest first."""
        with self.sessions() as session:
            rows = session.scalars(select(PortalStatus).where(
                PortalStatus.tenant == tenant, PortalStatus.case_number == case_number,
            ).order_by(PortalStatus.at, PortalStatus.id))
            return [{"status": r.status, "label": r.label, "at": stamp(r.at)} for r in rows]

    def messages(self, tenant: str, case_number: str | None = None, recipient: str | None = None) -> list[dict]:
        """Postbox messages, newest first, with the titles of their documents (not the content)."""
        query = select(PortalMessage).where(PortalMessage.tenant == tenant)
        if case_number is not None:
            query = query.where(PortalMessage.case_number == case_number)
        if recipient is not None:
            query = query.where(PortalMessage.recipient == recipient)
        with self.sessions() as session:
            rows = session.scalars(query.order_by(PortalMessage.created_at.desc(), PortalMessage.id.desc())).all()
        documents = self.efile.documents_by_id(tenant, list({i for r in rows for i in r.document_ids}))
        return [message_view(r, {i: d["title"] for i, d in documents.items()}) for r in rows]

    def mark_read(self, tenant: str, message_id: int, recipient: str | None) -> str:
        """Marks the recipient's message read (the first reading counts) and returns when."""
        with transaction(self.sessions) as session:
            row = session.scalar(select(PortalMessage).where(
                PortalMessage.tenant == tenant, PortalMessage.id == int(message_id),
                PortalMessage.recipient.is_(None) if recipient is None else PortalMessage.recipient == recipient))
            if row is None:
                raise MessageNotFound(message_id)
            row.read_at = row.read_at or utcnow()
            return stamp(row.read_at)

    def delivery_choice(self, tenant: str, citizen: str) -> str:
        """"postfach" or "post": how the citizen's messages are delivered (the postbox unless they chose post)."""
        with self.sessions() as session:
            return self._delivery(session, tenant, citizen)

    def choose_delivery(self, tenant: str, citizen: str, delivery: str) -> None:
        """Keeps the citizen's choice; it applies to every message from now on, in all their cases."""
        if delivery not in DELIVERIES:
            raise InvalidRequest("Zustellung: Bitte „Postfach“ oder „Post“ wählen.")
        try:
            self._store_choice(tenant, citizen, delivery)
        except IntegrityError:  # two first choices at once (a double click): the row exists now
            self._store_choice(tenant, citizen, delivery)

    def _store_choice(self, tenant: str, citizen: str, delivery: str) -> None:
        with transaction(self.sessions) as session:
            row = session.scalar(select(PortalDeliveryChoice).where(
                PortalDeliveryChoice.tenant == tenant, PortalDeliveryChoice.citizen == citizen))
            if row is None:
                session.add(PortalDeliveryChoice(tenant=tenant, citizen=citizen, delivery=delivery, updated_at=utcnow()))
            else:
                row.delivery, row.updated_at = delivery, utcnow()

    def save_draft(self, tenant: str, citizen: str, service_key: str, data: dict) -> None:
        """Keeps the citizen's unsent application (one per service); drafts untouched for
        DRAFT_DAYS are deleted, so unsent personal data does not stay for ever."""
        now = utcnow()
        with transaction(self.sessions) as session:
            session.execute(delete(PortalDraft).where(PortalDraft.updated_at < now - timedelta(days=DRAFT_DAYS)))
            row = session.scalar(self._draft(tenant, citizen, service_key))
            if row is None:
                session.add(PortalDraft(tenant=tenant, citizen=citizen, service_key=service_key, data=data, updated_at=now))
            else:
                row.data, row.updated_at = data, now

    def draft(self, tenant: str, citizen: str, service_key: str) -> dict | None:
        with self.sessions() as session:
            row = session.scalar(self._draft(tenant, citizen, service_key))
            return row.data if row is not None else None

    def discard_draft(self, tenant: str, citizen: str, service_key: str, conn=None) -> bool:
        """Deletes the draft; False if there was none (another request took it first). With
        ``conn``, in that connection's transaction (so it counts only if that one commits)."""
        statement = delete(PortalDraft).where(
            PortalDraft.tenant == tenant, PortalDraft.citizen == citizen, PortalDraft.service_key == service_key)
        if conn is not None:
            return conn.execute(statement).rowcount == 1
        with transaction(self.sessions) as session:
            return session.execute(statement).rowcount == 1

    @staticmethod
    def _draft(tenant: str, citizen: str, service_key: str):
        return select(PortalDraft).where(PortalDraft.tenant == tenant, PortalDraft.citizen == citizen,
                                         PortalDraft.service_key == service_key)

    def document(self, tenant: str, case_number: str, document_id) -> tuple[str, bytes]:
        """A document attached to a message of this case, else DocumentNotFound: the caller has checked that
        the case is the citizen's, this checks that the document is the case's."""
        try:
            wanted = int(document_id)
        except (TypeError, ValueError):
            raise DocumentNotFound(document_id) from None
        with self.sessions() as session:
            attached = session.scalars(select(PortalMessage.document_ids).where(
                PortalMessage.tenant == tenant, PortalMessage.case_number == case_number)).all()
        if wanted not in {i for ids in attached for i in ids}:
            raise DocumentNotFound(document_id)
        if wanted not in self.efile.documents_by_id(tenant, [wanted], case_number=case_number):
            raise DocumentNotFound(document_id)
        found = self.efile.document(tenant, wanted)
        if found["content"] is None:
            raise DocumentNotFound(document_id)
        return found["title"], found["content"]

    def _check_documents(self, tenant: str, case_number: str, ids: list[int]) -> None:
        """Only documents from the case's own e-file may be attached."""
        found = self.efile.documents_by_id(tenant, ids, case_number=case_number)
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidRequest(f"Dokumente {missing} liegen nicht in der e-Akte des Vorgangs {case_number}.")


def message_params(p: dict) -> dict | None:
    """The postbox message of a notify call, checked; None if the call only sets a status."""
    title, text = str(p.get("title") or "").strip(), str(p.get("text") or "").strip()
    ids = p.get("document_ids") or []
    if not title:
        if text or ids:
            raise InvalidRequest("Eine Nachricht (text, document_ids) braucht einen Titel (title).")
        return None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidRequest("document_ids muss eine Liste von Dokumentnummern der e-Akte sein.")
    email = str(p.get("email") or "").strip() or None
    if email and ("@" not in parseaddr(email)[1] or any(c in email for c in "\r\n")):
        raise InvalidRequest(f"Ungültige E-Mail-Adresse: {email!r}")
    recipient = str(p["recipient"]).strip() if p.get("recipient") not in (None, "") else None
    return {"title": title[:300], "text": text, "document_ids": list(dict.fromkeys(ids)), "recipient": recipient,
            "recipient_email": email}


def paper_params(p: dict, message: dict) -> dict | None:
    """What of a message goes on paper if it is posted: its documents but those the process posts itself, or
    a letter with its text if it has no documents; None if the process posts all its documents itself."""
    separately = p.get("posted_separately") or []
    if not isinstance(separately, list) or not set(separately) <= set(message["document_ids"]):
        raise InvalidRequest("posted_separately muss eine Teilliste von document_ids sein.")
    printed = [i for i in message["document_ids"] if i not in separately]
    if message["document_ids"] and not printed:
        return None
    if not p.get("address"):
        raise InvalidRequest("Eine Nachricht, die per Post gehen kann, braucht die Anschrift (address).")
    address_lines(p["address"])
    if not printed and not (p.get("file_number") and isinstance(p.get("municipality"), dict)):
        raise InvalidRequest("Eine Nachricht ohne Dokumente braucht für den Brief file_number und municipality.")
    return {"address": p["address"], "document_ids": printed, "file_number": p.get("file_number"),
            "municipality": p.get("municipality")}


def outcome(status_id: int, posted: PortalMessage | None) -> dict:
    """A notify call's stored result: its status, and its message with how it was delivered."""
    return {"status_id": status_id, "message_id": posted and posted.id, "delivery": posted and posted.delivery,
            "print_job_id": posted and posted.print_job_id}


def message_view(row: PortalMessage, titles: dict[int, str]) -> dict:
    return {
        "id": row.id,
        "case_number": row.case_number,
        "recipient": row.recipient,
        "title": row.title,
        "text": row.text,
        "documents": [{"document_id": i, "title": titles.get(i, "Dokument")} for i in row.document_ids],
        "delivery": row.delivery,
        "created_at": stamp(row.created_at),
        "read_at": stamp(row.read_at),
    }


def stamp(value: datetime | None) -> str | None:
    """ISO time in UTC; SQLite hands back the stored UTC time without its zone."""
    return iso(as_utc(value))
