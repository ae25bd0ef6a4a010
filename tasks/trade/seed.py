"""Demo businesses of Plauen already in the trade register, so the demo can show a change (GewA 2)
and a closure (GewA 3): Erika Mustermann (born 14.03.1990) runs a flower shop and a café; a
locksmith's of Jonas Beispiel answers a Registerauskunft. Numbered by the register's own counter:
on a fresh demo database 14523319-000001 to -000003."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..common import next_counter, utcnow
from . import register
from .models import TradeBusiness, TradeCounter, TradePerson

AGS = {"plauen": "14523319"}  # processes/municipalities/plauen/municipality.json
ERIKA = {"familienname": "Mustermann", "vornamen": "Erika", "geschlecht": "weiblich", "geburtsdatum": "1990-03-14",
         "geburtsort": "Plauen", "geburtsland": "Deutschland", "staatsangehoerigkeit": "000",
         "strasse": "Bahnhofstraße", "hausnummer": "12", "plz": "08523", "ort": "Plauen"}
JONAS = {"familienname": "Beispiel", "vornamen": "Jonas", "geschlecht": "maennlich", "geburtsdatum": "1979-11-02",
         "geburtsort": "Greiz", "geburtsland": "Deutschland", "staatsangehoerigkeit": "000",
         "strasse": "Bahnhofstraße", "hausnummer": "12", "plz": "08523", "ort": "Plauen"}
# (key, name, legal form, street, number, activity, WZ 2008, since, person)
DATA = {
    "plauen": [
        ("blumen", "Blumen Mustermann", "einzelunternehmen", "Klostermarkt", "3", "Einzelhandel mit Blumen und Pflanzen",
         "47761", "2021-04-01", ERIKA),
        ("cafe", "Café am Altmarkt", "einzelunternehmen", "Altmarkt", "5", "Café (Ausschank von Kaffee, Verkauf von Kuchen)",
         "56104", "2022-06-15", ERIKA),
        ("schluessel", "Schlüsseldienst Beispiel", "einzelunternehmen", "Straßberger Straße", "21",
         "Schlüsseldienst und Schuhreparatur", "95230", "2015-02-01", JONAS),
    ],
}


def seed(session: Session, tenant: str) -> int:
    """Adds the tenant's demo businesses that are missing; returns the number of rows added."""
    added = 0
    for key, name, legal_form, street, house_number, activity, wz, since, person in DATA.get(tenant, []):
        idempotency_key = f"seed-{tenant}-{key}"
        if session.scalar(select(TradeBusiness.id).where(TradeBusiness.tenant == tenant,
                                                         TradeBusiness.idempotency_key == idempotency_key)):
            continue
        now, valid_from = utcnow(), date.fromisoformat(since)
        value = next_counter(session, TradeCounter, tenant, "betrieb")
        number = register.number_for(AGS[tenant], value)
        entry = TradeBusiness(
            tenant=tenant, idempotency_key=idempotency_key, number=number, case_number=f"GW-{since[:4]}-DEMO{value}",
            registered_on=valid_from, name=name, legal_form=legal_form, register_entry={}, street=street,
            house_number=house_number, postal_code="08523", city="Plauen", activity=activity, wz=wz,
            other_activities=None, persons_count=1, valid_from=valid_from, state="aktiv", created_at=now,
            updated_at=now)
        session.add(entry)
        session.flush()
        session.add(TradePerson(tenant=tenant, business_id=entry.id, position=1, family_name=person["familienname"],
                                given_names=person["vornamen"], birth_date=date.fromisoformat(person["geburtsdatum"]),
                                data=dict(person)))
        session.flush()
        added += 2
    return added
