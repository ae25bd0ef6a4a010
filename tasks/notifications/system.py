"""Sending e-mail through the municipality's SMTP relay.

The outbox row is written before the SMTP dialogue and marked sent right after it, so a
retry of a delivered mail sends nothing. Only a crash between the SMTP "250 OK" and that
commit can repeat a mail; it then carries the same Message-ID, which mail clients use to
drop duplicates."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import (
    BusinessError,
    InvalidRequest,
    ServiceCall,
    TemporaryFailure,
)

from ..base import SpecialistSystem
from ..common import require, run_once, utcnow
from .models import NotifyMail


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 8025
    sender: str = "Amtsweg <amtsweg@localhost>"
    timeout: float = 10.0


@dataclass(frozen=True)
class Outgoing:
    """What is needed after the claiming transaction ended."""

    id: int
    message_id: str
    status: str
    recipient: str
    subject: str
    body: str

    @classmethod
    def of(cls, mail: NotifyMail) -> Outgoing:
        return cls(mail.id, mail.message_id, mail.status, mail.recipient, mail.subject, mail.body)


class Notifications(SpecialistSystem):
    name = "notifications"
    operations = ("send_email",)

    def __init__(self, sessions: sessionmaker[Session], settings: SmtpSettings):
        self.sessions = sessions
        self.settings = settings

    def send_email(self, call: ServiceCall) -> dict:
        """params: to, subject, body (plain text, German, from the caller) -> {"message_id"}."""
        p = call.params
        require(p, "to", "subject", "body")
        to = str(p["to"]).strip()
        if "@" not in parseaddr(to)[1] or any(c in to for c in "\r\n"):
            raise InvalidRequest(f"Ungültige E-Mail-Adresse: {to!r}")
        mail = self._claim(call, to, str(p["subject"]), str(p["body"]))
        if mail.status == "sent":
            return {"message_id": mail.message_id}
        try:
            self._deliver(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            self._finish(mail.id, "failed", str(exc))
            raise BusinessError("mail_recipient_refused", f"Die Adresse {to} wird vom Mailserver abgelehnt.") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._finish(mail.id, "failed", f"{type(exc).__name__}: {exc}")
            raise TemporaryFailure(f"E-Mail-Versand fehlgeschlagen ({self.settings.host}:{self.settings.port}): {exc}") from exc
        self._finish(mail.id, "sent")
        return {"message_id": mail.message_id}

    def _claim(self, call: ServiceCall, to: str, subject: str, body: str) -> Outgoing:
        """The outbox row for this key: new, or the earlier one with one more attempt."""

        def find(session: Session):
            mail = session.scalar(
                select(NotifyMail).where(NotifyMail.tenant == call.tenant, NotifyMail.idempotency_key == call.idempotency_key)
            )
            if mail is None:
                return None
            if mail.status != "sent":
                mail.status, mail.attempts = "pending", mail.attempts + 1
            return Outgoing.of(mail)

        def create(session: Session):
            domain = parseaddr(self.settings.sender)[1].rpartition("@")[2] or "localhost"
            mail = NotifyMail(
                tenant=call.tenant, idempotency_key=call.idempotency_key, business_key=call.business_key,
                instance_id=call.instance_id, message_id=make_msgid(domain=domain), recipient=to, subject=subject[:500],
                body=body, status="pending", attempts=1, created_at=utcnow(),
            )
            session.add(mail)
            session.flush()
            return Outgoing.of(mail)

        return run_once(self.sessions, find, create)

    def _deliver(self, mail: Outgoing) -> None:
        msg = EmailMessage()
        msg["From"] = self.settings.sender
        msg["To"] = mail.recipient
        msg["Subject"] = mail.subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = mail.message_id
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(mail.body)
        with smtplib.SMTP(self.settings.host, self.settings.port, timeout=self.settings.timeout) as smtp:
            smtp.send_message(msg)

    def _finish(self, mail_id: int, status: str, error: str | None = None) -> None:
        with transaction(self.sessions) as session:
            mail = session.get(NotifyMail, mail_id)
            mail.status, mail.last_error = status, error
            if status == "sent":
                mail.sent_at = utcnow()
