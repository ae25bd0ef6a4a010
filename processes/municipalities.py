"""Per-municipality settings: one generic model per service, these values per municipality.
Each municipality is one JSON file in ``municipalities/`` that an administrator edits."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

FOLDER = Path(__file__).parent / "municipalities"

_SCHEMA = {
    "type": "object",
    "required": ["key", "name", "street", "postal_code", "city", "phone", "email", "coat_of_arms", "services"],
    "properties": {
        "key": {"type": "string", "pattern": "^[a-z0-9_-]+$"},
        "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
        "services": {
            "type": "object",
            "properties": {
                "standesamt": {
                    "type": "object",
                    "required": ["office", "fee_cents", "further_copy_fee_cents", "payment_first", "reply_deadline"],
                    "properties": {
                        "fee_cents": {"type": "integer", "minimum": 0},
                        "further_copy_fee_cents": {"type": "integer", "minimum": 0},
                        "payment_first": {"type": "boolean"},
                        "reply_deadline": {"type": "string", "pattern": "^P(?:[0-9]+[DWM]|T[0-9]+[HMS])$"},
                    },
                },
            },
        },
    },
}


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Municipality:
    key: str
    name: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str
    coat_of_arms: str
    services: dict

    def letterhead(self, service: str) -> dict:
        """What documents print in their letterhead."""
        return {"name": self.name, "office": self.services[service]["office"], "street": self.street,
                "postal_code": self.postal_code, "city": self.city, "phone": self.phone, "email": self.email,
                "coat_of_arms": self.coat_of_arms}

    def settings(self, service: str) -> dict:
        try:
            return dict(self.services[service])
        except KeyError:
            raise SettingsError(f"{self.name} bietet den Dienst '{service}' nicht an.") from None


@cache
def municipalities() -> dict[str, Municipality]:
    found = {}
    for path in sorted(FOLDER.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        errors = list(Draft202012Validator(_SCHEMA).iter_errors(data))
        if errors:
            where = "/".join(map(str, errors[0].absolute_path))
            raise SettingsError(f"{path.name}: {where}: {errors[0].message}")
        found[data["key"]] = Municipality(**data)
    return found


def municipality(key: str) -> Municipality:
    try:
        return municipalities()[key]
    except KeyError:
        raise SettingsError(f"Unbekannte Kommune '{key}'.") from None
