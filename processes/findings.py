"""What a clerk sees beside a task: the findings of the specialist systems, as the service
describes them in its ``service.json`` (``clerk_context``), turned into display-ready German
rows. Templates render the rows and know no service.

A presentation (the value of a ``clerk_context`` entry, or of one of its ``fields``/``items``):

- ``heading`` (top level) / ``label``: the German heading or row label;
- ``values``: German labels of codes (``{"found": "Eintrag gefunden"}``; booleans as ``"true"``/``"false"``);
- ``format``: ``"date"`` (ISO date → 14.03.1990), ``"money"`` (cents → 15,00 €), ``"flag"`` (a row with
  ``text`` only when the value is true); booleans always read ja/nein;
- ``missing``: the text when the value is empty (else the row is left out);
- ``fields``: the sub-fields of an object to show, each a presentation with its ``key``;
- ``items``: the presentation of each element of a list;
- ``parts``: an object in one line, from the given keys (each with ``prefix``/``format``/``values``);
- ``label_key`` + ``label_values``: a row label taken from one of the object's codes (``role`` → „Mutter“).

Keys not declared are not shown: a finding shows what its service chose, never internals.
A plain string instead of a presentation is a heading for a plain value (text or list of texts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .catalog import service_of_process

BERLIN = ZoneInfo("Europe/Berlin")
CHANNEL_LABELS = {"portal": "online (Serviceportal)", "schalter": "am Schalter", "brief": "per Brief"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


@dataclass(frozen=True)
class Row:
    label: str  # "" for a line of its own
    text: str  # "" when the row only groups its sub-rows
    rows: tuple[Row, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str
    rows: tuple[Row, ...]


def clerk_findings(process_key: str, variables: dict) -> list[Section]:
    """The sections the process's service declares, in its order; empty findings are left out."""
    svc = service_of_process(process_key)
    if svc is None:
        return []
    sections = []
    for name, spec in svc.clerk_context.items():
        spec = presentation(spec)
        row = _row({**spec, "label": ""}, variables.get(name))
        if row is None:
            continue
        rows = row.rows if row.rows and not row.text else (row,)
        sections.append(Section(spec["heading"], rows))
    return sections


def presentation(spec) -> dict:
    return spec if isinstance(spec, dict) else {"heading": spec}


def channel_label(code: str | None) -> str | None:
    return CHANNEL_LABELS.get(code, code) if code else None


def display(value, spec: dict | None = None) -> str:
    """One value as German text: codes by their labels, ja/nein, German dates, euros."""
    spec = spec or {}
    labels = spec.get("values") or {}
    key = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if key in labels:
        return labels[key]
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if spec.get("format") == "money" and isinstance(value, int):
        return f"{value // 100:,}".replace(",", ".") + f",{value % 100:02d} €"
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") if value.tzinfo else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items() if not _empty(v))
    if isinstance(value, (list, tuple)):
        return ", ".join(display(v) for v in value)
    text = str(value)
    if _ISO_DATE.fullmatch(text):
        return date.fromisoformat(text).strftime("%d.%m.%Y")
    if _ISO_DATETIME.fullmatch(text):
        return display(datetime.fromisoformat(text))
    return text


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _row(spec: dict, value) -> Row | None:
    label = spec.get("label", "")
    if _empty(value) or (spec.get("format") == "flag" and not value):
        return Row(label, spec["missing"]) if "missing" in spec else None
    if spec.get("format") == "flag":
        return Row(label, spec.get("text", "ja"))
    if isinstance(value, dict):
        label = spec.get("label_values", {}).get(str(value.get(spec.get("label_key"))), label)
        if "parts" in spec:
            line = _line(spec["parts"], value)
            return Row(label, line) if line else None
        rows = tuple(r for f in spec.get("fields", ()) if (r := _row(f, value.get(f["key"]))))
        return Row(label, "", rows) if rows else None
    if isinstance(value, list):
        item = spec.get("items", {})
        rows = tuple(r for v in value if (r := _row(item, v)))
        return Row(label, "", rows) if rows else None
    return Row(label, display(value, spec))


def _line(parts: list[dict], value: dict) -> str:
    return " ".join(part.get("prefix", "") + display(value[part["key"]], part)
                    for part in parts if not _empty(value.get(part["key"])))
