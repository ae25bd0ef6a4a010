"""A limited exemption is reviewed six weeks before its end (settings exemption_review_lead P6W): the holder gets a
letter (what ends when, what to hand in), a clerk of the Steueramt extends it or lets it end; without a decision
it ends by itself. Erika Neumann registers Bruno in Plauen on 10 March 2035 (kept since 1 March, tax from April:
9 months of 108 €); the clerk exempts him (100 %) until 30 June 2035, and the registration exempts its year
(nothing booked). The review falls due on 19 May 2035, the exemption ends with 30 June 2035: from July the tax
is 6 of 12 months of 108 € = 54 €, booked anew with an Änderungsbescheid.
Dates lie ahead of the wall clock: SpiffWorkflow fires a timer whose day has passed on the wall clock."""
from datetime import UTC, date, datetime, timedelta

import pytest

from engine.clock import ManualClock
from engine.operations import ServiceCall
from processes.municipalities import municipalities
from tasks.dog_tax.models import DogTaxDog
from tests.processes.test_hundesteuer import OFFICIAL, anmeldung, complete, pdf_text, post, submit
from tests.processes.test_hundesteuer_jahreslauf import call, holder_ids, keep

REVIEW_AT = datetime(2035, 5, 19, 4, 0, tzinfo=UTC)  # 6 o'clock in Germany, six weeks before 30 June
ENDS_AT = datetime(2035, 7, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return ManualClock(datetime(2035, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def tax_office(office):
    return office.deploy("hundesteuer")


def registered_with_limited_exemption(office, until="2035-06-30"):
    data = anmeldung(wurftag="2033-11-20", gehalten_seit="2035-03-01", chipnummer="276098106549999",
                     steuervergunstigung="blindenfuehrhund",
                     vergunstigung_begruendung="Schwerbehindertenausweis mit Merkzeichen Bl, befristet.")
    case_number = submit(office, data)
    complete(office, case_number, "decide_exemption",
             {"entscheidung": "befreiung", "begruendung": "Merkzeichen Bl bis Juni nachgewiesen", "gueltig_bis": until})
    post(office, case_number)
    return case_number


def advance_to(office, clock, moment):
    clock.advance(seconds=(moment - clock.now()).total_seconds())
    office.run()


def timers(office):
    return sorted(j.due_at.astimezone(UTC) for j in office.engine.management.jobs(tenant="plauen")
                  if j.kind == "timer" and j.state != "done")


def documents(office, case_number, kind):
    efile = office.system("efile")
    file = efile.file_for_case("plauen", case_number)
    return [(d["title"], pdf_text(efile.document("plauen", d["document_id"])["content"]))
            for d in efile.documents("plauen", file["file_number"]) if d["kind"] == kind]


def assessment_2035(office, case_number):
    [row] = [a for a in office.system("dog_tax").assessments("plauen", case_number) if a["year"] == 2035]
    return row


@pytest.mark.parametrize("answer, amount, valid_until, status, official", [
    # Extended by six months to 31 December 2035: the year stays exempt, nothing owed, nothing to change.
    ({"entscheidung": "verlaengern", "verlaengerung": "P6M", "begruendung": "Neuer Ausweis bis 2040 vorgelegt"},
     0, "2035-12-31", "verguenstigung_verlaengert", OFFICIAL),
    # Let end: taxed from July, the month after the end (6 of 12 months of 108 €).
    ({"entscheidung": "auslaufen", "begruendung": "Merkzeichen Bl ist entfallen"}, 5400, "2035-06-30",
     "verguenstigung_beendet", OFFICIAL),
    # No answer by the end: it ends all the same; the notice is made by the system, no official to name.
    (None, 5400, "2035-06-30", "verguenstigung_beendet", None),
])
def test_a_limited_exemption_is_reviewed_and_extended_or_ends(tax_office, clock, answer, amount, valid_until, status,
                                                              official):
    case_number = registered_with_limited_exemption(tax_office)
    assert tax_office.state(case_number) == "waiting"  # for the review
    assert timers(tax_office) == [REVIEW_AT]
    assert assessment_2035(tax_office, case_number)["amount_cents"] == 0
    assert tax_office.variables(case_number)["kassenzeichen"] is None

    advance_to(tax_office, clock, REVIEW_AT - timedelta(days=1))  # a day early: nothing yet
    assert tax_office.engine.tasks.query(tenant="plauen") == []
    advance_to(tax_office, clock, REVIEW_AT)
    [(title, letter)] = documents(tax_office, case_number, "schreiben")
    assert title.startswith("Ende Ihrer Hundesteuervergünstigung")
    for expected in ("Ihre Hundesteuervergünstigung endet", "endet am 30.06.2035", "Ab dem 01.07.2035",
                     "Merkzeichen Bl", case_number, "kein Bescheid", "Bruno", "19.05.2035"):
        assert expected in letter, expected
    assert tax_office.statuses(case_number)[-1] == "verguenstigung_endet"
    task = tax_office.task(case_number)
    assert task.activity_id == "review_exemption" and task.candidate_group == "steueramt"

    if answer is None:
        advance_to(tax_office, clock, ENDS_AT)
    else:
        clock.advance(days=13)  # decided on 1 June
        complete(tax_office, case_number, "review_exemption", answer)
    assert tax_office.statuses(case_number)[-1] == status
    assert tax_office.variables(case_number)["befristung"]["valid_until"] == valid_until
    assessment = assessment_2035(tax_office, case_number)
    assert assessment["amount_cents"] == amount
    notices = [text for title, text in documents(tax_office, case_number, "bescheid") if "Änderungsbescheid" in title]
    if amount:
        [receivable] = [r for r in tax_office.cases.finance.receivables("plauen", case_number)
                        if r["amount_cents"] == amount]
        assert assessment["cash_reference"] == receivable["cash_reference"]
        assert tax_office.cases.finance.balance_of("plauen", receivable["cash_reference"])["open_cents"] == amount
        [notice] = notices
        issued = "01.06.2035" if official else "01.07.2035"  # dated the issue day, the engine's today
        for expected in ("Änderungsbescheid über die Hundesteuer", "mit Ablauf des 30.06.2035",
                         "Ab dem 01.07.2035 gilt der volle Steuersatz", "Bisher festgesetzt", "0,00 €", "54,00 €",
                         "9 von 12 Monaten, davon 3 Monate mit 100 % Vergünstigung", "Nachzuzahlen", "15.08.2035", "15.11.2035", receivable["cash_reference"],
                         "Widerspruch", "am vierten Tag nach der Aufgabe zur Post", issued):
            assert expected in notice, (expected, notice)
        assert (OFFICIAL in notice) == (official is not None)
        assert tax_office.state(case_number) == "completed" and timers(tax_office) == []
    else:
        assert notices == []  # nothing assessed changes: the year was exempt and stays so
        assert tax_office.cases.finance.receivables("plauen", case_number) == []
        # Reviewed again six weeks before the new end (6 o'clock in Germany, winter time).
        assert timers(tax_office) == [datetime(2035, 11, 19, 5, 0, tzinfo=UTC)]
        assert tax_office.state(case_number) == "waiting"
    [dog] = tax_office.system("dog_tax").dogs("plauen", case_number)
    assert dog["status"] == "angemeldet"


def test_one_review_per_exemption_period(tax_office, clock):
    case_number = registered_with_limited_exemption(tax_office)
    advance_to(tax_office, clock, REVIEW_AT)
    review_id = tax_office.variables(case_number)["pruefung"]["review_id"]
    dog_id = tax_office.variables(case_number)["hund_erfasst"]["dog_id"]
    system = tax_office.system("dog_tax")
    again = system.open_exemption_review(ServiceCall("dog_tax.open_exemption_review",
                                                     {"dog_id": dog_id, "valid_until": "2035-06-30"},
                                                     idempotency_key="test-again", tenant="plauen",
                                                     instance_id="test"))
    assert again["review_id"] == review_id
    settings = tax_office.variables(case_number)["einstellungen"]
    settle = {"review_id": review_id, "decision": "beendet", "decided_by": OFFICIAL,
              "due_dates": settings["due_dates"], "back_due_period": settings["back_due_period"]}
    first = system.settle_exemption(ServiceCall("dog_tax.settle_exemption", settle, idempotency_key="test-1",
                                                tenant="plauen", instance_id="test"))
    second = system.settle_exemption(ServiceCall("dog_tax.settle_exemption", {**settle, "decision": "verlaengert",
                                                                              "extend_by": "P36M"},
                                                 idempotency_key="test-2", tenant="plauen", instance_id="test"))
    # Decided once: the second call neither extends nor books the end twice.
    assert first == second and [b["amount_cents"] for b in first["bookings"]] == [5400]
    assert first["decision"] == "beendet"


def test_a_dog_deregistered_before_the_review_is_not_reviewed(tax_office, clock):
    case_number = registered_with_limited_exemption(tax_office)
    tax_office.deploy("hundesteuer_abmeldung")
    advance_to(tax_office, clock, datetime(2035, 4, 21, 8, 0, tzinfo=UTC))
    tax_office.cases.submit("hundesteuer_abmeldung", "plauen", {
        "halter": {"vorname": "Erika", "nachname": "Neumann", "strasse": "Lindenweg 3", "plz": "08523",
                   "ort": "Plauen"}, "steuermarke": tax_office.variables(case_number)["steuermarke"],
        "gehalten_bis": "2035-04-20", "grund": "tod"}, citizen="erika")
    tax_office.run()
    advance_to(tax_office, clock, REVIEW_AT)
    assert tax_office.state(case_number) == "completed"
    assert documents(tax_office, case_number, "schreiben") == []


def test_an_extension_reduces_what_the_yearly_run_assessed(tax_office):
    """Rex, a Hütehund exempt until 31 March 2036, is assessed in the run of 1 December 2035 with April to December
    2036 taxed (9 of 12 months of 108 € = 81 €); extended by a year, 2036 is exempt and nothing is owed."""
    keep(tax_office, "plauen", ("Ida", "Lang", "Auweg 1"), [("Rex", "Dackel", "2030-01-01", "2030-01-01", {
        "exemption_kind": "huetehund", "exemption_percent": 100, "exemption_valid_until": date(2036, 3, 31)})])
    settings = municipalities()["plauen"].settings("hundesteuer")
    terms = {k: settings[k] for k in ("rates", "pro_rata", "due_dates", "back_due_period")}
    system = tax_office.system("dog_tax")
    [holder_id] = holder_ids(tax_office, "plauen", "Ida Lang")
    [assessed] = system.assess_year(call("dog_tax.assess_year", {"holder_id": holder_id, "year": 2036, **terms}))[
        "assessments"]
    assert (assessed["months"], assessed["amount_cents"]) == (12, 8100)
    review = system.open_exemption_review(call("dog_tax.open_exemption_review",
                                               {"dog_id": assessed["dog_id"], "valid_until": "2036-03-31"}))
    settled = system.settle_exemption(call("dog_tax.settle_exemption", {
        "review_id": review["review_id"], "decision": "verlaengert", "extend_by": "P12M", **terms}))
    [correction] = settled["corrections"]
    assert (correction["year"], correction["amount_cents"], correction["corrected_cents"]) == (2036, 8100, 0)
    assert correction["instalments"] == [] and settled["bookings"] == []
    with system.sessions() as session:
        dog = session.get(DogTaxDog, assessed["dog_id"])
        assert dog.exemption_valid_until == date(2037, 3, 31)
