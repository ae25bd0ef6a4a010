"""The registers' reports reach the permits by themselves: the register writes the report into its outbox with
the change, the worker's periodic pass delivers it (retried with backoff, then shown to the operators), once
however many workers drain at once. The same pass deletes the files of drafts that were never sent."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from processes.access import Principal
from processes.bootstrap import bootstrap
from tasks.efile.models import EfileAttachment
from tasks.residents.outbox import MAX_ATTEMPTS
from tests.conftest import TEST_PLUGINS, login
from tests.processes.files import attached
from tests.processes.test_bewohnerparken import application, submit
from tests.processes.test_bewohnerparken_meldungen import withdrawal_notices
from tests.processes.test_bewohnerparken_widerruf import ERIKA, issued, permit_states
from webui import create_app

OPERATOR = Principal("betrieb", "Betrieb", "*", frozenset({"operator"}))
ANNA = "mustermann|anna|1962-04-21"  # holds a demo permit that no case stands behind


@pytest.fixture
def office(office):
    return office.deploy("bewohnerparken")


def worker_pass(office) -> None:
    """What ``amtsweg worker --until-idle`` does: the periodic pass, then every job due; no incident."""
    office.installation.work(until_idle=True)
    assert not office.engine.management.incidents()


def report_processes(office) -> list:
    return office.engine.runtime.query(tenant="plauen", process_key="bewohnerparken_meldung")


@pytest.mark.parametrize("register, change", [
    ("residents", lambda registers: registers["residents"].record_move("plauen", ERIKA, "Chamissostraße 4", "08525",
                                                                       "Plauen")),
    ("vehicles", lambda registers: registers["vehicles"].report_holder_change("plauen", "PL-EB 1990")),
])
def test_a_register_change_withdraws_the_permit_after_one_worker_pass(office, register, change):
    case, _ = issued(office)
    meldung = change({name: office.system(name) for name in ("residents", "vehicles")})
    assert permit_states(office)[0][0] == "valid"  # nothing happens before the worker comes
    worker_pass(office)
    [instance] = report_processes(office)
    assert instance.state == "completed" and instance.business_key == f"{case}-{meldung['meldung_id']}"
    assert permit_states(office)[0][0] == "withdrawn" and len(withdrawal_notices(office, case)) == 1
    [row] = office.system(register).outbox.reports("plauen")
    assert (row["state"], row["attempts"], row["instance_ids"]) == ("delivered", 1, [instance.id])
    worker_pass(office)  # a delivered report is not delivered again
    assert len(report_processes(office)) == 1 and len(withdrawal_notices(office, case)) == 1


def test_the_move_is_reported_with_the_change_or_not_at_all(office):
    residents = office.system("residents")
    with pytest.raises(Exception, match="Hausnummer"):
        residents.record_move("plauen", ERIKA, "Chamissostraße", "08525", "Plauen")
    assert residents.outbox.reports("plauen") == []
    meldung = residents.record_move("plauen", ERIKA, "Chamissostraße 4", "08525", "Plauen")
    assert [r["report_id"] for r in residents.outbox.reports("plauen")] == [meldung["meldung_id"]]


def test_a_failing_delivery_is_retried_with_backoff_then_shown_to_the_operators(office, clock):
    residents = office.system("residents")
    residents.record_move("plauen", ANNA, "Chamissostraße 4", "08525", "Plauen")  # her permit has no case
    worker_pass(office)
    [row] = residents.outbox.reports("plauen")
    assert (row["state"], row["attempts"]) == ("pending", 1) and "keinen Vorgang" in row["problem"]
    worker_pass(office)  # not due again before the backoff has passed
    assert residents.outbox.reports("plauen")[0]["attempts"] == 1
    for attempt in range(2, MAX_ATTEMPTS + 1):
        clock.advance(hours=1)
        worker_pass(office)
        assert residents.outbox.reports("plauen")[0]["attempts"] == attempt
    clock.advance(days=1)
    worker_pass(office)
    [row] = residents.outbox.reports("plauen")
    assert (row["state"], row["attempts"]) == ("failed", MAX_ATTEMPTS)
    [problem] = office.installation.register_reports.troubled(OPERATOR)
    assert problem["register"] == "Melderegister" and problem["state"] == "failed"

    client = login(create_app(office.installation, {"TESTING": True}), "betrieb")
    page = client.get("/betrieb/").get_data(as_text=True)
    assert "Registermeldungen mit Problemen" in page and "alle Versuche verbraucht" in page
    assert f"Umzug {row['report_id']}" in page and "gibt es keinen Vorgang" in page
    # The operator has it delivered again: fresh attempts, due at once.
    retry = f"/betrieb/registermeldung/residents/{row['id']}/wiederholen"
    assert "Erneut zustellen" in page and retry in page
    assert client.post(retry).status_code == 302
    assert residents.outbox.reports("plauen")[0]["state"] == "pending"
    worker_pass(office)
    assert residents.outbox.reports("plauen")[0]["attempts"] == 1


def test_a_municipalitys_operator_sees_only_its_own_problems(office):
    office.system("residents").record_move("plauen", ANNA, "Chamissostraße 4", "08525", "Plauen")
    worker_pass(office)
    assert len(office.installation.register_reports.troubled(OPERATOR)) == 1
    other = Principal("betrieb-m", "Betrieb", "musterstadt", frozenset({"operator"}))
    assert office.installation.register_reports.troubled(other) == []


def test_a_report_is_taken_by_one_worker_at_a_time(office):
    outbox = office.system("residents").outbox
    office.system("residents").record_move("plauen", ERIKA, "Chamissostraße 4", "08525", "Plauen")
    [row] = outbox.due(office.engine.ctx.now())
    assert outbox.take(row["id"], office.engine.ctx.now(), 300) is not None
    assert outbox.take(row["id"], office.engine.ctx.now(), 300) is None
    assert outbox.due(office.engine.ctx.now()) == []


def test_two_workers_draining_at_once_deliver_a_report_once(office, settings, clock):
    case, _ = issued(office)
    office.system("residents").record_move("plauen", ERIKA, "Chamissostraße 4", "08525", "Plauen")
    second = bootstrap(settings, plugins=TEST_PLUGINS, clock=clock)  # another worker process
    try:
        start, failures = threading.Barrier(2), []

        def drain(installation):
            start.wait()
            try:
                installation.register_reports.drain()
            except Exception as err:  # noqa: BLE001 (reported by the assertion below)
                failures.append(err)

        threads = [threading.Thread(target=drain, args=(i,)) for i in (office.installation, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        second.close()
    assert failures == []
    worker_pass(office)
    [instance] = report_processes(office)
    [row] = office.system("residents").outbox.reports("plauen")
    assert (row["state"], row["attempts"], row["instance_ids"]) == ("delivered", 1, [instance.id])
    assert len(withdrawal_notices(office, case)) == 1


def staged(office) -> set[int]:
    with office.engine.sessions() as session:
        return set(session.scalars(select(EfileAttachment.id).where(EfileAttachment.business_key.is_(None))))


@pytest.mark.parametrize("days, kept", [(29, True), (31, False)])  # a draft lives 30 days, its files as long
def test_files_of_abandoned_drafts_are_deleted_after_the_period(office, clock, days, kept):
    sent = submit(office, application(kennzeichen="PL-JB 88", halter="familie", halter_name="Jonas Beispiel",
                                      halter_erklaerung=True))  # its declaration file is claimed by the case
    draft = attached(office, application(), "halter_erklaerung_datei")  # uploaded, never sent
    [abandoned] = draft["halter_erklaerung_datei"]
    assert staged(office) == {abandoned["anlage"]}
    clock.advance(days=days)
    worker_pass(office)
    assert staged(office) == ({abandoned["anlage"]} if kept else set())
    assert len(office.system("efile").attachments("plauen", sent)) == 1  # a claimed file never goes
