"""Demo permits, dated relative to the day of seeding: one in mid-term, one about to expire."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..common import berlin_today, next_counter, utcnow
from ..residents.addresses import person_key
from .models import ParkingCounter, ParkingPermit
from .rules import valid_until

# family name, given name, date of birth, holder name, plate, zone, days since the permit started
PERMITS = {
    "plauen": [
        ("Mustermann", "Anna", "1962-04-21", "Anna Mustermann", "PL-AM 62", "A", 60),
        ("Beispiel", "Jonas", "1988-12-01", "Jonas Beispiel", "PL-JB 88", "B", 345),
    ],
    "musterstadt": [
        ("Probemann", "Mara", "1992-07-07", "Mara Probemann", "MU-MP 92", "A", 100),
    ],
}


def seed(session: Session, tenant: str, today: date | None = None) -> int:
    today = today or berlin_today()
    added = 0
    for family, given, born, holder, plate, zone, age in PERMITS.get(tenant, []):
        key = f"seed:{plate}"
        if session.scalar(select(ParkingPermit.id).where(ParkingPermit.tenant == tenant,
                                                         ParkingPermit.idempotency_key == key)):
            continue
        start = today - timedelta(days=age)
        number = next_counter(session, ParkingCounter, tenant, str(start.year))
        session.add(ParkingPermit(
            tenant=tenant, permit_number=f"{zone}-{start.year}-{number:05d}",
            resident_key=person_key(family, given, born), holder_name=holder, plate=plate, zone=zone, kind="new",
            valid_from=start, valid_until=valid_until(start, 12), status="valid", idempotency_key=key,
            created_at=utcnow()))
        added += 1
    session.flush()
    return added
