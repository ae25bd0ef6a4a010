"""Registerauskunft over HTTP (§ 14 Abs. 5 Satz 2, Abs. 11 GewO): a clerk of the trade office enters who
asks, the purpose and the file number and gets name, business address and activity; each retrieval is
logged, found or not; without purpose or file number nothing is answered or logged; other offices may not."""
import html

import pytest

from tests.conftest import login
from tests.processes.test_gewerbe import notice, registered
from webui import create_app

URL = "/arbeit/registerauskunft"


@pytest.fixture
def app(office):
    office.deploy("gewerbe")
    return create_app(office.installation, {"TESTING": True})


def request_for(number: str, **changes) -> dict:
    return {"betriebsnummer": number, "anfragende_stelle": "Finanzamt Plauen", "zweck": "Prüfung der Steuerpflicht",
            "aktenzeichen": "St 12/2026", **changes}


def test_registerauskunft_answers_and_is_logged(app, office):
    number = registered(office, notice())
    clerk = login(app, "gw.plauen")
    assert "Registerauskunft aus dem Gewerberegister" in clerk.get("/arbeit/").get_data(as_text=True)
    answered = clerk.post(URL, data=request_for(number))
    page = html.unescape(answered.get_data(as_text=True))
    assert answered.status_code == 200
    assert "Buchhandlung Seitenweise" in page and "Klostermarkt 7" in page and "Einzelhandel mit Büchern" in page
    assert "Schneider" not in page  # the persons only where a legal interest is shown (Abs. 7), not here
    unknown = clerk.post(URL, data=request_for("14523319-000099")).get_data(as_text=True)
    assert "kein Betrieb eingetragen" in unknown
    log = office.system("trade").retrievals("plauen")
    assert [(r["number"], r["found"]) for r in log] == [(number, True), ("14523319-000099", False)]
    assert log[0]["requester"] == "Finanzamt Plauen" and log[0]["purpose"] == "Prüfung der Steuerpflicht"
    assert log[0]["file_number"] == "St 12/2026" and log[0]["official"].startswith("Gerd Weber")


@pytest.mark.parametrize("field, value, message", [
    ("zweck", "", "Zweck der Auskunft: Bitte ausfüllen."),
    ("aktenzeichen", "  ", "Aktenzeichen der anfragenden Stelle: Bitte ausfüllen."),
    ("aktenzeichen", "A" * 101, "Aktenzeichen der anfragenden Stelle: "),
    ("betriebsnummer", "4711", "so angeben, wie sie auf der Empfangsbescheinigung steht"),
])
def test_registerauskunft_is_refused_without_purpose_or_file_number(app, office, field, value, message):
    number = registered(office, notice())
    clerk = login(app, "gw.plauen")
    refused = clerk.post(URL, data=request_for(number, **{field: value}))
    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422 and f'id="e_{field}"' in page and message in page
    assert "Buchhandlung Seitenweise" not in page
    assert office.system("trade").retrievals("plauen") == []


def test_a_clerk_of_another_office_may_not_give_registerauskunft(app, office):
    number = registered(office, notice())
    clerk = login(app, "st.plauen")  # Steueramt
    assert "Registerauskunft" not in clerk.get("/arbeit/").get_data(as_text=True)
    assert clerk.get(URL).status_code == 403
    assert clerk.post(URL, data=request_for(number)).status_code == 403
    assert login(app, "erika").get(URL).status_code in (302, 403)
    assert office.system("trade").retrievals("plauen") == []
