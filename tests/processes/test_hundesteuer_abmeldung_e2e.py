"""Deregistering a dog over HTTP: Erika registers Bruno in the portal, pays half a year's tax, and
after Bruno's death in July deregisters him; the portal refuses a tag that is not hers and a day
still to come, and the refund reaches her postbox with the Änderungsbescheid. And an Ersatzmarke
for a lost tag, refused for a tag that is not hers."""
import re
from datetime import UTC, datetime

import pytest

from engine.clock import ManualClock
from tests.conftest import login
from tests.processes.test_hundesteuer import anmeldung
from tests.processes.test_hundesteuer_abmeldung import abmeldung
from tests.processes.test_hundesteuer_e2e import apply, documents, form_of
from webui import create_app


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(office):
    office.deploy("hundesteuer").deploy("hundesteuer_abmeldung")
    return create_app(office.installation, {"TESTING": True})


def test_deregistration_with_refund_and_refusals_over_http(app, office, clock):
    citizen = login(app, "erika")
    registration = apply(citizen, anmeldung())
    office.run()
    cash_reference = office.variables(registration)["kassenzeichen"]
    office.cases.finance.record_payment("plauen", cash_reference, 5400, reference="Überweisung")
    clock.advance(days=180)  # 6 September 2026
    citizen = login(app, "erika")  # the session of March has long expired

    assert "Hund von der Hundesteuer abmelden" in citizen.get("/portal/").get_data(as_text=True)
    not_hers = citizen.post("/portal/hundesteuer_abmeldung/antrag", data=form_of(abmeldung(steuermarke="00001")))
    assert not_hers.status_code == 422
    assert "Unter dieser Steuermarke ist bei uns kein Hund auf Ihren Namen" in not_hers.get_data(as_text=True)
    future = citizen.post("/portal/hundesteuer_abmeldung/antrag",
                          data=form_of(abmeldung(gehalten_bis="2026-09-30")))
    assert future.status_code == 422 and "nicht in der Zukunft" in future.get_data(as_text=True)
    assert office.system("dog_tax").dogs("plauen", registration)[0]["status"] == "angemeldet"

    assert citizen.post("/portal/hundesteuer_abmeldung/antrag", data=form_of(abmeldung())).status_code == 302
    assert "Gehalten bis" in citizen.get("/portal/hundesteuer_abmeldung/pruefen").get_data(as_text=True)
    submitted = citizen.post("/portal/hundesteuer_abmeldung/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    assert case_number.startswith("HA-2026-")
    office.run()

    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Hund abgemeldet – bitte Steuermarke Nr. 00002 zurückgeben" in page
    [notice] = documents(citizen, case_number)
    for expected in ("Abmeldebestätigung und Änderungsbescheid", "36,00 €", "Bereits gezahlt: 54,00 €",
                     "18,00 €", "erstatten wir Ihnen", "Steuermarke Nr. 00002", case_number):
        assert expected in notice, expected
    balance = office.cases.finance.balance_of("plauen", cash_reference)
    assert (balance["amount_cents"], balance["paid_cents"], balance["open_cents"]) == (3600, 3600, 0)
    assert office.system("dog_tax").dogs("plauen", registration)[0]["status"] == "abgemeldet"
    assert login(app, "jan").get(f"/portal/antraege/{case_number}").status_code == 404


def test_replacement_tag_over_http(app, office):
    office.deploy("hundesteuer_ersatzmarke")
    citizen = login(app, "erika")
    apply(citizen, anmeldung())
    office.run()
    holder = abmeldung()["halter"]
    refused = citizen.post("/portal/hundesteuer_ersatzmarke/antrag",
                           data=form_of({"halter": holder, "steuermarke": "00001", "grund": "verloren"}))
    assert refused.status_code == 422 and "kein Hund auf Ihren Namen" in refused.get_data(as_text=True)
    assert citizen.post("/portal/hundesteuer_ersatzmarke/antrag",
                        data=form_of({"halter": holder, "steuermarke": "00002", "grund": "verloren"})).status_code == 302
    submitted = citizen.post("/portal/hundesteuer_ersatzmarke/pruefen")
    case_number = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()
    assert "Ersatzmarke Nr. 00003 ausgegeben" in citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    [fee_notice] = documents(citizen, case_number)
    assert "Kostenbescheid" in fee_notice and "5,00 €" in fee_notice and "Nr. 00003" in fee_notice
