"""The yearly run over HTTP: Erika registers Bruno in the portal in March 2035; on 1 December the run assesses
2036, and the annual notice appears on the page of her registration, where she opens it. Jan, another
citizen, is refused the page and the notice."""
import re
from datetime import UTC, datetime

import pytest

from engine.clock import ManualClock
from processes.standing import start_standing_processes
from tests.conftest import login
from tests.processes.test_hundesteuer import anmeldung
from tests.processes.test_hundesteuer_e2e import apply, documents
from webui import create_app

RUN_DAY = datetime(2035, 12, 1, 5, 0, tzinfo=UTC)  # ahead of the wall clock, see test_hundesteuer_jahreslauf


@pytest.fixture
def clock():
    return ManualClock(datetime(2035, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(office):
    office.deploy("hundesteuer")
    return create_app(office.installation, {"TESTING": True})


def test_annual_notice_reaches_the_registration_page_and_no_one_else(app, office, clock):
    citizen = login(app, "erika")
    case_number = apply(citizen, anmeldung(wurftag="2034-11-20", gehalten_seit="2035-03-01"))
    office.run()
    start_standing_processes(office.engine)
    office.run()
    clock.advance(seconds=(RUN_DAY - clock.now()).total_seconds() + 60)
    office.run()

    citizen = login(app, "erika")
    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Steuerbescheid Hundesteuer 2036 erstellt" in page
    notices = documents(citizen, case_number)
    [annual] = [n for n in notices if "Steuerbescheid über die Hundesteuer 2036" in n]
    for expected in ("Bruno", "erster Hund: 108,00 € im Jahr", "12 von 12 Monaten", "15.02.2036 Bruno",
                     "Festgesetzte Hundesteuer 2036 108,00 €", "Datum 01.12.2035", "Widerspruch"):
        assert expected in annual, expected

    other = login(app, "jan")
    assert other.get(f"/portal/antraege/{case_number}").status_code == 404
    links = re.findall(rf'href="(/portal/antraege/{case_number}/dokumente/[^"]+)"', page)
    assert links and all(other.get(link).status_code == 404 for link in links)
