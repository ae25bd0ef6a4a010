"""Building ServiceCalls as the engine does; a real SMTP server (aiosmtpd) that collects mail."""
from __future__ import annotations

import email
import socket
import uuid
from email import policy

from engine.operations import ServiceCall
from tasks.notifications import SmtpSettings

REFUSED_DOMAIN = "@abgelehnt.example"


def make_call(operation: str, params: dict, tenant: str = "plauen", key: str | None = None,
              business_key: str | None = "ANTRAG-2026-0001", instance_id: str = "inst-0001") -> ServiceCall:
    return ServiceCall(operation=operation, params=params, idempotency_key=key or uuid.uuid4().hex,
                       tenant=tenant, instance_id=instance_id, business_key=business_key)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """aiosmtpd handler: keeps what arrives, refuses recipients at REFUSED_DOMAIN."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address.endswith(REFUSED_DOMAIN):
            return "550 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def smtp_settings(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="Stadt Plauen <standesamt@plauen.example>", timeout=5)


def make_portal(sessions, smtp_port: int):
    """The portal with the built-in e-file, print outbox and documents, and mail through an SMTP server on
    ``smtp_port``."""
    from tasks.documents import Documents
    from tasks.efile import EFile
    from tasks.notifications import Notifications
    from tasks.portal import Portal
    from tasks.print_mail import PrintMail

    efile = EFile(sessions)
    return Portal(sessions, efile, Notifications(sessions, smtp_settings(smtp_port)), PrintMail(sessions, efile),
                  Documents(sessions, efile))
