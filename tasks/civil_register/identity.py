"""Does the register itself prove the relation the applicant claims (§ 62 Abs. 1 Satz 1 PStG)?

The applicant is the person the sign-in vouched for: given names, family name (and birth name) and
birth date from the service account, counted only at trust level "substanziell" or "hoch" (eID or
ELSTER certificate: the identity provider checked them; at "basis" the person typed them in).
A relation is proven when the register shows it:
- self:    the applicant is a person the entry is about (the child, a spouse or partner);
- parent:  a birth entry names the applicant as mother or father of a person the entry is about;
- child:   a birth entry of the applicant names a person the entry is about as mother or father;
- spouse / partner: a marriage / partnership entry names the applicant beside that person.
Everything else (grandparents, grandchildren, a person born or married elsewhere) needs the clerk,
who checks the proof the applicant brings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.operations import InvalidRequest

from ..common import parse_date
from .models import CivregEntry, CivregPerson, name_key

VOUCHING_LEVELS = ("substanziell", "hoch")  # processes.access.TRUST_LEVELS above "basis"
PARENT_ROLES = ("mother", "father")
SPOUSE_ROLES = ("spouse1", "spouse2")
SELF_ROLES = {"birth": ("child",), "marriage": SPOUSE_ROLES, "partnership": SPOUSE_ROLES, "death": ()}
LINK_KINDS = {"spouse": "marriage", "partner": "partnership"}
PROVABLE = ("self", "parent", "child", "spouse", "partner")

MATCHED, NOT_MATCHED, UNVERIFIED = "matched", "not_matched", "unverified"


@dataclass(frozen=True)
class Who:
    given: frozenset[str]
    families: frozenset[str]  # family name and birth name
    born: date | None

    def same(self, other: Who) -> bool:
        return (self.born is not None and self.born == other.born and self.given == other.given
                and bool(self.families & other.families))


def who_of_person(person: CivregPerson) -> Who:
    return Who(frozenset(name_key(person.given_names).split()),
               frozenset({person.family_name_key, person.birth_name_key} - {None}), person.date_of_birth)


def who_of_applicant(applicant: dict | None) -> Who | None:
    """The vouched-for identity, or None when the sign-in did not vouch for name and birth date."""
    if not isinstance(applicant, dict) or applicant.get("trust_level") not in VOUCHING_LEVELS:
        return None
    given, family = str(applicant.get("given_name") or ""), str(applicant.get("family_name") or "")
    try:
        born = parse_date(applicant.get("birth_date"), "applicant.birth_date")
    except InvalidRequest:  # an identity provider's odd date format vouches for nothing
        return None
    if not given.strip() or not family.strip() or born is None:
        return None
    families = {name_key(family)} | ({name_key(applicant["birth_name"])} if applicant.get("birth_name") else set())
    return Who(frozenset(name_key(given).split()), frozenset(families), born)


def identity_status(session: Session, tenant: str, entry: CivregEntry, relation: str, applicant: dict | None) -> str:
    me = who_of_applicant(applicant)
    if me is None:
        return UNVERIFIED
    if relation not in PROVABLE:
        return NOT_MATCHED
    subjects = [who_of_person(p) for p in entry.persons if p.role in _subject_roles(entry.kind)]
    if relation == "self":
        found = any(me.same(who_of_person(p)) for p in entry.persons if p.role in SELF_ROLES[entry.kind])
    elif relation == "parent":
        found = any(me.same(parent) for child in subjects for parent in _parents_of(session, tenant, child))
    elif relation == "child":
        found = any(subject.same(parent) for subject in subjects for parent in _parents_of(session, tenant, me))
    else:
        found = any(me.same(other) for subject in subjects
                    for other in _spouses_of(session, tenant, subject, LINK_KINDS[relation]))
    return MATCHED if found else NOT_MATCHED


def _subject_roles(kind: str) -> tuple[str, ...]:
    return {"birth": ("child",), "death": ("deceased",)}.get(kind, SPOUSE_ROLES)


def _entries_with(session: Session, tenant: str, kind: str, roles: tuple[str, ...], who: Who) -> list[CivregEntry]:
    if who.born is None:
        return []
    stmt = (select(CivregEntry)
            .where(CivregEntry.tenant == tenant, CivregEntry.kind == kind,
                   CivregEntry.persons.any((CivregPerson.role.in_(roles)) & (CivregPerson.date_of_birth == who.born)))
            .options(selectinload(CivregEntry.persons)))
    return [e for e in session.scalars(stmt)
            if any(who.same(who_of_person(p)) for p in e.persons if p.role in roles)]


def _parents_of(session: Session, tenant: str, child: Who) -> list[Who]:
    """The parents the register's birth entries name for this person."""
    return [who_of_person(p) for e in _entries_with(session, tenant, "birth", ("child",), child)
            for p in e.persons if p.role in PARENT_ROLES]


def _spouses_of(session: Session, tenant: str, person: Who, kind: str) -> list[Who]:
    spouses = []
    for entry in _entries_with(session, tenant, kind, SPOUSE_ROLES, person):
        pair = [who_of_person(p) for p in entry.persons if p.role in SPOUSE_ROLES]
        spouses += [other for other in pair if not person.same(other)]
    return spouses
