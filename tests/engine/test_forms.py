"""Form input is bounded and clean before it is interpreted (engine/forms.py): lengths before
patterns, patterns in RE2, no control characters, e-mail addresses fit for delivery, plausible
dates, and schemas that break these rules refused at deploy."""
from __future__ import annotations

import json
import re
import time
from datetime import date

import pytest

from engine import forms
from engine.errors import FormInvalid, ModelInvalid
from tests.conftest import MODELS, TEST_MODELS

TODAY = date(2026, 12, 1)
STREET = {"title": "Straße und Hausnummer", "type": "string", "minLength": 3, "maxLength": 100,
          "pattern": "^.*[^0-9 ].* +[0-9]+ ?[a-zA-Z]?$"}


def schema(**properties) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties}


def errors(schema_, data, today=TODAY) -> list[str]:
    return [f"{e.field}={e.message}" for e in forms.validate(schema_, data, today=today)]


def cleaned(schema_, data, today=TODAY) -> dict:
    data, problems = forms.clean(schema_, data, today=today)
    assert problems == []
    return data


# --- length before pattern; patterns in RE2 -----------------------------------------------------

@pytest.mark.parametrize("value", ["a" * 60_000 + " 12", "Bahnhofstraße " * 75_000])
def test_an_overlong_street_is_refused_by_its_length_at_once(value):
    started = time.perf_counter()
    found = errors(schema(strasse=STREET), {"strasse": value})
    assert time.perf_counter() - started < 1.0
    assert found == [(f"strasse=Straße und Hausnummer: Höchstens 100 Zeichen – Ihre Angabe hat {len(value)}. "
                      "Bitte kürzen Sie sie.")]


def test_the_pattern_itself_runs_in_linear_time():
    """Even without the length check the backtracking pattern is answered at once by RE2."""
    unbounded = {**STREET, "maxLength": forms.ABSOLUTE_MAX_LENGTH}
    started = time.perf_counter()
    assert errors(schema(strasse=unbounded), {"strasse": "a" * 19_990 + "!"}) == [
        "strasse=Straße und Hausnummer: Das Format stimmt nicht."]
    assert time.perf_counter() - started < 1.0
    assert errors(schema(strasse=unbounded), {"strasse": "Bahnhofstraße 12a"}) == []


def test_a_string_without_max_length_is_capped_by_default():
    s = schema(notiz={"title": "Notiz", "type": "string"})
    assert errors(s, {"notiz": "x" * forms.DEFAULT_MAX_LENGTH}) == []
    assert errors(s, {"notiz": "x" * 1_000_000}) == [
        "notiz=Notiz: Höchstens 1000 Zeichen – Ihre Angabe hat 1000000. Bitte kürzen Sie sie."]


def test_a_refused_field_is_not_reported_twice_and_other_fields_still_are():
    s = {**schema(strasse=STREET, plz={"title": "PLZ", "type": "string", "maxLength": 5, "pattern": "^[0-9]{5}$"}),
         "required": ["strasse", "plz"]}
    assert errors(s, {"strasse": "x" * 200, "plz": "1"}) == [
        "plz=PLZ: Das Format stimmt nicht.",
        "strasse=Straße und Hausnummer: Höchstens 100 Zeichen – Ihre Angabe hat 200. Bitte kürzen Sie sie."]


def test_a_pattern_re2_cannot_run_is_never_run_with_backtracking():
    s = schema(x={"type": "string", "pattern": "^(?!a)b"})
    with pytest.raises(forms.PatternUnsupported, match="lässt sich nicht in linearer Zeit prüfen"):
        forms.validate(s, {"x": "b"})
    [problem] = forms.schema_problems(s)
    assert problem.startswith("properties/x/pattern: Das Muster „^(?!a)b“ lässt sich nicht in linearer Zeit prüfen")
    assert "ohne Lookahead" in problem


def test_schema_problems_are_located_and_field_names_are_no_keywords():
    s = {"type": "object", "properties": {
        "pattern": {"type": "string", "maxLength": 50_000},
        "tag": {"type": "string", "x-min-date": "gestern"},
        "text": {"type": "string", "x-multiline": "ja"},
    }, "allOf": [{"then": {"properties": {"pattern": {"pattern": "(a)\\1"}}}}]}
    assert forms.schema_problems(s) == [
        "properties/pattern/maxLength: höchstens 20000 Zeichen sind möglich, nicht 50000.",
        ("properties/tag/x-min-date: „gestern“ ist keine gültige Datumsgrenze; erlaubt sind ein Datum (JJJJ-MM-TT), "
         "„today“ oder z. B. „today-P30Y“, „today+P14D“."),
        "properties/tag/x-min-date: gilt nur zusammen mit \"format\": \"date\".",
        "properties/text/x-multiline: muss true oder false sein.",
        forms.schema_problems({"properties": {"p": {"pattern": "(a)\\1"}}})[0].replace(
            "properties/p/", "allOf/0/then/properties/pattern/"),
    ]


def test_every_schema_of_the_services_is_fit_for_public_input():
    for path in sorted(MODELS.glob("*/*.schema.json")):
        assert forms.schema_problems(json.loads(path.read_text(encoding="utf-8"))) == [], path


PLATE_BEFORE = re.compile(  # the pattern with lookahead the parking form had, in Python's re
    r"^(?!(?:[^0-9A-Za-zÄÖÜäöü]*[0-9A-Za-zÄÖÜäöü]){9})[A-ZÄÖÜa-zäöü]{1,3}[- ][A-Za-z]{1,2} ?[1-9][0-9]{0,3}[EHeh]?$")


def test_the_plate_pattern_in_re2_accepts_what_the_lookahead_pattern_accepted():
    plate = json.loads((MODELS / "bewohnerparken/antrag.schema.json").read_text())["properties"]["kennzeichen"]
    s = schema(kennzeichen=plate)
    samples = ["PL-AB 123", "PL-EB 1990", "PL AB1", "PLA-AB 123", "PLA-AB 123E", "PLA-AB 12E", "PL-AB 1234H",
               "P-A 1234E", "ZWI-X 9999", "ZWI-XY 9999", "ÖHR-AB 12", "PL-AB 0123", "PL-ABC 1", "PLAU-A 1",
               "PL-AB", "PL EB1990X", "PLA-AB 1234", "PLA-A 1234E", "pl-ab 12h"]
    for sample in samples:
        assert (errors(s, {"kennzeichen": sample}) == []) == bool(PLATE_BEFORE.search(sample)), sample


# --- characters ---------------------------------------------------------------------------------

NAME = {"title": "Name", "type": "string", "maxLength": 100}
TEXT = {"title": "Begründung", "type": "string", "maxLength": 2000, "x-multiline": True}


@pytest.mark.parametrize("value, position", [("Bäcker\x00ei", 7), ("\x01Friseur", 1), ("Fri\x7fseur", 4),
                                             ("Tab\there", 4), ("Fri\x9bseur", 4)])
def test_control_characters_are_refused_with_their_position(value, position):
    [message] = errors(schema(name=NAME), {"name": value})
    assert message.startswith(f"name=Name: Enthält ein unsichtbares Steuerzeichen (U+{ord(value[position - 1]):04X}) "
                              f"an Stelle {position}.")


@pytest.mark.parametrize("value", ["Zeile\nZwei", "Zeile\r\nZwei", "Zeile\rZwei"])
def test_line_breaks_only_where_the_field_is_multi_line(value):
    assert errors(schema(name=NAME), {"name": value}) == ["name=Name: Bitte ohne Zeilenumbruch angeben (nur eine Zeile)."]
    assert cleaned(schema(text=TEXT), {"text": value}) == {"text": "Zeile\nZwei"}
    assert cleaned(schema(text=TEXT), {"text": "Spalte\tWert"}) == {"text": "Spalte\tWert"}
    [message] = errors(schema(text=TEXT), {"text": "Zeile\x00Zwei"})
    assert "unsichtbares Steuerzeichen (U+0000)" in message


@pytest.mark.parametrize("code", [0xD800, 0xDFFF, 0xFFFE, 0xFFFF, 0xFDD0, 0x1FFFE, 0x202E, 0x2066, 0x2028])
def test_surrogates_noncharacters_and_bidi_controls_are_refused(code):
    char = chr(code)
    for field, node in (("name", NAME), ("text", TEXT)):
        [message] = errors(schema(**{field: node}), {field: f"Müller{char}"})
        assert f"Enthält ein unzulässiges Zeichen (U+{ord(char):04X}) an Stelle 7." in message


def test_text_is_stored_in_nfc():
    decomposed = "Mu\u0308ller"  # as macOS pastes "Müller"
    assert cleaned(schema(name=NAME), {"name": decomposed}) == {"name": "Müller"}


def test_non_finite_numbers_are_refused():
    s = schema(anzahl={"title": "Anzahl", "type": "number", "minimum": 1})
    assert errors(s, {"anzahl": float("nan")}) == ["anzahl=Anzahl: Bitte eine Zahl angeben."]


def test_check_text_bounds_a_free_text_outside_a_schema():
    assert forms.check_text(" Erste Zeile\r\nzweite ", "antwort", "Antwort", 5000) == "Erste Zeile\nzweite"
    with pytest.raises(FormInvalid) as err:
        forms.check_text("x" * 5001, "antwort", "Antwort", 5000)
    assert [(e.field, e.message) for e in err.value.errors] == [
        ("antwort", "Antwort: Höchstens 5000 Zeichen – Ihre Angabe hat 5001. Bitte kürzen Sie sie.")]


# --- e-mail -------------------------------------------------------------------------------------

EMAIL = {"title": "E-Mail-Adresse", "type": "string", "format": "email", "maxLength": 200}
NOT_ONE_ADDRESS = ("email=E-Mail-Adresse: Bitte nur die E-Mail-Adresse angeben, ohne Leerzeichen, Namen, Klammern oder "
                   "spitze Klammern, z. B. erika.mustermann@example.org.")
INCOMPLETE = ("email=E-Mail-Adresse: Bitte eine vollständige E-Mail-Adresse mit @ und Domain angeben, z. B. "
              "erika@example.org.")
ONE_LINE = "email=E-Mail-Adresse: Bitte ohne Zeilenumbruch angeben (nur eine Zeile)."
INVALID = "email=E-Mail-Adresse: Diese E-Mail-Adresse ist ungültig. Bitte prüfen Sie sie, z. B. erika.mustermann@example.org."


@pytest.mark.parametrize("value, message", [
    ("<img src=x>@example.org", NOT_ONE_ADDRESS),
    ("erika@example.org\r\nBcc: alle@example.org", ONE_LINE),
    ("erika@example.org\n", ONE_LINE),
    ("erika mustermann@example.org", NOT_ONE_ADDRESS),
    ("Erika <erika@example.org>", NOT_ONE_ADDRESS),
    ("erika@[127.0.0.1]", NOT_ONE_ADDRESS),
    ('"erika"@example.org', NOT_ONE_ADDRESS),
    ("erika@", INCOMPLETE),
    ("@example.org", INCOMPLETE),
    ("erika", INCOMPLETE),
    ("erika@localhost", INCOMPLETE),
    ("erika@127.0.0.1", INVALID),
    ("erika@example..org", INVALID),
    ("erika@mail.local", INVALID),
    ("erika..m@example.org", INVALID),
])
def test_email_addresses_that_mail_delivery_cannot_use_are_refused(value, message):
    assert errors(schema(email=EMAIL), {"email": value}) == [message]


def test_the_normalised_address_is_what_is_kept():
    assert cleaned(schema(email=EMAIL), {"email": "Erika.M+amt@Example.ORG"}) == {"email": "Erika.M+amt@example.org"}
    assert cleaned(schema(email=EMAIL), {"email": "info@bäckerei-müller.de"}) == {"email": "info@xn--bckerei-mller-bfb28a.de"}
    assert cleaned(schema(email=EMAIL), {"email": "o'brien@example.org"}) == {"email": "o'brien@example.org"}


# --- dates --------------------------------------------------------------------------------------

BIRTH = {"title": "Geburtsdatum", "type": "string", "format": "date", "maxLength": 10,
         "x-min-date": "1900-01-01", "x-max-date": "today"}


@pytest.mark.parametrize("value, message", [
    ("0001-01-01", "Bitte ein Datum ab dem 01.01.1900 angeben."),
    ("1899-12-31", "Bitte ein Datum ab dem 01.01.1900 angeben."),
    ("2026-12-02", "Das Datum darf nicht in der Zukunft liegen."),
    ("2026-02-30", "Diesen Tag gibt es nicht. Bitte ein gültiges Datum (JJJJ-MM-TT) angeben."),
    ("20261201", "Bitte ein Datum (JJJJ-MM-TT) angeben."),
    ("01.12.2026", "Bitte ein Datum (JJJJ-MM-TT) angeben."),
])
def test_a_birth_date_lies_between_1900_and_today(value, message):
    assert errors(schema(geburtsdatum=BIRTH), {"geburtsdatum": value}) == [f"geburtsdatum=Geburtsdatum: {message}"]


def test_the_boundary_days_pass():
    for value in ("1900-01-01", "2026-12-01"):
        assert errors(schema(geburtsdatum=BIRTH), {"geburtsdatum": value}) == []


def test_relative_bounds_and_a_custom_message():
    due = {"title": "Gültig ab", "type": "string", "format": "date", "x-min-date": "today-P5Y",
           "x-max-date": "today+P1M", "errorMessage": {"x-max-date": "Höchstens einen Monat im Voraus."}}
    s = schema(ab=due)
    assert errors(s, {"ab": "2021-12-01"}) == [] and errors(s, {"ab": "2027-01-01"}) == []
    assert errors(s, {"ab": "2021-11-30"}) == ["ab=Gültig ab: Bitte ein Datum ab dem 01.12.2021 angeben."]
    assert errors(s, {"ab": "2027-01-02"}) == ["ab=Gültig ab: Höchstens einen Monat im Voraus."]
    later = schema(am={"title": "Termin", "type": "string", "format": "date", "x-min-date": "today"})
    assert errors(later, {"am": "2026-11-30"}) == ["am=Termin: Das Datum darf nicht in der Vergangenheit liegen."]
    month_end = {"type": "string", "format": "date", "x-max-date": "today+P1M"}
    assert forms._bound(month_end["x-max-date"], date(2027, 1, 31)) == date(2027, 2, 28)


def test_year_0001_never_passes_even_without_bounds():
    s = schema(tag={"title": "Tag", "type": "string", "format": "date"})
    assert errors(s, {"tag": "0001-01-01"}) == ["tag=Tag: Bitte ein Datum ab dem 01.01.1800 angeben."]
    assert errors(s, {"tag": "9999-12-31"}) == ["tag=Tag: Bitte ein Datum bis zum 31.12.2199 angeben."]


# --- deploy -------------------------------------------------------------------------------------

def test_a_task_form_with_a_backtracking_pattern_is_refused_at_deploy(process_engine):
    review = json.loads((TEST_MODELS / "engine/review.schema.json").read_text())
    first = next(iter(review["properties"]))
    review["properties"][first] = {**review["properties"][first], "pattern": "^(?=.*[0-9])"}
    files = {"lifecycle.bpmn": (TEST_MODELS / "engine/lifecycle.bpmn").read_bytes(),
             "review.schema.json": json.dumps(review).encode()}
    with pytest.raises(ModelInvalid) as err:
        process_engine.repository.deploy(files, name="test")
    [problem] = err.value.problems
    assert problem.file == "review.schema.json"
    assert problem.message.startswith(f"Formularschema: properties/{first}/pattern: Das Muster „^(?=.*[0-9])“ lässt "
                                      "sich nicht in linearer Zeit prüfen")


def test_a_task_form_naming_an_unknown_choices_operation_is_refused_at_deploy(process_engine):
    review = json.loads((TEST_MODELS / "engine/review.schema.json").read_text())
    first = next(iter(review["properties"]))
    review["properties"][first] = {**review["properties"][first], "x-choices": "nowhere.zones"}
    files = {"lifecycle.bpmn": (TEST_MODELS / "engine/lifecycle.bpmn").read_bytes(),
             "review.schema.json": json.dumps(review).encode()}
    with pytest.raises(ModelInvalid) as err:
        process_engine.repository.deploy(files, name="test")
    [problem] = err.value.problems
    assert problem.message == ("Formularschema: x-choices nennt die Operation „nowhere.zones“, die nicht "
                               "registriert ist.")


# --- choices from a specialist system (x-choices) --------------------------------------------------

CHOOSING = {"type": "object", "properties": {"zone": {"type": "string", "title": "Zone", "x-choices": "demo.zones",
                                                      "errorMessage": {"enum": "Diese Zone gibt es nicht."}}}}


def test_choices_become_the_fields_enum_and_a_value_outside_them_is_refused():
    asked = []

    def choices_of(source):
        asked.append(source)
        return [{"value": "A", "title": "A – Altstadt"}, {"value": "B", "title": "B – Bahnhof"}]

    schema = forms.with_choices(CHOOSING, choices_of)
    assert schema["properties"]["zone"]["enum"] == ["A", "B"] and asked == ["demo.zones"]
    assert schema["properties"]["zone"]["enumTitles"] == {"A": "A – Altstadt", "B": "B – Bahnhof"}
    assert "enum" not in CHOOSING["properties"]["zone"]  # the cached form stays as deployed
    assert forms.validate(schema, {"zone": "B"}) == []
    assert [e.message for e in forms.validate(schema, {"zone": "Z"})] == ["Zone: Diese Zone gibt es nicht."]
    assert forms.choice_sources(CHOOSING) == {"demo.zones"}


def test_x_choices_must_name_an_operation():
    assert forms.schema_problems({"properties": {"zone": {"type": "string", "x-choices": "zones"}}}) == [
        "properties/zone/x-choices: muss eine Operation „<system>.<operation>“ nennen."]
