"""File numbers from the filing plan, append-only documents, idempotency."""
from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import func, select

from engine.db import transaction
from engine.operations import InvalidRequest
from tasks.common import berlin_today
from tasks.efile import EFile
from tasks.efile.models import AppendOnlyViolation, EfileDocument

from .helpers import make_call

YEAR = berlin_today().year
PDF = b"%PDF-1.4\n% Geburtsurkunde\n%%EOF\n"


@pytest.fixture
def efile(seeded):
    return EFile(seeded)


def open_file(efile, plan_code="341.21", business_key="STA-1", key=None, tenant="plauen"):
    params = {"plan_code": plan_code, "subject": "Geburtsurkunde Erika Beispiel", "business_key": business_key}
    return efile.open_file(make_call("efile.open_file", params, tenant=tenant, key=key))["file_number"]


def add(efile, file_number, key=None, tenant="plauen", **params):
    params = {"file_number": file_number, "title": "Antrag", "kind": "antrag", **params}
    return efile.add_document(make_call("efile.add_document", params, tenant=tenant, key=key))


def test_file_numbers_follow_plan_year_and_counter(efile):
    assert open_file(efile, business_key="STA-1") == f"341.21-{YEAR}/00001"
    assert open_file(efile, business_key="STA-2") == f"341.21-{YEAR}/00002"
    assert open_file(efile, plan_code="963.1", business_key="HST-1") == f"963.1-{YEAR}/00001"
    assert open_file(efile, business_key="STA-9", tenant="musterstadt") == f"341.21-{YEAR}/00001"


def test_open_file_is_idempotent_by_key_and_by_case(efile):
    first = open_file(efile, key="job-1", business_key="STA-1")
    assert open_file(efile, key="job-1", business_key="STA-1") == first
    assert open_file(efile, key="job-2", business_key="STA-1") == first  # same case, same file
    assert open_file(efile, key="job-3", business_key=None) != first
    assert efile.file_for_case("plauen", "STA-1")["file_number"] == first


def test_unknown_plan_code(efile):
    with pytest.raises(InvalidRequest):
        open_file(efile, plan_code="999.9")


def test_documents_binary_and_json(efile):
    number = open_file(efile)
    pdf = add(efile, number, title="Geburtsurkunde", kind="urkunde", content_base64=base64.b64encode(PDF).decode())
    form = add(efile, number, json_content={"antragsteller": {"name": "Erika Beispiel", "ort": "Plauen"}})
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest()
    listed = efile.documents("plauen", number)
    assert [(d["title"], d["mime_type"], d["version"]) for d in listed] == [
        ("Geburtsurkunde", "application/pdf", 1),
        ("Antrag", "application/json", 1),
    ]
    assert efile.document("plauen", pdf["document_id"])["content"] == PDF
    assert efile.document("plauen", form["document_id"])["json_content"]["antragsteller"]["ort"] == "Plauen"


def test_add_document_is_idempotent(efile, seeded):
    number = open_file(efile)
    first = add(efile, number, key="job-9", json_content={"a": 1})
    assert add(efile, number, key="job-9", json_content={"a": 1}) == first
    with transaction(seeded) as session:
        assert session.scalar(select(func.count()).select_from(EfileDocument)) == 1


def test_new_version_is_a_new_row(efile):
    number = open_file(efile)
    v1 = add(efile, number, title="Bescheid", json_content={"betrag": 1500})
    v2 = add(efile, number, title="Bescheid", json_content={"betrag": 1200}, supersedes=v1["document_id"])
    assert v2["document_id"] != v1["document_id"]
    versions = {d["document_id"]: d for d in efile.documents("plauen", number)}
    assert versions[v2["document_id"]]["version"] == 2
    assert versions[v2["document_id"]]["supersedes"] == v1["document_id"]
    assert efile.document("plauen", v1["document_id"])["json_content"] == {"betrag": 1500}


def test_documents_cannot_be_changed_or_deleted(efile, seeded):
    number = open_file(efile)
    doc_id = add(efile, number, json_content={"a": 1})["document_id"]
    assert set(EFile.operations) == {"open_file", "add_document"}
    with pytest.raises(AppendOnlyViolation):
        with transaction(seeded) as session:
            session.get(EfileDocument, doc_id).title = "geändert"
    with pytest.raises(AppendOnlyViolation):
        with transaction(seeded) as session:
            session.delete(session.get(EfileDocument, doc_id))
    assert efile.document("plauen", doc_id)["title"] == "Antrag"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"content_base64": "QQ==", "json_content": {}},
        {"content_base64": "kein base64!"},
        {"json_content": {"a": 1}, "file_number": "341.21-1999/00001"},
    ],
)
def test_invalid_documents(efile, params):
    params = {"file_number": open_file(efile), **params}
    with pytest.raises(InvalidRequest):
        add(efile, **params)
