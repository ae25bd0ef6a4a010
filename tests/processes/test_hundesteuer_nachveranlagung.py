"""Late registration: Erika registers on 10 March 2026 a dog she has kept since an earlier year. The earlier
years are assessed back to the month keeping began (Plauen: from the month after), as far as the limitation
period allows (§ 3a Abs. 2 SächsKAG with § 170 Abs. 2 Nr. 1 AO: 2019 is the earliest year in 2026), on the
one Steuerbescheid of the registration, each year with its own receivable, due one month after the
Bekanntgabe (14 March 2026)."""
from datetime import UTC, datetime

import pytest

from engine.clock import ManualClock
from tests.processes.test_hundesteuer import anmeldung, notice_text, submit


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def tax_office(office):
    return office.deploy("hundesteuer")


@pytest.mark.parametrize("held_since, back_years", [
    # kept since June 2021: July to December 2021, then whole years
    ("2021-06-15", {2021: (6, 5400), 2022: (12, 10800), 2023: (12, 10800), 2024: (12, 10800), 2025: (12, 10800)}),
    # kept since 2017: 2017 and 2018 are time-barred
    ("2017-05-01", {year: (12, 10800) for year in range(2019, 2026)}),
    # taken in November 2025: December 2025 only
    ("2025-11-10", {2025: (1, 900)}),
    # taken this year: nothing to assess back
    ("2026-01-05", {}),
])
def test_a_dog_kept_since_an_earlier_year_is_assessed_back_on_one_notice(tax_office, held_since, back_years):
    case_number = submit(tax_office, anmeldung(gehalten_seit=held_since, wurftag="2016-01-01"))
    assessment = tax_office.variables(case_number)["festsetzung"]
    assert {b["year"]: (b["months"], b["amount_cents"]) for b in assessment["back_years"]} == back_years
    assert assessment["year"] == 2026 and assessment["amount_cents"] == (10800 if held_since < "2026" else 9900)

    receivables = tax_office.cases.finance.receivables("plauen")
    back = [r for r in receivables if "nachveranlagt" in r["purpose"]]
    assert sorted(r["amount_cents"] for r in back) == sorted(amount for _, amount in back_years.values())
    assert all(r["due_date"] == "2026-04-14" for r in back)
    booked = tax_office.variables(case_number).get("forderungen_nachveranlagung") or {"receivables": []}
    assert {b["cash_reference"] for b in booked["receivables"]} == {r["cash_reference"] for r in back}

    efile = tax_office.system("efile")
    documents = efile.documents("plauen", efile.file_for_case("plauen", case_number)["file_number"])
    assert [d["kind"] for d in documents].count("bescheid") == 1
    text = notice_text(tax_office, case_number)
    if back_years:
        assert "Festsetzung für frühere Jahre (Nachveranlagung)" in text and "14.04.2026" in text
        assert "am vierten Tag nach der Aufgabe zur Post" in text
        for year in back_years:
            assert f"bis Dezember {year}" in text
        assert "bis Dezember 2018" not in text
    else:
        assert "Nachveranlagung" not in text
