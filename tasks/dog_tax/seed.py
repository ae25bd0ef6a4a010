"""Demo dogs already registered, so a new application can be a second or further dog:
in Plauen the Beispiel household (Bahnhofstraße 12) keeps one dog; in Musterstadt the
Probemann household (Marktplatz 1) keeps two."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..common import utcnow
from . import rules
from .models import DogTaxDog, DogTaxHolder, DogTaxHousehold
from .system import new_tag

# (given name, family name, street, postal code, city, flat: their household in the residents' register
# seed), [(dog, breed, born on, held since)]
DATA = {
    "plauen": [
        (("Jonas", "Beispiel", "Bahnhofstraße 12", "08523", "Plauen", "2. OG links"),
         [("Bello", "Labrador Retriever", "2019-04-02", "2019-07-01")]),
    ],
    "musterstadt": [
        (("Jan", "Probemann", "Marktplatz 1", "01234", "Musterstadt", "1. OG"),
         [("Rex", "Deutscher Schäferhund", "2018-02-10", "2018-05-01"),
          ("Luna", "Border Collie", "2021-09-09", "2022-01-15")]),
    ],
}


def seed(session: Session, tenant: str) -> int:
    """Adds the tenant's demo households that are missing; returns the number of rows added."""
    added = 0
    for (given, family, street, postal_code, city, flat), dogs in DATA.get(tenant, []):
        key = rules.household_key(street, postal_code, flat=flat)
        if session.scalar(select(DogTaxHousehold.id).where(DogTaxHousehold.tenant == tenant,
                                                           DogTaxHousehold.household_key == key)):
            continue
        household = DogTaxHousehold(tenant=tenant, household_key=key, street=street, postal_code=postal_code,
                                    city=city, created_at=utcnow())
        session.add(household)
        session.flush()
        holder = DogTaxHolder(tenant=tenant, household_id=household.id, given_name=given, family_name=family,
                              name_key=rules.name_key(given, family), created_at=utcnow())
        session.add(holder)
        session.flush()
        added += 2
        for name, breed, born_on, held_since in dogs:
            dog = DogTaxDog(tenant=tenant, holder_id=holder.id, household_id=household.id, name=name, breed=breed,
                            born_on=date.fromisoformat(born_on), held_since=date.fromisoformat(held_since),
                            dangerous=False, status="angemeldet", idempotency_key=f"seed-{tenant}-{family}-{name}",
                            created_at=utcnow())
            session.add(dog)
            session.flush()
            new_tag(session, dog, f"seed-tag-{tenant}-{family}-{name}", dog.held_since)
            added += 2
    return added
