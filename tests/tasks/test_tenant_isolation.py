"""Plauen never sees Musterstadt's data, and the other way round."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.operations import BusinessError, InvalidRequest
from tasks.civil_register import CivilRegister
from tasks.civil_register.models import CivregRetrievalLog
from tasks.efile import EFile
from tasks.finance import Finance
from tasks.print_mail import JobsNotOpen, PrintMail

from .helpers import make_call

PDF = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()


def lookup(seeded, tenant, **params):
    return CivilRegister(seeded).lookup_entry(make_call("civil_register.lookup_entry", params, tenant=tenant))


def test_register_entries_stay_with_their_office(seeded):
    erika = {"kind": "birth", "family_name": "Mustermann", "given_names": "Erika", "event_date": "1990-03-14"}
    jan = {"kind": "birth", "family_name": "Probemann", "given_names": "Jan", "event_date": "1990-03-14"}
    assert lookup(seeded, "plauen", **erika)["status"] == "found"
    assert lookup(seeded, "musterstadt", **erika)["status"] == "not_found"
    assert lookup(seeded, "musterstadt", **jan)["status"] == "found"
    assert lookup(seeded, "plauen", **jan)["status"] == "not_found"
    # The same register number exists in both offices for different people.
    by_number = lookup(seeded, "musterstadt", kind="birth", family_name="Probemann", register_number="G 412/1990")
    assert by_number["entry"]["registry_office"] == "musterstadt"
    assert lookup(seeded, "plauen", kind="birth", family_name="Probemann", register_number="G 412/1990")["status"] == (
        "not_found"
    )
    with transaction(seeded) as session:
        tenants = session.scalars(select(CivregRetrievalLog.tenant).order_by(CivregRetrievalLog.id)).all()
    assert tenants == ["plauen", "musterstadt", "musterstadt", "plauen", "musterstadt", "plauen"]


def test_entry_id_of_another_office_is_not_readable(seeded):
    jan = lookup(seeded, "musterstadt", kind="birth", family_name="Probemann", given_names="Jan",
                 event_date="1990-03-14")
    call = make_call("civil_register.check_entitlement", {"relation": "self", "entry_id": jan["entry"]["id"]})
    with pytest.raises(InvalidRequest):
        CivilRegister(seeded).check_entitlement(call)


def test_cash_references_and_keys_are_per_tenant(seeded):
    finance = Finance(seeded)
    params = {"amount_cents": 1500, "purpose": "Gebühr", "debtor": "Jan Probemann"}
    plauen = finance.create_receivable(make_call("finance.create_receivable", params, key="same-key"))
    other = finance.create_receivable(make_call("finance.create_receivable", params, tenant="musterstadt",
                                                key="same-key"))
    assert plauen["cash_reference"] == other["cash_reference"]  # both tenants' first number
    finance.record_payment("musterstadt", other["cash_reference"], 1500)
    assert finance.balance_of("plauen", plauen["cash_reference"])["paid"] is False
    with pytest.raises(BusinessError):
        finance.balance(make_call("finance.balance", {"cash_reference": "KZ-2000-000001"}, tenant="musterstadt"))


def test_files_and_documents_are_per_tenant(seeded):
    efile = EFile(seeded)
    number = efile.open_file(make_call("efile.open_file", {"plan_code": "151.1", "subject": "Gewerbe",
                                                           "business_key": "GEW-1"}))["file_number"]
    assert efile.file_for_case("musterstadt", "GEW-1") is None
    with pytest.raises(InvalidRequest):
        efile.add_document(make_call("efile.add_document", {"file_number": number, "title": "x", "kind": "vermerk",
                                                            "json_content": {}}, tenant="musterstadt"))
    doc = efile.add_document(make_call("efile.add_document", {"file_number": number, "title": "x", "kind": "vermerk",
                                                              "json_content": {}}))
    with pytest.raises(LookupError):
        efile.document("musterstadt", doc["document_id"])
    # The same business key in another tenant opens that tenant's own file.
    other = efile.open_file(make_call("efile.open_file", {"plan_code": "151.1", "subject": "Gewerbe",
                                                          "business_key": "GEW-1"}, tenant="musterstadt"))
    assert efile.file_for_case("musterstadt", "GEW-1")["file_number"] == other["file_number"]


def test_print_jobs_are_per_tenant(seeded):
    outbox = PrintMail(seeded, EFile(seeded))
    params = {"address": {"name": "Jan Probemann", "street": "Hauptstraße 1", "postal_code": "12345",
                          "city": "Musterstadt"}, "documents": [{"title": "Urkunde", "pdf_base64": PDF}]}
    job_id = outbox.enqueue(make_call("print_mail.enqueue", params, tenant="musterstadt"))["print_job_id"]
    assert outbox.open_jobs("plauen") == []
    with pytest.raises(JobsNotOpen):
        outbox.mark_batch_posted("plauen", [job_id], user="meier")
    with pytest.raises(JobsNotOpen):
        outbox.job_documents("plauen", job_id)
    assert [j["id"] for j in outbox.open_jobs("musterstadt")] == [job_id]
