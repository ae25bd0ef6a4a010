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
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from .catalog import service_of_process, services

BERLIN = ZoneInfo("Europe/Berlin")
CHANNEL_LABELS = {"portal": "online (Serviceportal)", "schalter": "am Schalter", "brief": "per Brief"}
# The clerks' groups (processes/staff_groups.json, the services' clerk_groups and the models' lanes)
GROUP_LABELS = {"standesamt": "Standesamt", "standesbeamte": "Standesbeamtinnen und -beamte", "steueramt": "Steueramt",
                "strassenverkehr": "Straßenverkehrsbehörde", "gewerbe": "Gewerbeamt",
                "gewerbe_leitung": "Leitung Gewerbeamt", "poststelle": "Poststelle", "kasse": "Stadtkasse"}
# What processes.cases puts into every case; the services' own data is labelled by their clerk_context.
CASE_LABELS = {"antrag": "Antrag", "fall": "Antragsnummer", "kanal": "Eingangskanal", "konto": "Servicekonto",
               "eingang": "Eingangsdatum", "kommune": "Kommune", "einstellungen": "Einstellungen der Kommune"}
VIEWS = {"betrieb": "Betrieb", "aufgabe": "Aufgabe"}
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


def case_rows(variables: dict) -> list[Row]:
    """What every case carries, in German: number, channel, date of receipt, municipality."""
    kommune = variables.get("kommune")
    values = {"fall": variables.get("fall"), "kanal": channel_label(variables.get("kanal")),
              "eingang": variables.get("eingang"), "kommune": kommune.get("name") if isinstance(kommune, dict) else None}
    return [Row(CASE_LABELS[k], display(v)) for k, v in values.items() if not _empty(v)]


def documents(variables: dict) -> list[dict]:
    """The documents the process made (its results that name a document and its title), oldest first."""
    found = [v for v in variables.values() if isinstance(v, dict) and v.get("document_id") and v.get("title")]
    return sorted(found, key=lambda d: d["document_id"])


def group_label(group: str | None) -> str:
    return GROUP_LABELS.get(group, group) if group else "–"


def process_title(process_key: str) -> str:
    """The service a process serves, or the purpose of a standing process, else its key."""
    svc = service_of_process(process_key)
    if svc is not None:
        return svc.title
    return next((s.standing_processes[process_key] for s in services().values()
                 if process_key in s.standing_processes), process_key)


def data_label(process_key: str, name: str, variables: dict | None = None) -> str | None:
    """The German name of a process variable: the case's own, a finding's heading, a document's title."""
    if name in CASE_LABELS:
        return CASE_LABELS[name]
    svc = service_of_process(process_key)
    if svc is not None and name in svc.clerk_context:
        return presentation(svc.clerk_context[name])["heading"]
    value = (variables or {}).get(name)
    if isinstance(value, dict) and value.get("document_id") and value.get("title"):
        return value["title"]
    return None


def changes_text(process_key: str, changes: dict | None, variables: dict | None = None) -> str:
    """An audit entry's details in a line: which data changed (by German names), an error, a view."""
    if not changes:
        return ""
    parts = []
    for verb, names in (("gesetzt", list(changes.get("set") or {})), ("entfernt", changes.get("removed") or [])):
        if names:
            labels = [label for n in names if (label := data_label(process_key, n, variables))]
            others = len(names) - len(labels)
            if others:
                labels.append(count(others, "weitere Angabe", "weitere Angaben"))
            parts.append(f"{verb}: {_enumeration(labels)}")
    if changes.get("error"):
        attempt = f" (Versuch {changes['attempt']})" if changes.get("attempt") else ""
        parts.append(f"Fehler{attempt}: {changes['error']}")
    if changes.get("ansicht"):
        parts.append(f"Ansicht {VIEWS.get(changes['ansicht'], changes['ansicht'])}"
                     + (", unmaskiert" if changes.get("unmaskiert") else ""))
    if changes.get("reason"):
        parts.append(f"Grund: {changes['reason']}")
    return "; ".join(parts)


def count(n: int, singular: str, plural: str) -> str:
    """„1 Dokument“, „2 Dokumente“."""
    return f"{n} {singular if n == 1 else plural}"


def _enumeration(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " und " + items[-1]


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
    if isinstance(value, datetime):  # without a zone: UTC, as times are stored
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dict):  # its values only: the keys are the program's, not the reader's
        return "; ".join(display(v) for v in value.values() if not _empty(v))
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
