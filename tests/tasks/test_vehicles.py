"""German plates and the holder check."""
from __future__ import annotations

import pytest

from engine.operations import InvalidRequest
from tasks.common import berlin_today
from tasks.vehicles import Vehicles, normalise_plate

from .helpers import make_call


@pytest.mark.parametrize("raw, plate", [
    ("PL-EB 1990", "PL-EB 1990"), ("pl-eb1990", "PL-EB 1990"), ("PL EB 1990", "PL-EB 1990"),
    ("B-A 1", "B-A 1"), ("PL-AM 620E", "PL-AM 620E"), ("ZÖL-X 12H", "ZÖL-X 12H"),
])
def test_plates_are_normalised(raw, plate):
    assert normalise_plate(raw) == plate


@pytest.mark.parametrize("raw", ["PLEB1990", "PL-EB 0123", "PL-ABC 1", "ABC-DE 1234", "PL-EB 12345", "", "123-AB 1"])
def test_no_german_plate_is_refused(raw):
    with pytest.raises(InvalidRequest):
        normalise_plate(raw)


@pytest.fixture
def vehicles(seeded):
    return Vehicles(seeded)


@pytest.mark.parametrize("plate, given, family, born, registered, holder, company", [
    ("pl-eb 1990", "Erika", "Beispiel", "1990-03-14", True, True, False),
    ("PL-JB 88", "Erika", "Beispiel", "1990-03-14", True, False, False),  # her husband's car
    ("PL-VL 500", "Sven", "Exempel", "1975-03-30", True, False, True),  # company car
    ("PL-EB 1990", "Erika", "Beispiel", "1991-03-14", True, False, False),  # wrong date of birth
    ("PL-ZZ 9", "Erika", "Beispiel", "1990-03-14", False, False, False),
])
def test_check_holder(vehicles, plate, given, family, born, registered, holder, company):
    result = vehicles.check_holder(make_call("vehicles.check_holder", {
        "plate": plate, "given_names": given, "family_name": family, "date_of_birth": born}))
    assert (result["registered"], result["holder_is_applicant"], result["company"]) == (registered, holder, company)


def test_holder_change_report(vehicles):
    today = berlin_today().isoformat()
    first = vehicles.report_holder_change("plauen", "pl eb 1990", "PL-EB 2000")
    assert first == {"art": "halterwechsel", "meldung_id": f"halterwechsel-PL-EB1990-{today}",
                     "kennzeichen": "PL-EB 1990", "ersatzkennzeichen": "PL-EB 2000"}
    # one report per vehicle and day: a second change that day is the report already in the outbox
    assert vehicles.report_holder_change("plauen", "PL-EB 1990") == first
    assert vehicles.report_holder_change("plauen", "PL-JB 88")["ersatzkennzeichen"] is None
    with pytest.raises(InvalidRequest, match="Das Kennzeichen PL-ZZ 9 ist im Fahrzeugregister nicht verzeichnet."):
        vehicles.report_holder_change("plauen", "PL-ZZ 9")
