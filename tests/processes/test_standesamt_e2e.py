"""A person new to Amtsweg walks the certificate request over HTTP, as the demo offers it:
the citizen applies, the registrar signs, the post office marks the letter posted, the
citizen sees status and documents. Nothing is typed twice."""
import re
from types import MappingProxyType

import pytest
from pypdf import PdfReader

from processes.access import Principal
from tests.conftest import login
from tests.processes.conftest import application
from tests.processes.test_standesamt import ERIKA
from webui import create_app
from webui.auth import COOKIE
from webui.forms import flatten


@pytest.fixture
def app(office):
    return create_app(office.installation, {"TESTING": True})


def login_with_service_account(app, identity: dict):
    """Erika as the SAML sign-in leaves her (webui/auth/saml.py): her vouched-for identity and its level."""
    claims = {k: v for k, v in identity.items() if k != "trust_level"}
    principal = Principal("erika", "Erika Maria Beispiel", "plauen", frozenset({"citizen"}),
                          trust_level=identity["trust_level"], identity=MappingProxyType(claims))
    client = app.test_client()
    client.set_cookie(COOKIE, app.extensions["amtsweg"].installation.user_sessions.start(principal))
    return client


def pdf_text(response) -> str:
    import io

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_birth_certificate_from_application_to_posted_letter(app, office):
    citizen = login_with_service_account(app, ERIKA)  # the register proves "Ich selbst": no clerk
    assert "Personenstandsurkunde beantragen" in citizen.get("/portal/").get_data(as_text=True)

    form = {k: str(v) for k, v in flatten(application(anzahl=2)).items()}
    wrong = citizen.post("/portal/standesamt/antrag", data={**form, "antragsteller.plz": "85 23"})
    assert wrong.status_code == 422 and "Postleitzahl: Bitte fünf Ziffern angeben." in wrong.get_data(as_text=True)
    assert citizen.post("/portal/standesamt/antrag", data=form).status_code == 302
    review = citizen.get("/portal/standesamt/pruefen").get_data(as_text=True)
    assert "Geburtsurkunde" in review and "Bahnhofstraße 12" in review
    submitted = citizen.post("/portal/standesamt/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Antrag eingegangen" in page
    receipt_link = re.search(rf'href="(/portal/antraege/{case_number}/dokumente/[^"]+)"', page).group(1)
    receipt = pdf_text(citizen.get(receipt_link))
    assert case_number in receipt and "Erika" in receipt

    clerk = login(app, "sb.plauen")
    worklist = clerk.get("/arbeit/?gruppe=standesbeamte").get_data(as_text=True)
    assert case_number in worklist and "Urkunde unterschreiben und siegeln" in worklist
    task = office.task(case_number)
    task_page = clerk.get(f"/arbeit/{task.id}").get_data(as_text=True)
    assert "G 412/1990" in task_page and "Erika Maria" in task_page  # register findings beside the application
    assert "Eintrag gefunden" in task_page and "14.03.1990" in task_page and "Mutter" in task_page
    assert not any(word in task_page for word in ("True", "False", "1990-03-14", "registerauskunft", ">child<"))
    assert clerk.post(f"/arbeit/{task.id}", data={"standesbeamter": "Sabine Berger"}).status_code == 422
    assert clerk.post(f"/arbeit/{task.id}", data={"unterschrieben": "on", "standesbeamter": "Sabine Berger"}).status_code == 302
    office.run()

    outbox = clerk.get("/arbeit/postausgang").get_data(as_text=True)
    [job_id] = re.findall(r'name="auftrag" value="([^"]+)"', outbox)
    assert clerk.post("/arbeit/postausgang", data={"auftrag": job_id}).status_code == 302
    office.run()

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Urkunde versandt" in page
    links = re.findall(rf'href="(/portal/antraege/{case_number}/dokumente/[^"]+)"', page)
    texts = [pdf_text(citizen.get(link)) for link in links]
    fee_notice = next(t for t in texts if "Kassenzeichen" in t and "Kostenbescheid" in t)
    variables = office.variables(case_number)
    assert variables["kassenzeichen"] in fee_notice and "22,00" in fee_notice and case_number in fee_notice
    assert office.state(case_number) == "completed"

    other = login(app, "jan")
    assert other.get(f"/portal/antraege/{case_number}").status_code == 404
    assert other.get(links[0]).status_code == 404


def test_an_unsent_application_waits_on_the_server_not_in_the_browser(app, office):
    form = {k: str(v) for k, v in flatten(application()).items()}
    citizen = login(app, "erika")
    assert citizen.post("/portal/standesamt/antrag", data=form).status_code == 302
    cookies = list(citizen._cookies.values())  # the session id (and Flask's cookie, when it holds a CSRF token)
    assert cookies and all("Bahnhof" not in c.decoded_value and len(c.value) < 200 for c in cookies)  # no personal data

    later = login(app, "erika")  # another browser, or the next day
    assert "Bahnhofstraße 12" in later.get("/portal/standesamt/pruefen").get_data(as_text=True)
    assert 'value="Bahnhofstraße 12"' in later.get("/portal/standesamt/antrag").get_data(as_text=True)
    other = login(app, "jan")
    assert other.get("/portal/standesamt/pruefen").status_code == 302  # nothing to review: back to the form

    assert later.post("/portal/standesamt/pruefen").status_code == 302
    assert office.cases.draft("plauen", "erika", "standesamt") is None  # sent: the draft is gone
    twice = citizen.post("/portal/standesamt/pruefen", follow_redirects=True).get_data(as_text=True)  # the other tab
    assert "Zu diesem Antrag liegt kein Entwurf mehr vor: Er ist bereits abgeschickt" in twice
    assert len(office.cases.cases("plauen", "erika")) == 1


def test_an_application_the_process_refuses_at_submission_stays_a_draft(app, office):
    stale = {**application(), "anzahl": 0}  # passed the form once, fails the check at submission
    office.cases.save_draft("plauen", "erika", "standesamt", stale)
    citizen = login(app, "erika")
    sent = citizen.post("/portal/standesamt/pruefen")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/portal/standesamt/antrag")
    assert office.cases.draft("plauen", "erika", "standesamt") == stale
    form = citizen.get("/portal/standesamt/antrag").get_data(as_text=True)
    assert 'value="Bahnhofstraße 12"' in form
    assert "Ihr Antrag wurde nicht abgeschickt. Bitte korrigieren Sie: Anzahl der Urkunden:" in form
    assert office.cases.cases("plauen", "erika") == []


def test_a_sign_in_that_vouches_for_no_identity_leaves_the_proof_to_the_clerk(app, office):
    citizen = login(app, "erika")  # the demo account: level "basis", no vouched-for name or birth date
    form = {k: str(v) for k, v in flatten(application()).items()}
    assert citizen.post("/portal/standesamt/antrag", data=form).status_code == 302
    submitted = citizen.post("/portal/standesamt/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()

    clerk = login(app, "sb.plauen")
    task = office.task(case_number)
    assert task.activity_id == "decide_entitlement"
    page = clerk.get(f"/arbeit/{task.id}").get_data(as_text=True)
    assert "Identität nicht durch die Anmeldung bestätigt (Nachweis prüfen)" in page
    assert "unverified" not in page and "needs_clerk" not in page
    assert clerk.post(f"/arbeit/{task.id}", data={"berechtigt": "ja", "begruendung": "Personalausweis geprüft"}
                      ).status_code == 302
    office.run()
    assert office.task(case_number).activity_id == "sign"
