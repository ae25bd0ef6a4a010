"""The dog tax system: its rules as tables, its operations on both databases."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from engine.operations import InvalidRequest
from tasks.dog_tax import DogTax, rules
from tasks.efile import EFile
from tests.tasks.helpers import make_call

RATES = {"first": 10800, "second": 14400, "further": 18000, "dangerous_first": 42000, "dangerous_further": 84000}
QUARTERS = ["02-15", "05-15", "08-15", "11-15"]


@pytest.mark.parametrize("dangerous, dogs, dangerous_dogs, kind", [
    (False, 0, 0, "first"),
    (False, 1, 0, "second"),
    (False, 2, 0, "further"),
    (False, 5, 1, "further"),
    (False, 1, 1, "second"),  # a dangerous dog counts as a dog
    (True, 0, 0, "dangerous_first"),
    (True, 2, 0, "dangerous_first"),
    (True, 1, 1, "dangerous_further"),
])
def test_rate_kind(dangerous, dogs, dangerous_dogs, kind):
    assert rules.rate_kind(dangerous, dogs, dangerous_dogs) == kind


@pytest.mark.parametrize("held_since, rule, first_month, months", [
    ("2026-03-01", "ab_monat", 3, 10),
    ("2026-03-31", "ab_monat", 3, 10),
    ("2026-03-01", "ab_folgemonat", 4, 9),
    ("2026-01-01", "ab_monat", 1, 12),
    ("2026-12-05", "ab_monat", 12, 1),
    ("2026-12-05", "ab_folgemonat", None, 0),
    ("2025-12-20", "ab_folgemonat", 1, 12),  # from January of the following year: the whole year
    ("2019-07-01", "ab_monat", 1, 12),  # registered late: the current year in full
])
def test_liable_months(held_since, rule, first_month, months):
    assert rules.liable_months(date.fromisoformat(held_since), 2026, rule) == (first_month, months)


def test_unknown_pro_rata_rule_is_refused():
    with pytest.raises(InvalidRequest, match="ab_monat"):
        rules.liable_months(date(2026, 3, 1), 2026, "taeglich")


@pytest.mark.parametrize("annual, months, percent, amount", [
    (10800, 12, 0, 10800),
    (10800, 10, 0, 9000),
    (10800, 9, 0, 8100),
    (10000, 1, 0, 833),  # 833.33 rounds down
    (10000, 5, 0, 4167),  # 4166.67 rounds up
    (10800, 9, 50, 4050),
    (10800, 9, 100, 0),
    (8333, 12, 25, 6250),  # 6249.75 rounds up
])
def test_pro_rata_and_reduction(annual, months, percent, amount):
    assert rules.reduced(rules.pro_rata(annual, months), percent) == amount


# § 122 Abs. 2 Nr. 1 AO / § 41 Abs. 2 VwVfG (as amended 2025): Bekanntgabe on the fourth day after posting;
# no share falls due before it, shares already past are due one month (the setting) after it.
@pytest.mark.parametrize("on, first_month, amount, expected", [
    ("2026-01-10", 1, 10800, [("2026-02-15", 2700), ("2026-05-15", 2700), ("2026-08-15", 2700), ("2026-11-15", 2700)]),
    ("2026-03-10", 4, 8100, [("2026-05-15", 2700), ("2026-08-15", 2700), ("2026-11-15", 2700)]),
    ("2026-05-12", 4, 1000, [("2026-06-16", 334), ("2026-08-15", 333), ("2026-11-15", 333)]),  # 15.05. before Bekanntgabe
    ("2026-09-01", 10, 1001, [("2026-11-15", 1001)]),
    ("2026-11-20", 12, 900, [("2026-12-24", 900)]),  # no due date left: one month after Bekanntgabe (24.11.)
    ("2026-06-10", 1, 10800, [("2026-07-14", 5400), ("2026-08-15", 2700), ("2026-11-15", 2700)]),
    ("2026-03-10", 4, 1000, [("2026-05-15", 334), ("2026-08-15", 333), ("2026-11-15", 333)]),
    ("2026-03-10", 4, 0, []),
])
def test_instalments_fall_due_after_bekanntgabe_par_122_ao_fourth_day(on, first_month, amount, expected):
    result = rules.instalments(amount, date.fromisoformat(on), QUARTERS, "P1M", first_month)
    assert [(i["due_date"], i["amount_cents"]) for i in result] == expected
    assert sum(i["amount_cents"] for i in result) == amount


def test_bekanntgabe_is_the_fourth_day_after_posting_since_2025():
    assert rules.bekanntgabe(date(2026, 3, 10)) == date(2026, 3, 14)


BREEDS = ["American Staffordshire Terrier", {"name": "Bullterrier", "synonyms": ["Bull Terrier"]},
          {"name": "Pit Bull", "synonyms": ["Pitbull", "Pit Bull Terrier"]}]


@pytest.mark.parametrize("breed, listed", [
    ("American Staffordshire Terrier", "American Staffordshire Terrier"),
    ("american-staffordshire-terrier Mischling", "American Staffordshire Terrier"),
    ("Bullterrier", "Bullterrier"),
    ("bull  terrier", "Bullterrier"),  # a synonym of the municipality's list
    ("Pitbull", "Pit Bull"),
    ("Pit-Bull-Terrier-Mix", "Pit Bull"),
    ("Labrador-Pitbull-Mischling", "Pit Bull"),
    ("Labrador x Pit Bull", "Pit Bull"),
    ("Labrador Retriever", None),
    ("Bulldogge", None),
    # Its own breed, not on the Saxon list (SächsGefHundG): a name containing "Bullterrier" is not a Bullterrier.
    ("Staffordshire Bullterrier", None),
    ("Staffordshire-Bullterrier", None),
])
def test_listed_breed_matches_exactly_with_synonyms_saechsgefhundg(breed, listed):
    assert rules.listed_breed(breed, BREEDS) == listed


@pytest.mark.parametrize("iban, valid, message", [
    ("DE89370400440532013000", True, None),
    ("de89 3704 0044 0532 0130 00", True, None),
    ("DE89370400440532013001", False, "IBAN: Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie jede Stelle."),
    ("DE8937040044053201300", False, "IBAN: Die IBAN hat nicht die richtige Länge (in Deutschland 22 Zeichen)."),
    ("XX89370400440532013000", False,
     "IBAN: Die IBAN beginnt nicht mit einem gültigen Länderkennzeichen (z. B. DE)."),
    ("", False, "IBAN: Bitte ausfüllen."),
])
def test_check_iban(iban, valid, message):
    checked = rules.check_iban(iban)
    assert (checked.valid, checked.message) == (valid, message)
    if valid:
        assert checked.iban == "DE89370400440532013000" and checked.bic == "COBADEFFXXX"


def test_household_key_ignores_spelling_of_street_and_case():
    assert rules.household_key("Bahnhofstraße 12", "08523", "2. OG links") == rules.household_key(
        "bahnhofstr. 12", "08523", "2. og, links")
    assert rules.household_key("Bahnhofstraße 12", "08523") != rules.household_key("Bahnhofstraße 14", "08523")
    assert rules.household_key("Bahnhofstraße 12", "08523", "2. OG links") != rules.household_key(
        "Bahnhofstraße 12", "08523", "2. OG rechts")
    # A family placed by the address given never shares a key with a flat of the register.
    assert rules.household_key("Bahnhofstraße 12", "08523", family_name="Neumann") not in {
        rules.household_key("Bahnhofstraße 12", "08523", flat) for flat in (None, "", "Neumann")}


# Operations.

HOLDER = {"given_name": "Erika", "family_name": "Neumann", "street": "Lindenweg 3", "postal_code": "08523",
          "city": "Plauen", "email": "erika@example.org"}
LIST = BREEDS


def register(system, tenant="plauen", name="Bruno", breed="Dackel", holder=HOLDER, **extra):
    params = {"holder": holder, "dog": {"name": name, "breed": breed, "held_since": "2026-03-01",
                                        "born_on": "2025-11-20", "chip_number": "276098106543210"},
              "dangerous_breeds": LIST, **extra}
    return system.register_dog(make_call("dog_tax.register_dog", params, tenant=tenant))


def assess(system, dog, tenant="plauen", **extra):
    params = {"dog_id": dog["dog_id"], "dangerous": dog["dangerous"], "rates": RATES, "pro_rata": "ab_folgemonat",
              "due_dates": QUARTERS, "back_due_period": "P1M", "on": "2026-03-10", **extra}
    return system.assess(make_call("dog_tax.assess", params, tenant=tenant))


def tag(system, assessment, tenant="plauen"):
    return system.issue_tag(make_call("dog_tax.issue_tag", {"assessment_id": assessment["assessment_id"],
                                                            "cash_reference": "KZ-2026-000001"}, tenant=tenant))


def test_register_dog_is_idempotent_and_finds_the_listed_breed(seeded):
    system = DogTax(seeded, EFile(seeded))
    call = make_call("dog_tax.register_dog", {"holder": HOLDER, "dangerous_breeds": LIST, "dog": {
        "name": "Rocky", "breed": "Pitbull-Mischling", "held_since": "2026-03-01"}}, key="same")
    first, again = system.register_dog(call), system.register_dog(call)
    assert first == again
    assert first["listed_breed"] == "Pit Bull" and first["dangerous"] is True
    assert [d["name"] for d in system.dogs("plauen") if d["status"] == "beantragt"] == ["Rocky"]


def test_only_registered_dogs_count_for_the_household(seeded):
    system = DogTax(seeded, EFile(seeded))
    first = register(system)
    second = register(system, name="Paula")
    # Neither is registered yet: both would be the first dog.
    assert assess(system, second)["rate_kind"] == "first"
    tag(system, assess(system, first))
    third = register(system, name="Max")
    assessment = assess(system, third)
    assert (assessment["rate_kind"], assessment["months"], assessment["amount_cents"]) == ("second", 9, 10800)


def residence(flat, street="Goethestraße 7"):
    """What residents.main_residence answers for a holder the register knows."""
    return {"found": True, "street": street, "postal_code": "08523", "city": "Plauen", "flat": flat}


UNKNOWN = {"found": False, "street": None, "postal_code": None, "city": None, "flat": None}
GOETHE = {**HOLDER, "street": "Goethestraße 7"}


# The household is the flat of the main residence (issue 12): the first holder's dog is registered, then the
# second holder registers a dog; which rate is it?
@pytest.mark.parametrize("first, second, kind", [
    # Two flats of one building, a dog each: each is the first dog.
    (({**GOETHE, "family_name": "Neumann"}, residence("1. OG links")),
     ({**GOETHE, "given_name": "Lena", "family_name": "Albrecht"}, residence("2. OG rechts")), "first"),
    # Two persons of one flat with different family names: first and second dog.
    (({**GOETHE, "family_name": "Neumann"}, residence("1. OG links")),
     ({**GOETHE, "given_name": "Lena", "family_name": "Albrecht"}, residence("1. OG links")), "second"),
    # The register knows the holder with the flat; the same family placed by the address given (no date of
    # birth) finds that household.
    (({**GOETHE, "family_name": "Neumann"}, residence("1. OG links")),
     ({**GOETHE, "given_name": "Lena"}, UNKNOWN), "second"),
    # Unknown to the register: the address given and the family name, never the building.
    (({**GOETHE, "family_name": "Neumann"}, UNKNOWN), ({**GOETHE, "given_name": "Lena"}, UNKNOWN), "second"),
    (({**GOETHE, "family_name": "Neumann"}, UNKNOWN),
     ({**GOETHE, "given_name": "Lena", "family_name": "Albrecht"}, UNKNOWN), "first"),
    (({**GOETHE, "family_name": "Neumann"}, residence("1. OG links")),
     ({**GOETHE, "given_name": "Lena", "family_name": "Albrecht"}, UNKNOWN), "first"),
    # The register decides over the address given: registered in another flat elsewhere, not this household.
    (({**GOETHE, "family_name": "Neumann"}, UNKNOWN),
     ({**GOETHE, "given_name": "Lena"}, residence("EG", street="Lindenweg 3")), "first"),
])
def test_the_household_is_the_flat_of_the_main_residence(seeded, first, second, kind):
    system = DogTax(seeded, EFile(seeded))
    (holder, home), (other, other_home) = first, second
    tag(system, assess(system, register(system, holder=holder, main_residence=home)))
    dog = register(system, name="Paula", holder=other, main_residence=other_home)
    assert assess(system, dog)["rate_kind"] == kind


@pytest.mark.parametrize("flat, kinds", [("2. OG rechts", ["first", "first"]), ("1. OG links", ["first", "second"])])
def test_the_yearly_run_counts_the_dogs_of_the_flat(seeded, flat, kinds):
    system = DogTax(seeded, EFile(seeded))
    holders = []
    for name, family, home in (("Bruno", "Neumann", "1. OG links"), ("Paula", "Albrecht", flat)):
        dog = register(system, name=name, holder={**GOETHE, "family_name": family}, main_residence=residence(home))
        tag(system, assess(system, dog))
        holders.append(dog["holder_id"])
    params = {"year": 2027, "rates": RATES, "pro_rata": "ab_folgemonat", "due_dates": QUARTERS,
              "back_due_period": "P1M", "on": "2026-12-01"}
    run = [system.assess_year(make_call("dog_tax.assess_year", {**params, "holder_id": holder})) for holder in holders]
    assert [r["assessments"][0]["rate_kind"] for r in run] == kinds


def test_tags_are_numbered_per_tenant(seeded):
    system = DogTax(seeded, EFile(seeded))
    holder = {**HOLDER, "postal_code": "01234", "city": "Musterstadt"}
    plauen = tag(system, assess(system, register(system)))
    musterstadt = tag(system, assess(system, register(system, "musterstadt", holder=holder), "musterstadt"),
                      "musterstadt")
    assert plauen["tag_number"] == "00002"  # after Bello
    assert musterstadt["tag_number"] == "00003"  # after Rex and Luna
    assert [d["status"] for d in system.dogs("plauen") if d["dog_id"] == plauen["dog_id"]] == ["angemeldet"]


def test_exemption_decisions_set_the_amount(seeded):
    system = DogTax(seeded, EFile(seeded))
    dog = register(system)
    exempt = assess(system, dog, exemption={"kind": "blindenfuehrhund", "decision": "befreiung", "reason": "Bl"})
    halved = assess(system, dog, exemption={"kind": "huetehund", "decision": "ermaessigung", "percent": 50})
    refused = assess(system, dog, exemption={"kind": "jagdhund", "decision": "abgelehnt", "reason": "kein Jagdschein"})
    assert [a["amount_cents"] for a in (exempt, halved, refused)] == [0, 4050, 8100]
    assert exempt["instalments"] == [] and exempt["first_due_date"] is None
    with pytest.raises(InvalidRequest):
        assess(system, dog, exemption={"decision": "vielleicht"})


def test_invalid_iban_stores_no_mandate(seeded):
    system = DogTax(seeded, EFile(seeded))
    dog = register(system)
    params = {"holder_id": dog["holder_id"], "account_holder": "Erika Neumann", "signed_on": "2026-03-10"}
    refused = system.record_mandate(make_call("dog_tax.record_mandate", {**params, "iban": "DE89370400440532013001"}))
    assert refused["valid"] is False and "Prüfziffer" in refused["message"] and refused["reference"] is None
    accepted = system.record_mandate(make_call("dog_tax.record_mandate", {**params, "iban": "DE89370400440532013000"}))
    assert accepted["valid"] is True and accepted["reference"] == "HUNDESTEUER-000001"  # the refused one used none
    assessment = assess(system, dog, mandate_reference=accepted["reference"])
    assert assessment["mandate_reference"] == "HUNDESTEUER-000001"


def test_rejected_dog_stays_out_of_the_count(seeded):
    system = DogTax(seeded, EFile(seeded))
    dog = register(system, breed="Bullterrier")
    result = system.reject_registration(make_call("dog_tax.reject_registration",
                                                  {"dog_id": dog["dog_id"], "reason": "keine Erlaubnis"}))
    assert result["status"] == "abgelehnt"
    assert assess(system, register(system, name="Paula"))["rate_kind"] == "first"


def test_render_notice_files_the_steuerbescheid_with_tag_and_amount(seeded):
    system, efile = DogTax(seeded, EFile(seeded)), EFile(seeded)
    file_number = efile.open_file(make_call("efile.open_file", {"plan_code": "963.1", "subject": "Hundesteuer"}))[
        "file_number"]
    assessment = assess(system, register(system))
    tag(system, assessment)
    params = {"assessment_id": assessment["assessment_id"], "file_number": file_number, "case_number": "HS-2026-TEST",
              "applicant": {"name": "Erika Neumann", "street": "Lindenweg 3", "postal_code": "08523", "city": "Plauen"},
              "municipality": {"name": "Stadt Plauen", "office": "Steuerverwaltung", "street": "Unterer Graben 1",
                               "postal_code": "08523", "city": "Plauen"}}
    call = make_call("dog_tax.render_notice", params, key="notice")
    document = system.render_notice(call)
    assert system.render_notice(call) == document  # a retry renders nothing new
    pdf = efile.document("plauen", document["document_id"])["content"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in ("Steuermarke Nr. 00002", "81,00 €", "KZ-2026-000001", "15.05.2026", "HS-2026-TEST"):
        assert expected in text, expected


# Deregistration (Abmeldung).

@pytest.mark.parametrize("first_month, months, year, held_until, rule, expected", [
    (4, 9, 2026, "2026-07-20", "bis_monatsende", (7, 4)),  # April to July
    (4, 9, 2026, "2026-07-20", "bis_vormonat", (6, 3)),
    (4, 9, 2026, "2026-04-01", "bis_monatsende", (4, 1)),  # ended in its first month: that month is owed
    (4, 9, 2026, "2026-04-30", "bis_vormonat", (None, 0)),
    (4, 9, 2026, "2026-03-05", "bis_monatsende", (None, 0)),  # ended before the tax began
    (1, 12, 2026, "2026-12-31", "bis_monatsende", (12, 12)),
    (1, 12, 2026, "2026-01-31", "bis_monatsende", (1, 1)),
    (1, 12, 2026, "2027-01-10", "bis_monatsende", (12, 12)),  # ended the next year: this year in full
    (1, 12, 2027, "2027-01-10", "bis_vormonat", (None, 0)),  # ... and nothing of the next
    (1, 12, 2026, "2025-12-31", "bis_monatsende", (None, 0)),  # ended the year before
    (12, 1, 2026, "2026-12-02", "bis_monatsende", (12, 1)),
    (None, 0, 2026, "2026-07-20", "bis_monatsende", (None, 0)),  # nothing was assessed
])
def test_months_until_end_of_keeping(first_month, months, year, held_until, rule, expected):
    assert rules.months_until(first_month, months, year, date.fromisoformat(held_until), rule) == expected


def test_unknown_end_rule_is_refused():
    with pytest.raises(InvalidRequest, match="bis_monatsende"):
        rules.months_until(4, 9, 2026, date(2026, 7, 1), "taeglich")


@pytest.mark.parametrize("amounts, reduction, paid, expected", [
    ([2700, 2700, 2700], 4500, 0, [2700, 900]),  # the reduction comes off the last instalments
    ([2700, 2700, 2700], 3600, 2700, [1800]),  # what was paid off the first
    ([2700, 2700, 2700], 4500, 5400, []),  # paid beyond the new amount: nothing open (a refund)
    ([2700, 2700, 2700], 0, 0, [2700, 2700, 2700]),
    ([4050, 2025, 2025], 8100, 0, []),  # nothing owed any more
    ([], 0, 0, []),
])
def test_open_instalments_after_a_reduction(amounts, reduction, paid, expected):
    instalments = [{"due_date": f"2026-{month:02d}-15", "amount_cents": a} for month, a in zip((5, 8, 11), amounts)]
    assert [i["amount_cents"] for i in rules.open_instalments(instalments, reduction, paid)] == expected


def registered_bruno(system):
    assessment = assess(system, register(system))
    tag(system, assessment)
    return assessment


def deregister(system, held_until="2026-07-20", holder=HOLDER, key=None, tag_number="00002"):
    call = make_call("dog_tax.deregister_dog", {
        "tag_number": tag_number, "holder": holder, "held_until": held_until, "reason": "tod"}, key=key)
    call.extra["now"] = "2027-01-10T09:00:00+00:00"  # the engine's clock
    return system.deregister_dog(call)


@pytest.mark.parametrize("rule, percent, held_until, corrected", [
    ("bis_monatsende", 0, "2026-07-20", 3600),  # 108,00 € a year: April to July
    ("bis_vormonat", 0, "2026-07-20", 2700),
    ("bis_monatsende", 50, "2026-07-20", 1800),  # the reduction applies to the new amount too
    ("bis_monatsende", 0, "2026-12-31", 8100),  # kept to the year's end: nothing changes
    ("bis_monatsende", 0, "2026-03-15", 0),
])
def test_deregistration_corrects_the_year_pro_rata(seeded, rule, percent, held_until, corrected):
    system = DogTax(seeded, EFile(seeded))
    exemption = {"kind": "huetehund", "decision": "ermaessigung", "percent": percent} if percent else None
    assessment = assess(system, register(system), exemption=exemption)
    tag(system, assessment)
    dog = deregister(system, held_until)
    call = make_call("dog_tax.correct_assessment", {"dog_id": dog["dog_id"], "end_rule": rule})
    result = system.correct_assessment(call)
    assert (result["amount_cents"], result["corrected_cents"]) == (assessment["amount_cents"], corrected)
    assert result["difference_cents"] == assessment["amount_cents"] - corrected
    assert result["cash_reference"] == "KZ-2026-000001"
    assert system.correct_assessment(call) == result  # corrected once
    assert [d["held_until"] for d in system.dogs("plauen") if d["dog_id"] == dog["dog_id"]] == [held_until]


def test_deregistration_is_refused_for_another_holder_a_future_day_or_a_day_before_registration(seeded):
    system = DogTax(seeded, EFile(seeded))
    registered_bruno(system)
    stranger = {**HOLDER, "given_name": "Jonas", "family_name": "Beispiel", "street": "Bahnhofstraße 12"}
    for holder, held_until, tag_number, message in (
            (stranger, "2026-07-20", "00002", "kein Hund auf Ihren Namen"),
            (HOLDER, "2026-07-20", "00001", "kein Hund auf Ihren Namen"),  # Bello is not Erika's
            (HOLDER, "2027-01-11", "00002", "nicht in der Zukunft"),
            (HOLDER, "2026-02-28", "00002", "nicht vor ihrem Beginn")):
        with pytest.raises(InvalidRequest, match=message):
            deregister(system, held_until, holder=holder, tag_number=tag_number)
    assert {d["status"] for d in system.dogs("plauen")} == {"angemeldet"}
    first = deregister(system, key="once")
    assert deregister(system, key="again") == first  # delivered again
    with pytest.raises(InvalidRequest, match="bereits zum 20.07.2026 abgemeldet"):
        deregister(system, "2026-07-21")


def test_replacement_tag_takes_the_next_number_and_invalidates_the_old_one(seeded):
    system = DogTax(seeded, EFile(seeded))
    registered_bruno(system)
    call = make_call("dog_tax.replace_tag", {"tag_number": "00002", "holder": HOLDER, "reason": "verloren"})
    replaced = system.replace_tag(call)
    assert system.replace_tag(call) == replaced  # delivered again: one tag
    assert (replaced["old_tag"], replaced["tag_number"]) == ("00002", "00003")
    assert system.replacement_refusal("plauen", "00002", HOLDER)[0] == "tag_number"  # the old tag is invalid
    assert system.replacement_refusal("plauen", "00003", HOLDER) is None
    with pytest.raises(InvalidRequest, match="kein Hund auf Ihren Namen"):
        system.replace_tag(make_call("dog_tax.replace_tag", {"tag_number": "00002", "holder": HOLDER,
                                                             "reason": "verloren"}))
    deregister(system, tag_number="00003")
    assert "keine Ersatzmarke" in system.replacement_refusal("plauen", "00003", HOLDER)[1]
