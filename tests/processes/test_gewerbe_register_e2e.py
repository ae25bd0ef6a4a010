"""A business's life over HTTP: the citizen registers it in the portal and gets its register
number on the receipt, reports a move (Ummeldung) and the closure (Abmeldung) with that number
and opens each receipt; a second closure of the closed business, and one filed with another
municipality, are refused on the form before anything is stored."""
import re

import pytest

from tests.conftest import login
from tests.processes.test_gewerbe import follow_up, notice
from tests.processes.test_gewerbe_e2e import documents, form_data
from webui import create_app


@pytest.fixture
def app(office):
    office.deploy("gewerbe")
    return create_app(office.installation, {"TESTING": True})


def file(citizen, data) -> str:
    assert citizen.post("/portal/gewerbe/antrag", data=form_data(data)).status_code == 302
    submitted = citizen.post("/portal/gewerbe/pruefen")
    return re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)


def flat(texts: list[str]) -> list[str]:
    """PDF text with its line breaks as spaces."""
    return [" ".join(text.split()) for text in texts]


def receipt(citizen, case_number) -> str:
    return next(t for t in flat(documents(citizen, case_number)) if "§ 15 Abs. 1 GewO" in t)


def test_change_and_closure_refer_to_the_registered_business(app, office):
    citizen = login(app, "erika")
    opened = notice()
    first = file(citizen, opened)
    office.run()
    number = re.search(r"Nummer (\d{8}-\d{6})", receipt(citizen, first)).group(1)

    wrong = citizen.post("/portal/gewerbe/antrag", data=form_data(follow_up(opened, "ummeldung", "4711")))
    assert wrong.status_code == 422 and "so angeben, wie sie auf der Empfangsbescheinigung steht" in wrong.get_data(
        as_text=True)
    moved = follow_up(opened, "ummeldung", number, gueltig_ab="2026-09-01",
                      **{"betrieb.strasse": "Neundorfer Straße", "betrieb.hausnummer": "9"})
    second = file(citizen, moved)
    office.run()
    assert "Empfangsbescheinigung erteilt" in citizen.get(f"/portal/antraege/{second}").get_data(as_text=True)
    text = receipt(citizen, second)
    assert "Gewerbe-Ummeldung" in text and "Klostermarkt 7" in text and "Neundorfer Straße 9" in text
    assert first in text and number in text

    third = file(citizen, follow_up(moved, "abmeldung", number, "02", gueltig_ab="2026-12-31"))
    office.run()
    text = receipt(citizen, third)
    assert "Gewerbe-Abmeldung" in text and "Verlegung in einen anderen Meldebezirk" in text and first in text
    assert office.system("trade").entry("plauen", number)["status"] == "abgemeldet"

    cases_before, draft_before = len(office.cases.cases("plauen", "erika")), office.cases.draft("plauen", "erika", "gewerbe")
    again = citizen.post("/portal/gewerbe/antrag",
                         data=form_data(follow_up(moved, "abmeldung", number, gueltig_ab="2026-12-31")))
    page = again.get_data(as_text=True)
    assert again.status_code == 422 and 'id="e_betriebsnummer"' in page and "seit dem 31.12.2026 abgemeldet" in page
    assert office.cases.draft("plauen", "erika", "gewerbe") == draft_before  # nothing stored
    assert len(office.cases.cases("plauen", "erika")) == cases_before


def test_a_business_of_plauen_cannot_be_closed_in_musterstadt(app, office):
    erika = login(app, "erika")
    first = file(erika, notice())
    office.run()
    number = office.variables(first)["eintrag"]["number"]
    stranger = login(app, "jan")  # files with Musterstadt, where he lives
    refused = stranger.post("/portal/gewerbe/antrag",
                            data=form_data(follow_up(notice(), "abmeldung", number, gueltig_ab="2026-12-31")))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="e_betriebsnummer"' in page
    assert "im Gewerberegister einer anderen Gemeinde eingetragen" in page
    assert office.cases.draft("musterstadt", "jan", "gewerbe") is None  # nothing stored
    assert office.cases.cases("musterstadt", "jan") == []
    assert office.system("trade").entry("plauen", number)["status"] == "aktiv"


def test_the_demo_businesses_of_plauen_can_be_changed_and_closed(app, office):
    """The seed's businesses (tasks/trade/seed.py) are in the register once, however often it runs."""
    trade = office.system("trade")
    numbers = ["14523319-000001", "14523319-000002", "14523319-000003"]
    assert [trade.entry("plauen", n)["name"] for n in numbers] == [
        "Blumen Mustermann", "Café am Altmarkt", "Schlüsseldienst Beispiel"]
    assert office.installation.seed_demo()["plauen"] == 0
    assert trade.entry("plauen", "14523319-000004") is None

    erika = notice(**{"person.familienname": "Mustermann", "person.vornamen": "Erika", "person.geburtsname": "Mustermann",
                      "person.geburtsdatum": "1990-03-14", "betrieb.name": "Café am Altmarkt",
                      "betrieb.strasse": "Altmarkt", "betrieb.hausnummer": "5", "taetigkeit": "Café", "wz": "56104"})
    citizen = login(app, "erika")
    closed = file(citizen, follow_up(erika, "abmeldung", numbers[1], gueltig_ab="2026-12-31"))
    office.run()
    assert "Gewerbe-Abmeldung" in receipt(citizen, closed)
    assert trade.entry("plauen", numbers[1])["status"] == "abgemeldet"
    other = login(app, "erika").post("/portal/gewerbe/antrag", data=form_data(
        follow_up(erika, "ummeldung", numbers[2], gueltig_ab="2026-12-31")))
    assert other.status_code == 422 and "nicht als Inhaber/in" in other.get_data(as_text=True)
