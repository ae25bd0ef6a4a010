"""The trade register (Gewerberegister): a registration (GewA 1) creates the business entry; a
change (GewA 2) or closure (GewA 3) names the entry by its number and must fit it (GewO § 14
Abs. 1: the one who runs the business notifies the authority where it is).

Register retrievals by third parties (§ 14 Abs. 7, 11 GewO) are refused without a purpose and
a file number; each is logged with both, who asked, who answered and when; the log serves only
to check that retrievals were lawful and is deleted after six months (§ 14 Abs. 11 Sätze 3 to 6).
§ 14 GewO sets no period for deleting the data of a closed business: its only erasure rule is
that of the retrieval logs. An entry therefore stays, with its closure date, until the records
schedule (state data protection law) says otherwise."""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..common import iso, parse_date
from ..documents.formatting import date_de
from .models import TradeBusiness, TradeChange, TradePerson, TradeRetrieval

NUMBER = re.compile(r"^([0-9]{8})-([0-9]{6})$")
LOG_MONTHS = 6  # § 14 Abs. 11 Satz 6 GewO: "nach sechs Monaten zu löschen"
KIND_DATE = {"ummeldung": "Datum der Änderung", "abmeldung": "Datum der Betriebsaufgabe"}


def number_for(ags: str, value: int) -> str:
    return f"{ags}-{value:06d}"


def persons_of(notice: dict) -> list[dict]:
    """The notifying person first, then the further partners / managing directors."""
    return [notice["person"], *(notice.get("weitere_personen") or [])]


def _key(person: dict) -> tuple[str, str, str]:
    return (str(person.get("familienname") or "").strip().casefold(),
            str(person.get("vornamen") or "").strip().casefold(), str(person.get("geburtsdatum") or "")[:10])


def find(session: Session, tenant: str, number: str) -> TradeBusiness | None:
    return session.scalar(select(TradeBusiness).where(TradeBusiness.tenant == tenant, TradeBusiness.number == number))


def refusal(session: Session, tenant: str, ags: str, notice: dict) -> tuple[str | None, TradeBusiness | None]:
    """Why a change or closure does not fit the register (a German sentence for the notice), or
    None; and the entry it names."""
    number = str(notice.get("betriebsnummer") or "").strip()
    match = NUMBER.match(number)
    if not match:
        return ("Bitte geben Sie die Nummer Ihres Betriebs im Gewerberegister an (z. B. 14523319-000001); "
                "sie steht auf der Empfangsbescheinigung Ihrer Gewerbe-Anmeldung."), None
    if match.group(1) != ags:
        return (f"Der Betrieb mit der Nummer {number} ist im Gewerberegister einer anderen Gemeinde eingetragen. "
                "Bitte richten Sie die Ummeldung oder Abmeldung an die Gemeinde, bei der er angemeldet ist; "
                "ziehen Sie mit dem Betrieb zu uns, melden Sie ihn hier neu an."), None
    entry = find(session, tenant, number)
    if entry is None:
        return f"Unter der Nummer {number} ist in unserem Gewerberegister kein Betrieb eingetragen.", None
    # Only the business's own persons learn more than anyone may (§ 14 Abs. 5 Satz 2 GewO): the closure.
    known = {_key(p.data) for p in _persons(session, entry)}
    if _key(notice["person"]) not in known:
        p = notice["person"]
        return (f"{p.get('vornamen')} {p.get('familienname')} ist im Gewerberegister nicht als Inhaber/in oder "
                f"vertretungsberechtigte Person des Betriebs „{entry.name}“ (Nr. {number}) eingetragen."), entry
    if entry.state == "abgemeldet":
        return (f"Der Betrieb „{entry.name}“ (Nr. {number}) ist seit dem {date_de(entry.closed_on)} abgemeldet; "
                "er kann nicht mehr umgemeldet oder abgemeldet werden."), entry
    day = parse_date(notice.get("gueltig_ab"), "gueltig_ab")
    if day is not None and day < entry.valid_from:
        return (f"Das {KIND_DATE[notice['meldungsart']]} ({date_de(day)}) liegt vor dem Beginn des Betriebs "
                f"({date_de(entry.valid_from)})."), entry
    return None, entry


def create(session: Session, tenant: str, key: str, number: str, notice: dict, case_number: str,
           received_on: date, now: datetime) -> TradeBusiness:
    b = notice["betrieb"]
    persons = persons_of(notice)
    entry = TradeBusiness(
        tenant=tenant, idempotency_key=key, number=number, case_number=case_number, registered_on=received_on,
        name=b["name"], legal_form=b["rechtsform"], register_entry=_register_entry(b),
        street=b["strasse"], house_number=b["hausnummer"], postal_code=b["plz"], city=b["ort"],
        activity=notice["taetigkeit"], wz=notice["wz"], other_activities=notice.get("weitere_taetigkeiten"),
        persons_count=int(notice.get("anzahl_personen") or len(persons)),
        valid_from=parse_date(notice["gueltig_ab"], "gueltig_ab"), state="aktiv", created_at=now, updated_at=now)
    session.add(entry)
    session.flush()
    _add_persons(session, entry, persons)
    return entry


def _add_persons(session: Session, entry: TradeBusiness, persons: list[dict]) -> None:
    for position, person in enumerate(persons, start=1):
        session.add(TradePerson(tenant=entry.tenant, business_id=entry.id, position=position,
                                family_name=person["familienname"], given_names=person["vornamen"],
                                birth_date=parse_date(person["geburtsdatum"], "geburtsdatum"), data=person))


def apply(session: Session, entry: TradeBusiness, key: str, notice: dict, case_number: str,
          now: datetime) -> TradeChange:
    """Changes or closes the entry and records what it was before. A change filled in completely
    (§ 1 Satz 2 GewAnzV: as many persons as the stated count) states the persons who run the business now,
    so it replaces the stored ones (a new managing director may then file the closure, the one who left no
    longer); one that names fewer keeps the stored persons it does not name, so none is lost by omission."""
    kind, b = notice["meldungsart"], notice["betrieb"]
    stored = _persons(session, entry)
    change = TradeChange(tenant=entry.tenant, idempotency_key=key, business_id=entry.id, case_number=case_number,
                         kind=kind, reason=str(notice[f"grund_{kind}"]),
                         valid_from=parse_date(notice["gueltig_ab"], "gueltig_ab"),
                         previous={**_state(entry), "personen": [p.data for p in stored]}, created_at=now)
    session.add(change)
    if kind == "abmeldung":
        entry.state, entry.closed_on, entry.closure_reason = "abgemeldet", change.valid_from, change.reason
    else:
        entry.name, entry.legal_form, entry.register_entry = b["name"], b["rechtsform"], _register_entry(b)
        entry.street, entry.house_number = b["strasse"], b["hausnummer"]
        entry.postal_code, entry.city = b["plz"], b["ort"]
        entry.activity, entry.wz = notice["taetigkeit"], notice["wz"]
        entry.other_activities = notice.get("weitere_taetigkeiten")
        persons = persons_of(notice)
        if len(persons) < int(notice.get("anzahl_personen") or len(persons)):
            named = {_key(p) for p in persons}
            persons += [p.data for p in stored if _key(p.data) not in named]
        for person in stored:
            session.delete(person)
        session.flush()  # the old positions are free before the new rows take them
        _add_persons(session, entry, persons)
        entry.persons_count = int(notice.get("anzahl_personen") or len(persons))
    entry.updated_at = now
    session.flush()
    return change


def view(session: Session, entry: TradeBusiness) -> dict:
    changes = session.scalars(select(TradeChange).where(TradeChange.business_id == entry.id)
                              .order_by(TradeChange.id)).all()
    return {**_state(entry), "nummer": entry.number, "fall_anmeldung": entry.case_number,
            "angemeldet_am": iso(entry.registered_on), "rechtsform": entry.legal_form,
            "registereintrag": entry.register_entry, "anzahl_personen": entry.persons_count,
            "beginn": iso(entry.valid_from), "status": entry.state, "abgemeldet_zum": iso(entry.closed_on),
            "grund_abmeldung": entry.closure_reason,
            "personen": [p.data for p in _persons(session, entry)],
            "aenderungen": [{"fall": c.case_number, "art": c.kind, "grund": c.reason, "gueltig_ab": iso(c.valid_from),
                             "vorher": c.previous} for c in changes]}


def public_view(entry: TradeBusiness) -> dict:
    """What may be made generally accessible (§ 14 Abs. 5 Satz 2 GewO): name, business address and
    notified activity; the persons' data only where a legal interest is shown (Abs. 7), not here."""
    return {"nummer": entry.number, "name": entry.name, "anschrift": _address(entry), "taetigkeit": entry.activity,
            "status": entry.state, "abgemeldet_zum": iso(entry.closed_on)}


def log_retrieval(session: Session, tenant: str, number: str, requester: str, purpose: str, file_number: str,
                  official: str, found: bool, now: datetime) -> TradeRetrieval:
    row = TradeRetrieval(tenant=tenant, number=number, requester=requester, purpose=purpose, file_number=file_number,
                         official=official, found=found, at=now)
    session.add(row)
    session.flush()
    return row


def log_cutoff(today: date) -> date:
    """The first day whose retrievals are kept: six calendar months back (the day clamped to the month)."""
    month = today.month - LOG_MONTHS
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(today.day, 0, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def purge_log(session: Session, tenant: str, cutoff: datetime) -> int:
    result = session.execute(delete(TradeRetrieval).where(TradeRetrieval.tenant == tenant, TradeRetrieval.at < cutoff))
    return result.rowcount or 0


def _persons(session: Session, entry: TradeBusiness) -> list[TradePerson]:
    return list(session.scalars(select(TradePerson).where(TradePerson.business_id == entry.id)
                                .order_by(TradePerson.position)))


def _register_entry(b: dict) -> dict:
    return {k: b[k] for k in ("registerart", "registernummer", "registergericht") if b.get(k)}


def _address(entry: TradeBusiness) -> dict:
    return {"strasse": entry.street, "hausnummer": entry.house_number, "plz": entry.postal_code, "ort": entry.city}


def _state(entry: TradeBusiness) -> dict:
    return {"name": entry.name, "anschrift": _address(entry), "taetigkeit": entry.activity, "wz": entry.wz,
            "weitere_taetigkeiten": entry.other_activities}
