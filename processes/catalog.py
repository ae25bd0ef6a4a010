"""The OZG services Amtsweg offers. Each folder in ``bpmn-models/`` with a ``service.json``
is one service: its process, application form and the schema of its per-municipality
settings live beside the BPMN, where designers edit them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .access import TRUST_LEVELS

MODELS = Path(__file__).resolve().parents[1] / "bpmn-models"


@dataclass(frozen=True)
class Service:
    key: str  # the folder name
    title: str
    description: str
    process_key: str
    case_prefix: str
    leika: str
    form_file: str
    settings_file: str
    clerk_groups: tuple[str, ...]
    clerk_context: dict  # process variable -> how to present it beside a clerk's task (processes/findings.py)
    standing_processes: dict  # process key -> purpose; one runs permanently per municipality
    trust_level: str = "basis"  # how strongly the citizen's identity must be vouched for (TRUST_LEVELS)
    prefill: dict | None = None  # form field (dotted) -> identity attribute the sign-in vouched for (webui/auth/saml.py)

    def admits(self, trust_level: str | None) -> bool:
        """Whether an identity vouched for at ``trust_level`` is strong enough for this service."""
        return trust_level in TRUST_LEVELS and TRUST_LEVELS.index(trust_level) >= TRUST_LEVELS.index(self.trust_level)

    def vouched(self, identity) -> dict[str, str]:
        """The form fields the identity fills: dotted field name -> value (only attributes it carries)."""
        return {name: identity[attribute] for name, attribute in (self.prefill or {}).items() if identity.get(attribute)}

    @property
    def form(self) -> dict:
        return _json(self.key, self.form_file)

    @property
    def settings_schema(self) -> dict:
        return _json(self.key, self.settings_file)


@cache
def _json(folder: str, name: str) -> dict:
    return json.loads((MODELS / folder / name).read_text(encoding="utf-8"))


@cache
def services() -> dict[str, Service]:
    found = {}
    for path in sorted(MODELS.glob("*/service.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[path.parent.name] = Service(
            key=path.parent.name, title=data["title"], description=data["description"],
            process_key=data["process_key"], case_prefix=data["case_prefix"], leika=data["leika"],
            form_file=data["form"], settings_file=data["settings"], clerk_groups=tuple(data["clerk_groups"]),
            clerk_context=data.get("clerk_context", {}), standing_processes=data.get("standing_processes", {}),
            trust_level=data.get("trust_level", "basis"), prefill=data.get("prefill", {}))
        if found[path.parent.name].trust_level not in TRUST_LEVELS:
            raise ValueError(f"{path}: trust_level muss einer von {', '.join(TRUST_LEVELS)} sein.")
    return found


class UnknownService(LookupError):
    pass


def service(key: str) -> Service:
    try:
        return services()[key]
    except KeyError:
        raise UnknownService(f"Den Dienst '{key}' gibt es nicht.") from None


def service_of_process(process_key: str) -> Service | None:
    return next((s for s in services().values() if s.process_key == process_key), None)
