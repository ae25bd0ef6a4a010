"""The first start of the yearly run in the middle of a year (an installation going live or upgraded in March
2035, run day 1 December for the coming year): the run assesses 2035 at once for the dogs no registration
assessed for it, then waits for 1 December as usual. A restart books and sends nothing twice, and the
instalments of the notice for the running year fall due after its Bekanntgabe, never on a past day."""
from datetime import UTC, date, datetime

import pytest

from engine.clock import ManualClock
from engine.operations import ServiceCall
from processes.municipalities import municipalities
from processes.standing import start_standing_processes
from tasks.dog_tax import rules
from tasks.dog_tax.models import DogTaxDog
from tests.processes.test_hundesteuer_jahreslauf import (
    RUN_DAY,
    assessments,
    documents,
    holder_ids,
    keep,
    notices,
    receivables,
    timers,
)

START = datetime(2035, 3, 10, 9, 0, tzinfo=UTC)
OLD = ("Olga", "Vorjahr", "Amselweg 1")  # her dog was registered (and assessed) in 2034 only
NEW = ("Nina", "Diesjahr", "Birkenweg 2")  # her dog's registration in February assessed 2035


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
def dog_office(office):
    return office.deploy("hundesteuer")


def register_this_year(office, clock):
    """Nina's dog as its registration leaves it: assessed for 2035 under the registration's key, then tagged."""
    keep(office, "plauen", NEW, [("Nemo", "Pudel", "2030-01-01", "2035-02-01", {"status": "beantragt"})])
    dog_tax = office.system("dog_tax")
    [holder_id] = holder_ids(office, "plauen", "Nina Diesjahr")
    with dog_tax.sessions() as session:
        dog_id = session.query(DogTaxDog).filter_by(holder_id=holder_id).one().id
    settings = {k: v for k, v in municipalities()["plauen"].settings("hundesteuer").items()
                if k in ("rates", "pro_rata", "due_dates", "back_due_period", "min_age_months")}
    extra = {"now": clock.now().isoformat()}
    assessed = dog_tax.assess(ServiceCall("dog_tax.assess", {"dog_id": dog_id, **settings}, "anmeldung:assess",
                                          "plauen", "anmeldung", business_key="HS-2035-000001", extra=extra))
    dog_tax.issue_tag(ServiceCall("dog_tax.issue_tag", {"assessment_id": assessed["assessment_id"]},
                                  "anmeldung:tag", "plauen", "anmeldung", business_key="HS-2035-000001", extra=extra))
    return assessed


def start(office):
    start_standing_processes(office.engine)
    office.run()


def running(office):
    """The id of Plauen's yearly run now running."""
    [info] = [i for i in office.engine.runtime.query(tenant="plauen", process_key="hundesteuer_jahreslauf")
              if i.state not in ("completed", "cancelled")]
    return info.id


def test_a_start_in_march_assesses_the_running_year_once_and_then_waits_for_the_run_day(dog_office, clock):
    keep(dog_office, "plauen", OLD, [("Emil", "Dackel", "2019-05-01", "2034-04-01", {})])
    registered = register_this_year(dog_office, clock)
    start(dog_office)

    assert [(a["dog"], a["months"], a["amount_cents"]) for a in assessments(dog_office, "plauen", "Olga Vorjahr", 2035)] \
        == [("Emil", 12, 10800)]
    assert [r["amount_cents"] for r in receivables(dog_office, "plauen", "Olga Vorjahr", 2035)] == [10800]
    [notice] = notices(dog_office, "plauen", "Olga Vorjahr", 2035)
    assert "Steuerbescheid über die Hundesteuer 2035" in notice and "Datum 10.03.2035" in notice
    # Nina's dog is assessed for 2035 by its registration: no second assessment, booking or notice
    assert registered["year"] == 2035
    assert assessments(dog_office, "plauen", "Nina Diesjahr", 2035) == []
    assert receivables(dog_office, "plauen", "Nina Diesjahr", 2035) == []
    assert notices(dog_office, "plauen", "Nina Diesjahr", 2035) == []
    # then the normal schedule: 1 December assesses 2036 for both dogs
    assert timers(dog_office) == [RUN_DAY]
    clock.advance(seconds=(RUN_DAY - clock.now()).total_seconds() + 60)
    dog_office.run()
    for name in ("Olga Vorjahr", "Nina Diesjahr"):
        assert [a["months"] for a in assessments(dog_office, "plauen", name, 2036)] == [12]
    assert len(assessments(dog_office, "plauen", "Olga Vorjahr", 2035)) == 1
    assert dog_office.variables("HS-hundesteuer_jahreslauf")["jahreslaeufe"][0] == {"jahr": 2035, "bescheide": 2}


def test_a_restart_of_the_standing_process_books_and_sends_nothing_twice(dog_office, clock):
    keep(dog_office, "plauen", OLD, [("Emil", "Dackel", "2019-05-01", "2034-04-01", {})])
    start(dog_office)
    first = running(dog_office)

    def state():
        return (receivables(dog_office, "plauen", "Olga Vorjahr", 2035),
                [d["document_id"] for d in documents(dog_office, "plauen", "Olga Vorjahr", 2035)],
                len(dog_office.cases.open_print_jobs("plauen")), dog_office.system("portal").messages("plauen"))

    before = state()
    assert len(before[0]) == 1 and len(before[1]) == 1
    dog_office.engine.runtime.cancel(first, user="system")
    clock.advance(days=20)
    start(dog_office)
    second = running(dog_office)
    assert second != first
    assert state() == before
    assert len(assessments(dog_office, "plauen", "Olga Vorjahr", 2035)) == 1
    # the new run's pass over 2035 found no one left, and it waits for 1 December
    assert dog_office.engine.runtime.get(second).variables["halter"]["holder_ids"] == []
    assert timers(dog_office) == [RUN_DAY]


def test_the_instalments_of_the_running_year_fall_due_after_its_bekanntgabe(dog_office, clock):
    keep(dog_office, "plauen", OLD, [("Emil", "Dackel", "2019-05-01", "2034-04-01", {})])
    start(dog_office)

    [assessed] = assessments(dog_office, "plauen", "Olga Vorjahr", 2035)
    known = rules.bekanntgabe(date(2035, 3, 10))
    # 15 February has passed: its share is due a month after the Bekanntgabe, the others on their days
    assert [(i["due_date"], i["amount_cents"]) for i in assessed["instalments"]] == [
        ("2035-04-14", 2700), ("2035-05-15", 2700), ("2035-08-15", 2700), ("2035-11-15", 2700)]
    assert all(date.fromisoformat(i["due_date"]) > known for i in assessed["instalments"])
    [reference] = [r["cash_reference"] for r in receivables(dog_office, "plauen", "Olga Vorjahr", 2035)]
    [notice] = notices(dog_office, "plauen", "Olga Vorjahr", 2035)
    for due in ("14.04.2035", "15.05.2035", "15.08.2035", "15.11.2035"):
        assert f"{due} Emil {reference} 27,00 €" in notice
    assert "15.02.2035" not in notice
