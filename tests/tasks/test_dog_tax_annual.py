"""The rules and operations of the yearly run, the puppy rule and the back-assessment, as tables."""
from __future__ import annotations

from datetime import date

import pytest

from engine.operations import InvalidRequest
from tasks.dog_tax import DogTax, rules
from tasks.efile import EFile
from tasks.finance import Finance

from .helpers import make_call

DEBTOR = {"name": "Erika Beispiel", "street": "Bahnhofstraße 12", "postal_code": "08523", "city": "Plauen"}


@pytest.mark.parametrize("born, months, day", [
    ("2026-01-25", 3, "2026-04-25"),
    ("2025-11-30", 3, "2026-02-28"),  # no 30 February: the end of the month
    ("2024-11-30", 3, "2025-02-28"),
    ("2023-11-29", 3, "2024-02-29"),
    ("2026-10-20", 0, "2026-10-20"),
])
def test_old_enough_on(born, months, day):
    assert rules.old_enough_on(date.fromisoformat(born), months) == date.fromisoformat(day)


@pytest.mark.parametrize("held_since, born, year, rule, first_month, months", [
    ("2026-03-08", "2026-01-25", 2026, "ab_folgemonat", 5, 8),  # 3 months old on 25 April: from May
    ("2026-03-08", "2026-01-25", 2026, "ab_monat", 4, 9),       # from the month it turns 3 months
    ("2026-11-25", "2026-10-20", 2027, "ab_folgemonat", 2, 11),  # old enough on 20 January 2027
    ("2026-03-01", "2020-01-01", 2026, "ab_folgemonat", 4, 9),  # an older dog: keeping decides
    ("2026-03-01", None, 2026, "ab_folgemonat", 4, 9),           # no Wurftag known: keeping decides
])
def test_puppy_rule(held_since, born, year, rule, first_month, months):
    assert rules.liable_months(date.fromisoformat(held_since), year, rule, born and date.fromisoformat(born),
                               3) == (first_month, months)


@pytest.mark.parametrize("first_month, months, valid_until, covered", [
    (1, 12, None, 12),                 # without end
    (1, 12, "2026-12-31", 12),
    (1, 12, "2026-03-15", 3),           # ends in March: covers January to March
    (1, 12, "2025-06-30", 0),           # ended before the year
    (4, 9, "2026-05-31", 2),            # liable from April: April and May
    (None, 0, "2026-05-31", 0),
])
def test_exempt_months(first_month, months, valid_until, covered):
    until = date.fromisoformat(valid_until) if valid_until else None
    assert rules.exempt_months(first_month, months, 2026, until) == covered


@pytest.mark.parametrize("registered_on, earliest", [("2026-03-10", 2019), ("2026-12-31", 2019), ("2030-01-02", 2023)])
def test_limitation_period(registered_on, earliest):
    # § 3a Abs. 2 SächsKAG, § 170 Abs. 2 Nr. 1 AO: 4 years, starting at the latest after the third year
    assert rules.earliest_assessable_year(date.fromisoformat(registered_on)) == earliest


def test_instalments_of_the_coming_year_issued_in_december():
    assert rules.instalments(10800, date(2026, 12, 1), ["02-15", "05-15", "08-15", "11-15"], "P1M", 1, 2027) == [
        {"due_date": f"2027-{m}", "amount_cents": 2700} for m in ("02-15", "05-15", "08-15", "11-15")]


@pytest.fixture
def dog_tax(sessions):
    return DogTax(sessions, EFile(sessions))


# running_year: the year of the start month when the first run day assesses another one (assessed at once)
@pytest.mark.parametrize("month, run_date, due_at, year, catch_up_at, next_month, running_year", [
    ("2026-11", "12-01", "2026-12-01T05:00:00+00:00", 2027, "2027-01-02T05:00:00+00:00", "2027-01", 2026),
    ("2026-12", "12-01", "2026-12-01T05:00:00+00:00", 2027, "2027-01-02T05:00:00+00:00", "2027-01", 2026),
    ("2027-01", "12-01", "2027-12-01T05:00:00+00:00", 2028, "2028-01-02T05:00:00+00:00", "2028-01", 2027),
    ("2027-03", "12-01", "2027-12-01T05:00:00+00:00", 2028, "2028-01-02T05:00:00+00:00", "2028-01", 2027),
    ("2026-11", "01-10", "2027-01-10T05:00:00+00:00", 2027, None, "2027-02", 2026),  # a January run: the same year
    ("2027-01", "01-10", "2027-01-10T05:00:00+00:00", 2027, None, "2027-02", None),  # the run assesses this year
    ("2026-06", "07-15", "2026-07-15T04:00:00+00:00", 2027, "2027-01-02T05:00:00+00:00", "2026-08", 2026),  # summer
])
def test_annual_run_due(dog_tax, month, run_date, due_at, year, catch_up_at, next_month, running_year):
    assert dog_tax.annual_run_due(make_call("dog_tax.annual_run_due", {"month": month, "run_date": run_date})) == {
        "due_at": due_at, "year": year, "catch_up_at": catch_up_at, "next_month": next_month,
        "running_year": running_year}


@pytest.mark.parametrize("issued_on, due_dates, expected", [
    # issued in March for the running year: the share of 15 February is due a month after the Bekanntgabe
    ("2027-03-10", ["02-15", "05-15", "08-15", "11-15"],
     [("2027-04-14", 2700), ("2027-05-15", 2700), ("2027-08-15", 2700), ("2027-11-15", 2700)]),
    # Bekanntgabe on 15 May, the due day itself: that share is not due before the citizen knows of it
    ("2027-05-11", ["02-15", "05-15", "08-15", "11-15"],
     [("2027-06-15", 5400), ("2027-08-15", 2700), ("2027-11-15", 2700)]),
    ("2027-11-20", ["02-15", "05-15", "08-15", "11-15"], [("2027-12-24", 10800)]),  # all past: one payment
])
def test_instalments_of_the_running_year_fall_due_after_the_bekanntgabe(issued_on, due_dates, expected):
    day = date.fromisoformat(issued_on)
    result = rules.instalments(10800, day, due_dates, "P1M", 1, 2027)
    assert [(i["due_date"], i["amount_cents"]) for i in result] == expected
    assert all(date.fromisoformat(i["due_date"]) > rules.bekanntgabe(day) for i in result)


@pytest.mark.parametrize("params", [{"month": "2026-13", "run_date": "12-01"}, {"month": "2026-11", "run_date": "13-01"},
                                    {"month": "26-11", "run_date": "12-01"}])
def test_annual_run_due_refuses_bad_values(dog_tax, params):
    with pytest.raises(InvalidRequest):
        dog_tax.annual_run_due(make_call("dog_tax.annual_run_due", params))


def test_receivables_of_a_notice_are_booked_once_per_claim_whatever_the_call(sessions):
    finance = Finance(sessions)
    items = [{"key": f"hundesteuer-jahr:plauen:{dog}:2027", "amount_cents": 10800, "purpose": f"Hund {dog}",
              "debtor": DEBTOR, "due_date": "2027-02-15"} for dog in (1, 2)]
    first = finance.create_receivables(make_call("finance.create_receivables", {"items": items}))
    again = finance.create_receivables(make_call("finance.create_receivables", {"items": items[::-1]}))
    assert [r["key"] for r in first["receivables"]] == [i["key"] for i in items]
    assert {r["key"]: r["cash_reference"] for r in first["receivables"]} == {
        r["key"]: r["cash_reference"] for r in again["receivables"]}
    assert len({r["cash_reference"] for r in first["receivables"]}) == 2
    assert len(finance.receivables("plauen")) == 2


@pytest.mark.parametrize("items", [
    [{"key": "a", "amount_cents": 100, "purpose": "x", "debtor": DEBTOR}] * 2,  # the same claim twice
    [{"amount_cents": 100, "purpose": "x", "debtor": DEBTOR}],                 # without a key
    [{"key": str(n), "amount_cents": 100, "purpose": "x", "debtor": DEBTOR} for n in range(201)],
    "nicht eine Liste",
])
def test_receivables_refused_without_distinct_keys_or_beyond_the_bound(sessions, items):
    finance = Finance(sessions)
    with pytest.raises(InvalidRequest):
        finance.create_receivables(make_call("finance.create_receivables", {"items": items}))
    assert finance.receivables("plauen") == []
