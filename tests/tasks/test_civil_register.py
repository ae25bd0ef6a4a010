"""Register lookup, §62 entitlement and the retrieval log, on the seeded demo entries."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.operations import InvalidRequest
from tasks.civil_register import CivilRegister
from tasks.civil_register.models import CivregRetrievalLog

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
    assert result == {"status": "not_found", "entry": None, "candidates": [], "blocked": False, "adoption": False}


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
    "relation, decision",
    [
        ("self", "entitled"),
        ("spouse", "entitled"),
        ("partner", "entitled"),
        ("parent", "entitled"),
        ("grandparent", "entitled"),
        ("child", "entitled"),
        ("grandchild", "entitled"),
        ("sibling", "needs_clerk"),
        ("other", "needs_clerk"),
        ("cousin", "needs_clerk"),
    ],
)
def test_entitlement_by_relation(register, relation, decision):
    result = register.check_entitlement(
        make_call("civil_register.check_entitlement", {"relation": relation, "legal_interest": "Erbschein"})
    )
    assert result["decision"] == decision
    assert "PStG" in result["reason"] or relation == "cousin"


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
from datetime import date as _date  # noqa: E402

from tasks.civil_register.entitlement import decide as _decide  # noqa: E402


def test_pstg_62_1_satz_2_sibling_needs_berechtigtes_interesse_for_birth_and_death_only():
    birth = _decide("sibling", "Nachlass", False, False, kind="birth")
    marriage = _decide("sibling", "Nachlass", False, False, kind="marriage")
    assert birth["decision"] == marriage["decision"] == "needs_clerk"
    assert "berechtigtes Interesse" in birth["reason"]
    assert "rechtliches Interesse" in marriage["reason"] and "berechtigtes" not in marriage["reason"]


def test_pstg_62_1_satz_3_age_from_the_birth_date():
    today = _date(2026, 3, 14)
    assert _decide("self", None, False, False, applicant_birth_date=_date(2010, 3, 14), today=today)["decision"] == "entitled"
    young = _decide("self", None, False, False, applicant_birth_date=_date(2010, 3, 15), today=today)
    assert young["decision"] == "needs_clerk" and "§ 62 Abs. 1 Satz 3 PStG" in young["reason"]


def test_pstg_5_5_keeping_period_over_goes_to_the_registrar():
    today = _date(2026, 1, 1)
    assert _decide("self", None, False, False, kind="death", event_date=_date(1996, 1, 2), today=today)["decision"] == "entitled"
    old = _decide("child", None, False, False, kind="death", event_date=_date(1995, 12, 31), today=today)
    assert old["decision"] == "needs_clerk" and "§ 5 Abs. 5 PStG" in old["reason"]
