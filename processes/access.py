"""Who acts: a signed-in person (or system) as the service layer sees them. The web UI builds a
``Principal`` from the sign-in (SAML for citizens, OpenID Connect for staff, the demo picker in
demo mode); processes/ decides with it what that person may do."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

# Staff roles; citizens have the role "citizen".
ROLES = ("citizen", "clerk", "cashier", "post_room", "team_lead", "designer", "operator")
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
