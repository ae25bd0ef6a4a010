"""HTML forms from JSON Schema: the fields to render and the typed data a POST gives.
Nested objects become dotted field names (``antragsteller.plz``)."""
from __future__ import annotations

from dataclasses import dataclass

from engine import forms
from processes.cases import Upload

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
    def file(self) -> bool:
        """A file field (``x-file``, see engine/forms.py): an <input type="file"> in a multipart form."""
        return forms.is_file_field(self.schema)

    @property
    def multiple(self) -> bool:
        return self.file and forms.file_max_count(self.schema) > 1

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
        if field.file:
            continue  # files come by ``uploads``, never as text
        value = _value(field.schema, form.get(field.name, ""))
        if value is None:
            continue
        *parents, leaf = field.name.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return data


def uploads(schema: dict, files) -> dict[str, list[Upload]]:
    """The files a multipart POST carries for the form's file fields (a field left empty sends none).
    The request as a whole is bounded (webui: the upload limit), so reading a file is too."""
    return {f.error_key: [Upload(s.filename or "", s.stream.read()) for s in files.getlist(f.name) if s.filename]
            for f in fields(schema) if f.file}


def has_files(schema: dict) -> bool:
    return any(f.file for f in fields(schema))


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
    return [(f.label, _files_text(values[f.name]) if f.file else
             display(values[f.name], {"values": f.schema.get("enumTitles") or {}}))
            for f in fields(svc.form) if values.get(f.name) not in (None, "", [])]


def _files_text(records) -> str:
    """The attached files by name (they open from the case page)."""
    return ", ".join(str(r.get("name")) for r in records if isinstance(r, dict)) if isinstance(records, list) else ""


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


def safe_filename(name: str) -> tuple[str, str]:
    """The file name for Content-Disposition: plain ASCII, and percent-encoded UTF-8 (RFC 6266)."""
    from urllib.parse import quote

    plain = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)[:120] or "Anlage"
    return plain, quote(name[:120], safe="")
