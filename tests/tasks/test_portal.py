"""The citizen portal: status history, postbox or post, document access, e-mail notice (real SMTP server)."""
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
from tasks.print_mail import PrintMail

from .helpers import REFUSED_DOMAIN, free_port, make_call, make_portal
from .test_documents import MUNICIPALITY

CASE, OTHER_CASE = "STA-2026-0001", "STA-2026-0002"
CITIZEN = "bundid:erika-4711"
ADDRESS = {"name": "Erika Beispiel", "street": "Bahnhofstraße 12", "postal_code": "08523", "city": "Plauen"}


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
    params = {"case_number": CASE, "status": "eingegangen", "address": ADDRESS, **params}
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
    ({"title": "Rückfrage", "text": "Wann wurden Sie geboren?", "address": None}, "Anschrift"),
    ({"title": "Rückfrage", "text": "Wann wurden Sie geboren?", "address": {"street": "Bahnhofstraße 12"}}, "Namen"),
    ({"title": "Rückfrage", "text": "Wann wurden Sie geboren?"}, "file_number und municipality"),
    ({"title": "Bescheid", "document_ids": [1], "posted_separately": [2]}, "posted_separately"),
])
def test_invalid_notifications(portal, seeded, params, message):
    with pytest.raises(InvalidRequest, match=message):
        notify(portal, **params)
    assert count(seeded, PortalStatus) == 0


def test_postbox_message_with_documents(portal, seeded):
    fee_notice = file_document(seeded, CASE, "Kostenbescheid")
    certificate = file_document(seeded, CASE, "Geburtsurkunde")
    fee_message = {"status": "zahlung_offen", "title": "Ihr Kostenbescheid", "text": "Bitte überweisen Sie die Gebühr.",
                   "document_ids": [fee_notice], "recipient": CITIZEN}
    result = notify(portal, key="m1", **fee_message)
    notify(portal, key="m2", status="versandt", title="Ihre Urkunde ist unterwegs", text="Die Urkunde kommt per Post.",
           document_ids=[certificate], recipient=CITIZEN)
    assert notify(portal, key="m1", **fee_message)["message_id"] == result["message_id"]
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
              "status": "rueckfrage", "document_ids": [file_document(seeded, CASE, "Vordruck Vollmacht")],
              "recipient": CITIZEN, "email": "erika.beispiel@example.org"}
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


def print_jobs(sessions) -> list[dict]:
    return PrintMail(sessions, EFile(sessions)).open_jobs("plauen")


def printed(sessions, job_id) -> list[str]:
    return [title for title, _ in PrintMail(sessions, EFile(sessions)).job_documents("plauen", job_id)]


def test_paper_applicant_without_account_gets_the_documents_in_the_print_outbox_once_across_retries(seeded, smtp):
    controller, collector = smtp
    receipt = file_document(seeded, CASE, "Eingangsbestätigung")
    params = {"title": "Eingangsbestätigung zu Ihrem Antrag", "text": "Die Eingangsbestätigung liegt bei.",
              "document_ids": [receipt], "email": "erika.beispiel@example.org"}  # given at the counter, no account
    first = notify(make_portal(seeded, controller.port), key="p1", **params)
    again = notify(make_portal(seeded, controller.port), key="p1", **params)  # the engine's retry
    assert again == first and first["delivery"] == "post" and first["email"] is None
    [job] = print_jobs(seeded)
    assert job["id"] == first["print_job_id"] and job["business_key"] == CASE
    assert job["address_block"] == ["Erika Beispiel", "Bahnhofstraße 12", "08523 Plauen"]
    assert printed(seeded, job["id"]) == ["Eingangsbestätigung"]
    assert collector.messages == []  # no "new message in your postbox" without a postbox
    assert portal_delivery(seeded) == [("post", job["id"])]


def test_documents_the_process_posts_itself_go_on_paper_once(portal, seeded):
    cover_letter = file_document(seeded, CASE, "Anschreiben")
    fee_notice = file_document(seeded, CASE, "Kostenbescheid")
    certificate = file_document(seeded, CASE, "Geburtsurkunde")
    partly = notify(portal, key="s1", title="Ihr Kostenbescheid", document_ids=[fee_notice, certificate],
                    posted_separately=[certificate])
    assert printed(seeded, partly["print_job_id"]) == ["Kostenbescheid"]
    all_posted = notify(portal, key="s2", status="versandt", title="Ihre Urkunde ist unterwegs",
                        document_ids=[cover_letter], posted_separately=[cover_letter], address=None)
    assert (all_posted["delivery"], all_posted["print_job_id"]) == ("post", None)
    assert len(print_jobs(seeded)) == 1


def test_account_with_postbox_choice_gets_the_postbox_only(seeded, smtp):
    controller, collector = smtp
    portal = make_portal(seeded, controller.port)
    assert portal.delivery_choice("plauen", CITIZEN) == "postfach"  # the default
    notice = file_document(seeded, CASE, "Bescheid")
    result = notify(portal, title="Ihr Bescheid", document_ids=[notice], recipient=CITIZEN,
                    email="erika.beispiel@example.org")
    assert (result["delivery"], result["print_job_id"], result["email"]) == ("postfach", None, "sent")
    assert print_jobs(seeded) == []
    assert [m["title"] for m in portal.messages("plauen", recipient=CITIZEN)] == ["Ihr Bescheid"]
    assert len(collector.messages) == 1


def test_account_that_chose_post_gets_a_print_job_and_no_postbox_mail(seeded, smtp):
    controller, collector = smtp
    portal = make_portal(seeded, controller.port)
    portal.choose_delivery("plauen", CITIZEN, "post")
    assert portal.delivery_choice("plauen", CITIZEN) == "post"
    assert portal.delivery_choice("musterstadt", CITIZEN) == "postfach"  # the choice is the account's, per town
    notice = file_document(seeded, CASE, "Bescheid")
    by_post = notify(portal, key="c1", title="Ihr Bescheid", document_ids=[notice], recipient=CITIZEN,
                     email="erika.beispiel@example.org")
    assert (by_post["delivery"], by_post["email"]) == ("post", None)
    assert printed(seeded, by_post["print_job_id"]) == ["Bescheid"]
    assert portal.messages("plauen", recipient=CITIZEN)[0]["delivery"] == "post"

    portal.choose_delivery("plauen", CITIZEN, "postfach")  # changed back: from now on the postbox again
    in_postbox = notify(portal, key="c2", title="Noch ein Bescheid", document_ids=[notice], recipient=CITIZEN)
    assert (in_postbox["delivery"], in_postbox["print_job_id"]) == ("postfach", None)
    assert len(print_jobs(seeded)) == 1 and collector.messages == []
    with pytest.raises(InvalidRequest, match="Postfach"):
        portal.choose_delivery("plauen", CITIZEN, "fax")


def test_a_question_without_documents_goes_on_paper_as_a_letter_with_its_text(portal, seeded):
    file_number = EFile(seeded).open_file(make_call("efile.open_file", {
        "plan_code": "341.21", "subject": "Urkunde", "business_key": CASE}))["file_number"]
    params = {"status": "rueckfrage", "title": "Rückfrage zu Ihrem Antrag", "file_number": file_number,
              "municipality": MUNICIPALITY, "text": "Bitte nennen Sie uns den Geburtsort Ihrer Mutter."}
    first = notify(portal, key="q1", **params)
    assert notify(portal, key="q1", **params) == first
    [job] = print_jobs(seeded)
    [(title, pdf)] = PrintMail(seeded, EFile(seeded)).job_documents("plauen", job["id"])
    letter = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert title == "Rückfrage zu Ihrem Antrag"
    for expected in ("Bitte nennen Sie uns den Geburtsort Ihrer Mutter.", "Erika Beispiel", CASE, "Stadt Plauen"):
        assert expected in letter, expected
    assert [d["title"] for d in EFile(seeded).documents("plauen", file_number)] == ["Rückfrage zu Ihrem Antrag"]


def portal_delivery(sessions) -> list[tuple[str, int | None]]:
    with transaction(sessions) as session:
        return [tuple(r) for r in session.execute(select(PortalMessage.delivery, PortalMessage.print_job_id))]
