"""Staff as the city's directory knows them: the claims of an OpenID Connect ID token become a
``Principal`` through a group map, a JSON file the municipality maintains (``Settings.oidc_group_map``)::

    {"cn=standesamt,ou=plauen": {"tenant": "plauen", "groups": ["standesamt", "standesbeamte"],
                                 "roles": ["clerk"]},
     "cn=amtsweg-betrieb": {"tenant": "*", "roles": ["operator"]}}

A key is a value of the groups claim exactly as the identity provider sends it; its entry names one
municipality (or ``*``, the installation's operators: roles ``operator``/``designer`` only, no offices),
the offices (candidate groups) and the roles it grants. A person's entries are united. Groups the map
does not know are ignored; a person whose groups map to nothing, or to no role, has no access.

Groups of two municipalities are refused, not resolved: a clerk acts for exactly one municipality per
sign-in, and picking one (the first group? the most roles?) would let the directory's order decide
whose applications someone sees. The directory should give such a person one account per municipality."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from jsonschema import Draft202012Validator

from .access import EVERY_MUNICIPALITY, ROLES, Principal
from .municipalities import municipalities

STAFF_ROLES = tuple(r for r in ROLES if r != "citizen")
INSTALLATION_ROLES = ("operator", "designer")  # what tenant "*" may grant

_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "required": ["tenant", "roles"],
        "properties": {
            "tenant": {"type": "string", "pattern": r"^(\*|[a-z0-9_-]+)$"},
            "groups": {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9_]+$"}, "uniqueItems": True},
            "roles": {"type": "array", "items": {"enum": list(STAFF_ROLES)}, "minItems": 1, "uniqueItems": True},
        },
    },
}


class GroupMapInvalid(ValueError):
    """The group map cannot be used (the installation's fault, not the person's)."""


class NoAccess(Exception):
    """The person signed in at the identity provider but may not work in Amtsweg; ``str()`` is German."""


@dataclass(frozen=True)
class Grant:
    tenant: str
    groups: frozenset[str]
    roles: frozenset[str]


@dataclass(frozen=True)
class GroupMap:
    grants: Mapping[str, Grant]

    @classmethod
    def from_file(cls, path: Path) -> GroupMap:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise GroupMapInvalid(f"Gruppenzuordnung {path} ist nicht lesbar: {err.strerror}") from None
        except ValueError as err:
            raise GroupMapInvalid(f"Gruppenzuordnung {path} ist kein gültiges JSON: {err}") from None
        return cls.from_data(data, where=str(path))

    @classmethod
    def from_data(cls, data: Any, where: str = "Gruppenzuordnung") -> GroupMap:
        errors = sorted(Draft202012Validator(_SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            error = errors[0]
            at = "/".join(str(p) for p in error.absolute_path) or "(Wurzel)"
            raise GroupMapInvalid(f"{where}: {at}: {error.message}")
        known = set(municipalities())
        grants = {}
        for key, entry in data.items():
            grant = Grant(entry["tenant"], frozenset(entry.get("groups", ())), frozenset(entry["roles"]))
            if grant.tenant == EVERY_MUNICIPALITY:
                if grant.groups or not grant.roles <= set(INSTALLATION_ROLES):
                    raise GroupMapInvalid(f"{where}: {key}: „*“ (alle Kommunen) gewährt nur die Rollen "
                                          f"{', '.join(INSTALLATION_ROLES)} und keine Ämter.")
            elif grant.tenant not in known:
                raise GroupMapInvalid(f"{where}: {key}: unbekannte Kommune „{grant.tenant}“.")
            grants[key] = grant
        return cls(MappingProxyType(grants))

    def principal(self, claims: Mapping[str, Any], groups_claim: str = "groups") -> Principal:
        """The Principal of a validated ID token's claims; NoAccess when the map grants nothing or mixes
        municipalities."""
        found = [self.grants[g] for g in directory_groups(claims, groups_claim) if g in self.grants]
        if not found or not any(grant.roles for grant in found):
            raise NoAccess("Ihr Konto ist für Amtsweg nicht freigeschaltet: Keiner Ihrer Gruppen im Verzeichnis "
                           "der Verwaltung ist hier ein Amt zugeordnet. Bitte wenden Sie sich an Ihre "
                           "IT-Abteilung, wenn Sie Zugang brauchen.")
        tenants = sorted({grant.tenant for grant in found})
        if len(tenants) > 1:
            names = ", ".join("alle Kommunen (Betrieb)" if t == EVERY_MUNICIPALITY else municipalities()[t].name
                              for t in tenants)
            raise NoAccess(f"Ihr Konto ist mehreren Kommunen zugeordnet ({names}). Amtsweg arbeitet je Anmeldung "
                           "für genau eine Kommune. Bitte lassen Sie Ihre Gruppen im Verzeichnis bereinigen oder "
                           "ein eigenes Konto je Kommune einrichten.")
        sub = str(claims["sub"])
        identity = {k: str(claims[k]) for k in ("iss", "sub", "preferred_username", "email") if claims.get(k)}
        return Principal(
            id=sub,
            name=str(claims.get("name") or claims.get("preferred_username") or sub),
            tenant=tenants[0],
            roles=frozenset().union(*(grant.roles for grant in found)),
            groups=frozenset().union(*(grant.groups for grant in found)),
            identity=MappingProxyType(identity),
        )


def directory_groups(claims: Mapping[str, Any], groups_claim: str) -> list[str]:
    """The values of the groups claim; a dotted path reaches into nested claims (Keycloak's
    ``realm_access.roles``). A single string counts as one group; anything else as none."""
    value: Any = claims
    for part in groups_claim.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


_cache: dict[Path, tuple[float, GroupMap]] = {}


def group_map(path: Path) -> GroupMap:
    """The map in ``path``, read again when the file changes (so an edit needs no restart)."""
    path = Path(path)
    try:
        mtime = path.stat().st_mtime
    except OSError as err:
        raise GroupMapInvalid(f"Gruppenzuordnung {path} ist nicht lesbar: {err.strerror}") from None
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = _cache[path] = (mtime, GroupMap.from_file(path))
    return cached[1]


def local_grant(tenant: str, groups, roles) -> Grant:
    """What a local account (small towns without an identity provider) may hold: the group map's rules."""
    data = {"konto": {"tenant": tenant, "groups": list(groups), "roles": list(roles)}}
    return GroupMap.from_data(data, where="Konto").grants["konto"]


def local_principal(account: Mapping[str, Any]) -> Principal:
    """The Principal of a verified local account (tasks.staff_accounts)."""
    grant = local_grant(account["tenant"], account["groups"], account["roles"])
    return Principal(id=f"konto:{account['username']}", name=account["name"], tenant=grant.tenant,
                     roles=grant.roles, groups=grant.groups,
                     identity=MappingProxyType({"local_account": str(account["username"])}))
