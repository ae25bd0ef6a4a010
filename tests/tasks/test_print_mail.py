"""The print and mail outbox: enqueue, the clerk's list, confirming a posted batch."""
from __future__ import annotations

import base64
import io

import pypdf
import pytest
from sqlalchemy import func, select

from engine.db import transaction
from engine.operations import InvalidRequest
from tasks.efile import EFile
from tasks.print_mail import JobsNotOpen, PrintMail
from tasks.print_mail.models import PrintMailJob

from .helpers import make_call

ADDRESS = {"name": "Jörg Müßiggang", "addition": "c/o Familie Weiß", "street": "Straßberger Straße 5",
           "postal_code": "08527", "city": "Plauen"}


def pdf(pages: int = 1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def outbox(sessions):
    return PrintMail(sessions, EFile(sessions))


def enqueue(outbox, key=None, tenant="plauen", address=ADDRESS, documents=None, business_key="STA-7"):
    documents = documents or [
        {"title": "Geburtsurkunde", "pdf_base64": base64.b64encode(pdf()).decode()},
        {"title": "Gebührenbescheid", "pdf_base64": base64.b64encode(pdf(2)).decode()},
    ]
    params = {"address": address, "documents": documents, "business_key": business_key}
    return outbox.enqueue(make_call("print_mail.enqueue", params, tenant=tenant, key=key))["print_job_id"]


def test_enqueue_and_list(outbox):
    job_id = enqueue(outbox)
    [job] = outbox.open_jobs("plauen")
    assert job["id"] == job_id
    assert job["business_key"] == "STA-7"
    assert job["status"] == "queued"
    assert job["address_block"] == ["Jörg Müßiggang", "c/o Familie Weiß", "Straßberger Straße 5", "08527 Plauen"]
    assert [d["title"] for d in job["documents"]] == ["Geburtsurkunde", "Gebührenbescheid"]
    titles_and_pages = [(t, len(pypdf.PdfReader(io.BytesIO(b)).pages)) for t, b in outbox.job_documents("plauen", job_id)]
    assert titles_and_pages == [("Geburtsurkunde", 1), ("Gebührenbescheid", 2)]


def test_foreign_country_is_printed(outbox):
    job_id = enqueue(outbox, address={"name": "Ana Exemplo", "street": "Rua 1", "postal_code": "1000-001",
                                      "city": "Lisboa", "country": "Portugal"})
    assert outbox.open_jobs("plauen")[0]["address_block"][-1] == "PORTUGAL"
    assert job_id


def test_enqueue_is_idempotent(outbox, sessions):
    assert enqueue(outbox, key="job-1") == enqueue(outbox, key="job-1")
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(PrintMailJob)) == 1


def test_mark_batch_posted(outbox):
    first, second, third = enqueue(outbox), enqueue(outbox), enqueue(outbox)
    batch = outbox.mark_batch_posted("plauen", [first, second], user="sachbearbeiterin.meier")
    assert batch.startswith("PB-")
    assert [j["id"] for j in outbox.open_jobs("plauen")] == [third]
    posted = outbox.jobs_in_batch("plauen", batch)
    assert [j["id"] for j in posted] == [first, second]
    assert {(j["status"], j["posted_by"]) for j in posted} == {("posted", "sachbearbeiterin.meier")}
    assert all(j["posted_at"] for j in posted)


def test_posting_twice_or_unknown_jobs_is_refused(outbox):
    job_id = enqueue(outbox)
    outbox.mark_batch_posted("plauen", [job_id], user="meier")
    with pytest.raises(JobsNotOpen) as err:
        outbox.mark_batch_posted("plauen", [job_id, 424242], user="meier")
    assert err.value.job_ids == [job_id, 424242]


@pytest.mark.parametrize(
    "documents, address",
    [
        ([], ADDRESS),
        ([{"title": "Kein PDF", "pdf_base64": base64.b64encode(b"hallo").decode()}], ADDRESS),
        (None, {"street": "ohne Namen"}),
    ],
)
def test_invalid_jobs(outbox, documents, address):
    params = {"address": address, "documents": documents if documents is not None else
              [{"title": "x", "pdf_base64": base64.b64encode(pdf()).decode()}]}
    with pytest.raises(InvalidRequest):
        outbox.enqueue(make_call("print_mail.enqueue", params))


def filed(seeded, content: bytes, title: str, tenant: str = "plauen") -> int:

    efile = EFile(seeded)
    number = efile.open_file(make_call("efile.open_file", {"plan_code": "341.21", "subject": "Urkunde"},
                                       tenant=tenant))["file_number"]
    params = {"file_number": number, "title": title, "kind": "urkunde",
              "content_base64": base64.b64encode(content).decode()}
    return efile.add_document(make_call("efile.add_document", params, tenant=tenant))["document_id"]


def test_documents_from_the_efile_by_id(seeded):
    outbox = PrintMail(seeded, EFile(seeded))
    certificate, fee_notice = filed(seeded, pdf(), "Geburtsurkunde"), filed(seeded, pdf(2), "Kostenbescheid")
    cover = {"title": "Anschreiben", "pdf_base64": base64.b64encode(pdf(3)).decode()}
    params = {"address": ADDRESS, "documents": [cover], "document_ids": [fee_notice, certificate]}
    job_id = outbox.enqueue(make_call("print_mail.enqueue", params))["print_job_id"]
    printed = [(t, len(pypdf.PdfReader(io.BytesIO(b)).pages)) for t, b in outbox.job_documents("plauen", job_id)]
    assert printed == [("Anschreiben", 3), ("Kostenbescheid", 2), ("Geburtsurkunde", 1)]


def test_efile_documents_of_another_tenant_or_not_pdf_are_refused(seeded):
    outbox = PrintMail(seeded, EFile(seeded))
    foreign = filed(seeded, pdf(), "Urkunde", tenant="musterstadt")
    text = filed(seeded, b"kein PDF", "Vermerk")
    for ids in ([foreign], [text], ["abc"]):
        with pytest.raises(InvalidRequest):
            outbox.enqueue(make_call("print_mail.enqueue", {"address": ADDRESS, "document_ids": ids}))
    assert outbox.open_jobs("plauen") == []
