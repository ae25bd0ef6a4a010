"""Registration lookup (is the applicant registered at this address, as main or secondary
residence?) and the street directory (which parking zone is an address in?)."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import berlin_today, call_today, parse_date, require, run_once, utcnow
from .addresses import name_key, person_key, split_address, street_key
from .models import (
    ResidentsPerson,
    ResidentsReport,
    ResidentsResidence,
    ResidentsRetrieval,
    ResidentsStreet,
    ResidentsZone,
)
from .outbox import Outbox


class Residents(SpecialistSystem):
    name = "residents"
    operations = ("check_residence", "main_residence", "zone_for_address", "zones")

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self.outbox = Outbox(sessions, ResidentsReport)  # the moves reported on, until delivered

    def check_residence(self, call: ServiceCall) -> dict:
        """Is the person registered at the address today?

        params: family_name, given_names, date_of_birth, street ("Bahnhofstraße 12"), postal_code?,
        purpose? (for the retrieval log)
        -> {"found": person known, "person_key", "residence": "main" | "secondary" | None (at this address),
        "registered": [{"kind", "address"}] (the person's current residences)}.
        Each retrieval is logged once per key; a retry gets the logged answer."""
        p = call.params
        require(p, "family_name", "given_names", "date_of_birth", "street")
        born = parse_date(p["date_of_birth"], "date_of_birth")
        street, number, suffix = split_address(p["street"])
        if number is None:
            raise InvalidRequest(f"Die Anschrift {p['street']!r} hat keine Hausnummer.")
        wanted = (street_key(street), f"{number}{suffix}", str(p.get("postal_code") or "").strip())

        def create(session: Session):
            person = self._person(session, call.tenant, p["family_name"], p["given_names"], born)
            current = [r for r in person.residences if is_current(r)] if person else []
            here = next((r for r in current if matches(r, *wanted)), None)
            result = {
                "found": person is not None,
                "person_key": person_key(*((person.family_name, person.given_names) if person else
                                           (p["family_name"], p["given_names"])), born.isoformat()),
                "residence": here.kind if here else None,
                "registered": [{"kind": r.kind, "address": address_line(r)} for r in current],
            }
            session.add(ResidentsRetrieval(
                tenant=call.tenant, at=utcnow(), purpose=str(p.get("purpose") or "Meldeauskunft")[:300],
                business_key=call.business_key, instance_id=call.instance_id, idempotency_key=call.idempotency_key,
                query_summary=json.dumps({k: p.get(k) for k in ("family_name", "given_names", "date_of_birth",
                                                                  "street", "postal_code")}, ensure_ascii=False),
                result=result))
            return result

        return run_once(self.sessions, lambda session: _logged(session, call), create)

    def main_residence(self, call: ServiceCall) -> dict:
        """Where is the person registered with the main residence today (the household, e.g. for the dog tax)?

        params: family_name, given_names, date_of_birth? (without it nobody is looked up), purpose?
        -> {"found", "street" ("Bahnhofstraße 12"), "postal_code", "city", "flat" (the flat in the building,
        "2. OG links"; None where the register knows none)}. Logged once per key, as ``check_residence``."""
        p = call.params
        require(p, "family_name", "given_names")
        born = parse_date(p.get("date_of_birth"), "date_of_birth")
        if born is None:
            return {"found": False, "street": None, "postal_code": None, "city": None, "flat": None}

        def create(session: Session):
            person = self._person(session, call.tenant, p["family_name"], p["given_names"], born)
            main = next((r for r in person.residences if r.kind == "main" and is_current(r, call_today(call))),
                        None) if person else None
            result = {"found": main is not None, "street": main and f"{main.street} {main.house_number}",
                      "postal_code": main and main.postal_code, "city": main and main.city,
                      "flat": main and main.flat}
            session.add(ResidentsRetrieval(
                tenant=call.tenant, at=utcnow(), purpose=str(p.get("purpose") or "Meldeauskunft")[:300],
                business_key=call.business_key, instance_id=call.instance_id, idempotency_key=call.idempotency_key,
                query_summary=json.dumps({k: p.get(k) for k in ("family_name", "given_names", "date_of_birth")},
                                         ensure_ascii=False), result=result))
            return result

        return run_once(self.sessions, lambda session: _logged(session, call), create)

    def zone_for_address(self, call: ServiceCall) -> dict:
        """params: street ("Bahnhofstraße 12"; without a number only whole-street entries match)
        -> {"status": "zone" | "no_zone" (street known, outside every zone) | "unknown_street",
        "zone", "zone_name", "street" (as the directory spells it)}."""
        require(call.params, "street")
        with transaction(self.sessions) as session:
            return lookup_zone(session, call.tenant, call.params["street"])

    def zones(self, call: ServiceCall) -> dict:
        """The municipality's resident parking zones, as a form offers them to choose from (``x-choices``)
        -> {"choices": [{"value": code, "title": "C – Neustadt"}]}."""
        with transaction(self.sessions) as session:
            rows = session.scalars(select(ResidentsZone).where(ResidentsZone.tenant == call.tenant)
                                   .order_by(ResidentsZone.code)).all()
            return {"choices": [{"value": z.code, "title": f"{z.code} – {z.name}"} for z in rows]}

    # Plain methods: the register's own changes, reported on to the processes (not process operations).

    def record_move(self, tenant: str, resident_key: str, street: str, postal_code: str, city: str,
                    moved_on: date | None = None) -> dict:
        """A move of the main residence (Ummeldung): the old main residence ends on ``moved_on``
        (default today), the new one begins. -> the report for the processes: {"art": "umzug",
        "meldung_id", "person_key", "strasse", "plz", "ort", "umzug_am"}, also written to the register's outbox
        with the move. InvalidRequest for an unknown person or an address without a house number."""
        family, first, born = (str(resident_key).split("|") + ["", ""])[:3]
        street_name, number, suffix = split_address(street)
        if number is None:
            raise InvalidRequest(f"Die Anschrift {street!r} hat keine Hausnummer.")
        if not str(postal_code).strip().isdigit() or len(str(postal_code).strip()) != 5:
            raise InvalidRequest(f"Die Postleitzahl {postal_code!r} hat nicht fünf Ziffern.")
        day = moved_on or berlin_today()
        with transaction(self.sessions) as session:
            person = self._person(session, tenant, family, first, parse_date(born, "resident_key"))
            if person is None:
                raise InvalidRequest(f"Im Melderegister ist niemand mit dem Schlüssel {resident_key!r} verzeichnet.")
            for old in person.residences:
                if old.kind == "main" and is_current(old, day):
                    old.moved_out = day
            residence = ResidentsResidence(tenant=tenant, person=person, kind="main", street=street_name,
                                           house_number=f"{number}{suffix}", postal_code=str(postal_code).strip(),
                                           city=str(city).strip(), moved_in=day)
            session.add(residence)
            session.flush()
            report_id = f"umzug-{residence.id}"  # one move, one report, however often it is delivered
            return self.outbox.add(session, tenant, {
                "art": "umzug", "meldung_id": report_id, "person_key": resident_key,
                "strasse": f"{street_name} {number}{suffix}", "plz": str(postal_code).strip(),
                "ort": str(city).strip(), "umzug_am": day.isoformat()})

    def _person(self, session: Session, tenant: str, family_name: str, given_names: str, born: date):
        candidates = session.scalars(
            select(ResidentsPerson)
            .where(ResidentsPerson.tenant == tenant, ResidentsPerson.family_name_key == name_key(family_name),
                   ResidentsPerson.date_of_birth == born)
            .options(selectinload(ResidentsPerson.residences)).order_by(ResidentsPerson.id))
        # Every given name asked for must be one of the person's ("Erika" finds "Erika Maria").
        wanted = set(name_key(given_names).split())
        return next((c for c in candidates if wanted <= set(name_key(c.given_names).split())), None)


def lookup_zone(session: Session, tenant: str, line: str) -> dict:
    street, number, _ = split_address(line)
    rows = session.scalars(select(ResidentsStreet).where(
        ResidentsStreet.tenant == tenant, ResidentsStreet.street_key == street_key(street)).order_by(ResidentsStreet.id)).all()
    if not rows:
        return {"status": "unknown_street", "zone": None, "zone_name": None, "street": street}
    hit = next((r for r in rows if covers(r, number)), None)
    zone = hit and hit.zone_code and session.scalar(
        select(ResidentsZone).where(ResidentsZone.tenant == tenant, ResidentsZone.code == hit.zone_code))
    if not zone:
        return {"status": "no_zone", "zone": None, "zone_name": None, "street": rows[0].street}
    return {"status": "zone", "zone": zone.code, "zone_name": zone.name, "street": hit.street}


def covers(row: ResidentsStreet, number: int | None) -> bool:
    if row.number_from is None and row.number_to is None:
        return True
    if number is None:
        return False
    return (row.number_from or 0) <= number <= (row.number_to or 10**6)


def is_current(residence: ResidentsResidence, today: date | None = None) -> bool:
    today = today or berlin_today()
    return residence.moved_in <= today and (residence.moved_out is None or today < residence.moved_out)


def matches(residence: ResidentsResidence, key: str, house_number: str, postal_code: str) -> bool:
    return (street_key(residence.street) == key and residence.house_number.lower() == house_number
            and (not postal_code or residence.postal_code == postal_code))


def address_line(residence: ResidentsResidence) -> str:
    return f"{residence.street} {residence.house_number}, {residence.postal_code} {residence.city}"


def _logged(session: Session, call) -> dict | None:
    """The answer a retrieval under this key already gave (a retried call is answered, not logged, again)."""
    row = session.scalar(select(ResidentsRetrieval).where(
        ResidentsRetrieval.tenant == call.tenant, ResidentsRetrieval.idempotency_key == call.idempotency_key))
    return row.result if row else None
