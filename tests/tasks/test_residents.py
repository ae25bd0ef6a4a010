"""Registration lookup and the street directory with its parking zones, on the demo data."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.db import transaction
from engine.operations import InvalidRequest
from tasks.residents import Residents
from tasks.residents.addresses import split_address, street_key
from tasks.residents.models import ResidentsRetrieval, ResidentsZone

from .helpers import make_call


@pytest.fixture
def residents(seeded):
    return Residents(seeded)


def zone(residents, street, tenant="plauen"):
    return residents.zone_for_address(make_call("residents.zone_for_address", {"street": street}, tenant=tenant))


@pytest.mark.parametrize("street, status, code, name", [
    ("Altmarkt 3", "zone", "A", "Altstadt"),
    ("Bahnhofstraße 12", "zone", "B", "Bahnhofsvorstadt"),
    ("Bahnhofstr. 49", "zone", "B", "Bahnhofsvorstadt"),
    ("bahnhofstrasse 50", "zone", "C", "Neustadt"),  # one street, two zones by house number
    ("Syrastraße 10a", "zone", "D", "Rathausviertel"),
    ("Hofer Str. 40", "zone", "E", "Dobenau"),
    ("Hofer Straße 41", "no_zone", None, None),  # the outer part of the street has no zone
    ("Pausaer Straße 61", "no_zone", None, None),  # beyond the last range
    ("Thiergartner Straße 2", "zone", "F", "Preißelpöhl"),
    ("Lessingstraße 7", "zone", "G", "Haselbrunn"),
    ("Jößnitzer Straße 33", "zone", "H", "Ostvorstadt"),
    ("Chamissostraße 4", "no_zone", None, None),
    ("Hauptstraße 1", "unknown_street", None, None),
])
def test_zone_for_address_in_plauen(residents, street, status, code, name):
    result = zone(residents, street)
    assert (result["status"], result["zone"], result["zone_name"]) == (status, code, name)


@pytest.mark.parametrize("street, status, code", [
    ("Marktplatz 1", "zone", "A"),
    ("Lindenstraße 30", "zone", "B"),
    ("Lindenstraße 31", "no_zone", None),
    ("Schlossstr. 7", "zone", "C"),
    ("Altmarkt 3", "unknown_street", None),  # Plauen's street means nothing in Musterstadt
])
def test_zone_for_address_in_musterstadt(residents, street, status, code):
    result = zone(residents, street, tenant="musterstadt")
    assert (result["status"], result["zone"]) == (status, code)


def test_each_municipality_has_its_own_zones(seeded):
    with transaction(seeded) as session:
        counts = dict(session.execute(select(ResidentsZone.tenant, func.count()).group_by(ResidentsZone.tenant)).all())
    assert counts == {"plauen": 8, "musterstadt": 3}


@pytest.mark.parametrize("line, expected", [
    ("Bahnhofstraße 12", ("Bahnhofstraße", 12, "")),
    ("Syrastraße 10a", ("Syrastraße", 10, "a")),
    ("Hofer Straße  41 B", ("Hofer Straße", 41, "b")),
    ("Altmarkt", ("Altmarkt", None, "")),
])
def test_split_address(line, expected):
    assert split_address(line) == expected


def test_street_keys_ignore_spelling_variants():
    assert street_key("Hofer Str.") == street_key("hofer  strasse") == street_key("Hofer Straße")
    assert street_key("Karl-Marx-Str.") == street_key("Karl Marx Straße")


def check(residents, key=None, tenant="plauen", **params):
    data = {"family_name": "Beispiel", "given_names": "Erika", "date_of_birth": "1990-03-14",
            "street": "Bahnhofstraße 12", "postal_code": "08523", "purpose": "Bewohnerparkausweis BP-1"}
    data.update(params)
    return residents.check_residence(make_call("residents.check_residence", data, tenant=tenant, key=key))


@pytest.mark.parametrize("params, found, residence", [
    ({}, True, "main"),
    ({"given_names": "Erika Maria", "street": "Bahnhofstr. 12"}, True, "main"),
    ({"street": "Bahnhofstraße 14"}, True, None),  # registered, but elsewhere
    ({"postal_code": "08525"}, True, None),
    ({"date_of_birth": "1990-03-15"}, False, None),
    ({"family_name": "Platzhalter", "given_names": "Paul", "date_of_birth": "1985-05-05", "street": "Nobelstraße 8"},
     True, "secondary"),
])
def test_check_residence(residents, params, found, residence):
    result = check(residents, **params)
    assert (result["found"], result["residence"]) == (found, residence)


def test_person_key_is_the_same_whatever_given_names_are_typed(residents):
    assert check(residents)["person_key"] == check(residents, given_names="Erika Maria")["person_key"] \
        == "beispiel|erika|1990-03-14"


def test_register_knows_only_its_own_residents(residents):
    assert check(residents, tenant="musterstadt")["found"] is False


def test_retrieval_is_logged_once_per_key_with_purpose(residents, seeded):
    first = check(residents, key="same")
    assert check(residents, key="same") == first
    with transaction(seeded) as session:
        rows = session.scalars(select(ResidentsRetrieval)).all()
    assert len(rows) == 1 and rows[0].purpose == "Bewohnerparkausweis BP-1" and rows[0].business_key


def test_address_without_house_number_is_refused(residents):
    with pytest.raises(InvalidRequest, match="Hausnummer"):
        check(residents, street="Bahnhofstraße")


def test_a_recorded_move_ends_the_old_main_residence_and_reports_the_new_address(residents):
    report = residents.record_move("plauen", "beispiel|erika|1990-03-14", "Chamissostr. 4", "08525", "Plauen",
                                   moved_on=date(2026, 6, 1))
    report_id = report.pop("meldung_id")
    assert report == {"art": "umzug", "person_key": "beispiel|erika|1990-03-14", "strasse": "Chamissostr. 4",
                      "plz": "08525", "ort": "Plauen", "umzug_am": "2026-06-01"}
    found = residents.check_residence(make_call("residents.check_residence", {
        "family_name": "Beispiel", "given_names": "Erika", "date_of_birth": "1990-03-14", "street": "Chamissostr. 4"}))
    assert found["residence"] == "main" and [r["kind"] for r in found["registered"]] == ["main"]
    # Each move is its own report: the next one has another id.
    later = residents.record_move("plauen", "beispiel|erika|1990-03-14", "Reichsstraße 5", "08523", "Plauen")
    assert report_id.startswith("umzug-") and later["meldung_id"] != report_id


@pytest.mark.parametrize("key, street, postal_code, message", [
    ("beispiel|erika|1990-03-14", "Chamissostraße", "08525", "Die Anschrift 'Chamissostraße' hat keine Hausnummer."),
    ("beispiel|erika|1990-03-14", "Chamissostraße 4", "8525", "Die Postleitzahl '8525' hat nicht fünf Ziffern."),
    ("niemand|nora|2000-01-01", "Chamissostraße 4", "08525",
     "Im Melderegister ist niemand mit dem Schlüssel 'niemand|nora|2000-01-01' verzeichnet."),
])
def test_a_move_that_cannot_be_recorded_is_refused(residents, key, street, postal_code, message):
    with pytest.raises(InvalidRequest) as err:
        residents.record_move("plauen", key, street, postal_code, "Plauen")
    assert str(err.value) == message


@pytest.mark.parametrize("params, expected", [
    # Bahnhofstraße 12 has several flats: the register knows which one is the Beispiels'.
    ({"family_name": "Beispiel", "given_names": "Jonas", "date_of_birth": "1988-12-01"},
     {"found": True, "street": "Bahnhofstraße 12", "postal_code": "08523", "city": "Plauen", "flat": "2. OG links"}),
    ({"family_name": "Mustermann", "given_names": "Anna", "date_of_birth": "1962-04-21"},
     {"found": True, "street": "Altmarkt 3", "postal_code": "08523", "city": "Plauen", "flat": None}),
    ({"family_name": "Platzhalter", "given_names": "Paul", "date_of_birth": "1985-05-05"},  # secondary only
     {"found": False, "street": None, "postal_code": None, "city": None, "flat": None}),
    ({"family_name": "Beispiel", "given_names": "Jonas"},  # without a date of birth nobody is looked up
     {"found": False, "street": None, "postal_code": None, "city": None, "flat": None}),
])
def test_main_residence_names_the_flat(residents, params, expected):
    assert residents.main_residence(make_call("residents.main_residence", params)) == expected
