"""The registers' reports reach the permits they concern (processes.register_reports): a move out of the
zone or a sold vehicle starts the permit's report process, once per report however often it arrives."""
from __future__ import annotations

import pytest

from engine.operations import InvalidRequest
from processes.access import Principal
from tests.conftest import login
from tests.processes.test_bewohnerparken_widerruf import ERIKA, issued, permit_states
from webui import create_app

OPERATOR = Principal("betrieb", "Betrieb", "*", frozenset({"operator"}))


@pytest.fixture
def office(office):
    return office.deploy("bewohnerparken")


def moved(office, street, postal_code="08523", city="Plauen") -> dict:
    return office.system("residents").record_move("plauen", ERIKA, street, postal_code, city)


def deliver(office, meldung) -> list[str]:
    started = office.installation.register_reports.deliver("plauen", meldung)
    office.run()
    return started


def withdrawal_notices(office, case) -> list[dict]:
    return [m for m in office.cases.messages("plauen", case) if m["title"].startswith("Widerruf")]


@pytest.mark.parametrize("street, postal_code, withdrawn", [
    ("Chamissostraße 4", "08525", True),  # outside every zone
    ("Reichsstraße 5", "08523", False),  # another address in zone B
])
def test_a_move_reaches_the_residents_permit(office, street, postal_code, withdrawn):
    case, number = issued(office)
    before = office.statuses(case)
    [instance] = deliver(office, moved(office, street, postal_code))
    info = office.engine.runtime.get(instance)
    assert info.state == "completed" and info.business_key.startswith(f"{case}-umzug-")
    assert info.variables["ausweisnummer"] == number and info.variables["meldung"]["strasse"] == street
    if withdrawn:
        assert permit_states(office)[0][0] == "withdrawn"
        assert office.statuses(case)[-1] == "widerrufen" and len(withdrawal_notices(office, case)) == 1
    else:
        assert permit_states(office) == [("valid", None)]
        assert office.statuses(case) == before and withdrawal_notices(office, case) == []


def test_a_report_delivered_again_withdraws_only_once(office):
    case, number = issued(office)
    meldung = moved(office, "Chamissostraße 4", "08525")
    assert len(deliver(office, meldung)) == 1
    statuses = office.statuses(case)
    assert deliver(office, meldung) == [] and deliver(office, dict(meldung)) == []
    assert office.statuses(case) == statuses and len(withdrawal_notices(office, case)) == 1
    assert len(office.engine.runtime.query(tenant="plauen", process_key="bewohnerparken_meldung")) == 1
    [taken] = office.system("parking").register_reports("plauen")
    assert (taken["source"], taken["report_id"], taken["permit_number"]) == ("melderegister", meldung["meldung_id"],
                                                                             number)
    # A later move is a new report: it reaches the (now withdrawn) permit no more.
    assert deliver(office, moved(office, "Reichsstraße 5")) == []


def test_a_sold_vehicle_withdraws_its_permit_once(office):
    case, _ = issued(office)
    meldung = office.system("vehicles").report_holder_change("plauen", "PL-EB 1990")
    [instance] = deliver(office, meldung)
    assert deliver(office, meldung) == []
    assert office.engine.runtime.get(instance).started_by == "fahrzeugregister"
    assert permit_states(office)[0][0] == "withdrawn" and len(withdrawal_notices(office, case)) == 1


def test_operators_see_the_report_processes(office):
    case, _ = issued(office)
    [instance] = deliver(office, moved(office, "Chamissostraße 4", "08525"))
    overview = office.installation.oversight.overview(OPERATOR)
    [row] = [i for i in overview["instances"] if i.id == instance]
    assert row.process_key == "bewohnerparken_meldung" and row.started_by == "melderegister"
    assert row.business_key.startswith(case)
    page = login(create_app(office.installation, {"TESTING": True}), "betrieb").get("/betrieb/").get_data(as_text=True)
    assert row.business_key in page and f"/betrieb/vorgang/{instance}" in page


def test_a_report_without_a_permit_starts_nothing(office):
    meldung = office.system("residents").record_move("plauen", ERIKA, "Chamissostraße 4", "08525", "Plauen")
    assert deliver(office, meldung) == []
    assert office.system("parking").register_reports("plauen") == []


@pytest.mark.parametrize("meldung", [
    {"art": "umzug", "person_key": ERIKA},  # no report id
    {"art": "geburt", "meldung_id": "x-1"},  # not a report the permits know
    {"art": "umzug", "meldung_id": "x" * 81, "person_key": ERIKA},
])
def test_a_malformed_report_is_refused(office, meldung):
    with pytest.raises(InvalidRequest):
        office.installation.register_reports.deliver("plauen", meldung)
