"""Changing a dog's data over HTTP: Erika registers Bruno (Steuermarke 00002) and later corrects his name, breed and
chip number. The portal refuses a tag that is not hers (00001 is the Beispiels' Bello) or unknown, a change without
anything to change, a chip number another dog carries and a breed that would make Bruno a listed, dangerous dog
(that changes the rate: for the office)."""
import re

import pytest

from tasks.dog_tax.models import DogTaxDog
from tests.conftest import login
from tests.processes.test_hundesteuer import anmeldung
from tests.processes.test_hundesteuer_abmeldung import abmeldung
from tests.processes.test_hundesteuer_abmeldung_e2e import app, clock  # noqa: F401 (the shared fixtures)
from tests.processes.test_hundesteuer_e2e import apply, form_of

HOLDER = abmeldung()["halter"]


@pytest.fixture
def registered(app, office):  # noqa: F811
    office.deploy("hundesteuer_aenderung")
    citizen = login(app, "erika")
    registration = apply(citizen, anmeldung())
    office.run()
    return citizen, registration


@pytest.mark.parametrize("changes, field, message", [
    ({"steuermarke": "00001", "neuer_name": "Balu"}, "steuermarke", "kein Hund auf Ihren Namen"),
    ({"steuermarke": "99999", "neuer_name": "Balu"}, "steuermarke", "kein Hund auf Ihren Namen"),
    ({"steuermarke": "00002"}, "neuer_name", "mindestens eine Änderung"),
    ({"steuermarke": "00002", "neue_rasse": "American Pit Bull Terrier"}, "neue_rasse",
     "ändert sich der Steuersatz für gefährliche Hunde"),
    ({"steuermarke": "00002", "neue_chipnummer": "276098106500777"}, "neue_chipnummer",
     "bereits ein anderer Hund angemeldet"),
])
def test_refused_changes_store_nothing(registered, office, changes, field, message):
    citizen, registration = registered
    [bruno] = office.system("dog_tax").dogs("plauen", registration)
    with office.system("dog_tax").sessions.begin() as session:  # another dog in Plauen carries that chip
        session.query(DogTaxDog).filter(DogTaxDog.tenant == "plauen", DogTaxDog.id != bruno["dog_id"]).update(
            {"chip_number": "276098106500777"})
    refused = citizen.post("/portal/hundesteuer_aenderung/antrag", data=form_of({"halter": HOLDER, **changes}))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and message in page
    assert f'id="{field}' in page or f'name="{field}"' in page
    [dog] = office.system("dog_tax").dogs("plauen", registration)
    assert (dog["name"], dog["breed"]) == ("Bruno", "Labrador-Pudel-Mischling")


def test_name_breed_and_chip_changed_over_http(registered, office, app):  # noqa: F811
    citizen, registration = registered
    assert "Daten eines Hundes ändern" in citizen.get("/portal/").get_data(as_text=True)
    data = {"halter": HOLDER, "steuermarke": "00002", "neuer_name": "Balu", "neue_rasse": "Labrador-Mischling",
            "neue_chipnummer": "276098106500001"}
    assert citizen.post("/portal/hundesteuer_aenderung/antrag", data=form_of(data)).status_code == 302
    assert "Labrador-Mischling" in citizen.get("/portal/hundesteuer_aenderung/pruefen").get_data(as_text=True)
    submitted = citizen.post("/portal/hundesteuer_aenderung/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    assert case_number.startswith("HD-2026-")
    office.run()

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Daten des Hundes geändert" in page and "Die Hundesteuer ändert sich dadurch nicht" in page
    [dog] = office.system("dog_tax").dogs("plauen", registration)
    assert (dog["name"], dog["breed"], dog["status"]) == ("Balu", "Labrador-Mischling", "angemeldet")
    assert office.system("dog_tax").chip_registered("plauen", "276098106500001")
    assert not office.system("dog_tax").chip_registered("plauen", "276098106543210")  # the old one is free
    assert office.state(case_number, "plauen") == "completed"
    assert login(app, "jan").get(f"/portal/antraege/{case_number}").status_code == 404
