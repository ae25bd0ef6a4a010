"""The resident parking permit over HTTP, as the demo offers it: the citizen applies, the
cashier books the payment, the citizen finds status and permit in the portal; and a doubtful
application that a clerk of the road traffic office rejects."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.conftest import login
from tests.processes.files import PDF, upload
from tests.processes.test_bewohnerparken import application
from webui import create_app
from webui.auth import DEMO_USERS
from webui.forms import flatten

CLERK = DEMO_USERS["sv.plauen"]


@pytest.fixture
def app(office):
    office.deploy("bewohnerparken")
    return create_app(office.installation, {"TESTING": True})


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def apply(citizen, office, data, files=None) -> str:
    form = {k: ("on" if v is True else str(v)) for k, v in flatten(data).items() if v is not False}
    assert citizen.post("/portal/bewohnerparken/antrag", data={**form, **(files or {})}).status_code == 302
    submitted = citizen.post("/portal/bewohnerparken/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()
    return case_number


def documents(citizen, case_number) -> list[str]:
    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    return [pdf_text(citizen.get(link))
            for link in re.findall(rf'href="(/portal/antraege/{case_number}/dokumente/[^"]+)"', page)]


def test_permit_from_application_to_pdf_in_the_postbox(app, office):
    citizen = login(app, "erika")
    assert "Bewohnerparkausweis beantragen" in citizen.get("/portal/").get_data(as_text=True)
    form = {k: str(v) for k, v in flatten(application()).items() if v is not False}
    wrong = citizen.post("/portal/bewohnerparken/antrag", data={**form, "kennzeichen": "PL EB1990X"})
    assert wrong.status_code == 422
    assert "Amtliches Kennzeichen: Bitte ein deutsches Kennzeichen angeben, z. B. PL-AB 123." in wrong.get_data(as_text=True)
    case_number = apply(citizen, office, application())
    assert case_number.startswith("BP-")

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Zahlung offen" in page
    fee_notice = next(t for t in documents(citizen, case_number) if "Kostenbescheid" in t)
    reference = office.variables(case_number)["kassenzeichen"]
    assert reference in fee_notice and "30,70" in fee_notice

    cashier = login(app, "sb.plauen")
    booking = re.search(r'name="buchung" value="([^"]+)"', cashier.get("/arbeit/kasse").get_data(as_text=True))[1]
    payment = {"kassenzeichen": reference, "betrag": "30,70", "buchung": booking}
    assert cashier.post("/arbeit/kasse", data=payment).status_code == 302
    twice = cashier.post("/arbeit/kasse", data=payment, follow_redirects=True).get_data(as_text=True)  # a double click
    assert "Zahlung war bereits gebucht. Offen: 0,00 €" in twice
    assert office.cases.finance.balance_of("plauen", reference)["paid_cents"] == 3070
    office.run()

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Bewohnerparkausweis ausgestellt" in page
    permit = next(t for t in documents(citizen, case_number) if "Amtliches Kennzeichen" in t)
    number = office.variables(case_number)["ausweis"]["permit_number"]
    assert "PL-EB 1990" in permit and "B – Bahnhofsvorstadt" in permit and number in permit

    outbox = cashier.get("/arbeit/postausgang").get_data(as_text=True)
    assert len(re.findall(r'name="auftrag" value="([^"]+)"', outbox)) == 1  # the original goes by post

    other = login(app, "jan")
    assert other.get(f"/portal/antraege/{case_number}").status_code == 404


def test_company_car_without_residence_is_rejected_by_the_clerk(app, office):
    citizen = login(app, "erika")
    data = application(strasse="Bahnhofstraße 40", kennzeichen="PL-VL 500", halter="firmenwagen",
                       halter_name="Vogtland Logistik GmbH", halter_erklaerung=True)
    case_number = apply(citizen, office, data, {"halter_erklaerung_datei": upload(PDF, "Erklaerung Arbeitgeber.pdf")})
    assert "Antrag wird von der Straßenverkehrsbehörde geprüft" in citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)

    clerk = login(app, CLERK.id)
    worklist = clerk.get("/arbeit/?gruppe=strassenverkehr").get_data(as_text=True)
    assert case_number in worklist and "Antrag auf Bewohnerparkausweis prüfen" in worklist
    task = office.task(case_number)
    task_page = clerk.get(f"/arbeit/{task.id}").get_data(as_text=True)
    assert "Warum die Prüfung nötig ist" in task_page and "Melderegister" in task_page  # the findings, not only the form
    assert "Vogtland Logistik GmbH" in task_page and "PL-VL 500" in task_page  # the application with its labels
    assert "An der Anschrift ist kein Wohnsitz gemeldet." in office.variables(case_number)["pruefgruende"]
    assert clerk.post(f"/arbeit/{task.id}", data={"entscheidung": "ablehnen"}).status_code == 422
    reason = "Unter der angegebenen Anschrift ist keine Wohnung gemeldet."
    assert clerk.post(f"/arbeit/{task.id}", data={"entscheidung": "ablehnen", "begruendung": reason,
                                                   "entscheider": "Stefan Vogel"}).status_code == 302
    office.run()

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Antrag abgelehnt" in page
    notice = next(t for t in documents(citizen, case_number) if "Ablehnungsbescheid" in t)
    assert reason in notice and "PL-VL 500" in notice and "Rechtsbehelf" in notice and "Stefan Vogel" in notice
    assert office.state(case_number) == "completed"
    assert office.cases.finance.receivables("plauen", business_key=case_number) == []


def test_clerk_chooses_the_zone_from_the_zone_table(app, office):
    citizen = login(app, "erika")
    case_number = apply(citizen, office, application(strasse="Neue Straße 1"))
    clerk = login(app, CLERK.id)
    task = office.task(case_number)
    page = clerk.get(f"/arbeit/{task.id}").get_data(as_text=True)
    select = re.search(r'<select id="f_zone_festgelegt".*?</select>', page, re.DOTALL).group(0)
    assert '<option value="C" >C – Neustadt</option>' in select and select.count("<option") == 9  # 8 zones + empty
    refused = clerk.post(f"/arbeit/{task.id}", data={"entscheidung": "genehmigen", "zone_festgelegt": "Q",
                                                      "begruendung": "Neubaugebiet", "entscheider": "Stefan Vogel"})
    assert refused.status_code == 422
    assert "Diese Parkzone gibt es in der Zonentabelle der Gemeinde nicht." in refused.get_data(as_text=True)
    assert office.task(case_number).id == task.id
    assert clerk.post(f"/arbeit/{task.id}", data={"entscheidung": "genehmigen", "zone_festgelegt": "C",
                                                   "begruendung": "Neubaugebiet",
                                                   "entscheider": "Stefan Vogel"}).status_code == 302
    office.run()
    assert office.variables(case_number)["zone"] == "C"
