"""Withdrawal of a resident parking permit as the citizen meets it over HTTP: the register reports a
move out of every zone and the portal shows the withdrawal notice; a move within the zone leaves the
permit and the case page as they were."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.processes.test_bewohnerparken import application, pay
from tests.processes.test_bewohnerparken_e2e import apply, documents
from tests.processes.test_bewohnerparken_widerruf import ERIKA, registered_move
from webui import create_app


@pytest.fixture
def app(office):
    office.deploy("bewohnerparken")
    return create_app(office.installation, {"TESTING": True})


def issued_over_http(app, office):
    citizen = login(app, "erika")
    case_number = apply(citizen, office, application())
    pay(office, case_number)
    number = office.variables(case_number)["ausweis"]["permit_number"]
    assert "Bewohnerparkausweis ausgestellt" in citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    return citizen, case_number, number


def test_withdrawal_after_a_move_out_of_the_zones_reaches_the_portal(app, office):
    citizen, case_number, number = issued_over_http(app, office)
    registered_move(office, ERIKA, "Chamissostraße 4", "08525", "Plauen")
    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert re.search(r"Bewohnerparkausweis widerrufen \(ab \d\d\.\d\d\.\d{4}\)", page)
    notice = " ".join(next(t for t in documents(citizen, case_number) if "Widerruf des" in t).split())
    assert f"Ihren Bewohnerparkausweis Nr. {number} für das Fahrzeug PL-EB 1990 (Zone B) widerrufen wir" in notice
    assert "§ 49 Abs. 2 Satz 1 Nr. 3 VwVfG" in notice and "Rechtsbehelfsbelehrung" in notice
    assert [p["status"] for p in office.system("parking").permits("plauen", ERIKA)] == [
        "withdrawn"]


def test_a_move_within_the_zone_is_no_ground_for_withdrawal(app, office):
    citizen, case_number, _ = issued_over_http(app, office)
    before = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    registered_move(office, ERIKA, "Melanchthonstraße 3", "08523", "Plauen")
    after = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "widerrufen" not in after and after.count("/dokumente/") == before.count("/dokumente/")
    assert not any("Widerruf des" in t for t in documents(citizen, case_number))
    assert [p["status"] for p in office.system("parking").permits("plauen", ERIKA)] == [
        "valid"]
