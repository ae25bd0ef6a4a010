"""Bounded input over HTTP: the request size limit with its German page, field errors for
oversized fields answered at once while other users are served, the bounded Rückfrage answer,
text areas only where a field is multi-line, follow-up dates not in the past."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from processes.bootstrap import bootstrap
from processes.cases import REPLY_MAX_LENGTH
from processes.settings import MAX_REQUEST_BYTES, Settings, SettingsInvalid
from tasks.common import berlin_today
from tests.conftest import TEST_PLUGINS, login
from tests.processes.conftest import application
from webui import create_app
from webui.forms import flatten


@pytest.fixture
def app(office):
    office.deploy("bewohnerparken")
    return create_app(office.installation, {"TESTING": True})


def form(data: dict) -> dict:
    return {k: ("on" if v is True else str(v)) for k, v in flatten(data).items() if v is not False}


def draft_of(office, service_key="standesamt"):
    return office.cases.draft("plauen", "erika", service_key)


def test_an_oversized_request_gets_a_german_413_page_and_changes_no_draft(app, office):
    office.cases.save_draft("plauen", "erika", "standesamt", application())
    citizen = login(app, "erika")
    response = citizen.post("/portal/standesamt/antrag",
                            data={**form(application()), "zweck": "x" * (MAX_REQUEST_BYTES + 1)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Eingabe zu groß" in page and "höchstens 2 MB je Formular" in page and "Traceback" not in page
    assert draft_of(office) == application()


def test_the_request_limit_comes_from_the_settings(office, settings, clock):
    small = bootstrap(replace(settings, max_request_bytes=64 * 1024), plugins=TEST_PLUGINS, clock=clock)
    try:
        app = create_app(small, {"TESTING": True})
        assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_FORM_MEMORY_SIZE"] == 64 * 1024
        citizen = login(app, "erika")
        response = citizen.post("/portal/standesamt/antrag", data={**form(application()), "zweck": "x" * 100_000})
        assert response.status_code == 413 and "höchstens 64 KB je Formular" in response.get_data(as_text=True)
    finally:
        small.close()
    assert Settings.from_env({"AMTSWEG_MAX_REQUEST_BYTES": "1048576"}).max_request_bytes == 1024 * 1024
    with pytest.raises(SettingsInvalid, match="AMTSWEG_MAX_REQUEST_BYTES muss zwischen"):
        Settings.from_env({"AMTSWEG_MAX_REQUEST_BYTES": "10"})


@pytest.mark.parametrize("field, value, message", [
    ("antragsteller.strasse", "a" * 60_000 + " 12",
     "Straße und Hausnummer: Höchstens 100 Zeichen – Ihre Angabe hat 60003. Bitte kürzen Sie sie."),
    ("zweck", "x" * 1_000_000, "Verwendungszweck: Höchstens 200 Zeichen – Ihre Angabe hat 1000000."),
])
def test_an_oversized_field_gets_a_field_error_at_once_while_another_user_is_served(app, office, field, value, message):
    office.cases.save_draft("plauen", "erika", "standesamt", application())
    attacker, neighbour = login(app, "erika"), login(app, "jan")
    bad = {**form(application()), field: value}
    results, served = [], []
    start = threading.Barrier(2)

    def attack():
        start.wait()
        for _ in range(3):
            began = time.perf_counter()
            response = attacker.post("/portal/standesamt/antrag", data=bad)
            results.append((time.perf_counter() - began, response.status_code, response.get_data(as_text=True)))

    def browse():
        start.wait()
        for _ in range(5):
            began = time.perf_counter()
            response = neighbour.get("/portal/")
            served.append((time.perf_counter() - began, response.status_code))

    threads = [threading.Thread(target=attack), threading.Thread(target=browse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 3 and len(served) == 5
    for seconds, status, page in results:
        assert status == 422 and message in page and seconds < 1.0
    assert all(status == 200 and seconds < 1.0 for seconds, status in served), served
    assert draft_of(office) == application()  # the refused form changed nothing


def test_a_control_character_or_a_bad_address_in_the_portal_changes_no_draft(app, office):
    citizen = login(app, "erika")
    for field, value, message in [
        ("zweck", "Ehe\x00schließung", "Verwendungszweck: Enthält ein unsichtbares Steuerzeichen (U+0000) an Stelle 4."),
        ("antragsteller.email", "<img src=x>@example.org", "E-Mail-Adresse: Bitte nur die E-Mail-Adresse angeben"),
        ("ereignisdatum", "0001-01-01", "Personenstandsregister gibt es erst seit dem 01.10.1874."),
    ]:
        response = citizen.post("/portal/standesamt/antrag", data={**form(application()), field: value})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
        assert draft_of(office) is None
    ok = citizen.post("/portal/standesamt/antrag",
                      data={**form(application()), "antragsteller.email": "Erika@Example.ORG"})
    assert ok.status_code == 302 and draft_of(office)["antragsteller"]["email"] == "Erika@example.org"


def test_the_answer_to_a_question_is_bounded_over_http(app, office):
    data = application(familienname="Platzhalter", vornamen="Paul", ereignisdatum="1985-05-05")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika").case_number
    office.run()
    task = office.task(case)
    office.engine.tasks.complete(task.id, {"ergebnis": "rueckfrage", "frage": "Wie lautet der Vorname der Mutter?"})
    office.run()
    citizen = login(app, "erika")
    assert f'maxlength="{REPLY_MAX_LENGTH}"' in citizen.get(f"/portal/antraege/{case}").get_data(as_text=True)
    response = citizen.post(f"/portal/antraege/{case}/antwort", data={"antwort": "x" * (REPLY_MAX_LENGTH + 1)})
    assert response.status_code == 422
    assert f"Antwort: Höchstens {REPLY_MAX_LENGTH} Zeichen – Ihre Angabe hat {REPLY_MAX_LENGTH + 1}." in \
        response.get_data(as_text=True)
    office.run()
    assert "antwort" not in office.variables(case) and office.statuses(case)[-1] == "rueckfrage"


def test_text_areas_only_for_multi_line_fields_and_lengths_in_the_browser(app, office):
    clerk = login(app, "sb.plauen")
    case = office.cases.submit("standesamt", "plauen", application(familienname="Platzhalter", vornamen="Paul",
                                                                   ereignisdatum="1985-05-05"), citizen="erika")
    office.run()
    page = clerk.get(f"/arbeit/{office.task(case.case_number).id}").get_data(as_text=True)
    assert '<textarea id="f_frage" name="frage" rows="4" maxlength="2000"' in page
    assert 'name="registernummer" value=""\n               maxlength="30"' in page
    portal = login(app, "erika").get("/portal/bewohnerparken/antrag").get_data(as_text=True)
    assert 'name="antragsteller.plz" value=""\n               maxlength="5"' in portal
    assert "<textarea" not in portal


def test_a_follow_up_date_is_not_in_the_past(app, office):
    case = office.cases.submit("standesamt", "plauen", application(familienname="Platzhalter", vornamen="Paul",
                                                                   ereignisdatum="1985-05-05"), citizen="erika")
    office.run()
    task = office.task(case.case_number)
    clerk = login(app, "sb.plauen")
    today = berlin_today()
    for day, message in [(today - timedelta(days=1), "Wiedervorlage: Das Datum darf nicht in der Vergangenheit liegen"),
                         (today + timedelta(days=800), "Wiedervorlage: Bitte ein Datum bis zum"),
                         ("0001-01-01", "Wiedervorlage: Das Datum darf nicht in der Vergangenheit liegen")]:
        page = clerk.post(f"/arbeit/{task.id}/wiedervorlage", data={"datum": str(day)}, follow_redirects=True)
        assert message in page.get_data(as_text=True)
        assert office.engine.tasks.get(task.id).follow_up_at is None
    clerk.post(f"/arbeit/{task.id}/wiedervorlage", data={"datum": today.isoformat()})
    assert office.engine.tasks.get(task.id).follow_up_at is not None
