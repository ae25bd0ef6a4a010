"""The file field type of form schemas (``x-file``, engine/forms.py): type by content, the limits, the
records a form's data holds, deploy-time checks, and paper applications without required files."""
from __future__ import annotations

import pytest

from engine import forms
from tests.processes.files import EICAR, JPEG, PDF, TEXT, png

FIELD = {"title": "Vollmacht", "type": "array", "maxItems": 2,
         "x-file": {"accept": ["application/pdf", "image/jpeg", "image/png"], "maxBytes": 1000}}
SCHEMA = {"type": "object", "additionalProperties": False, "properties": {
    "dangerous": {"type": "boolean"}, "vollmacht": FIELD,
    "person": {"type": "object", "properties": {"ausweis": {**FIELD, "title": "Ausweis", "maxItems": 1}}}},
    "allOf": [{"if": {"properties": {"dangerous": {"const": True}}, "required": ["dangerous"]},
               "then": {"required": ["vollmacht"]}}]}


def record(anlage=1, name="v.pdf", typ="application/pdf", size=10) -> dict:
    return {"anlage": anlage, "name": name, "typ": typ, "bytes": size}


@pytest.mark.parametrize("content, expected", [
    (PDF, "application/pdf"), (JPEG, "image/jpeg"), (png(), "image/png"),
    (TEXT, None), (EICAR, None), (b"", None), (b"GIF89a" + b"\0" * 20, None), (b"PK\x03\x04" + b"\0" * 40, None),
])
def test_the_type_comes_from_the_content(content, expected):
    assert forms.file_type(content) == expected


def test_a_field_accepting_only_pdf_refuses_an_image():
    only_pdf = {**FIELD, "x-file": {"accept": ["application/pdf"]}}
    message = ("Diese Datei ist kein PDF (geprüft wird der Inhalt, nicht der Dateiname). Bitte laden Sie das "
               "Dokument in einem dieser Formate hoch.")
    assert forms.file_type_problem(only_pdf, png()) == (None, message)
    assert forms.file_type_problem(only_pdf, PDF) == ("application/pdf", None)


@pytest.mark.parametrize("size, ceiling, problem", [
    (1000, 10_000, None),
    (1001, 10_000, "Die Datei ist 1001 Bytes groß; erlaubt sind höchstens 1000 Bytes je Datei."),
    (900, 800, "Die Datei ist 900 Bytes groß; erlaubt sind höchstens 800 Bytes je Datei."),  # the installation's
    (0, 10_000, "Die Datei ist leer. Bitte wählen Sie die richtige Datei aus."),
])
def test_the_limit_per_file_is_the_schemas_within_the_installations(size, ceiling, problem):
    found = forms.file_size_problem(FIELD, size, ceiling)
    assert found == problem if problem is None else found.startswith(problem)


@pytest.mark.parametrize("size, up, text", [
    (512, False, "512 Bytes"), (1024, False, "1 KB"), (300 * 1024 + 1, True, "300,1 KB"),
    (5 * 1024 * 1024, False, "5 MB"), (5 * 1024 * 1024 + 1, True, "5,1 MB"), (5 * 1024 * 1024 + 1, False, "5 MB"),
])
def test_sizes_read_in_german_and_a_file_just_over_a_limit_reads_over_it(size, up, text):
    assert forms.size_text(size, up) == text


def test_the_hint_names_types_size_and_count():
    assert forms.file_hint(FIELD) == "PDF, JPEG oder PNG, höchstens 1000 Bytes je Datei – bis zu 2 Dateien."
    assert forms.file_hint({"type": "array", "x-file": {}}, ceiling=5 * 1024 * 1024) == \
        "PDF, JPEG oder PNG, höchstens 5 MB je Datei."


def test_a_required_file_and_the_number_of_files_get_german_messages():
    _, errors = forms.clean(SCHEMA, {"dangerous": True})
    assert [(e.field, e.message) for e in errors] == [("vollmacht", "Vollmacht: Bitte fügen Sie die Datei bei.")]
    _, errors = forms.clean(SCHEMA, {"dangerous": True, "vollmacht": [record(1), record(2), record(3)]})
    assert [(e.field, e.message) for e in errors] == [("vollmacht", "Vollmacht: Höchstens 2 Dateien.")]
    cleaned, errors = forms.clean(SCHEMA, {"dangerous": True, "vollmacht": [record()]})
    assert errors == [] and cleaned["vollmacht"] == [record()]


@pytest.mark.parametrize("forged", [
    ["a.pdf"], [{"anlage": "1", "name": "v", "typ": "application/pdf", "bytes": 1}],
    [{**record(), "content": "JVBERi0="}], [record(typ="text/html")], [record(anlage=True)],
])
def test_a_forged_file_record_is_refused(forged):
    _, errors = forms.clean(SCHEMA, {"vollmacht": forged})
    assert [(e.field, e.message) for e in errors] == [("vollmacht", "Vollmacht: Bitte laden Sie die Datei erneut hoch.")]


def test_file_records_and_fields_are_found_at_any_depth():
    data = {"vollmacht": [record(1)], "person": {"ausweis": [record(2, "a.png", "image/png")]}}
    assert forms.file_records(SCHEMA, data) == [("vollmacht", record(1)), ("person/ausweis", record(2, "a.png",
                                                                                                    "image/png"))]
    assert [key for key, _ in forms.file_fields(SCHEMA)] == ["vollmacht", "person/ausweis"]


def test_on_paper_no_file_is_required_not_even_by_a_condition():
    paper = forms.without_files(SCHEMA)
    assert forms.clean(paper, {"dangerous": True})[1] == []
    assert SCHEMA["allOf"][0]["then"]["required"] == ["vollmacht"]  # the service's schema is unchanged


@pytest.mark.parametrize("node, problem", [
    ({"type": "string", "x-file": {}}, "properties/f/x-file: muss ein Objekt sein und gehört an ein Feld mit"),
    ({"type": "array", "x-file": {"accept": ["text/html"]}}, "properties/f/x-file/accept: erlaubt sind nur"),
    ({"type": "array", "x-file": {"maxBytes": 10 ** 9}}, "properties/f/x-file/maxBytes: muss zwischen 1 und"),
    ({"type": "array", "x-file": {"maxBytes": 0}}, "properties/f/x-file/maxBytes"),
])
def test_deploy_refuses_malformed_file_fields(node, problem):
    [found] = forms.schema_problems({"type": "object", "properties": {"f": node}})
    assert found.startswith(problem)
    assert forms.schema_problems(SCHEMA) == []
