"""The citizen portal: status history, postbox, document access, e-mail notice (real SMTP server)."""
from __future__ import annotations

import base64
import io
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy import func, select, update

from engine.db import transaction
from engine.operations import InvalidRequest, TemporaryFailure
from tasks.common import utcnow
from tasks.efile import EFile
from tasks.notifications.models import NotifyMail
from tasks.portal.models import PortalDraft, PortalMessage, PortalStatus
from tasks.portal.system import DRAFT_DAYS

from .helpers import REFUSED_DOMAIN, free_port, make_call, make_portal

CASE, OTHER_CASE = "STA-2026-0001", "STA-2026-0002"
CITIZEN = "bundid:erika-4711"


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = blank_pdf()


@pytest.fixture
def portal(seeded):
    return make_portal(seeded, free_port())  # no SMTP server behind it: tests that mail use ``smtp``


def file_document(seeded, case: str, title: str, tenant: str = "plauen") -> int:
    efile = EFile(seeded)
    number = efile.open_file(make_call("efile.open_file", {"plan_code": "341.21", "subject": "Urkunde",
                                                           "business_key": case}, tenant=tenant))["file_number"]
    params = {"file_number": number, "title": title, "kind": "bescheid",
              "content_base64": base64.b64encode(PDF).decode()}
    return efile.add_document(make_call("efile.add_document", params, tenant=tenant))["document_id"]


def notify(portal, key=None, tenant="plauen", **params):
    params = {"case_number": CASE, "status": "eingegangen", **params}
    return portal.notify(make_call("portal.notify", params, tenant=tenant, key=key, business_key=params["case_number"]))


def count(sessions, model) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_status_history_in_order_once_per_key(portal, seeded):
    notify(portal, key="s1", status="eingegangen", label="Ihr Antrag ist eingegangen")
    notify(portal, key="s2", status="in_pruefung")
    again = notify(portal, key="s2", status="in_pruefung")
    notify(portal, key="s3", status="zahlung_offen")
    assert again["message_id"] is None and again["email"] is None
    assert [(s["status"], s["label"]) for s in portal.statuses("plauen", CASE)] == [
        ("eingegangen", "Ihr Antrag ist eingegangen"), ("in_pruefung", "Antrag wird geprüft"),
        ("zahlung_offen", "Zahlung offen")]
    assert count(seeded, PortalStatus) == 3
    assert portal.statuses("plauen", OTHER_CASE) == []
    assert portal.statuses("musterstadt", CASE) == []


@pytest.mark.parametrize("params, message", [
    ({"status": "Eingegangen!"}, "Statuscode"),
    ({"status": "nachgereicht"}, "label"),
    ({"text": "ohne Titel"}, "Titel"),
    ({"title": "Bescheid", "document_ids": ["1"]}, "document_ids"),
    ({"title": "Bescheid", "email": "keine-adresse"}, "E-Mail"),
])
def test_invalid_notifications(portal, seeded, params, message):
    with pytest.raises(InvalidRequest, match=message):
        notify(portal, **params)
    assert count(seeded, PortalStatus) == 0


def test_postbox_message_with_documents(portal, seeded):
    fee_notice = file_document(seeded, CASE, "Kostenbescheid")
    certificate = file_document(seeded, CASE, "Geburtsurkunde")
    result = notify(portal, key="m1", status="zahlung_offen", title="Ihr Kostenbescheid",
                    text="Bitte überweisen Sie die Gebühr.", document_ids=[fee_notice], recipient=CITIZEN)
    notify(portal, key="m2", status="versandt", title="Ihre Urkunde ist unterwegs", text="Die Urkunde kommt per Post.",
           document_ids=[certificate], recipient=CITIZEN)
    assert notify(portal, key="m1", status="zahlung_offen", title="Ihr Kostenbescheid")["message_id"] == (
        result["message_id"])
    assert count(seeded, PortalMessage) == 2

    newest, oldest = portal.messages("plauen", case_number=CASE)
    assert (newest["title"], newest["documents"]) == (
        "Ihre Urkunde ist unterwegs", [{"document_id": certificate, "title": "Geburtsurkunde"}])
    assert (oldest["id"], oldest["read_at"]) == (result["message_id"], None)
    assert oldest["text"] == "Bitte überweisen Sie die Gebühr."
    assert [m["id"] for m in portal.messages("plauen", recipient=CITIZEN)] == [newest["id"], oldest["id"]]
    assert portal.messages("plauen", recipient="bundid:someone-else") == []
    assert portal.messages("musterstadt", case_number=CASE) == []

    assert portal.document("plauen", CASE, fee_notice) == ("Kostenbescheid", PDF)
    read_at = portal.mark_read("plauen", oldest["id"], CITIZEN)
    assert portal.mark_read("plauen", oldest["id"], CITIZEN) == read_at  # the first reading counts
    assert portal.messages("plauen", case_number=CASE)[1]["read_at"] == read_at
    with pytest.raises(LookupError):
        portal.mark_read("plauen", newest["id"], "bundid:someone-else")
    with pytest.raises(LookupError):
        portal.mark_read("musterstadt", newest["id"], CITIZEN)


def test_documents_only_through_their_own_case_and_tenant(portal, seeded):
    attached = file_document(seeded, CASE, "Kostenbescheid")
    not_attached = file_document(seeded, CASE, "Interner Vermerk")
    other_case = file_document(seeded, OTHER_CASE, "Bescheid eines anderen")
    other_tenant = file_document(seeded, CASE, "Musterstädter Bescheid", tenant="musterstadt")
    notify(portal, title="Ihr Bescheid", document_ids=[attached])
    notify(portal, case_number=OTHER_CASE, title="Bescheid", document_ids=[other_case])
    notify(portal, tenant="musterstadt", title="Bescheid", document_ids=[other_tenant])

    assert portal.document("plauen", CASE, attached)[0] == "Kostenbescheid"
    for tenant, case, document_id in [
        ("plauen", CASE, not_attached),  # in the case's file, but never sent to the citizen
        ("plauen", CASE, other_case),  # attached, but to another case
        ("plauen", OTHER_CASE, attached),
        ("plauen", CASE, other_tenant),  # another municipality's document
        ("musterstadt", CASE, attached),
        ("plauen", CASE, "1 OR 1=1"),
    ]:
        with pytest.raises(LookupError):
            portal.document(tenant, case, document_id)

    # A process cannot attach a document of another case or tenant either.
    for document_id in (other_case, other_tenant, 424242):
        with pytest.raises(InvalidRequest, match="e-Akte"):
            notify(portal, title="Falsche Anlage", document_ids=[document_id])


def test_email_notice_once_per_key(seeded, smtp):
    controller, collector = smtp
    portal = make_portal(seeded, controller.port)
    document_id = file_document(seeded, CASE, "Kostenbescheid")
    params = {"status": "zahlung_offen", "title": "Ihr Kostenbescheid", "text": "Vertraulicher Inhalt",
              "document_ids": [document_id], "recipient": CITIZEN, "email": "erika.beispiel@example.org"}
    first = notify(portal, key="n1", **params)
    assert notify(portal, key="n1", **params) == first
    assert first["email"] == "sent"

    [(recipients, message)] = collector.messages
    assert recipients == ["erika.beispiel@example.org"]
    assert message["Subject"] == "Neue Nachricht in Ihrem Postfach"
    assert message["Message-ID"] == first["email_message_id"]
    assert not message.is_multipart()  # no documents by e-mail
    body = message.get_content()
    assert "Ihr Kostenbescheid" in body and CASE in body and "Vertraulicher Inhalt" not in body
    assert portal.messages("plauen", case_number=CASE)[0]["title"] == "Ihr Kostenbescheid"

    # A status change without a message sends no e-mail.
    assert notify(portal, key="n2", status="versandt", email="erika.beispiel@example.org")["email"] is None
    assert len(collector.messages) == 1


def test_email_retried_after_relay_failure_and_refusal_tolerated(seeded, smtp):
    controller, collector = smtp
    params = {"title": "Rückfrage zu Ihrem Antrag", "text": "Bitte reichen Sie eine Vollmacht nach.",
              "status": "rueckfrage", "email": "erika.beispiel@example.org"}
    with pytest.raises(TemporaryFailure):
        notify(make_portal(seeded, free_port()), key="r1", **params)
    assert len(portal_messages := make_portal(seeded, free_port()).messages("plauen", case_number=CASE)) == 1  # posted already
    result = notify(make_portal(seeded, controller.port), key="r1", **params)  # the engine's retry
    assert result["message_id"] == portal_messages[0]["id"] and result["email"] == "sent"
    assert len(collector.messages) == 1
    assert count(seeded, PortalStatus) == 1

    refused = notify(make_portal(seeded, controller.port), key="r2",
                     **{**params, "email": "niemand" + REFUSED_DOMAIN})
    assert (refused["email"], refused["email_message_id"]) == ("refused", None)
    assert refused["message_id"] is not None
    with transaction(seeded) as session:
        assert session.scalars(select(NotifyMail.status).order_by(NotifyMail.id)).all() == ["sent", "failed"]


def test_drafts_per_citizen_service_and_municipality_and_old_ones_expire(portal, seeded):
    portal.save_draft("plauen", "erika", "standesamt", {"familienname": "Mustermann"})
    portal.save_draft("plauen", "erika", "standesamt", {"familienname": "Beispiel"})  # the newer form wins
    portal.save_draft("plauen", "erika", "hundesteuer", {"hund": "Bello"})
    assert portal.draft("plauen", "erika", "standesamt") == {"familienname": "Beispiel"}
    assert portal.draft("plauen", "jan", "standesamt") is None
    assert portal.draft("musterstadt", "erika", "standesamt") is None

    portal.discard_draft("plauen", "erika", "standesamt")
    assert portal.draft("plauen", "erika", "standesamt") is None
    assert portal.draft("plauen", "erika", "hundesteuer") == {"hund": "Bello"}

    with transaction(seeded) as session:  # a month later
        session.execute(update(PortalDraft).values(updated_at=utcnow() - timedelta(days=DRAFT_DAYS + 1)))
    portal.save_draft("plauen", "jan", "gewerbe", {"betrieb": "Imbiss"})
    assert portal.draft("plauen", "erika", "hundesteuer") is None
    assert portal.draft("plauen", "jan", "gewerbe") == {"betrieb": "Imbiss"}
