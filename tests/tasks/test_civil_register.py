"""Register lookup, §62 entitlement and the retrieval log, on the seeded demo entries."""
from __future__ import annotations

import json
from datetime import date as _date

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.operations import InvalidRequest
from tasks.civil_register import CivilRegister
from tasks.civil_register.entitlement import decide as _decide
from tasks.civil_register.identity import MATCHED
from tasks.civil_register.models import CivregPerson, CivregRetrievalLog
from tasks.documents.contexts import certificate

from .helpers import make_call


@pytest.fixture
def register(seeded):
    return CivilRegister(seeded)


def lookup(register, tenant="plauen", **params):
    return register.lookup_entry(make_call("civil_register.lookup_entry", params, tenant=tenant))


def test_found_birth_entry(register):
    result = lookup(register, kind="birth", family_name="Mustermann", given_names="Erika", event_date="1990-03-14")
    assert result["status"] == "found"
    assert result["candidates"] == []
    assert (result["blocked"], result["adoption"]) == (False, False)
    entry = result["entry"]
    assert entry["register_number"] == "G 412/1990"
    assert entry["registry_office"] == "plauen"
    assert entry["event_place"] == "Plauen"
    roles = {p["role"]: p for p in entry["persons"]}
    assert set(roles) == {"child", "mother", "father"}
    assert roles["child"]["given_names"] == "Erika Maria"
    assert roles["mother"]["birth_name"] == "Gabler"
    json.dumps(result)  # goes into process variables


def test_matching_is_case_insensitive(register):
    result = lookup(register, kind="birth", family_name="MUSTERMANN", given_names="erika maria",
                    event_date="1990-03-14", event_place="plauen")
    assert result["status"] == "found"


def test_birth_name_finds_entry_under_former_name(register):
    result = lookup(register, kind="Geburtsurkunde", family_name="Beispiel", birth_name="Mustermann",
                    given_names="Erika", event_date="1990-03-14")
    assert result["status"] == "found"
    assert result["entry"]["register_number"] == "G 412/1990"


def test_marriage_found_by_spouse_birth_name(register):
    result = lookup(register, kind="marriage", family_name="Mustermann", birth_name="Gabler", given_names="Anna",
                    event_date="1988-09-10")
    assert result["status"] == "found"
    assert result["entry"]["register_number"] == "E 45/1988"


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "birth", "family_name": "Mustermann", "given_names": "Erika", "event_date": "1990-03-15"},
        {"kind": "birth", "family_name": "Mustermann", "given_names": "Lisa", "event_date": "1990-03-14"},
        {"kind": "death", "family_name": "Mustermann", "given_names": "Erika", "event_date": "1990-03-14"},
        {"kind": "birth", "family_name": "Mustermann", "given_names": "Erika", "event_date": "1990-03-14",
         "event_place": "Zwickau"},
        {"kind": "birth", "family_name": "Mustermann", "birth_name": "Gabler", "given_names": "Erika",
         "event_date": "1990-03-14"},
    ],
)
def test_not_found(register, params):
    result = lookup(register, **params)
    assert result == {"status": "not_found", "entry": None, "candidates": [], "blocked": False, "adoption": False,
                      "last_participant_death": None}


def test_two_matching_entries_are_ambiguous(register):
    result = lookup(register, kind="birth", family_name="Platzhalter", given_names="Paul", event_date="1985-05-05")
    assert result["status"] == "ambiguous"
    assert result["entry"] is None
    assert sorted(c["register_number"] for c in result["candidates"]) == ["G 501/1985", "G 502/1985"]


def test_register_number_is_decisive(register):
    result = lookup(register, kind="birth", family_name="Platzhalter", given_names="Paul", event_date="1985-05-05",
                    register_number="g 0502 / 1985")
    assert result["status"] == "found"
    assert result["entry"]["register_number"] == "G 502/1985"
    assert {p["given_names"] for p in result["entry"]["persons"] if p["role"] == "mother"} == {"Petra"}


def test_register_number_needs_the_family_name(register):
    result = lookup(register, kind="birth", family_name="Fremd", register_number="G 412/1990")
    assert result["status"] == "not_found"


def test_blocked_entry(register):
    result = lookup(register, kind="birth", family_name="Verborgen", given_names="Klara", event_date="2001-08-19")
    assert result["status"] == "found"
    assert result["blocked"] is True
    assert result["entry"]["blocked"] is True


def test_adoption_entry(register):
    result = lookup(register, kind="birth", family_name="Wahlmann", given_names="Noah", event_date="2008-01-23")
    assert result["status"] == "found"
    assert result["adoption"] is True
    assert result["blocked"] is False


def test_partnership_and_death(register):
    assert lookup(register, kind="partnership", family_name="Probe", given_names="Tobias",
                  event_date="2009-08-14")["entry"]["register_number"] == "L 12/2009"
    assert lookup(register, kind="Sterbeurkunde", family_name="Mustermann", given_names="Max",
                  event_date="2021-02-08")["entry"]["register_number"] == "S 233/2021"


def test_unknown_kind_is_rejected(register):
    with pytest.raises(InvalidRequest):
        lookup(register, kind="taufurkunde", family_name="Mustermann")


def test_every_retrieval_is_logged(register, seeded):
    call = make_call("civil_register.lookup_entry",
                     {"kind": "birth", "family_name": "Platzhalter", "given_names": "Paul", "event_date": "1985-05-05",
                      "purpose": "Eheschließung"},
                     business_key="STA-2026-0042", instance_id="inst-42")
    register.lookup_entry(call)
    lookup(register, kind="birth", family_name="Niemand", event_date="2000-01-01")
    with transaction(seeded) as session:
        rows = session.scalars(select(CivregRetrievalLog).order_by(CivregRetrievalLog.id)).all()
    assert [r.result_status for r in rows] == ["ambiguous", "not_found"]
    first = rows[0]
    assert (first.tenant, first.operation, first.purpose) == ("plauen", "lookup_entry", "Eheschließung")
    assert (first.business_key, first.instance_id) == ("STA-2026-0042", "inst-42")
    assert json.loads(first.query_summary)["family_name"] == "Platzhalter"
    assert first.at is not None
    assert rows[1].purpose == "Urkundenantrag"


@pytest.mark.parametrize(
    "relation, fragment",
    [
        ("self", "nicht durch die Anmeldung bestätigt"),
        ("spouse", "nicht durch die Anmeldung bestätigt"),
        ("partner", "nicht durch die Anmeldung bestätigt"),
        ("parent", "nicht durch die Anmeldung bestätigt"),
        ("child", "nicht durch die Anmeldung bestätigt"),
        ("grandparent", "Großeltern und Enkelkinder"),
        ("grandchild", "Großeltern und Enkelkinder"),
        ("sibling", "§ 62 Abs. 1 Satz 2 PStG"),
        ("other", "§ 62 Abs. 1 Satz 2 PStG"),
        ("cousin", "unbekannt"),
    ],
)
def test_a_relation_the_register_does_not_prove_goes_to_the_clerk(register, relation, fragment):
    result = register.check_entitlement(
        make_call("civil_register.check_entitlement", {"relation": relation, "legal_interest": "Erbschein"})
    )
    assert result["decision"] == "needs_clerk"
    assert fragment in result["reason"]


@pytest.mark.parametrize(
    "flags, fragment",
    [
        ({"blocked": True}, "Sperrvermerk"),
        ({"adoption": True}, "Annahme als Kind"),
        ({"applicant_age": 15}, "16. Lebensjahr"),
    ],
)
def test_entitled_relation_still_needs_clerk(register, flags, fragment):
    result = register.check_entitlement(make_call("civil_register.check_entitlement", {"relation": "self", **flags}))
    assert result["decision"] == "needs_clerk"
    assert fragment in result["reason"]


def test_sibling_without_interest_is_noted(register):
    result = register.check_entitlement(make_call("civil_register.check_entitlement", {"relation": "sibling"}))
    assert result["decision"] == "needs_clerk"
    assert "berechtigtes Interesse" in result["reason"]
    assert "nicht dargelegt" in result["reason"]


def test_entitlement_reads_flags_from_the_register(register, seeded):
    blocked = lookup(register, kind="birth", family_name="Verborgen", given_names="Klara", event_date="2001-08-19")
    call = make_call("civil_register.check_entitlement", {"relation": "self", "entry_id": blocked["entry"]["id"]})
    result = register.check_entitlement(call)
    assert result["decision"] == "needs_clerk"
    assert "Sperrvermerk" in result["reason"]
    with transaction(seeded) as session:
        operations = session.scalars(select(CivregRetrievalLog.operation).order_by(CivregRetrievalLog.id)).all()
    assert operations == ["lookup_entry", "check_entitlement"]


# § 62 PStG as the law words it.
TODAY = _date(2026, 3, 14)


@pytest.mark.parametrize("relation, kind, interest, born, last_death, decision, fragment", [
    # § 62 Abs. 1 Satz 1: the person concerned, spouses, partners, ancestors and descendants.
    ("self", "birth", None, _date(1990, 3, 14), None, "entitled", "§ 62 Abs. 1 Satz 1"),
    ("spouse", "marriage", None, None, None, "entitled", "Ehegatten"),
    ("partner", "partnership", None, None, None, "entitled", "Lebenspartner"),
    ("parent", "birth", None, None, None, "entitled", "Vorfahren"),
    ("child", "death", None, None, None, "entitled", "Abkömmlinge"),
    # Grandparents and grandchildren are entitled too, but one entry does not show it: the registrar checks.
    ("grandparent", "birth", None, None, None, "needs_clerk", "Großeltern und Enkelkinder"),
    ("grandchild", "death", None, None, None, "needs_clerk", "Großeltern und Enkelkinder"),
    # § 62 Abs. 1 Satz 2: others need a legal interest; a sibling of the child or of the deceased a justified one.
    ("other", "birth", "Erbschein", None, None, "needs_clerk", "rechtliches Interesse"),
    ("sibling", "birth", "Erbschein", None, None, "needs_clerk", "berechtigtes Interesse"),
    ("sibling", "death", "Erbschein", None, None, "needs_clerk", "berechtigtes Interesse"),
    ("sibling", "marriage", "Erbschein", None, None, "needs_clerk", "rechtliches Interesse"),
    ("other", "birth", None, None, None, "needs_clerk", "nicht dargelegt"),
    # § 62 Abs. 1 Satz 3: "über 16 Jahre alte Personen", the age from the applicant's birth date.
    ("self", "birth", None, _date(2010, 3, 14), None, "entitled", "§ 62 Abs. 1 Satz 1"),
    ("self", "birth", None, _date(2010, 3, 15), None, "needs_clerk", "§ 62 Abs. 1 Satz 3"),
    # § 62 Abs. 3: 30 years after the death of the last participant a justified interest suffices.
    ("other", "birth", "Familienforschung", None, _date(1996, 3, 14), "needs_clerk", "§ 62 Abs. 3"),
    ("other", "marriage", "Familienforschung", None, _date(1996, 3, 14), "needs_clerk", "§ 62 Abs. 3"),
    ("other", "birth", "Familienforschung", None, _date(1996, 3, 15), "needs_clerk", "rechtliches Interesse"),
    ("other", "death", "Familienforschung", None, _date(1980, 1, 1), "needs_clerk", "rechtliches Interesse"),
])
def test_pstg_62_entitlement(relation, kind, interest, born, last_death, decision, fragment):
    result = _decide(relation, interest, False, False, kind=kind, applicant_birth_date=born,
                     last_participant_death=last_death, today=TODAY, identity=MATCHED)
    assert result["decision"] == decision
    assert fragment in result["reason"]
    if fragment == "§ 62 Abs. 3":
        assert "berechtigtes Interesse genügt" in result["reason"] and "rechtliches" not in result["reason"]


def test_pstg_5_5_keeping_period_over_goes_to_the_registrar():
    today = _date(2026, 1, 1)
    assert _decide("child", None, False, False, kind="death", event_date=_date(1996, 1, 2), today=today,
                   identity=MATCHED)["decision"] == "entitled"
    old = _decide("child", None, False, False, kind="death", event_date=_date(1995, 12, 31), today=today,
                  identity=MATCHED)
    assert old["decision"] == "needs_clerk" and "§ 5 Abs. 5 PStG" in old["reason"]


def test_pstg_62_3_last_participant_death_from_the_deaths_noted_on_the_entry(register):
    all_dead = lookup(register, kind="birth", family_name="Altmann", given_names="Hedwig", event_date="1937-05-09")
    assert all_dead["last_participant_death"] == "1994-06-30"  # child 1994, mother 1979, father 1961
    # Max (2021) and his mother Hilde (2019) died, his father Otto is not known to have died.
    assert lookup(register, kind="birth", family_name="Mustermann", given_names="Max",
                  event_date="1958-07-30")["last_participant_death"] is None
    call = make_call("civil_register.check_entitlement", {"relation": "other", "legal_interest": "Familienforschung",
                                                          "kind": "birth", "entry_id": all_dead["entry"]["id"]})
    assert "§ 62 Abs. 3 PStG" in register.check_entitlement(call)["reason"]


def test_entries_carry_what_the_certificates_need(register):
    birth = lookup(register, kind="birth", family_name="Mustermann", given_names="Erika", event_date="1990-03-14")
    child = next(p for p in birth["entry"]["persons"] if p["role"] == "child")
    assert (child["sex"], child["place_of_birth"]) == ("female", "Plauen")
    marriage = lookup(register, kind="marriage", family_name="Beispiel", given_names="Jonas",
                      second_family_name="Beispiel", second_given_names="Erika", event_date="2015-06-20")
    assert [(p["given_names"], p["date_of_birth"], p["place_of_birth"]) for p in marriage["entry"]["persons"]] == [
        ("Jonas", "1988-12-01", "Zwickau"), ("Erika Maria", "1990-03-14", "Plauen")]
    death = lookup(register, tenant="musterstadt", kind="death", family_name="Probemann", given_names="Gisela",
                   event_date="2022-03-15")["entry"]
    [deceased] = death["persons"]
    assert (death["event_time"], deceased["last_residence"], deceased["marital_status"]) == (
        "06:05", "Musterstadt", "widowed")
    diverse = lookup(register, tenant="musterstadt", kind="birth", family_name="Exempel", given_names="Kim",
                     event_date="2021-04-01")["entry"]
    assert next(p["sex"] for p in diverse["persons"] if p["role"] == "child") == "diverse"


def test_marriage_lookup_needs_the_other_spouse_to_fit(register):
    params = {"kind": "marriage", "family_name": "Probemann", "given_names": "Jan", "event_date": "2018-05-26"}
    assert lookup(register, tenant="musterstadt", **params, second_family_name="Fiktiva",
                  second_given_names="Mara")["status"] == "found"  # found under her birth name
    assert lookup(register, tenant="musterstadt", **params, second_family_name="Probemann",
                  second_given_names="Gisela")["status"] == "not_found"


@pytest.mark.parametrize("attribute, value", [("sex", "weiblich"), ("sex", "x"), ("marital_status", "verlobt")])
def test_pstg_22_3_only_the_codes_the_register_knows(attribute, value):
    with pytest.raises(ValueError):
        CivregPerson(**{attribute: value})


def test_pstg_57_a_marriage_certificate_is_not_made_with_one_spouse(register):
    entry = lookup(register, kind="marriage", family_name="Beispiel", given_names="Jonas", event_date="2015-06-20",
                   second_family_name="Beispiel", second_given_names="Erika")["entry"]
    municipality = {"name": "Plauen", "office": "Standesamt Plauen", "street": "Unterer Graben 1",
                    "postal_code": "08523", "city": "Plauen"}
    assert [p["given_names"] for p in certificate({"kind": "marriage", "entry": entry}, municipality)["persons"]] == [
        "Jonas", "Erika Maria"]
    with pytest.raises(InvalidRequest, match="2 Person"):
        certificate({"kind": "marriage", "entry": {**entry, "persons": entry["persons"][:1]}}, municipality)


# Identity match (tasks.civil_register.identity): the login's vouched-for person against the entry's persons.
ERIKA = {"trust_level": "substanziell", "given_name": "Erika Maria", "family_name": "Beispiel",
         "birth_name": "Mustermann", "birth_date": "1990-03-14"}
JAN = {"trust_level": "hoch", "given_name": "Jan", "family_name": "Probemann", "birth_date": "1990-03-14"}
JONAS = {"trust_level": "substanziell", "given_name": "Jonas", "family_name": "Beispiel", "birth_date": "1988-12-01"}
ERIKAS_BIRTH = ("plauen", "birth", "Mustermann", "Erika", "1990-03-14")
LENAS_BIRTH = ("plauen", "birth", "Beispiel", "Lena", "2016-11-02")
BERNDS_DEATH = ("musterstadt", "death", "Probemann", "Bernd", "2020-12-03")


@pytest.mark.parametrize("entry, relation, applicant, identity", [
    (ERIKAS_BIRTH, "self", ERIKA, "matched"),
    (LENAS_BIRTH, "parent", ERIKA, "matched"),  # Erika is the mother in Lena's birth entry
    (LENAS_BIRTH, "parent", JONAS, "matched"),  # Jonas the father
    (BERNDS_DEATH, "child", JAN, "matched"),  # Jan's birth entry names the deceased Bernd as his father
    (ERIKAS_BIRTH, "spouse", JONAS, "matched"),  # their marriage entry names both
    (ERIKAS_BIRTH, "self", {**ERIKA, "given_name": "Erika"}, "not_matched"),  # given names differ
    (ERIKAS_BIRTH, "self", {**ERIKA, "family_name": "Beispiel", "birth_name": None}, "not_matched"),  # name differs
    (ERIKAS_BIRTH, "self", {**ERIKA, "birth_date": "1990-03-15"}, "not_matched"),  # birth date differs
    (ERIKAS_BIRTH, "parent", JONAS, "not_matched"),  # not Erika's father
    (BERNDS_DEATH, "child", {**JAN, "given_name": "Emil"}, "not_matched"),  # Emil is Bernd's grandson
    (ERIKAS_BIRTH, "self", {**ERIKA, "trust_level": "basis"}, "unverified"),  # typed in, not vouched for
    (ERIKAS_BIRTH, "self", None, "unverified"),  # no sign-in (counter, letter)
    (ERIKAS_BIRTH, "self", {**ERIKA, "birth_date": None}, "unverified"),  # the account has no birth date
])
def test_identity_from_the_login_is_matched_against_the_entrys_persons(register, entry, relation, applicant, identity):
    tenant, kind, family_name, given_names, event_date = entry
    found = lookup(register, tenant, kind=kind, family_name=family_name, given_names=given_names, event_date=event_date)
    call = make_call("civil_register.check_entitlement", {"relation": relation, "kind": kind, "applicant": applicant,
                                                          "entry_id": found["entry"]["id"]}, tenant=tenant)
    result = register.check_entitlement(call)
    assert result["identity"] == identity
    assert result["decision"] == ("entitled" if identity == "matched" else "needs_clerk")
    assert ("ergibt sich aus dem Register" in result["reason"]) == (identity == "matched")


def test_identity_match_stays_in_the_tenants_register(register):
    # Jan's birth entry is Musterstadt's; Plauen's register does not prove him a child of anyone.
    found = lookup(register, "plauen", kind="death", family_name="Mustermann", given_names="Max", event_date="2021-02-08")
    call = make_call("civil_register.check_entitlement", {"relation": "child", "kind": "death", "applicant": JAN,
                                                          "entry_id": found["entry"]["id"]})
    assert register.check_entitlement(call)["identity"] == "not_matched"
