"""The trade register (Gewerberegister) as a specialist system: a registration creates the
business entry, a change or closure must fit it, partnerships keep every person, register
retrievals are logged and the log is deleted after six months (§ 14 Abs. 11 GewO)."""
from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from engine.operations import InvalidRequest
from tasks.trade import Trade
from tests.processes.test_gewerbe import follow_up, notice
from tests.tasks.helpers import make_call

PLAUEN = "14523319"
PARTNER = {"funktion": "gesellschafter", "familienname": "Weber", "vornamen": "Jonas", "geschlecht": "maennlich",
           "geburtsdatum": "1985-09-12", "geburtsort": "Leipzig", "geburtsland": "Deutschland",
           "staatsangehoerigkeit": "000", "strasse": "Bahnhofstraße", "hausnummer": "3", "plz": "08523",
           "ort": "Plauen"}


def record(system, data, case_number="GW-2026-000001", tenant="plauen", ags=PLAUEN, key=None):
    return system.record_notice(make_call("trade.record_notice", {
        "notice": data, "case_number": case_number, "received_on": "2026-04-20", "ags": ags}, tenant=tenant, key=key))


def check(system, data, tenant="plauen", ags=PLAUEN):
    return system.check_reference(make_call("trade.check_reference", {"notice": data, "ags": ags}, tenant=tenant))


def test_registration_creates_the_entry_once_with_a_number_of_the_municipality(seeded):
    system = Trade(seeded)
    first = record(system, notice(), key="k1")
    assert record(system, notice(), key="k1") == first  # a retry records nothing twice
    second = record(system, notice(**{"betrieb.name": "Zweiter Laden"}), case_number="GW-2026-000002")
    # numbered on after the three demo businesses of the seed (tasks/trade/seed.py)
    assert (first["number"], second["number"]) == (f"{PLAUEN}-000004", f"{PLAUEN}-000005")
    entry = system.entry("plauen", first["number"])
    assert (entry["name"], entry["status"], entry["beginn"], entry["fall_anmeldung"]) == (
        "Buchhandlung Seitenweise", "aktiv", "2026-05-01", "GW-2026-000001")
    assert entry["anschrift"] == {"strasse": "Klostermarkt", "hausnummer": "7", "plz": "08523", "ort": "Plauen"}
    assert [p["familienname"] for p in entry["personen"]] == ["Schneider"] and entry["anzahl_personen"] == 1
    assert system.entry("musterstadt", first["number"]) is None  # each municipality its own register


def test_change_records_the_previous_address_and_activity_and_closure_ends_the_entry(seeded):
    system = Trade(seeded)
    number = record(system, notice())["number"]
    moved = follow_up(notice(), "ummeldung", number, "01", gueltig_ab="2026-08-01", taetigkeit="Antiquariat",
                      wz="47790", **{"betrieb.strasse": "Neundorfer Straße", "betrieb.hausnummer": "9"})
    changed = record(system, moved, case_number="GW-2026-000005")
    assert changed["registration"] == {"case_number": "GW-2026-000001", "received_on": "2026-04-20"}
    assert changed["previous"]["anschrift"]["strasse"] == "Klostermarkt"
    assert changed["previous"]["taetigkeit"] == "Einzelhandel mit Büchern"
    assert (changed["entry"]["anschrift"]["strasse"], changed["entry"]["taetigkeit"]) == ("Neundorfer Straße",
                                                                                          "Antiquariat")
    closed = record(system, follow_up(notice(), "abmeldung", number, "06", gueltig_ab="2026-12-31"),
                    case_number="GW-2027-000001")
    entry = closed["entry"]
    assert (entry["status"], entry["abgemeldet_zum"], entry["grund_abmeldung"]) == ("abgemeldet", "2026-12-31", "06")
    assert [(c["fall"], c["art"]) for c in entry["aenderungen"]] == [("GW-2026-000005", "ummeldung"),
                                                                     ("GW-2027-000001", "abmeldung")]


@pytest.mark.parametrize("case, expected", [
    ("unknown", "Unter der Nummer 14523319-000099 ist in unserem Gewerberegister kein Betrieb eingetragen."),
    ("other_municipality", "im Gewerberegister einer anderen Gemeinde eingetragen"),
    ("closed", "ist seit dem 31.10.2026 abgemeldet"),
    # § 14 Abs. 5 Satz 2 GewO: a stranger learns nothing of the closure
    ("closed_other_person", "Max Muster ist im Gewerberegister nicht als Inhaber/in"),
    ("other_person", "Max Muster ist im Gewerberegister nicht als Inhaber/in"),
    ("before_start", "Das Datum der Betriebsaufgabe (01.04.2026) liegt vor dem Beginn des Betriebs (01.05.2026)."),
    ("malformed", "Bitte geben Sie die Nummer Ihres Betriebs im Gewerberegister an"),
])
def test_a_closure_that_does_not_fit_the_register_is_refused_with_the_reason(seeded, case, expected):
    system = Trade(seeded)
    number = record(system, notice())["number"]
    data = follow_up(notice(), "abmeldung", number, gueltig_ab="2026-10-31")
    if case == "unknown":
        data["betriebsnummer"] = f"{PLAUEN}-000099"
    elif case == "other_municipality":
        data["betriebsnummer"] = "14999999-000001"
    elif case.startswith("closed"):
        record(system, copy.deepcopy(data), case_number="GW-2026-000009")
        if case == "closed_other_person":
            data["person"].update({"vornamen": "Max", "familienname": "Muster"})
    elif case == "other_person":
        data["person"].update({"vornamen": "Max", "familienname": "Muster"})
    elif case == "before_start":
        data["gueltig_ab"] = "2026-04-01"
    else:
        data["betriebsnummer"] = "4711"
    result = check(system, data)
    assert result["ok"] is False and expected in result["reason"]
    assert case == "closed" or "31.10.2026" not in result["reason"]
    before = system.entry("plauen", number)
    refused = record(system, data, case_number="GW-2026-000010")
    assert refused == {"ok": False, "reason": result["reason"]}  # a refusal notice, not an incident
    assert system.entry("plauen", number) == before  # nothing half-written


def test_every_person_of_a_partnership_is_kept_and_may_file_the_change(seeded):
    system = Trade(seeded)
    data = notice(anzahl_personen=2, weitere_personen=[PARTNER], **{"betrieb.rechtsform": "gbr",
                                                                    "betrieb.name": "Seitenweise GbR"})
    number = record(system, data)["number"]
    entry = system.entry("plauen", number)
    assert entry["anzahl_personen"] == 2
    assert [(p["vornamen"], p.get("funktion")) for p in entry["personen"]] == [("Mia", None),
                                                                               ("Jonas", "gesellschafter")]
    by_partner = follow_up(notice(), "ummeldung", number, "03", taetigkeit="Bücher und Spiele",
                           **{"betrieb.rechtsform": "gbr", "betrieb.name": "Seitenweise GbR"})
    by_partner["person"].update({k: PARTNER[k] for k in ("familienname", "vornamen", "geburtsdatum")})
    assert check(system, by_partner) == {**check(system, by_partner), "ok": True, "reason": None}


def test_register_retrievals_are_logged_and_deleted_after_six_months(seeded):
    system = Trade(seeded)
    number = record(system, notice())["number"]
    asked = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
    answer = system.register_information(dataclasses.replace(make_call("trade.register_information", {
        "number": number, "requester": "Inkasso Nord GmbH", "purpose": "Forderung aus Kaufvertrag",
        "file_number": "IN-2026-0815", "official": "Jana Vogt"}), extra={"now": asked.isoformat()}))
    # § 14 Abs. 5 Satz 2 GewO: name, business address and activity, nothing about the persons.
    assert answer["entry"]["name"] == "Buchhandlung Seitenweise" and "personen" not in answer["entry"]
    system.information("plauen", "14523319-000077", "Stadtwerke", "Anschlussvertrag", "SW-1", "Jana Vogt", at=asked)
    [logged, missed] = system.retrievals("plauen")
    assert (logged["requester"], logged["purpose"], logged["file_number"], logged["official"], logged["found"]) == (
        "Inkasso Nord GmbH", "Forderung aus Kaufvertrag", "IN-2026-0815", "Jana Vogt", True)
    assert datetime.fromisoformat(logged["at"]) == asked and missed["found"] is False

    def purge(on: datetime) -> dict:
        return system.purge_retrieval_log(dataclasses.replace(make_call("trade.purge_retrieval_log", {}),
                                                              extra={"now": on.isoformat()}))

    assert purge(asked + timedelta(days=180)) == {"deleted": 0, "kept_from": "2026-04-30",
                                                  "next_at": "2026-11-01T02:00:00+00:00"}
    assert len(system.retrievals("plauen")) == 2  # on 31 October: not yet six months
    assert purge(asked + timedelta(days=185))["deleted"] == 2
    assert system.retrievals("plauen") == [] and system.entry("plauen", number) is not None


@pytest.mark.parametrize("field, value, message", [
    ("purpose", "", "Zweck"), ("file_number", "x" * 101, "Aktenzeichen"), ("requester", " ", "Anfragende Stelle"),
])
def test_a_retrieval_without_purpose_or_file_number_is_refused_and_not_answered(seeded, field, value, message):
    system = Trade(seeded)
    params = {"number": f"{PLAUEN}-000001", "requester": "Inkasso Nord GmbH", "purpose": "Forderung",
              "file_number": "IN-1", "official": "Jana Vogt", field: value}
    with pytest.raises(InvalidRequest, match=message):
        system.information("plauen", **params)
    assert system.retrievals("plauen") == []


def test_a_change_replaces_the_managing_directors_so_the_new_one_may_close_and_the_removed_one_not(seeded):
    system = Trade(seeded)
    gmbh = {"betrieb.rechtsform": "gmbh", "betrieb.name": "Seitenweise GmbH", "betrieb.registerart": "HRB",
            "betrieb.registernummer": "4711", "betrieb.registergericht": "Amtsgericht Chemnitz"}
    leaving = {**PARTNER, "funktion": "geschaeftsfuehrer"}
    new = {**PARTNER, "funktion": "geschaeftsfuehrer", "familienname": "Krause", "vornamen": "Lea",
           "geburtsdatum": "1991-02-03"}
    number = record(system, notice(anzahl_personen=2, weitere_personen=[leaving], **gmbh))["number"]
    # Mia Schneider notifies that Jonas Weber left and Lea Krause took his place.
    changed = record(system, follow_up(notice(**gmbh), "ummeldung", number, "01", anzahl_personen=2,
                                       weitere_personen=[new]), case_number="GW-2026-000005")
    assert [p["vornamen"] for p in changed["entry"]["personen"]] == ["Mia", "Lea"]
    assert [p["vornamen"] for p in changed["previous"]["personen"]] == ["Mia", "Jonas"]
    assert [p["vornamen"] for p in system.entry("plauen", number)["aenderungen"][0]["vorher"]["personen"]] == [
        "Mia", "Jonas"]

    def closure_by(person: dict) -> dict:
        data = follow_up(notice(**gmbh), "abmeldung", number, "06", gueltig_ab="2026-12-31")
        data["person"].update({k: person[k] for k in ("familienname", "vornamen", "geburtsdatum")})
        return data

    # An address change that names no further person keeps Lea: a person is removed only by a complete list.
    moved = record(system, follow_up(notice(**gmbh), "ummeldung", number, "01", anzahl_personen=2,
                                     **{"betrieb.hausnummer": "9"}), case_number="GW-2026-000008")
    assert [p["vornamen"] for p in moved["entry"]["personen"]] == ["Mia", "Lea"]

    refused = check(system, closure_by(leaving))
    assert not refused["ok"] and "Jonas Weber ist im Gewerberegister nicht als Inhaber/in" in refused["reason"]
    assert record(system, closure_by(leaving), case_number="GW-2026-000006")["ok"] is False
    assert check(system, closure_by(new))["ok"]
    closed = record(system, closure_by(new), case_number="GW-2026-000007")
    assert closed["ok"] and closed["entry"]["status"] == "abgemeldet"
