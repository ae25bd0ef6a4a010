"""The findings beside a clerk's task come from the service's own description (service.json),
as German rows: no True/False, no ISO dates, no variable keys, no codes."""
import re
from pathlib import Path

import pytest

from processes.catalog import services
from processes.findings import Row, channel_label, clerk_findings, display, presentation

ENTRY = {"id": 4, "kind": "birth", "register_number": "G 412/1990", "registry_office": "plauen",
         "event_date": "1990-03-14", "event_place": "Plauen", "blocked": False, "adoption": False,
         "persons": [{"role": "child", "family_name": "Mustermann", "given_names": "Erika Maria", "birth_name": None,
                      "date_of_birth": "1990-03-14"},
                     {"role": "mother", "family_name": "Mustermann", "given_names": "Anna", "birth_name": "Gabler",
                      "date_of_birth": "1962-04-21"}]}
PERMIT = {"permit_number": "BP-B-2025-0007", "plate": "PL-EB 1", "zone": "B", "holder_name": "Erika Beispiel",
          "kind": "new", "valid_from": "2025-12-01", "valid_until": "2026-11-30", "status": "valid", "replaces": None}
SAMPLES = {  # variables as the specialist systems hand them over (taken from the processes' runs)
    "standesamt_urkunde": {
        "registerauskunft": {"status": "found", "entry": ENTRY, "candidates": [], "blocked": True, "adoption": True},
        "berechtigung": {"decision": "needs_clerk", "reason": "Für den Eintrag ist ein Sperrvermerk eingetragen."},
        "antwort": "Ich bin die Tochter.",
    },
    "bewohnerparken_ausweis": {
        "pruefgruende": ["An der Anschrift ist kein Wohnsitz gemeldet."],
        "meldeauskunft": {"found": True, "person_key": "beispiel|erika|1990-03-14", "residence": "secondary",
                          "registered": [{"kind": "main", "address": "Bahnhofstraße 12, 08523 Plauen"},
                                         {"kind": "secondary", "address": "Bahnhofstraße 40, 08523 Plauen"}]},
        "zonenauskunft": {"status": "zone", "zone": "B", "zone_name": "Bahnhofsvorstadt", "street": "Bahnhofstraße"},
        "halterauskunft": {"plate": "PL-VL 500", "registered": True, "holder_is_applicant": False,
                           "holder_name": "Vogtland Logistik GmbH", "company": True, "description": "VW Passat Variant"},
        "ausweisauskunft": {"rule": "permit_exists", "existing": PERMIT, "to_replace": None, "valid_from": "2026-12-01"},
    },
    "gewerbe_anzeige": {
        "pruefung": {"findings": [{"code": "handwerk", "text": "Zulassungspflichtiges Handwerk (Anlage A HwO)."},
                                  {"code": "erlaubnispflichtig", "text": "Erlaubnispflichtige Tätigkeit."}],
                     "needs_clerk": True},
    },
    "hundesteuer_anmeldung": {
        "hund_erfasst": {"dog_id": 4, "holder_id": 3, "household_id": 3, "listed_breed": "Pit Bull", "dangerous": True,
                         "registered_dogs": 1},
        "mandat": {"valid": True, "message": None, "reference": "HS-M-000001", "iban_masked": "DE89 **** 3000",
                   "bic": "COBADEFFXXX", "bank_name": "Commerzbank"},
    },
}


def texts(rows) -> list[str]:
    return [t for r in rows for t in (r.label, r.text, *texts(r.rows)) if t]


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


@pytest.mark.parametrize("process_key", sorted(SAMPLES))
def test_every_service_declares_german_findings_without_internals(process_key):
    variables = SAMPLES[process_key]
    sections = clerk_findings(process_key, variables)
    assert [s.heading for s in sections] and all(s.rows for s in sections)
    shown = texts(row for s in sections for row in s.rows)
    for text in shown:
        assert not re.search(r"\b(True|False|None)\b", text), text
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
        assert not {w for w in re.findall(r"[a-z_]+", text) if "_" in w}, text
    leaked = {k for k in keys(variables) if any(re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", t) for t in shown)}
    assert not leaked, leaked


def test_civil_register_findings_read_as_today():
    [register, entitlement, answer] = clerk_findings("standesamt_urkunde", SAMPLES["standesamt_urkunde"])
    assert register.heading == "Registerauskunft"
    assert register.rows[:3] == (Row("Ergebnis", "Eintrag gefunden"),
                                 Row("Sperrvermerk", "Sperrvermerk (PStG § 64): Auskunft nur eingeschränkt"),
                                 Row("Adoption", "Adoption (PStG § 63): Auskunft beschränkt"))
    entry = register.rows[3]
    assert entry.label == "Eintrag"
    assert entry.rows[:4] == (Row("Registernummer", "G 412/1990"), Row("Art", "Geburt"), Row("Datum", "14.03.1990"),
                              Row("Ort", "Plauen"))
    assert entry.rows[4].rows == (Row("Kind", "Erika Maria Mustermann * 14.03.1990"),
                                  Row("Mutter", "Anna Mustermann geb. Gabler * 21.04.1962"))
    assert entitlement.rows[0] == Row("Ergebnis", "Entscheidung durch das Standesamt nötig")
    assert answer == answer.__class__("Antwort auf die Rückfrage", (Row("", "Ich bin die Tochter."),))


def test_ambiguous_and_missing_register_entries():
    ambiguous = {"status": "ambiguous", "entry": None, "blocked": False, "adoption": False,
                 "candidates": [{**ENTRY, "persons": ENTRY["persons"][:1]}, {**ENTRY, "register_number": "G 9/1990"}]}
    [register] = clerk_findings("standesamt_urkunde", {"registerauskunft": ambiguous})
    assert register.rows[0] == Row("Ergebnis", "Mehrere Einträge passen")
    [candidates] = register.rows[1:]
    assert candidates.label == "Passende Einträge"
    assert [(c.label, c.rows[0].text) for c in candidates.rows] == [("Eintrag", "G 412/1990"), ("Eintrag", "G 9/1990")]
    [register] = clerk_findings("standesamt_urkunde", {"registerauskunft": {**ambiguous, "status": "not_found",
                                                                            "candidates": []}})
    assert register.rows == (Row("Ergebnis", "Kein Eintrag gefunden"),)
    assert clerk_findings("standesamt_urkunde", {"registerauskunft": None, "antwort": ""}) == []


def test_missing_values_and_booleans_read_in_german():
    melde = {**SAMPLES["bewohnerparken_ausweis"]["meldeauskunft"], "residence": None, "found": False}
    [section] = clerk_findings("bewohnerparken_ausweis", {"meldeauskunft": melde})
    assert section.rows[:2] == (Row("Person", "im Melderegister nicht gefunden"),
                                Row("An der Anschrift", "kein Wohnsitz gemeldet"))
    [holder] = clerk_findings("bewohnerparken_ausweis", {"halterauskunft": SAMPLES["bewohnerparken_ausweis"]["halterauskunft"]})
    assert Row("Antragsteller ist Halter", "nein") in holder.rows and Row("Firmenfahrzeug", "ja") in holder.rows
    [trade] = clerk_findings("gewerbe_anzeige", {"pruefung": {"findings": [], "needs_clerk": True}})
    assert trade.rows == (Row("Hinweise", "keine"),)


def test_display_and_channel():
    assert [display(True), display(False), display("2026-03-01"), display(2200, {"format": "money"})] == [
        "ja", "nein", "01.03.2026", "22,00 €"]
    assert display("2026-03-01T09:30:00+00:00") == "01.03.2026 10:30"
    assert display("found", {"values": {"found": "Eintrag gefunden"}}) == "Eintrag gefunden"
    assert channel_label("schalter") == "am Schalter" and channel_label(None) is None


def test_every_declared_finding_has_a_heading_and_the_task_page_knows_no_service():
    for svc in services().values():
        for spec in svc.clerk_context.values():
            assert presentation(spec)["heading"]
    page = (Path(__file__).resolve().parents[2] / "webui/worklist/templates/worklist/task.html").read_text()
    assert "registerauskunft" not in page and "variables." not in page
