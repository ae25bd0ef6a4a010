"""The OZG services Amtsweg offers: which process carries each, and its application form."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "bpmn-models"


@dataclass(frozen=True)
class Service:
    key: str
    title: str
    description: str
    process_key: str
    case_prefix: str
    leika: str
    form_file: str
    clerk_groups: tuple[str, ...]

    @property
    def form(self) -> dict:
        return _form(self.key, self.form_file)


@cache
def _form(folder: str, name: str) -> dict:
    return json.loads((MODELS / folder / name).read_text(encoding="utf-8"))


SERVICES = {
    "standesamt": Service(
        key="standesamt",
        title="Personenstandsurkunde beantragen",
        description="Geburts-, Ehe-, Lebenspartnerschafts- oder Sterbeurkunde aus dem Personenstandsregister.",
        process_key="standesamt_urkunde",
        case_prefix="ST",
        leika="99027002012000",
        form_file="antrag.schema.json",
        clerk_groups=("standesamt", "standesbeamte"),
    ),
}


class UnknownService(LookupError):
    pass


def service(key: str) -> Service:
    try:
        return SERVICES[key]
    except KeyError:
        raise UnknownService(f"Den Dienst '{key}' gibt es nicht.") from None
