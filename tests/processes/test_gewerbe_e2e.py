"""A trade notice over HTTP, as the demo offers it: the citizen files it in the portal, a trade
office clerk checks it where the rules ask for a human, the citizen sees the status and opens
the receipt (Empfangsbescheinigung) as PDF. A second walk ends in a rejection."""
import io
import re

import pytest
from pypdf import PdfReader

from tests.conftest import login
from tests.processes.test_gewerbe import notice
from webui import create_app
from webui.forms import flatten


@pytest.fixture
def app(office):
    office.deploy("gewerbe")
    return create_app(office.installation, {"TESTING": True})


def form_data(data: dict) -> dict:
    """What a browser posts: checked boxes as "on", unchecked ones not at all."""
    posted = {}
    for key, value in flatten(data).items():
        if value is True:
            posted[key] = "on"
        elif value is not False and value is not None:
            posted[key] = str(value)
    return posted


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def file_notice(citizen, data) -> str:
    form = form_data(data)
    wrong = citizen.post("/portal/gewerbe/antrag", data={**form, "wz": "9602"})
    assert wrong.status_code == 422 and "fünfstelligen Schlüssel der WZ 2008" in wrong.get_data(as_text=True)
    assert citizen.post("/portal/gewerbe/antrag", data=form).status_code == 302
    review = citizen.get("/portal/gewerbe/pruefen").get_data(as_text=True)
    assert data["betrieb"]["name"] in review
    submitted = citizen.post("/portal/gewerbe/pruefen")
    return re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)


def documents(citizen, case_number) -> list[str]:
    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    links = re.findall(rf'href="(/portal/antraege/{case_number}/dokumente/[^"]+)"', page)
    return [pdf_text(citizen.get(link)) for link in links]


def clerk_decides(app, office, case_number, decision: dict):
    clerk = login(app, "gw.plauen")
    worklist = clerk.get("/arbeit/?gruppe=gewerbe").get_data(as_text=True)
    assert case_number in worklist and "Gewerbeanzeige prüfen" in worklist
    task = office.task(case_number)
    page = clerk.get(f"/arbeit/{task.id}").get_data(as_text=True)
    assert "Art der Anzeige" in page  # the application with the form's labels
    assert clerk.post(f"/arbeit/{task.id}", data={"entscheidung": decision["entscheidung"]}).status_code == 422
    assert clerk.post(f"/arbeit/{task.id}", data=decision).status_code == 302
    office.run()


def test_registration_checked_by_a_clerk_is_certified_and_forwarded(app, office):
    citizen = login(app, "erika")
    assert "Gewerbe anmelden, ummelden oder abmelden" in citizen.get("/portal/").get_data(as_text=True)
    data = notice(**{"betrieb.name": "Salon Schnittig", "betrieb.art": "handwerk", "taetigkeit": "Friseursalon",
                     "wz": "96021"})
    case_number = file_notice(citizen, data)
    office.run()
    assert "Anzeige wird geprüft" in citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)

    clerk_decides(app, office, case_number, {"entscheidung": "annehmen", "begruendung": "Meisterbrief liegt vor", "entscheider": "Jana Vogt",
                                             "hinweis": "Bitte reichen Sie die Handwerkskarte nach."})

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Empfangsbescheinigung erteilt" in page and "An die beteiligten Stellen weitergeleitet" in page
    texts = documents(citizen, case_number)
    receipt = next(t for t in texts if "§ 15 Abs. 1 GewO" in t)
    assert case_number in receipt and "Salon Schnittig" in receipt and "96021" in receipt
    fee_notice = next(t for t in texts if "Kassenzeichen" in t and t is not receipt)
    assert "30,00" in fee_notice and office.variables(case_number)["kassenzeichen"] in fee_notice
    assert office.state(case_number) == "completed"
    assert login(app, "jan").get(f"/portal/antraege/{case_number}").status_code == 404


def test_liberal_profession_is_rejected_and_the_citizen_gets_the_notice(app, office):
    citizen = login(app, "erika")
    case_number = file_notice(citizen, notice(taetigkeit="Rechtsanwaltskanzlei", wz="69101"))
    office.run()
    clerk_decides(app, office, case_number, {
        "entscheidung": "ablehnen", "begruendung": "Die Tätigkeit als Rechtsanwältin ist ein freier Beruf, kein Gewerbe.",
        "entscheider": "Jana Vogt"})

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Anzeige zurückgewiesen" in page and "Empfangsbescheinigung erteilt" not in page
    [bescheid] = documents(citizen, case_number)
    assert "freier Beruf" in bescheid and "Rechtsbehelf" in bescheid
    assert office.cases.finance.receivables("plauen", case_number) == []
