"""Per-municipality settings: one generic model per service, these values per municipality.
Each municipality is a folder in ``municipalities/``: ``municipality.json`` (name, address,
contact) and one ``<service>.json`` per service it offers, checked against the service's
settings schema in ``bpmn-models/<service>/``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

from .catalog import service

FOLDER = Path(__file__).parent / "municipalities"

_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "name", "street", "postal_code", "city", "phone", "email", "coat_of_arms", "ags"],
    "properties": {
        "key": {"type": "string", "pattern": "^[a-z0-9_-]+$"},
        "name": {"type": "string"}, "street": {"type": "string"}, "city": {"type": "string"},
        "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
        "phone": {"type": "string"}, "email": {"type": "string"}, "coat_of_arms": {"type": "string"},
        "ags": {"type": "string", "pattern": "^[0-9]{8}$", "description": "Amtlicher Gemeindeschlüssel"},
        "bank": {"type": "object", "required": ["name", "iban", "bic"]},
    },
}


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Municipality:
    key: str
    data: dict

    @property
    def name(self) -> str:
        return self.data["name"]

    def letterhead(self, service_key: str) -> dict:
        """What documents print in their letterhead."""
        head = {k: self.data[k] for k in ("name", "street", "postal_code", "city", "phone", "email", "coat_of_arms")}
        head["office"] = self.settings(service_key).get("office", self.name)
        if "bank" in self.data:
            head["bank"] = self.data["bank"]
        return head

    def settings(self, service_key: str) -> dict:
        return dict(_service_settings(self.key, service_key))

    def offers(self, service_key: str) -> bool:
        return (FOLDER / self.key / f"{service_key}.json").exists()


@cache
def _service_settings(key: str, service_key: str) -> dict:
    path = FOLDER / key / f"{service_key}.json"
    if not path.exists():
        raise SettingsError(f"{municipality(key).name} bietet den Dienst '{service_key}' nicht an.")
    data = json.loads(path.read_text(encoding="utf-8"))
    _check(data, service(service_key).settings_schema, f"{key}/{service_key}.json")
    return data


def _check(data: dict, schema: dict, where: str) -> None:
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        path = "/".join(map(str, error.absolute_path)) or "(Datei)"
        # A schema's own German message (errorMessage per keyword, as in the forms) wins over jsonschema's.
        custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
        message = custom.get(error.validator) if isinstance(custom, dict) else None
        raise SettingsError(f"Einstellungen {where}: {path}: {message or error.message}")


@cache
def municipalities() -> dict[str, Municipality]:
    found = {}
    for path in sorted(FOLDER.glob("*/municipality.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        _check(data, _SCHEMA, f"{path.parent.name}/municipality.json")
        found[data["key"]] = Municipality(data["key"], data)
    return found


def municipality(key: str) -> Municipality:
    try:
        return municipalities()[key]
    except KeyError:
        raise SettingsError(f"Unbekannte Kommune '{key}'.") from None
