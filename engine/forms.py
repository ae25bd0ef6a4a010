"""Validates form data against a task's JSON Schema and says, per field and in German,
what is wrong.

Input is made bounded and clean before anything interprets it. ``clean`` works in two passes:

1. Every string in the data is screened against its field's schema (found through
   ``properties``/``items``): first its length (``maxLength``, or ``DEFAULT_MAX_LENGTH`` where the
   schema gives none; never more than ``ABSOLUTE_MAX_LENGTH``), then its characters, then its
   ``format`` (``email``, ``date``) and date range. A string refused here is taken out of the data
   before the second pass, so no pattern, format or other keyword ever sees it.
2. The JSON Schema keywords (Draft 2020-12). ``pattern`` runs in RE2, a linear-time engine; a
   pattern RE2 cannot compile (lookahead, lookbehind, backreferences) is never run with Python's
   backtracking ``re`` instead: ``schema_problems`` reports it at deploy, and at run time it raises
   ``PatternUnsupported``.

Keywords of our own (all optional):

``x-multiline: true``
    The field is multi-line (rendered as a text area): line breaks (CR LF and CR become LF) and
    tabs are allowed. Everywhere else every control character (Unicode category Cc) is refused.
    No field accepts lone surrogates, noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF …) or the
    invisible bidirectional controls (U+202A–U+202E, U+2066–U+2069), nor U+2028/U+2029.
``x-min-date`` / ``x-max-date``
    On a ``"format": "date"`` field, the earliest/latest day allowed: an ISO date (``"1900-01-01"``),
    ``"today"``, or today moved by one ISO duration of years, months or days (``"today-P30Y"``,
    ``"today+P1Y"``, ``"today-P14D"``). "Today" is the calendar day in Germany (Europe/Berlin) at the
    engine clock's time. Without them a date must still lie between ``DATE_FLOOR`` and
    ``DATE_CEILING``; the year 0001 never passes.
``x-choices: "<system>.<operation>"``
    The field's choices come from a specialist system at the time the form is shown and checked
    (``with_choices``): the operation returns ``{"choices": [{"value", "title"}]}`` for the task's
    municipality, and they become the field's ``enum`` and ``enumTitles``; a value that is not among
    them is refused like any other ``enum`` (the field's ``errorMessage`` can say it in its words).
``x-file: {"accept": [...], "maxBytes": N}``
    A file field (attachment) on a node of ``"type": "array"``: one file per item, ``maxItems`` for
    several (default 1), ``required``/``minItems`` as for any field. ``accept`` names the allowed
    media types among ``FILE_TYPES`` (PDF, JPEG, PNG; default all), ``maxBytes`` the limit per file
    (default and ceiling ``MAX_FILE_BYTES``). The type is decided by the file's content
    (``file_type``), never by its name or the browser's word. A form's data holds only the file's
    record (``FILE_KEYS``: where it is kept, its name, type and size), never its content; the web UI
    renders the field as ``<input type="file">`` in a multipart form. (Not ``contentMediaType``/
    ``contentEncoding``: those describe content inside a string, and no file's content enters the
    process data.)
``errorMessage``
    A German message (string) or one per keyword (``{"pattern": "…", "x-max-date": "…"}``).

Strings are stored in Unicode NFC; e-mail addresses as email-validator normalises them for
delivery (domain lower-cased, internationalised domains in ASCII), checked without DNS.
"""
from __future__ import annotations

import math
import re
import unicodedata
from calendar import monthrange
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import filetype
import orjson
import re2
from email_validator import EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from .errors import EngineError, FieldError, FormInvalid

DEFAULT_MAX_LENGTH = 1000  # a string field without maxLength
ABSOLUTE_MAX_LENGTH = 20_000  # no schema may allow more
DATE_FLOOR = date(1800, 1, 1)  # the earliest day any date field accepts
DATE_CEILING = date(2199, 12, 31)
GERMANY = ZoneInfo("Europe/Berlin")

_FORMATS = {"date": "ein Datum (JJJJ-MM-TT)", "email": "eine E-Mail-Adresse", "date-time": "ein Zeitpunkt"}
_TYPES = {
    "string": "ein Text",
    "integer": "eine ganze Zahl",
    "number": "eine Zahl",
    "boolean": "ja oder nein",
    "object": "eine Gruppe von Angaben",
    "array": "eine Liste",
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RELATIVE_DATE = re.compile(r"today(?:([+-])P([0-9]{1,4})([YMD]))?")
_BIDI_CONTROLS = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_REJECTED = object()
# The attachments a form may take, by media type, with their German names.
FILE_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_FILE_BYTES = 20 * 1024 * 1024  # no schema may allow a larger file
FILE_KEYS = ("anlage", "name", "typ", "bytes")  # a stored file's record in the form's data


class PatternUnsupported(EngineError):
    """A form schema's pattern that RE2 cannot run; deploy-time validation refuses such schemas."""


def local_date(now: datetime) -> date:
    """The calendar day in Germany at ``now``: what "today" means for a form's date fields."""
    return now.astimezone(GERMANY).date()


def validate(schema: dict, data: dict, today: date | None = None) -> list[FieldError]:
    return clean(schema, data, today)[1]


def clean(schema: dict, data: dict, today: date | None = None) -> tuple[dict, list[FieldError]]:
    """The data as it may be stored (NFC, normalised e-mail addresses, line breaks as LF) and the
    errors. Store the data only if there are no errors."""
    today = today or local_date(datetime.now(GERMANY))
    screened: list[tuple[list, FieldError]] = []
    cleaned = _screen(schema, schema, data, [], screened, today)
    refused = {e.field for _, e in screened}
    validator = _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))
    found = [(list(e.absolute_path), _field_error(schema, e)) for e in validator.iter_errors(cleaned)]
    found = [(key, e) for key, e in found if not _covered(e.field, refused)]
    ordered = sorted(screened + found, key=lambda pair: [str(p) for p in pair[0]])
    return cleaned, [e for _, e in ordered]


def check_text(text: str, field: str, label: str, max_length: int, multiline: bool = True) -> str:
    """One free-text value outside a schema (e.g. a citizen's answer): the cleaned text, or
    FormInvalid with a German message on ``field``."""
    node = {"type": "string", "maxLength": max_length, "x-multiline": multiline, "title": label}
    value, problem = _string(node, (text or "").strip(), date.min)
    if problem is not None:
        raise FormInvalid([FieldError(field, f"{label}: {problem}")])
    return value


# --- files ------------------------------------------------------------------------------------

def is_file_field(node) -> bool:
    return isinstance(node, dict) and isinstance(node.get("x-file"), dict)


def file_types(node: dict) -> list[str]:
    """The media types a file field accepts (see ``x-file`` in the module docs)."""
    accept = node["x-file"].get("accept")
    return [t for t in accept if t in FILE_TYPES] if isinstance(accept, list) else list(FILE_TYPES)


def file_max_bytes(node: dict, ceiling: int = MAX_FILE_BYTES) -> int:
    given = node["x-file"].get("maxBytes")
    limit = given if isinstance(given, int) and not isinstance(given, bool) and given > 0 else MAX_FILE_BYTES
    return min(limit, ceiling, MAX_FILE_BYTES)


def file_max_count(node: dict) -> int:
    given = node.get("maxItems")
    return given if isinstance(given, int) and not isinstance(given, bool) and given > 0 else 1


def file_type(content: bytes) -> str | None:
    """The media type the content's signature shows (PDF, JPEG, PNG), or None for any other content."""
    found = filetype.guess_mime(content[:8192]) if content else None
    return found if found in FILE_TYPES else None


def file_size_problem(node: dict, size: int, ceiling: int = MAX_FILE_BYTES) -> str | None:
    """The German message (without label) if a file of ``size`` bytes is too large or empty for the field.
    ``ceiling``: the installation's limit per file."""
    limit = file_max_bytes(node, ceiling)
    if size > limit:
        return (f"Die Datei ist {size_text(size, up=True)} groß; erlaubt sind höchstens {size_text(limit)} je Datei. Bitte "
                "verkleinern Sie sie (z. B. geringere Auflösung) und laden Sie sie erneut hoch.")
    if size == 0:
        return "Die Datei ist leer. Bitte wählen Sie die richtige Datei aus."
    return None


def file_type_problem(node: dict, content: bytes) -> tuple[str | None, str | None]:
    """The file's media type by its content and None, or None and the German message (without label)."""
    kind, accepted = file_type(content), file_types(node)
    if kind not in accepted:
        return None, (f"Diese Datei ist kein {_or(FILE_TYPES[t] for t in accepted)} (geprüft wird der Inhalt, nicht "
                      "der Dateiname). Bitte laden Sie das Dokument in einem dieser Formate hoch.")
    return kind, None


def file_records(schema: dict, data: dict, path: tuple = ()) -> list[tuple[str, dict]]:
    """Every file record in the data with its field's error key ("anlagen/vollmacht")."""
    found = []
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key, value in (data or {}).items():
        node = properties.get(key)
        if is_file_field(node) and isinstance(value, list):
            found += [("/".join([*path, key]), item) for item in value if _file_record(item)]
        elif isinstance(node, dict) and isinstance(value, dict):
            found += file_records(node, value, (*path, key))
    return found


def file_fields(schema: dict, path: tuple = ()) -> list[tuple[str, dict]]:
    """The schema's file fields (top level and in nested objects) with their error keys."""
    found = []
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key, node in properties.items():
        if is_file_field(node):
            found.append(("/".join([*path, key]), node))
        elif isinstance(node, dict) and node.get("type") == "object":
            found += file_fields(node, (*path, key))
    return found


def field_label(schema: dict, key: str) -> str:
    """The title of the field with this error key ("halter/plz")."""
    return _label(schema, key.split("/"))


def without_files(schema: dict) -> dict:
    """The schema with its file fields optional (also where an if/then requires them): for applications
    taken on paper, whose documents the office sees in the original."""
    return _strip_required(schema, _file_names(schema))


def _file_names(node) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_file_names(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
    found = {key for key, value in properties.items() if is_file_field(value)}
    return found.union(*(_file_names(v) for k, v in node.items() if k not in _LITERALS))


def _strip_required(node, names: set[str]):
    if isinstance(node, list):
        return [_strip_required(item, names) for item in node]
    if not isinstance(node, dict):
        return node
    result = {k: v if k in _LITERALS else _strip_required(v, names) for k, v in node.items()}
    if isinstance(result.get("required"), list):
        result["required"] = [name for name in result["required"] if name not in names]
    return result


_LITERALS = ("enum", "const", "default", "examples", "enumTitles", "errorMessage", "required")


def file_hint(node: dict, ceiling: int = MAX_FILE_BYTES) -> str:
    """What the field takes, in German, for the form."""
    count = file_max_count(node)
    many = f" – bis zu {count} Dateien" if count > 1 else ""
    return f"{_or(FILE_TYPES[t] for t in file_types(node))}, höchstens {size_text(file_max_bytes(node, ceiling))} je Datei{many}."


def size_text(size: int, up: bool = False) -> str:
    """A size in German (Bytes, KB, MB with one decimal); ``up``: rounded up, for a file measured against a
    limit (so a file just over the limit never reads as the limit itself)."""
    if size < 1024:
        return f"{size} Bytes"
    unit, name = (1024 * 1024, "MB") if size >= 1024 * 1024 else (1024, "KB")
    tenths = -(-size * 10 // unit) if up else size * 10 // unit
    whole, tenth = divmod(tenths, 10)
    return f"{whole} {name}" if tenth == 0 else f"{whole},{tenth} {name}"


def _or(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " oder " + names[-1]


def _file_record(item) -> bool:
    return (isinstance(item, dict) and set(item) == set(FILE_KEYS) and isinstance(item["anlage"], int)
            and not isinstance(item["anlage"], bool) and item["typ"] in FILE_TYPES
            and isinstance(item["name"], str) and len(item["name"]) <= 200 and isinstance(item["bytes"], int))


# --- pass 1: length, characters, format, date range ------------------------------------------

def _screen(root: dict, node, value, path: list, screened: list, today: date):
    node = node if isinstance(node, dict) else {}
    if isinstance(value, dict):
        properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        result = {}
        for key, item in value.items():
            child = _screen(root, properties.get(key), item, [*path, key], screened, today)
            if child is not _REJECTED:
                result[key] = child
        return result
    if isinstance(value, list) and is_file_field(node):
        if all(_file_record(item) for item in value):
            return value
        screened.append((path, _error(root, path, "Bitte laden Sie die Datei erneut hoch.")))
        return _REJECTED
    if isinstance(value, list):
        items = node.get("items")
        result = []
        for index, item in enumerate(value):
            child = _screen(root, items, item, [*path, index], screened, today)
            result.append(None if child is _REJECTED else child)
        return result
    if isinstance(value, float) and not math.isfinite(value):
        screened.append((path, _error(root, path, "Bitte eine Zahl angeben.")))
        return _REJECTED
    if not isinstance(value, str):
        return value
    cleaned, problem = _string(node, value, today)
    if problem is not None:
        screened.append((path, _error(root, path, problem)))
        return _REJECTED
    return cleaned


def _string(node: dict, value: str, today: date) -> tuple[str, str | None]:
    """The cleaned string and None, or the original and the German message (without label)."""
    custom = node.get("errorMessage")
    multiline = node.get("x-multiline") is True
    limit = _max_length(node)
    if len(value) > 4 * limit + 16:  # far too long: not worth normalising
        return value, _custom(custom, "maxLength") or _too_long(limit, len(value))
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        return value, _custom(custom, "maxLength") or _too_long(limit, len(value))
    problem = _characters(value, multiline)
    if problem:
        return value, problem
    fmt = node.get("format")
    if fmt == "email":
        address, problem = _email(value)
        return (value, _custom(custom, "format") or problem) if problem else (address, None)
    if fmt == "date":
        problem = _date(node, value, today)
        return value, (_custom(custom, problem[0]) or problem[1]) if problem else None
    return value, None


def _max_length(node: dict) -> int:
    given = node.get("maxLength")
    if isinstance(given, int) and not isinstance(given, bool) and given >= 0:
        return min(given, ABSOLUTE_MAX_LENGTH)
    return DEFAULT_MAX_LENGTH


def _too_long(limit: int, length: int) -> str:
    return f"Höchstens {limit} Zeichen – Ihre Angabe hat {length}. Bitte kürzen Sie sie."


def _characters(value: str, multiline: bool) -> str | None:
    for position, char in enumerate(value, start=1):
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            if multiline and char in "\n\t":
                continue
            if char in "\n\r":
                return "Bitte ohne Zeilenumbruch angeben (nur eine Zeile)."
            return (f"Enthält ein unsichtbares Steuerzeichen (U+{code:04X}) an Stelle {position}. Bitte entfernen "
                    "Sie es, am einfachsten indem Sie die Angabe neu eintippen statt sie einzufügen.")
        if code < 0x2028:
            continue
        if (0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
                or code in _BIDI_CONTROLS or code in (0x2028, 0x2029)):
            return (f"Enthält ein unzulässiges Zeichen (U+{code:04X}) an Stelle {position}. Bitte entfernen Sie es, "
                    "am einfachsten indem Sie die Angabe neu eintippen statt sie einzufügen.")
    return None


def _email(value: str) -> tuple[str | None, str | None]:
    """The address as mail delivery needs it, or a German message. No DNS lookups."""
    local, _, domain = value.rpartition("@")
    if not local or not domain or "." not in domain:
        return None, "Bitte eine vollständige E-Mail-Adresse mit @ und Domain angeben, z. B. erika@example.org."
    if any(c.isspace() for c in value) or any(c in value for c in "<>\"()[],;:\\"):
        return None, ("Bitte nur die E-Mail-Adresse angeben, ohne Leerzeichen, Namen, Klammern oder spitze "
                      "Klammern, z. B. erika.mustermann@example.org.")
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
                                allow_domain_literal=False, allow_display_name=False, globally_deliverable=True)
    except EmailNotValidError:
        if not local.isascii():
            return None, "Vor dem @ sind nur Buchstaben ohne Umlaute, Ziffern und . _ - + erlaubt."
        return None, "Diese E-Mail-Adresse ist ungültig. Bitte prüfen Sie sie, z. B. erika.mustermann@example.org."
    return result.ascii_email or result.normalized, None


def _date(node: dict, value: str, today: date) -> tuple[str, str] | None:
    """None if the date is valid and in range, else (keyword, German message)."""
    if not _ISO_DATE.fullmatch(value):
        return "format", "Bitte ein Datum (JJJJ-MM-TT) angeben."
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return "format", "Diesen Tag gibt es nicht. Bitte ein gültiges Datum (JJJJ-MM-TT) angeben."
    earliest = max(_bound(node.get("x-min-date"), today) or DATE_FLOOR, DATE_FLOOR)
    latest = min(_bound(node.get("x-max-date"), today) or DATE_CEILING, DATE_CEILING)
    if day < earliest:
        if earliest == today:
            return "x-min-date", "Das Datum darf nicht in der Vergangenheit liegen."
        return "x-min-date", f"Bitte ein Datum ab dem {earliest:%d.%m.%Y} angeben."
    if day > latest:
        if latest == today:
            return "x-max-date", "Das Datum darf nicht in der Zukunft liegen."
        return "x-max-date", f"Bitte ein Datum bis zum {latest:%d.%m.%Y} angeben."
    return None


def _bound(spec, today: date) -> date | None:
    """A date bound (see the module docs), or None if there is none; ValueError if malformed."""
    if spec is None:
        return None
    if not isinstance(spec, str):
        raise TypeError(spec)
    if _ISO_DATE.fullmatch(spec):
        return date.fromisoformat(spec)
    match = _RELATIVE_DATE.fullmatch(spec)
    if not match:
        raise ValueError(spec)
    sign, amount, unit = match.groups()
    if sign is None:
        return today
    n = int(amount) * (1 if sign == "+" else -1)
    if unit == "D":
        return today + timedelta(days=n)
    months = today.year * 12 + today.month - 1 + (n * 12 if unit == "Y" else n)
    year, month = divmod(months, 12)
    year, month = min(max(year, 1), 9999), month + 1
    return date(year, month, min(today.day, monthrange(year, month)[1]))


def _custom(custom, keyword: str) -> str | None:
    if isinstance(custom, str):
        return custom
    if isinstance(custom, dict) and isinstance(custom.get(keyword), str):
        return custom[keyword]
    return None


def _error(root: dict, path: list, message: str) -> FieldError:
    keys = [str(p) for p in path]
    return FieldError("/".join(keys), f"{_label(root, keys)}: {message}")


def _covered(field: str, refused: set[str]) -> bool:
    return any(field == r or field.startswith(r + "/") for r in refused)


# --- pass 2: JSON Schema, patterns in RE2 ------------------------------------------------------

@lru_cache(maxsize=512)
def _regex(pattern: str):
    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as err:
        raise PatternUnsupported(f"Das Muster „{pattern}“ lässt sich nicht in linearer Zeit prüfen: {_re2_reason(err)}")


def _re2_reason(err) -> str:
    reason = err.args[0] if err.args else err
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and _regex(pattern).search(instance) is None:
        yield ValidationError(f"does not match {pattern!r}")


def _email_format(value) -> bool:
    return not isinstance(value, str) or _email(value)[1] is None


def _date_format(value) -> bool:
    return not isinstance(value, str) or _date({}, value, date.min) is None


_FORMAT_CHECKER = FormatChecker()
_FORMAT_CHECKER.checks("email")(_email_format)
_FORMAT_CHECKER.checks("date")(_date_format)
_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@lru_cache(maxsize=256)
def _validator(schema_json: bytes):
    return _Validator(orjson.loads(schema_json), format_checker=_FORMAT_CHECKER)


# --- deploy time ------------------------------------------------------------------------------

def with_choices(schema: dict, choices_of) -> dict:
    """The schema with each ``x-choices`` field's ``enum``/``enumTitles`` taken from
    ``choices_of(source) -> [{"value", "title"}]``; the schema itself is not changed (forms are cached)."""
    if isinstance(schema, list):
        return [with_choices(item, choices_of) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {key: value if key in ("enum", "const", "default", "examples", "enumTitles", "errorMessage")
            else with_choices(value, choices_of) for key, value in schema.items()}
    source = schema.get("x-choices")
    if isinstance(source, str):
        choices = choices_of(source)
        node["enum"] = [str(c["value"]) for c in choices]
        node["enumTitles"] = {str(c["value"]): str(c.get("title") or c["value"]) for c in choices}
    return node


def choice_sources(schema) -> set[str]:
    """The operations a schema's ``x-choices`` name."""
    if isinstance(schema, list):
        return set().union(*(choice_sources(item) for item in schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    found = {schema["x-choices"]} if isinstance(schema.get("x-choices"), str) else set()
    return found.union(*(choice_sources(value) for key, value in schema.items() if key != "x-choices"))


def schema_problems(schema) -> list[str]:
    """What makes a form schema unfit for input from the public, each located and in German:
    patterns RE2 cannot run, a maxLength above ABSOLUTE_MAX_LENGTH, malformed own keywords."""
    problems: list[str] = []
    _walk_schema(schema, [], problems)
    return problems


def _walk_schema(node, path: list[str], problems: list[str]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk_schema(item, [*path, str(index)], problems)
        return
    if not isinstance(node, dict):
        return
    where = "/".join(path) or "(Wurzel)"
    pattern = node.get("pattern")
    if isinstance(pattern, str) and not _is_literal_container(path):
        try:
            _regex(pattern)
        except PatternUnsupported as err:
            problems.append(f"{where}/pattern: {err} Bitte ohne Lookahead/Lookbehind ((?=, (?!, (?<=, (?<!) und ohne "
                            "Rückverweise (\\1) formulieren; Längen- oder Zählgrenzen gehören in maxLength.")
    if "patternProperties" in node and not _is_literal_container(path):
        problems.append(f"{where}/patternProperties: wird in Formularen nicht unterstützt; bitte die Felder unter "
                        "„properties“ einzeln angeben.")
    length = node.get("maxLength")
    if isinstance(length, int) and not isinstance(length, bool) and length > ABSOLUTE_MAX_LENGTH \
            and not _is_literal_container(path):
        problems.append(f"{where}/maxLength: höchstens {ABSOLUTE_MAX_LENGTH} Zeichen sind möglich, nicht {length}.")
    for keyword in ("x-min-date", "x-max-date"):
        if keyword in node and not _is_literal_container(path):
            try:
                _bound(node[keyword], date(2000, 1, 1))
            except (TypeError, ValueError):
                problems.append(f"{where}/{keyword}: „{node[keyword]}“ ist keine gültige Datumsgrenze; erlaubt sind "
                                "ein Datum (JJJJ-MM-TT), „today“ oder z. B. „today-P30Y“, „today+P14D“.")
            if node.get("format") != "date":
                problems.append(f"{where}/{keyword}: gilt nur zusammen mit \"format\": \"date\".")
    if "x-file" in node and not _is_literal_container(path):
        _check_file_field(node, where, problems)
    if "x-multiline" in node and not isinstance(node["x-multiline"], bool) and not _is_literal_container(path):
        problems.append(f"{where}/x-multiline: muss true oder false sein.")
    if "x-choices" in node and not _is_literal_container(path) and (
            not isinstance(node["x-choices"], str) or node["x-choices"].count(".") != 1):
        problems.append(f"{where}/x-choices: muss eine Operation „<system>.<operation>“ nennen.")
    for key, value in node.items():
        if key in ("enum", "const", "default", "examples", "enumTitles", "errorMessage"):
            continue
        _walk_schema(value, [*path, key], problems)


def _check_file_field(node: dict, where: str, problems: list[str]) -> None:
    spec = node["x-file"]
    if not isinstance(spec, dict) or node.get("type") != "array":
        problems.append(f"{where}/x-file: muss ein Objekt sein und gehört an ein Feld mit \"type\": \"array\".")
        return
    accept = spec.get("accept", list(FILE_TYPES))
    if not isinstance(accept, list) or not accept or any(t not in FILE_TYPES for t in accept):
        problems.append(f"{where}/x-file/accept: erlaubt sind nur {', '.join(FILE_TYPES)}.")
    size = spec.get("maxBytes", MAX_FILE_BYTES)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_FILE_BYTES:
        problems.append(f"{where}/x-file/maxBytes: muss zwischen 1 und {MAX_FILE_BYTES} Bytes liegen.")


def _is_literal_container(path: list[str]) -> bool:
    """Inside ``properties`` a key names a field, it is no keyword (a field may be called "pattern")."""
    return bool(path) and path[-1] in ("properties", "$defs", "definitions", "dependentSchemas")


# --- messages ---------------------------------------------------------------------------------

def _field_error(schema: dict, error: ValidationError) -> FieldError:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1]
        path.append(missing)
        if is_file_field(_node(schema, path)):
            return FieldError("/".join(path), f"{_label(schema, path)}: Bitte fügen Sie die Datei bei.")
        return FieldError("/".join(path), f"{_label(schema, path)}: Bitte ausfüllen.")
    if error.validator == "additionalProperties":
        name = error.message.split(chr(39))[1]
        return FieldError("/".join(path), f"Unbekannte Angabe: {name[:60]}")
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
    if v in ("minItems", "maxItems") and is_file_field(error.schema):
        return f"Bitte mindestens {expected} Dateien beifügen." if v == "minItems" else f"Höchstens {expected} Dateien."
    if v == "minItems":
        return f"Bitte mindestens {expected} Einträge angeben."
    if v == "maxItems":
        return f"Höchstens {expected} Einträge."
    return "Die Angabe ist ungültig."


def _node(schema: dict, path: list[str]) -> dict:
    node = schema
    for part in path:
        properties = node.get("properties") if isinstance(node, dict) else None
        node = properties.get(part, {}) if isinstance(properties, dict) else {}
    return node if isinstance(node, dict) else {}


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
    return title or (path[-1][:60] if path else "Formular")
