"""E-mail against a real SMTP server (aiosmtpd on 127.0.0.1)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.operations import BusinessError, InvalidRequest, TemporaryFailure
from tasks.notifications import Notifications
from tasks.notifications.models import NotifyMail

from .helpers import REFUSED_DOMAIN, free_port, make_call, smtp_settings

SUBJECT = "Ihre Geburtsurkunde – Gebühr überwiesen? Grüße aus Plauen"
BODY = "Sehr geehrte Frau Müßiggang,\n\nIhre Urkunde ist unterwegs.\n\nMit freundlichen Grüßen\nIhr Standesamt\n"


def send(system, key="job-1", to="erika.beispiel@example.org", tenant="plauen"):
    params = {"to": to, "subject": SUBJECT, "body": BODY}
    return system.send_email(make_call("notifications.send_email", params, tenant=tenant, key=key))


def outbox(sessions) -> list[NotifyMail]:
    with transaction(sessions) as session:
        return session.scalars(select(NotifyMail).order_by(NotifyMail.id)).all()


def test_mail_arrives_with_umlauts(sessions, smtp):
    controller, collector = smtp
    result = send(Notifications(sessions, smtp_settings(controller.port)))
    [(recipients, message)] = collector.messages
    assert recipients == ["erika.beispiel@example.org"]
    assert message["Subject"] == SUBJECT
    assert message.get_content().replace("\r\n", "\n") == BODY  # SMTP uses CRLF on the wire
    assert message["From"] == "Stadt Plauen <standesamt@plauen.example>"
    assert message["Message-ID"] == result["message_id"]
    assert result["message_id"].endswith("@plauen.example>")
    [row] = outbox(sessions)
    assert (row.status, row.attempts, row.recipient, row.business_key) == ("sent", 1, "erika.beispiel@example.org",
                                                                           "ANTRAG-2026-0001")
    assert row.sent_at is not None


def test_same_key_sends_once(sessions, smtp):
    controller, collector = smtp
    system = Notifications(sessions, smtp_settings(controller.port))
    assert send(system) == send(system)
    assert len(collector.messages) == 1
    assert len(outbox(sessions)) == 1


def test_unreachable_server_fails_and_retry_sends(sessions, smtp):
    controller, collector = smtp
    with pytest.raises(TemporaryFailure):
        send(Notifications(sessions, smtp_settings(free_port())))
    [row] = outbox(sessions)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error
    # The engine retries the same job (same key) once the relay is back.
    result = send(Notifications(sessions, smtp_settings(controller.port)))
    [row] = outbox(sessions)
    assert (row.status, row.attempts, row.message_id) == ("sent", 2, result["message_id"])
    assert len(collector.messages) == 1


def test_refused_recipient_is_a_business_error(sessions, smtp):
    controller, collector = smtp
    with pytest.raises(BusinessError) as err:
        send(Notifications(sessions, smtp_settings(controller.port)), to="niemand" + REFUSED_DOMAIN)
    assert err.value.code == "mail_recipient_refused"
    assert outbox(sessions)[0].status == "failed"
    assert collector.messages == []


@pytest.mark.parametrize("to", ["keine-adresse", "a@b.example\r\nBcc: x@y.example"])
def test_invalid_address(sessions, to):
    with pytest.raises(InvalidRequest):
        send(Notifications(sessions, smtp_settings(1)), to=to)
