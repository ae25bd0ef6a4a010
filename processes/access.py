"""Who acts: a signed-in person (or system) as the service layer sees them. The web UI builds a
``Principal`` from the sign-in (SAML for citizens, OpenID Connect for staff, the demo picker in
demo mode); processes/ decides with it what that person may do."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from types import MappingProxyType
from typing import Mapping

from engine.errors import EngineError, NotFound

# Staff roles; citizens have the role "citizen".
# "operator_pii": an operator who may see personal data unmasked (none of the demo accounts).
ROLES = ("citizen", "clerk", "cashier", "post_room", "team_lead", "designer", "operator", "operator_pii")
TRUST_LEVELS = ("basis", "substanziell", "hoch")  # eIDAS/BSI levels of the BundID and Länder accounts
EVERY_MUNICIPALITY = "*"


@dataclass(frozen=True)
class Principal:
    id: str
    name: str
    tenant: str  # the municipality; EVERY_MUNICIPALITY for the installation's operators
    roles: frozenset[str]
    groups: frozenset[str] = frozenset()  # the candidate groups (offices) a clerk works in
    trust_level: str | None = None  # citizens: how strongly the identity provider vouched
    identity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # what it vouched for

    def has(self, role: str) -> bool:
        return role in self.roles

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "tenant": self.tenant, "roles": sorted(self.roles),
                "groups": sorted(self.groups), "trust_level": self.trust_level, "identity": dict(self.identity)}

    @classmethod
    def from_dict(cls, data: dict) -> Principal:
        return cls(data["id"], data["name"], data["tenant"], frozenset(data.get("roles", ())),
                   frozenset(data.get("groups", ())), data.get("trust_level"),
                   MappingProxyType(dict(data.get("identity") or {})))

    @property
    def is_staff(self) -> bool:
        return not self.has("citizen")

    def acts_in(self, tenant: str) -> bool:
        """Whether this person works for (or, a citizen, lives in) the municipality."""
        return self.tenant == EVERY_MUNICIPALITY or self.tenant == tenant


class Forbidden(EngineError):
    """The person may not do this (the web UI answers 403). Messages are German and name no internals."""


# How long a session lasts: (absolute, idle). Staff get the installation's settings; citizens by how
# strongly the identity provider vouched (the stronger, the shorter). Demo citizens count as "basis".
CITIZEN_SESSION_LIMITS = {
    "hoch": (timedelta(minutes=30), timedelta(minutes=5)),
    "substanziell": (timedelta(hours=2), timedelta(minutes=30)),
    "basis": (timedelta(hours=12), timedelta(minutes=60)),
}


def session_limits(principal: Principal, staff_absolute: timedelta, staff_idle: timedelta) -> tuple[timedelta, timedelta]:
    if principal.has("citizen"):
        return CITIZEN_SESSION_LIMITS.get(principal.trust_level or "basis", CITIZEN_SESSION_LIMITS["hoch"])
    return staff_absolute, staff_idle


def require_role(principal: Principal | None, role: str) -> Principal:
    if principal is None or not principal.has(role):
        raise Forbidden(_NOT_YOURS)
    return principal


def require_tenant(principal: Principal, tenant: str, what: str = "Vorgang") -> None:
    """Another municipality's object does not exist for this person: NotFound, not Forbidden."""
    if not principal.acts_in(tenant):
        raise NotFound(f"{what} nicht gefunden.")


def require_office(principal: Principal, groups) -> None:
    """The person works in one of the offices (candidate groups) named."""
    if not set(groups) & set(principal.groups):
        raise Forbidden("Diese Aufgabe gehört zu einem anderen Amt. Bitte wenden Sie sich an das zuständige Amt.")


_NOT_YOURS = "Diese Seite ist für Ihr Konto nicht freigegeben."
