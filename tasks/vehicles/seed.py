"""Demo vehicles: the holders match the demo residents, with a company car and a family car."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import VehiclesVehicle

# plate, make and model, holder, holder's family name (None: a company), holder's date of birth
VEHICLES = {
    "plauen": [
        ("PL-EB 1990", "VW Golf", "Erika Maria Beispiel", "Beispiel", "1990-03-14"),
        ("PL-JB 88", "Škoda Octavia Combi", "Jonas Beispiel", "Beispiel", "1988-12-01"),
        ("PL-AM 62", "Opel Corsa", "Anna Mustermann", "Mustermann", "1962-04-21"),
        ("PL-AM 620E", "Renault Zoe", "Anna Mustermann", "Mustermann", "1962-04-21"),
        ("L-PP 585", "Ford Fiesta", "Paul Platzhalter", "Platzhalter", "1985-05-05"),
        ("PL-VL 500", "VW Passat Variant", "Vogtland Logistik GmbH", None, None),
        ("PL-TE 79", "Toyota Yaris", "Tobias Exempel", "Exempel", "1979-11-11"),
        ("PL-TW 74", "BMW 318i", "Tim Wahlmann", "Wahlmann", "1974-10-02"),
    ],
    "musterstadt": [
        ("MU-JP 90", "VW Polo", "Jan Probemann", "Probemann", "1990-03-14"),
        ("MU-MP 92", "Fiat 500", "Mara Probemann", "Probemann", "1992-07-07"),
        ("MU-DF 66", "Mercedes-Benz A 180", "Doris Fiktiva", "Fiktiva", "1966-12-12"),
    ],
}


def seed(session: Session, tenant: str) -> int:
    known = set(session.scalars(select(VehiclesVehicle.plate).where(VehiclesVehicle.tenant == tenant)))
    new = [VehiclesVehicle(tenant=tenant, plate=plate, description=description, holder_name=holder,
                           holder_family_name=family, holder_date_of_birth=date.fromisoformat(born) if born else None)
           for plate, description, holder, family, born in VEHICLES.get(tenant, []) if plate not in known]
    session.add_all(new)
    session.flush()
    return len(new)
