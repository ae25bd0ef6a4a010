"""Validates form data against a task's JSON Schema and says, per field and in German,
what is wrong."""
from __future__ import annotations

from functools import lru_cache

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .errors import FieldError

_FORMATS = {"date": "ein Datum (JJJJ-MM-TT)", "email": "eine E-Mail-Adresse", "date-time": "ein Zeitpunkt"}
_TYPES = {
    "string": "ein Text",
    "integer": "eine ganze Zahl",
    "number": "eine Zahl",
    "boolean": "ja oder nein",
    "object": "eine Gruppe von Angaben",
    "array": "eine Liste",
}


@lru_cache(maxsize=256)
def _validator(schema_json: bytes) -> Draft202012Validator:
    return Draft202012Validator(orjson.loads(schema_json), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(schema: dict, data: dict) -> list[FieldError]:
    validator = _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    return [_field_error(schema, e) for e in errors]


def _field_error(schema: dict, error: ValidationError) -> FieldError:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1]
        path.append(missing)
        return FieldError("/".join(path), f"{_label(schema, path)}: Bitte ausfüllen.")
    if error.validator == "additionalProperties":
        return FieldError("/".join(path), f"Unbekannte Angabe: {error.message.split(chr(39))[1]}")
    label = _label(schema, path)
    return FieldError("/".join(path), f"{label}: {_message(error)}")


def _message(error: ValidationError) -> str:
    v, expected = error.validator, error.validator_value
    custom = (error.schema.get("errorMessage") or {}) if isinstance(error.schema, dict) else {}
    if isinstance(custom, str):
        return custom
    if v in custom:
        return custom[v]
    if v == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return "Bitte " + " oder ".join(_TYPES.get(k, k) for k in kinds) + " angeben."
    if v == "minLength":
        return "Bitte ausfüllen." if expected == 1 or error.instance == "" else f"Mindestens {expected} Zeichen."
    if v == "maxLength":
        return f"Höchstens {expected} Zeichen."
    if v == "pattern":
        return "Das Format stimmt nicht."
    if v == "format":
        return f"Bitte {_FORMATS.get(expected, 'einen gültigen Wert')} angeben."
    if v in ("enum", "const"):
        return "Bitte einen der angebotenen Werte wählen."
    if v == "minimum":
        return f"Mindestens {expected}."
    if v == "maximum":
        return f"Höchstens {expected}."
    if v == "exclusiveMinimum":
        return f"Muss größer als {expected} sein."
    if v == "exclusiveMaximum":
        return f"Muss kleiner als {expected} sein."
    if v == "minItems":
        return f"Bitte mindestens {expected} Einträge angeben."
    if v == "maxItems":
        return f"Höchstens {expected} Einträge."
    return "Die Angabe ist ungültig."


def _label(schema: dict, path: list[str]) -> str:
    """The field's title from the schema, falling back to its name."""
    node, title = schema, None
    for part in path:
        if not isinstance(node, dict):
            break
        if "properties" in node and part in node["properties"]:
            node = node["properties"][part]
        elif "items" in node and part.isdigit():
            node = node["items"]
        else:
            node = {}
        title = node.get("title") if isinstance(node, dict) else None
    return title or (path[-1] if path else "Formular")
