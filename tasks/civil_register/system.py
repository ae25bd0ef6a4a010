"""Register lookup and entitlement check (PStG §§62–64)."""
from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import berlin_today, iso, parse_date, require, utcnow
from .entitlement import decide
from .identity import NOT_MATCHED, UNVERIFIED, identity_status, who_of_applicant
from .models import CivregEntry, CivregPerson, CivregRetrievalLog, name_key

# Whose names identify an entry of each kind.
SUBJECT_ROLES = {
    "birth": ("child",),
    "marriage": ("spouse1", "spouse2"),
    "partnership": ("spouse1", "spouse2"),
    "death": ("deceased",),
}
# § 62 Abs. 3 PStG: "Beteiligte sind beim Geburtenregister die Eltern und das Kind, beim Eheregister die
# Ehegatten und beim Lebenspartnerschaftsregister die Lebenspartner."
PARTICIPANT_ROLES = {
    "birth": ("child", "mother", "father"),
    "marriage": ("spouse1", "spouse2"),
    "partnership": ("spouse1", "spouse2"),
}
# Form values in German are accepted as well.
KIND_ALIASES = {
    "geburtsurkunde": "birth", "geburt": "birth",
    "eheurkunde": "marriage", "ehe": "marriage",
    "lebenspartnerschaftsurkunde": "partnership", "lebenspartnerschaft": "partnership",
    "sterbeurkunde": "death", "sterbefall": "death", "tod": "death",
}
REGISTER_NUMBER = re.compile(r"^\s*([A-Za-z]+)\s*0*(\d+)\s*/\s*(\d{4})\s*$")


def certificate_kind(value) -> str:
    kind = KIND_ALIASES.get(str(value or "").strip().lower(), str(value or "").strip().lower())
    if kind not in SUBJECT_ROLES:
        raise InvalidRequest(f"Unbekannte Urkundenart: {value!r}")
    return kind


def normalise_register_number(value: str) -> str:
    m = REGISTER_NUMBER.match(value)
    return f"{m.group(1).upper()} {m.group(2)}/{m.group(3)}" if m else " ".join(value.split())


class CivilRegister(SpecialistSystem):
    name = "civil_register"
    operations = ("lookup_entry", "check_entitlement")

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def lookup_entry(self, call: ServiceCall) -> dict:
        """Find the register entry a certificate request refers to.

        params: kind, family_name, given_names, birth_name?, event_date, event_place?,
        register_number?, second_family_name?/second_given_names? (the other spouse or partner),
        purpose? (for the retrieval log)."""
        p = call.params
        require(p, "kind", "family_name")
        kind = certificate_kind(p["kind"])
        with transaction(self.sessions) as session:
            entries = self._search(session, call.tenant, kind, p)
            status = "found" if len(entries) == 1 else "ambiguous" if entries else "not_found"
            result = {
                "status": status,
                "entry": entry_view(entries[0]) if status == "found" else None,
                "candidates": [entry_view(e, persons=False) for e in entries] if status == "ambiguous" else [],
                # For an ambiguous result, any flagged candidate counts (the clerk resolves it).
                "blocked": any(is_blocked(e) for e in entries),
                "adoption": any(e.adoption for e in entries),
                "last_participant_death": iso(last_participant_death(entries[0])) if status == "found" else None,
            }
            self._log(session, call, "lookup_entry", query_summary(kind, p), status)
        return result

    def check_entitlement(self, call: ServiceCall) -> dict:
        """§62 PStG: may the applicant get the certificate without a clerk's judgement?

        params: relation, kind?, legal_interest?, applicant_age? or applicant_birth_date? (§ 62 Abs. 1
        Satz 3), event_date? (§ 5 Abs. 5 keeping period), and either entry_id (flags are read
        from the register) or blocked/adoption/last_participant_death (§ 62 Abs. 3) as returned by
        lookup_entry; applicant? the identity the sign-in vouched for ({"trust_level", "given_name",
        "family_name", "birth_name"?, "birth_date"}), matched against the entry_id's entry and the
        entries it links to (tasks.civil_register.identity). -> {"decision", "reason", "identity"}"""
        p = call.params
        require(p, "relation")
        relation = str(p["relation"]).strip().lower()
        blocked, adoption = bool(p.get("blocked")), bool(p.get("adoption"))
        last_death = parse_date(p.get("last_participant_death"), "last_participant_death")
        identity = UNVERIFIED if who_of_applicant(p.get("applicant")) is None else NOT_MATCHED
        if p.get("entry_id") is not None:
            with transaction(self.sessions) as session:
                entry = session.scalar(
                    select(CivregEntry).where(CivregEntry.tenant == call.tenant, CivregEntry.id == int(p["entry_id"]))
                    .options(selectinload(CivregEntry.persons), selectinload(CivregEntry.blocking_notes))
                )
                if entry is not None:
                    blocked, adoption, last_death = is_blocked(entry), entry.adoption, last_participant_death(entry)
                    identity = identity_status(session, call.tenant, entry, relation, p.get("applicant"))
                summary = {"entry_id": p["entry_id"], "relation": relation, "identity": identity}
                self._log(session, call, "check_entitlement", json.dumps(summary), "found" if entry else "not_found")
            if entry is None:
                raise InvalidRequest(f"Registereintrag {p['entry_id']} gibt es nicht.")
        kind = certificate_kind(p["kind"]) if p.get("kind") else None
        result = decide(relation, p.get("legal_interest"), blocked, adoption, p.get("applicant_age"), kind=kind,
                        applicant_birth_date=parse_date(p.get("applicant_birth_date"), "applicant_birth_date"),
                        event_date=parse_date(p.get("event_date"), "event_date"), last_participant_death=last_death,
                        today=berlin_today(), identity=identity)
        return {**result, "identity": identity}

    def _search(self, session: Session, tenant: str, kind: str, p: dict) -> list[CivregEntry]:
        stmt = (
            select(CivregEntry)
            .where(CivregEntry.tenant == tenant, CivregEntry.kind == kind)
            .options(selectinload(CivregEntry.persons), selectinload(CivregEntry.blocking_notes))
            .order_by(CivregEntry.event_date, CivregEntry.id)
        )
        if p.get("register_number"):
            # The register number is decisive; the family name must still fit, so a guessed
            # number does not reveal someone else's entry.
            stmt = stmt.where(CivregEntry.register_number == normalise_register_number(str(p["register_number"])))
            criteria = {"family_name": p["family_name"]}
        else:
            event_date = parse_date(p.get("event_date"), "event_date")
            if event_date:
                stmt = stmt.where(CivregEntry.event_date == event_date)
            criteria = p
        names = {name_key(p["family_name"])} | ({name_key(p["birth_name"])} if p.get("birth_name") else set())
        stmt = stmt.where(
            CivregEntry.persons.any(
                (CivregPerson.role.in_(SUBJECT_ROLES[kind]))
                & or_(CivregPerson.family_name_key.in_(names), CivregPerson.birth_name_key.in_(names))
            )
        )
        return [e for e in session.scalars(stmt) if matches(e, kind, criteria)]

    def _log(self, session: Session, call: ServiceCall, operation: str, summary: str, status: str) -> None:
        session.add(
            CivregRetrievalLog(
                tenant=call.tenant,
                at=utcnow(),
                operation=operation,
                purpose=(call.params.get("purpose") or "Urkundenantrag")[:300],
                business_key=call.business_key,
                instance_id=call.instance_id,
                query_summary=summary,
                result_status=status,
            )
        )


def matches(entry: CivregEntry, kind: str, p: dict) -> bool:
    if p.get("event_place") and name_key(p["event_place"]) != name_key(entry.event_place):
        return False
    subjects = [person for person in entry.persons if person.role in SUBJECT_ROLES[kind]]
    first = [person for person in subjects if person_matches(person, p)]
    if not first:
        return False
    if len(SUBJECT_ROLES[kind]) > 1 and p.get("second_family_name"):
        # A marriage or partnership entry: the other spouse must be the other person asked for (§§ 57, 58 PStG).
        second = {"family_name": p["second_family_name"], "given_names": p.get("second_given_names")}
        return any(person_matches(other, second) for one in first for other in subjects if other is not one)
    return True


def person_matches(person: CivregPerson, p: dict) -> bool:
    known = {person.family_name_key, person.birth_name_key} - {None}
    if name_key(p["family_name"]) not in known and name_key(p.get("birth_name") or "") not in known:
        return False
    if p.get("birth_name") and name_key(p["birth_name"]) != (person.birth_name_key or person.family_name_key):
        return False
    # Every given name asked for must be one of the person's ("Anna" finds "Anna Maria").
    wanted = set(name_key(p.get("given_names") or "").split())
    return wanted <= set(name_key(person.given_names).split())


def is_blocked(entry: CivregEntry, today: date | None = None) -> bool:
    today = today or berlin_today()
    return any(n.valid_from <= today and (n.valid_until is None or today <= n.valid_until) for n in entry.blocking_notes)


def last_participant_death(entry: CivregEntry) -> date | None:
    """The day the last of the entry's participants died, if the register notes the death of each."""
    roles = PARTICIPANT_ROLES.get(entry.kind)
    participants = [x for x in entry.persons if roles and x.role in roles]
    if not participants or any(x.date_of_death is None for x in participants):
        return None
    return max(x.date_of_death for x in participants)


def entry_view(entry: CivregEntry, persons: bool = True) -> dict:
    view = {
        "id": entry.id,
        "kind": entry.kind,
        "register_number": entry.register_number,
        "registry_office": entry.tenant,
        "event_date": iso(entry.event_date),
        "event_place": entry.event_place,
        "event_time": entry.event_time.strftime("%H:%M") if entry.event_time else None,
        "blocked": is_blocked(entry),
        "adoption": entry.adoption,
    }
    subjects = entry.persons if persons else [x for x in entry.persons if x.role in SUBJECT_ROLES[entry.kind]]
    view["persons"] = [
        {
            "role": x.role,
            "family_name": x.family_name,
            "given_names": x.given_names,
            "birth_name": x.birth_name,
            "date_of_birth": iso(x.date_of_birth),
            "place_of_birth": x.place_of_birth,
            "sex": x.sex,
            "last_residence": x.last_residence,
            "marital_status": x.marital_status,
        }
        for x in subjects
    ]
    return view


def query_summary(kind: str, p: dict) -> str:
    fields = ("family_name", "given_names", "birth_name", "event_date", "event_place", "register_number",
              "second_family_name", "second_given_names")
    return json.dumps({"kind": kind, **{f: p[f] for f in fields if p.get(f)}}, ensure_ascii=False, default=str)
