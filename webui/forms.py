"""HTML forms from JSON Schema: the fields to render and the typed data a POST gives.
Nested objects become dotted field names (``antragsteller.plz``); an array of objects becomes one
fieldset per element with indexed names (``weitere_personen.0.familienname``). Without JavaScript,
the number of elements travels as a hidden field (``weitere_personen.#``) and buttons named
``ACTION`` add or remove an element: the form comes back with everything typed kept."""
from __future__ import annotations

from dataclasses import dataclass

from engine import forms
from processes.cases import Upload

_MAX_NUMBER_CHARS = 30
ACTION = "_aktion"  # the add/remove buttons: "hinzufuegen:<array>" or "entfernen:<array>:<index>"
COUNT = "#"  # "<array>.#": the number of elements the form shows


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

    @property
    def repeated(self) -> bool:
        """An array of objects: a fieldset per element."""
        return _repeated(self.schema)

    @property
    def max_items(self) -> int:
        return int(self.schema.get("maxItems", 0))

    @property
    def item_label(self) -> str:
        return self.schema["items"].get("title") or self.label

    def item_fields(self, index: int) -> list[Field]:
        return fields(self.schema["items"], prefix=f"{self.name}.{index}.")

    def count(self, values: dict) -> int:
        """How many elements the form shows (see ``COUNT``), within maxItems."""
        return _count(values.get(f"{self.name}.{COUNT}"), self.max_items)


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


def parse(schema: dict, form, keep_empty: bool = False) -> dict:
    """Typed data from form fields; empty fields are left out so 'required' can speak, and so is an
    element of an array left entirely empty (unless ``keep_empty``, for re-rendering the form)."""
    data: dict = {}
    for field in fields(schema):
        if field.file:
            continue  # files come by ``uploads``, never as text
        if field.repeated:
            items = [parse(field.schema["items"], _Prefixed(form, f"{field.name}.{index}."), keep_empty)
                     for index in range(_count(form.get(f"{field.name}.{COUNT}"), field.max_items))]
            value = [item for item in items if item or keep_empty] or None
        else:
            value = _value(field.schema, form.get(field.name, ""))
        if value is None:
            continue
        *parents, leaf = field.name.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return data


def edit(schema: dict, form) -> dict | None:
    """For a press of an add or remove button: the values to show the form again with, the element
    added or removed and everything else as typed; None for any other submission."""
    action = str(form.get(ACTION) or "")
    verb, _, rest = action.partition(":")
    name, _, index = rest.partition(":")
    target = next((f for f in fields(schema) if f.repeated and f.name == name), None)
    if target is None or verb not in ("hinzufuegen", "entfernen"):
        return None
    data = parse(schema, form, keep_empty=True)
    *parents, leaf = target.name.split(".")
    holder = data
    for parent in parents:
        holder = holder.setdefault(parent, {})
    items = holder.setdefault(leaf, [])
    if verb == "hinzufuegen" and len(items) < target.max_items:
        items.append({})
    elif verb == "entfernen" and index.isdigit() and int(index) < len(items):
        del items[int(index)]
    return flatten(data)


def uploads(schema: dict, files) -> dict[str, list[Upload]]:
    """The files a multipart POST carries for the form's file fields (a field left empty sends none).
    The request as a whole is bounded (webui: the upload limit), so reading a file is too."""
    return {f.error_key: [Upload(s.filename or "", s.stream.read()) for s in files.getlist(f.name) if s.filename]
            for f in fields(schema) if f.file}


def files_not_kept(schema: dict, files) -> dict[str, str]:
    """error key -> the German note for each file field whose chosen files this post did not keep (the
    form came back: a person added, or another field wrong); a browser cannot refill a file input."""
    return {f.error_key: f"{f.label}: Die gewählte Datei ({', '.join(s.filename for s in chosen)}) ist noch nicht "
                         "übernommen. Bitte wählen Sie sie vor dem Weiter erneut aus."
            for f in fields(schema) if f.file for chosen in [[s for s in files.getlist(f.name) if s.filename]]
            if chosen}


def has_files(schema: dict) -> bool:
    return any(f.file for f in fields(schema))


def flatten(data: dict, prefix: str = "") -> dict:
    """The inverse of ``parse`` for refilling a form: dotted names to values, a list of objects
    indexed with its length under ``<name>.#``."""
    flat = {}
    for key, value in (data or {}).items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value) \
                and not any(_file_record(item) for item in value):
            flat[f"{prefix}{key}.{COUNT}"] = len(value)
            for index, item in enumerate(value):
                flat.update(flatten(item, f"{prefix}{key}.{index}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def answer_rows(schema: dict, data: dict) -> list[tuple[str, str]]:
    """The application's fields with their German labels and values (choices by their titles), each
    element of an array under its own heading ("Weitere Person 1: Familienname")."""
    return _rows(fields(schema), flatten(data or {}), "")


def application_rows(process_key: str, variables: dict) -> list[tuple[str, str]]:
    """The application's fields with their German labels and values, for staff."""
    from processes.catalog import service_of_process

    svc = service_of_process(process_key)
    if svc is None or not isinstance(variables.get("antrag"), dict):
        return []
    return answer_rows(svc.form, variables["antrag"])


def _rows(form_fields: list[Field], values: dict, heading: str) -> list[tuple[str, str]]:
    from processes.findings import display

    rows = []
    for f in form_fields:
        if f.repeated:
            for index in range(f.count(values)):
                rows += _rows(f.item_fields(index), values, f"{f.item_label} {index + 1}: ")
        elif values.get(f.name) not in (None, "", []):
            rows.append((heading + f.label, _files_text(values[f.name]) if f.file else
                         display(values[f.name], {"values": f.schema.get("enumTitles") or {}})))
    return rows


class _Prefixed:
    """The posted fields of one array element, by their names within it."""

    def __init__(self, form, prefix: str):
        self.form, self.prefix = form, prefix

    def get(self, name: str, default=None):
        return self.form.get(self.prefix + name, default)


def _repeated(schema: dict) -> bool:
    return schema.get("type") == "array" and isinstance(schema.get("items"), dict) \
        and schema["items"].get("type") == "object"


def _count(raw, limit: int) -> int:
    raw = str(raw if raw is not None else "").strip()
    return min(int(raw), limit) if raw.isdigit() and len(raw) <= 3 else 0


def _file_record(item: dict) -> bool:
    return set(item) == set(forms.FILE_KEYS)  # an attached file's record, shown by name


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
