"""The yearly assessment run: on 1 December (Plauen's and Musterstadt's statute day) every dog still
registered is assessed for the coming year, finance books one receivable per dog, and each holder gets one notice for
all of the holder's dogs, in the postbox or by post. Plauen: 108 € first dog, 144 € each further,
420 € / 840 € dangerous, tax from the month after keeping began, instalments 15.02./15.05./15.08./15.11.;
exempt dogs count for the rate. Musterstadt: 60 € / 100 € / 120 €, exempt dogs do not count.
The run day lies ahead of the wall clock: SpiffWorkflow fires a timer whose day has passed on the wall
clock whatever the engine clock says, so the tests assess 2036 on 1 December 2035. Started on 20 November
2035, the run also assesses 2035 at once for the dogs no registration assessed for it; the helpers read 2036
unless told otherwise."""
from datetime import UTC, date, datetime

import pytest

from engine.clock import ManualClock
from engine.operations import ServiceCall
from processes.standing import start_standing_processes
from tasks.common import utcnow
from tasks.dog_tax import rules
from tasks.dog_tax.models import DogTaxDog, DogTaxHolder, DogTaxHousehold, DogTaxMandate
from tasks.dog_tax.system import new_tag
from tests.processes.test_hundesteuer import pdf_text

RUN_DAY = datetime(2035, 12, 1, 5, 0, tzinfo=UTC)  # 6 o'clock in Germany


@pytest.fixture
def clock():
    return ManualClock(datetime(2035, 11, 20, 9, 0, tzinfo=UTC))


@pytest.fixture
def dog_office(office):
    return office.deploy("hundesteuer")


def keep(office, tenant, holder, dogs, account=None, iban=None):
    """A holder at an address with registered dogs: (name, breed, born, held since, options)."""
    given, family, street = holder
    system = office.system("dog_tax")
    with system.sessions.begin() as session:
        key = rules.household_key(street, "08523")
        household = session.query(DogTaxHousehold).filter_by(tenant=tenant, household_key=key).one_or_none()
        if household is None:
            household = DogTaxHousehold(tenant=tenant, household_key=key, street=street, postal_code="08523",
                                        city="Plauen", created_at=utcnow())
            session.add(household)
            session.flush()
        owner = DogTaxHolder(tenant=tenant, household_id=household.id, given_name=given, family_name=family,
                             name_key=rules.name_key(given, family), account=account, created_at=utcnow())
        session.add(owner)
        session.flush()
        if iban:
            session.add(DogTaxMandate(tenant=tenant, holder_id=owner.id, reference=f"HUNDESTEUER-{owner.id:06d}",
                                      iban=iban, account_holder=f"{given} {family}", signed_on=date(2025, 1, 2),
                                      idempotency_key=f"test-mandate-{owner.id}", created_at=utcnow()))
        for name, breed, born, since, options in dogs:
            extra = dict(options)  # the table's rows are shared by every twin
            dog = DogTaxDog(tenant=tenant, holder_id=owner.id, household_id=household.id, name=name, breed=breed,
                            born_on=date.fromisoformat(born), held_since=date.fromisoformat(since),
                            dangerous=extra.pop("dangerous", False), status=extra.pop("status", "angemeldet"),
                            idempotency_key=f"test-{tenant}-{family}-{name}", created_at=utcnow(), **extra)
            session.add(dog)
            session.flush()
            new_tag(session, dog, f"test-tag-{tenant}-{family}-{name}", dog.held_since)
        return f"{given} {family}"


EXEMPT = {"exemption_kind": "blindenfuehrhund", "exemption_percent": 100, "exemption_reason": "Blindenführhund"}
HALF = {"exemption_kind": "huetehund", "exemption_percent": 50, "exemption_reason": "Hütehund"}

# holder, tenant, dogs, expected {dog: (rate kind, months, amount)}, total on the notice
HOUSEHOLDS = [
    pytest.param(("Anna", "Eins", "Amselweg 1"), "plauen",
                 [("Emil", "Dackel", "2019-05-01", "2019-08-10", {})],
                 {"Emil": ("first", 12, 10800)}, "108,00 €", id="one dog"),
    pytest.param(("Bert", "Drei", "Birkenweg 2"), "plauen",
                 [("Ares", "Boxer", "2018-01-01", "2018-03-01", {}), ("Bella", "Beagle", "2020-01-01", "2020-05-01", {}),
                  ("Cleo", "Pudel", "2021-01-01", "2022-05-01", {})],
                 {"Ares": ("first", 12, 10800), "Bella": ("second", 12, 14400), "Cleo": ("further", 12, 14400)},
                 "396,00 €", id="three dogs"),
    pytest.param(("Carla", "Gefahr", "Dornweg 3"), "plauen",
                 [("Tyson", "Pit Bull", "2019-01-01", "2019-04-01", {"dangerous": True}),
                  ("Nala", "Mops", "2021-01-01", "2021-04-01", {}),
                  ("Rocky", "Bullterrier", "2022-01-01", "2022-04-01", {"dangerous": True})],
                 {"Tyson": ("dangerous_first", 12, 42000), "Nala": ("second", 12, 14400),
                  "Rocky": ("dangerous_further", 12, 84000)}, "1.404,00 €", id="dangerous dogs"),
    pytest.param(("Dora", "Frei", "Eichenweg 4"), "plauen",
                 [("Lux", "Labrador Retriever", "2019-01-01", "2019-04-01", {**EXEMPT, "exemption_valid_until": None}),
                  ("Fips", "Spitz", "2020-01-01", "2020-04-01", {**EXEMPT,
                                                                  "exemption_valid_until": date(2035, 6, 30)})],
                 # the exemption that ran out in 2035 is taxed; the valid one still counts as first dog in Plauen
                 {"Lux": ("first", 12, 0), "Fips": ("second", 12, 14400)}, "144,00 €", id="exemption valid and expired"),
    pytest.param(("Egon", "Ende", "Fliederweg 5"), "plauen",
                 [("Hasso", "Schnauzer", "2019-01-01", "2019-04-01", {**HALF, "exemption_valid_until": date(2036, 3, 31)})],
                 # half tax January to March, the full rate from April: 13,50 € + 81,00 €
                 {"Hasso": ("first", 12, 9450)}, "94,50 €", id="reduction ending in March"),
    pytest.param(("Fritz", "Welpe", "Ginsterweg 6"), "plauen",
                 [("Krümel", "Malteser", "2035-10-20", "2035-11-25", {})],
                 # three months old on 20 January 2036: taxed from February (the month after), 11 months
                 {"Krümel": ("first", 11, 9900)}, "99,00 €", id="puppy"),
    pytest.param(("Gerd", "Muster", "Hafenweg 7"), "musterstadt",
                 [("Blinky", "Labrador Retriever", "2019-01-01", "2019-04-01", {**EXEMPT}),
                  ("Max", "Collie", "2020-01-01", "2020-04-01", {})],
                 # Musterstadt: the exempt dog does not count, so Max is the first dog
                 {"Blinky": ("first", 12, 0), "Max": ("first", 12, 6000)}, "60,00 €", id="exempt dog not counted"),
]


@pytest.mark.parametrize("holder, tenant, dogs, expected, total", HOUSEHOLDS)
def test_yearly_run_assesses_each_household_for_the_coming_year(dog_office, clock, holder, tenant, dogs, expected,
                                                               total):
    name = keep(dog_office, tenant, holder, dogs)
    run_year(dog_office, clock)

    mine = {a["dog"]: a for a in assessments(dog_office, tenant, name)}
    assert {dog: (a["rate_kind"], a["months"], a["amount_cents"]) for dog, a in mine.items()} == expected
    booked = receivables(dog_office, tenant, name)
    assert sorted(r["amount_cents"] for r in booked) == sorted(v[2] for v in expected.values() if v[2])
    assert all(r["purpose"].startswith("Hundesteuer 2036 ") for r in booked)

    [notice] = notices(dog_office, tenant, name)
    assert "Steuerbescheid über die Hundesteuer 2036" in notice
    assert f"Vorgangsnummer {case_of(dog_office, tenant, name)}" in notice
    for dog in expected:
        assert dog in notice
    assert f"Festgesetzte Hundesteuer 2036 {total}" in notice
    for expected_text in ("Datum 01.12.2035", "Widerspruch", "innerhalb eines Monats nach Bekanntgabe",
                          "am vierten Tag nach der Aufgabe zur Post", "aufschiebende Wirkung"):
        assert expected_text in notice


def test_instalments_by_transfer_and_sepa_pre_notification(dog_office, clock):
    transfer = keep(dog_office, "plauen", ("Hans", "Ueberweiser", "Ulmenweg 8"),
                    [("Bobby", "Dackel", "2019-01-01", "2019-04-01", {})])
    sepa = keep(dog_office, "plauen", ("Ina", "Lastschrift", "Lindenweg 9"),
                [("Kira", "Husky", "2019-01-01", "2019-04-01", {})], iban="DE02120300000000202051")
    run_year(dog_office, clock)

    [by_transfer] = notices(dog_office, "plauen", transfer)
    [reference] = [r["cash_reference"] for r in receivables(dog_office, "plauen", transfer)]
    for due in ("15.02.2036", "15.05.2036", "15.08.2036", "15.11.2036"):
        assert f"{due} Bobby {reference} 27,00 €" in by_transfer
    assert "Bitte überweisen Sie" in by_transfer and "IBAN" in by_transfer and "Vorabankündigung" not in by_transfer

    [by_debit] = notices(dog_office, "plauen", sepa)
    assert "Vorabankündigung der SEPA-Lastschrift" in by_debit and "DE02 … 2051" in by_debit
    assert "Mandatsreferenz: HUNDESTEUER-" in by_debit and "Gläubiger-Identifikationsnummer: DE98ZZZ09999999999" in by_debit
    assert "Bitte überweisen Sie" not in by_debit
    [receivable] = receivables(dog_office, "plauen", sepa)
    assert (receivable["amount_cents"], receivable["due_date"]) == (10800, "2036-02-15")


def test_deregistered_dogs_and_dogs_assessed_at_registration_are_left_out(dog_office, clock):
    gone = keep(dog_office, "plauen", ("Jan", "Weg", "Mohnweg 10"),
                [("Strolch", "Terrier", "2019-01-01", "2019-04-01",
                  {"status": "abgemeldet", "held_until": date(2035, 8, 3), "end_reason": "tod"})])
    mixed = keep(dog_office, "plauen", ("Kai", "Halb", "Nelkenweg 11"),
                 [("Alt", "Terrier", "2015-01-01", "2015-04-01",
                   {"status": "abgemeldet", "held_until": date(2035, 2, 3), "end_reason": "abgabe"}),
                  ("Neu", "Terrier", "2025-01-01", "2025-04-01", {})])
    run_year(dog_office, clock)
    assert assessments(dog_office, "plauen", gone) == [] and notices(dog_office, "plauen", gone) == []
    # the dog given away no longer counts: the remaining one is the household's first dog
    assert [(a["dog"], a["rate_kind"]) for a in assessments(dog_office, "plauen", mixed)] == [("Neu", "first")]


def test_notice_goes_to_the_postbox_with_an_account_else_by_post(dog_office, clock):
    online = keep(dog_office, "plauen", ("Erika", "Online", "Rosenweg 12"),
                  [("Paul", "Pudel", "2019-01-01", "2019-04-01", {})], account="erika")
    paper = keep(dog_office, "plauen", ("Otto", "Papier", "Tulpenweg 13"),
                 [("Rex", "Boxer", "2019-01-01", "2019-04-01", {})])
    run_year(dog_office, clock)
    portal = dog_office.system("portal")
    assert sorted(m["title"] for m in portal.messages("plauen", recipient="erika")) == [
        "Ihr Steuerbescheid über die Hundesteuer 2035", "Ihr Steuerbescheid über die Hundesteuer 2036"]
    jobs = {j["business_key"] for j in dog_office.cases.open_print_jobs("plauen")}
    assert case_of(dog_office, "plauen", paper) in jobs and case_of(dog_office, "plauen", online) not in jobs


def test_a_rerun_or_a_retry_books_and_sends_nothing_twice(dog_office, clock):
    name = keep(dog_office, "plauen", ("Lea", "Zweimal", "Veilchenweg 14"),
                [("Odin", "Dogge", "2019-01-01", "2019-04-01", {}), ("Mia", "Pudel", "2020-01-01", "2020-04-01", {})])
    run_year(dog_office, clock)
    before = (receivables(dog_office, "plauen", name), len(dog_office.cases.open_print_jobs("plauen")),
              len(documents(dog_office, "plauen", name)))

    # a second run of 2036 (the standing one was restarted) finds nothing left to do
    dog_office.engine.runtime.start("hundesteuer_jahreslauf", tenant="plauen", business_key="HS-jahreslauf-2",
                                    variables=dog_office.variables("HS-hundesteuer_jahreslauf") | {"monat": "2035-12"},
                                    user="system")
    dog_office.run()
    assert dog_office.variables("HS-jahreslauf-2")["halter"]["holder_ids"] == []
    # a retried step of the holder (another call key) assesses and books the same
    dog_tax, finance = dog_office.system("dog_tax"), dog_office.system("finance")
    settings = dog_office.variables("HS-hundesteuer_jahreslauf")["einstellungen"]
    holder_id = assessments(dog_office, "plauen", name)[0]["holder_id"]
    again = dog_tax.assess_year(call("dog_tax.assess_year", {
        "holder_id": holder_id, "year": 2036, **{k: settings[k] for k in ("rates", "pro_rata", "due_dates",
                                                                          "back_due_period")}}))
    assert again["assessments"] == []  # both already on the notice
    items = [{"key": f"hundesteuer-jahr:plauen:{a['dog_id']}:2036", "amount_cents": 1, "purpose": "x",
              "debtor": "y"} for a in assessments(dog_office, "plauen", name)]
    rebooked = finance.create_receivables(call("finance.create_receivables", {"items": items}))
    assert sorted(r["cash_reference"] for r in rebooked["receivables"]) == sorted(
        r["cash_reference"] for r in before[0])
    after = (receivables(dog_office, "plauen", name), len(dog_office.cases.open_print_jobs("plauen")),
             len(documents(dog_office, "plauen", name)))
    assert after == before


def test_the_run_waits_for_the_statute_day_then_for_january_then_for_the_next_year(dog_office, clock):
    keep(dog_office, "plauen", ("Uwe", "Warte", "Wiesenweg 15"), [("Bolt", "Windhund", "2019-01-01", "2019-04-01", {})])
    start_standing_processes(dog_office.engine)
    dog_office.run()
    clock.advance(seconds=(RUN_DAY - clock.now()).total_seconds() - 60)
    dog_office.run()
    assert year_assessments(dog_office, 2036) == []
    assert timers(dog_office) == [RUN_DAY]
    clock.advance(minutes=2)
    dog_office.run()
    assert len(year_assessments(dog_office, 2036)) == 2  # Bolt, Bello
    assert timers(dog_office) == [datetime(2036, 1, 2, 5, 0, tzinfo=UTC)]
    clock.advance(days=32)
    dog_office.run()
    variables = dog_office.variables("HS-hundesteuer_jahreslauf")
    assert variables["jahreslaeufe"] == [{"jahr": 2035, "bescheide": 2}, {"jahr": 2036, "bescheide": 2}]
    # the next pass waits for 1 December 2036 and the year 2037
    assert (variables["monat"], variables["termin"]["year"]) == ("2036-01", 2037)
    assert timers(dog_office) == [datetime(2036, 12, 1, 5, 0, tzinfo=UTC)]


def test_a_dog_registered_after_the_run_is_assessed_in_the_january_pass(dog_office, clock):
    run_year(dog_office, clock)
    late = keep(dog_office, "plauen", ("Vera", "Spaet", "Zedernweg 16"),
                [("Flocke", "Samojede", "2030-01-01", "2035-12-10", {})])
    office_now = dog_office.variables("HS-hundesteuer_jahreslauf")
    assert office_now["termin"]["catch_up_at"] == "2036-01-02T05:00:00+00:00"
    clock.advance(seconds=(datetime(2036, 1, 2, 5, 0, tzinfo=UTC) - clock.now()).total_seconds() - 60)
    dog_office.run()
    assert assessments(dog_office, "plauen", late) == []
    clock.advance(minutes=2)
    dog_office.run()
    assert [(a["dog"], a["year"], a["months"], a["amount_cents"]) for a in assessments(dog_office, "plauen", late)] \
        == [("Flocke", 2036, 12, 10800)]
    assert len(notices(dog_office, "plauen", late)) == 1
    variables = dog_office.variables("HS-hundesteuer_jahreslauf")
    assert variables["jahreslaeufe"][-1]["jahr"] == 2036 and variables["termin"]["year"] == 2037


# Helpers.

def year_assessments(office, year, tenant="plauen"):
    return [a for a in office.system("dog_tax").assessments(tenant, "HS-hundesteuer_jahreslauf") if a["year"] == year]


def timers(office):
    return [j.due_at.astimezone(UTC) for j in office.engine.management.jobs(tenant="plauen")
            if j.kind == "timer" and j.state != "done"]


def run_year(office, clock):
    start_standing_processes(office.engine)
    office.run()
    clock.advance(seconds=(RUN_DAY - clock.now()).total_seconds() + 60)
    office.run()


def call(operation, params, tenant="plauen"):
    return ServiceCall(operation, params, idempotency_key=f"test-retry:{operation}", tenant=tenant,
                       instance_id="test", extra={"now": RUN_DAY.isoformat()})


def holder_ids(office, tenant, name):
    with office.system("dog_tax").sessions() as session:
        return [h.id for h in session.query(DogTaxHolder).filter_by(tenant=tenant)
                if f"{h.given_name} {h.family_name}" == name]


def case_of(office, tenant, name, year=2036):
    [holder_id] = holder_ids(office, tenant, name)
    return f"HS-J{year}-{holder_id}"


def assessments(office, tenant, name, year=2036):
    system = office.system("dog_tax")
    ids = holder_ids(office, tenant, name)
    with system.sessions() as session:
        dogs = {d.id: d for d in session.query(DogTaxDog).filter(DogTaxDog.holder_id.in_(ids))}
        names = {i: d.name for i, d in dogs.items()}
    rows = [a for a in year_assessments(office, year, tenant) if a["dog_id"] in names]
    return [{**a, "dog": names[a["dog_id"]], "holder_id": ids[0]} for a in rows]


def receivables(office, tenant, name, year=2036):
    return [r for r in office.cases.finance.receivables(tenant, "HS-hundesteuer_jahreslauf")
            if r["debtor_name"] == name and r["purpose"].startswith(f"Hundesteuer {year} ")]


def documents(office, tenant, name, year=2036):
    efile = office.system("efile")
    file = efile.file_for_case(tenant, case_of(office, tenant, name, year))
    return efile.documents(tenant, file["file_number"]) if file else []


def notices(office, tenant, name, year=2036):
    efile = office.system("efile")
    return [pdf_text(efile.document(tenant, d["document_id"])["content"])
            for d in documents(office, tenant, name, year) if d["kind"] == "bescheid"]
