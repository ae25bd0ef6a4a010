"""A municipality replaces a built-in system (here the e-file) by registering its own plugin under
the same name: every system that files documents then files into the replacement."""
import base64
import hashlib
import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine.clock import ManualClock
from engine.operations import InvalidRequest, ServiceCall
from processes.bootstrap import bootstrap
from tasks.base import Plugin, SpecialistSystem
from tasks.builtin import BUILTIN_PLUGINS
from tasks.efile.models import EfileDocument, EfileFile
from tasks.registry import build_registry, combine
from tests.conftest import TEST_PLUGINS
from tests.processes.conftest import application
from tests.processes.test_bewohnerparken import application as parking_application
from tests.processes.test_hundesteuer import anmeldung, post
from tests.processes.test_standesamt import ERIKA


class ArchiveEFile(SpecialistSystem):
    """Another e-file with the built-in one's contract, keeping its records apart (as a
    municipality's DMS connector would)."""

    name = "efile"
    operations = ("open_file", "add_document")

    def __init__(self):
        self.files: dict[tuple[str, str], dict] = {}  # (tenant, file number) -> file
        self.records: dict[int, dict] = {}
        self._ids = itertools.count(1)

    def open_file(self, call: ServiceCall) -> dict:
        business_key = call.params.get("business_key") or call.business_key
        found = next((f for (tenant, _), f in self.files.items()
                      if tenant == call.tenant and f["business_key"] == business_key), None)
        if found is None:
            found = {"file_number": f"ARCHIV-{len(self.files) + 1}", "business_key": business_key}
            self.files[(call.tenant, found["file_number"])] = found
        return {"file_number": found["file_number"]}

    def add_document(self, call: ServiceCall) -> dict:
        if (call.tenant, call.params["file_number"]) not in self.files:
            raise InvalidRequest(f"Akte {call.params['file_number']} ist nicht vorhanden.")
        stored = self.document_for_key(call.tenant, call.idempotency_key)
        if stored is not None:
            return stored
        content = (call.params.get("content_base64") or "").encode() or repr(call.params.get("json_content")).encode()
        record = {"document_id": next(self._ids), "tenant": call.tenant, "key": call.idempotency_key,
                  "file_number": call.params["file_number"], "title": call.params["title"],
                  "kind": call.params["kind"], "sha256": hashlib.sha256(content).hexdigest(),
                  "content_base64": call.params.get("content_base64")}
        self.records[record["document_id"]] = record
        return {"document_id": record["document_id"], "sha256": record["sha256"]}

    def document_for_key(self, tenant: str, idempotency_key: str) -> dict | None:
        record = next((r for r in self.records.values() if r["tenant"] == tenant and r["key"] == idempotency_key), None)
        return record and {k: record[k] for k in ("document_id", "title", "sha256")}

    def documents_by_id(self, tenant: str, ids: list[int], case_number: str | None = None) -> dict[int, dict]:
        return {i: self._view(r) for i, r in self.records.items() if i in ids and r["tenant"] == tenant
                and (case_number is None or self.files[(tenant, r["file_number"])]["business_key"] == case_number)}

    def document(self, tenant: str, document_id: int) -> dict:
        record = self.records.get(int(document_id))
        if record is None or record["tenant"] != tenant:
            raise LookupError(document_id)
        content = base64.b64decode(record["content_base64"]) if record["content_base64"] else None
        return {**self._view(record), "content": content}

    @staticmethod
    def _view(record: dict) -> dict:
        return {k: record[k] for k in ("document_id", "title", "kind", "sha256")}

    def kinds(self, business_key: str) -> set[str]:
        numbers = {n for (_, n), f in self.files.items() if f["business_key"] == business_key}
        return {r["kind"] for r in self.records.values() if r["file_number"] in numbers}


ARCHIVE = ArchiveEFile()


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))  # the dog-tax tests' date


@pytest.fixture
def installation(settings, clock):
    ARCHIVE.__init__()
    replaced = combine(TEST_PLUGINS, [Plugin("efile", lambda ctx: ARCHIVE)])
    installation = bootstrap(settings, plugins=replaced, clock=clock)
    yield installation
    installation.close()


def built_in_efile_rows(office) -> int:
    with office.engine.sessions() as session:
        return (session.scalar(select(func.count()).select_from(EfileDocument))
                + session.scalar(select(func.count()).select_from(EfileFile)))


def test_a_replaced_efile_receives_every_systems_documents(office):
    office.deploy("hundesteuer").deploy("bewohnerparken")
    assert office.system("efile") is ARCHIVE
    for name in ("documents", "dog_tax", "parking", "portal", "print_mail"):
        assert office.system(name).efile is ARCHIVE, name

    certificate = office.cases.submit("standesamt", "plauen", application(), citizen="erika",
                                      identity=ERIKA).case_number
    office.run()
    task = office.task(certificate)
    office.engine.tasks.complete(task.id, {"unterschrieben": True, "standesbeamter": "Sabine Berger"}, user="sb.plauen")
    office.run()
    dog = office.cases.submit("hundesteuer", "plauen", anmeldung(), citizen="erika").case_number
    office.run()
    post(office, dog)
    permit = office.cases.submit("bewohnerparken", "plauen", parking_application(), citizen="erika").case_number
    office.run()
    variables = office.variables(permit)
    office.cases.record_payment("plauen", variables["kassenzeichen"], variables["gebuehr_cents"])
    office.run()

    assert built_in_efile_rows(office) == 0
    assert {"urkunde", "bestaetigung", "bescheid"} <= ARCHIVE.kinds(certificate)  # documents.render
    assert "bescheid" in ARCHIVE.kinds(dog)  # dog_tax.render_notice
    assert "ausweis" in ARCHIVE.kinds(permit)  # parking.render_permit
    # The portal shows and hands out the replacement's documents; print/mail prints them.
    [message, *_] = [m for m in office.cases.messages("plauen", permit) if m["documents"]]
    title, pdf = office.cases.document("plauen", permit, message["documents"][0]["document_id"])
    assert pdf.startswith(b"%PDF") and title == ARCHIVE.records[message["documents"][0]["document_id"]]["title"]
    [job] = [j for j in office.cases.open_print_jobs("plauen") if j["business_key"] == permit]
    assert {d["title"] for d in job["documents"]} >= {r["title"] for r in ARCHIVE.records.values()
                                                      if r["kind"] == "ausweis"}


def test_a_system_missing_what_it_needs_is_named():
    without_efile = [p for p in BUILTIN_PLUGINS if p.name != "efile"]
    with pytest.raises(ValueError, match="documents braucht efile"):
        build_registry(without_efile, None, None)


def test_systems_that_need_each_other_are_refused():
    loop = [Plugin("a", lambda ctx: None, needs=("b",)), Plugin("b", lambda ctx: None, needs=("a",))]
    with pytest.raises(ValueError, match="im Kreis: a, b"):
        build_registry(loop, None, None)
