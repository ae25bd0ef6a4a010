"""HTML forms from JSON Schema: the fields to render and the typed data a POST gives.
Nested objects become dotted field names (``antragsteller.plz``)."""
from __future__ import annotations

from dataclasses import dataclass

_MAX_NUMBER_CHARS = 30


@dataclass(frozen=True)
class Field:
    name: str  # dotted path, also the HTML name
    error_key: str  # the path as FieldError reports it ("antragsteller/plz")
    schema: dict
    required: bool

    @property
    def label(self) -> str:
        return self.schema.get("title") or self.name

    @property
    def multiline(self) -> bool:
        """A text area: the schema says ``"x-multiline": true`` (see engine/forms.py)."""
        return self.schema.get("x-multiline") is True

    @property
    def choices(self) -> list[tuple[str, str]]:
        titles = self.schema.get("enumTitles", {})
        return [(value, titles.get(value, value)) for value in self.schema.get("enum", [])]


def fields(schema: dict, prefix: str = "") -> list[Field]:
    result = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        if prop.get("type") == "object":
            result.extend(fields(prop, prefix=f"{path}."))
        else:
            result.append(Field(path, path.replace(".", "/"), prop, name in required))
    return result


def parse(schema: dict, form) -> dict:
    """Typed data from form fields; empty fields are left out so 'required' can speak."""
    data: dict = {}
    for field in fields(schema):
        value = _value(field.schema, form.get(field.name, ""))
        if value is None:
            continue
        *parents, leaf = field.name.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return data


def flatten(data: dict, prefix: str = "") -> dict:
    """The inverse of ``parse`` for refilling a form: dotted names to values."""
    flat = {}
    for key, value in (data or {}).items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def application_rows(process_key: str, variables: dict) -> list[tuple[str, str]]:
    """The application's fields with their German labels and values, for staff."""
    from processes.catalog import service_of_process
    from processes.findings import display

    svc = service_of_process(process_key)
    if svc is None or not isinstance(variables.get("antrag"), dict):
        return []
    values = flatten(variables["antrag"])
    return [(f.label, display(values[f.name], {"values": f.schema.get("enumTitles") or {}}))
            for f in fields(svc.form) if values.get(f.name) not in (None, "")]


def _value(prop: dict, raw):
    kind = prop.get("type")
    if kind == "boolean":
        return raw in ("on", "true", "ja")
    raw = (raw or "").strip()
    if raw == "":
        return None
    if kind in ("integer", "number"):
        if len(raw) > _MAX_NUMBER_CHARS:
            return raw  # no number a form asks for is this long; the schema check reports it
        try:
            return int(raw) if kind == "integer" else float(raw.replace(",", "."))
        except ValueError:
            return raw  # the schema check reports it as not a number
    return raw
