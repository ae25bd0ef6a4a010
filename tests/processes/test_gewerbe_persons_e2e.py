"""Further persons of a partnership in the portal form without JavaScript: a button adds a fieldset
for a person, another removes one, and everything typed comes back; an error lands on the field of
the person it concerns; the review page and the clerk's view show the persons with German labels."""
import html
import re

import pytest

from tests.conftest import login
from tests.processes.files import PDF, upload
from tests.processes.test_gewerbe import notice
from tests.processes.test_gewerbe_e2e import form_data
from tests.processes.test_gewerbe_register import PARTNER
from webui import create_app

PARTNERSHIP = notice(anzahl_personen=3, **{"betrieb.name": "Seitenweise GbR", "betrieb.rechtsform": "gbr"})
SECOND = {**PARTNER, "familienname": "Lange", "vornamen": "Ida", "geschlecht": "weiblich", "staatsangehoerigkeit": "151"}


@pytest.fixture
def app(office):
    office.deploy("gewerbe")
    return create_app(office.installation, {"TESTING": True})


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def test_a_person_is_added_and_removed_without_javascript_and_nothing_typed_is_lost(app):
    citizen = login(app, "erika")
    empty = citizen.get("/portal/gewerbe/antrag").get_data(as_text=True)
    assert "Weitere Person hinzufügen" in empty and 'name="weitere_personen.0.familienname"' not in empty

    added = citizen.post("/portal/gewerbe/antrag", data={**form_data(PARTNERSHIP), "_aktion": "hinzufuegen:weitere_personen"})
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and 'class="error"' not in page  # no validation for the add button
    assert "Weitere Person 1" in page and value_of(page, "weitere_personen.0.familienname") == ""
    assert value_of(page, "betrieb.name") == "Seitenweise GbR" and value_of(page, "weitere_personen.#") == "1"

    two = form_data({**PARTNERSHIP, "weitere_personen": [PARTNER, SECOND]})
    removed = citizen.post("/portal/gewerbe/antrag", data={**two, "_aktion": "entfernen:weitere_personen:0"})
    page = removed.get_data(as_text=True)
    assert removed.status_code == 200 and value_of(page, "weitere_personen.#") == "1"
    assert value_of(page, "weitere_personen.0.familienname") == "Lange"  # the second moved up
    assert 'name="weitere_personen.1.familienname"' not in page and "Weber" not in page
    assert citizen.get("/portal/gewerbe/pruefen").status_code == 302  # nothing was stored as a draft


def test_no_more_persons_than_the_form_allows(app):
    citizen = login(app, "erika")
    full = form_data({**PARTNERSHIP, "weitere_personen": [PARTNER] * 9})
    page = citizen.post("/portal/gewerbe/antrag", data={**full, "_aktion": "hinzufuegen:weitere_personen"}
                        ).get_data(as_text=True)
    assert value_of(page, "weitere_personen.#") == "9" and "Weitere Person hinzufügen" not in page
    assert 'name="weitere_personen.9.familienname"' not in page
    forged = citizen.post("/portal/gewerbe/antrag", data={**full, "weitere_personen.#": "500"}).get_data(as_text=True)
    assert 'name="weitere_personen.9.familienname"' not in forged


def test_a_wrong_birth_date_shows_on_that_persons_field(app):
    citizen = login(app, "erika")
    posted = form_data({**PARTNERSHIP, "weitere_personen": [PARTNER, {**SECOND, "geburtsdatum": "1850-01-01"}]})
    refused = citizen.post("/portal/gewerbe/antrag", data=posted)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    [message] = re.findall(r'<p class="error" id="e_weitere_personen\.1\.geburtsdatum">([^<]+)</p>', page)
    assert message.startswith("Geburtsdatum:")
    assert 'id="e_weitere_personen.0.geburtsdatum"' not in page
    assert value_of(page, "weitere_personen.0.familienname") == "Weber"  # the other person is kept


def test_review_page_and_clerk_show_the_persons_with_german_labels(app, office):
    citizen = login(app, "erika")
    data = {**PARTNERSHIP, "anzahl_personen": 4, "weitere_personen": [PARTNER, SECOND]}
    assert citizen.post("/portal/gewerbe/antrag", data=form_data(data)).status_code == 302
    review = html.unescape(citizen.get("/portal/gewerbe/pruefen").get_data(as_text=True))
    rows = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", review))
    assert rows["Weitere Person 1: Geschlecht"] == "männlich" and rows["Weitere Person 1: Funktion"] == "Gesellschafter/in"
    assert rows["Weitere Person 2: Staatsangehörigkeit"] == "österreichisch"
    assert rows["Weitere Person 2: Geburtsdatum"] == "12.09.1985"
    assert "maennlich" not in review and "{" not in review

    submitted = citizen.post("/portal/gewerbe/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()  # four persons stated, three given: a clerk checks
    clerk = login(app, "gw.plauen")
    page = html.unescape(clerk.get(f"/arbeit/{office.task(case_number).id}").get_data(as_text=True))
    assert "<th>Weitere Person 2: Familienname</th><td>Lange</td>" in page
    assert "<th>Weitere Person 1: Staatsangehörigkeit</th><td>deutsch</td>" in page and "maennlich" not in page


def test_the_counter_adds_a_person_without_javascript_too(app, office):
    clerk = login(app, "gw.plauen")
    added = clerk.post("/arbeit/schalter/gewerbe", data={**form_data(PARTNERSHIP), "kanal": "brief",
                                                         "_aktion": "hinzufuegen:weitere_personen"})
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and "Weitere Person 1" in page and 'class="error"' not in page
    assert '<option value="brief" selected>' in page  # the letter stays a letter
    assert value_of(page, "betrieb.name") == "Seitenweise GbR"
    filed = clerk.post("/arbeit/schalter/gewerbe", data=form_data({**PARTNERSHIP, "weitere_personen": [PARTNER, SECOND]}),
                       follow_redirects=True)
    case_number = re.search(r"Antrag (GW-[A-Z0-9-]+) erfasst", filed.get_data(as_text=True)).group(1)
    persons = office.variables(case_number)["antrag"]["weitere_personen"]
    assert [(p["familienname"], p["staatsangehoerigkeit"]) for p in persons] == [("Weber", "000"), ("Lange", "151")]


def test_a_file_chosen_before_adding_a_person_is_named_to_be_chosen_again(app):
    """A browser cannot refill a file input: the citizen learns which file to choose again."""
    craft = notice(**{"betrieb.art": "handwerk", "betrieb.handwerkskarte": True, "betrieb.handwerkskarte_datum": "2020-03-01",
                      "betrieb.handwerkskarte_ort": "Chemnitz", "betrieb.name": "Salon Schnittig GbR",
                      "betrieb.rechtsform": "gbr", "anzahl_personen": 2})
    added = login(app, "erika").post("/portal/gewerbe/antrag", data={
        **form_data(craft), "betrieb.handwerkskarte_datei": upload(PDF, "handwerkskarte.pdf"),
        "_aktion": "hinzufuegen:weitere_personen"})
    page = html.unescape(added.get_data(as_text=True))
    assert added.status_code == 200 and "Weitere Person 1" in page
    assert "Die gewählte Datei (handwerkskarte.pdf) ist noch nicht übernommen. Bitte wählen Sie sie" in page
