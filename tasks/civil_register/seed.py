"""Demo register entries (fictional people). Per tenant: found, ambiguous, blocked and
adoption cases; the same register number "G 412/1990" exists in both tenants for
different people, which makes tenant mix-ups visible."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..common import utcnow
from .models import CivregBlockingNote, CivregEntry, CivregPerson

BLOCK_REASON = "Auskunftssperre: Gefahr für Leib und Leben glaubhaft gemacht (§ 64 PStG)."


def P(role, family, given, birth=None, dob=None, place=None, sex=None, **more):  # reads like a table row
    """more: last_residence, marital_status (a deceased person), date_of_death (Hinweis on a later death)."""
    return {"role": role, "family_name": family, "given_names": given, "birth_name": birth, "date_of_birth": dob,
            "place_of_birth": place, "sex": sex, **more}


# register number, kind, event date ("…T14:30" for a death: § 31 Abs. 1 Nr. 4 PStG), place, persons, blocked,
# adoption
PLAUEN = [
    ("G 388/1958", "birth", "1958-07-30", "Plauen",
     [P("child", "Mustermann", "Max", None, "1958-07-30", "Plauen", "male", date_of_death="2021-02-08"),
      P("mother", "Mustermann", "Hilde", "Alt", "1931-01-12", "Oelsnitz/Vogtl.", "female", date_of_death="2019-10-05"),
      P("father", "Mustermann", "Otto", None, "1929-05-03", "Reichenbach im Vogtland", "male")], False, False),
    ("G 215/1962", "birth", "1962-04-21", "Plauen",
     [P("child", "Gabler", "Anna", None, "1962-04-21", "Plauen", "female"),
      P("mother", "Gabler", "Ruth", None, "1938-02-14", "Auerbach/Vogtl.", "female"),
      P("father", "Gabler", "Kurt", None, "1936-09-09", "Plauen", "male")], False, False),
    ("E 45/1988", "marriage", "1988-09-10", "Plauen",
     [P("spouse1", "Mustermann", "Max", None, "1958-07-30", "Plauen", "male", date_of_death="2021-02-08"),
      P("spouse2", "Mustermann", "Anna", "Gabler", "1962-04-21", "Plauen", "female")], False, False),
    ("G 412/1990", "birth", "1990-03-14", "Plauen",
     [P("child", "Mustermann", "Erika Maria", None, "1990-03-14", "Plauen", "female"),
      P("mother", "Mustermann", "Anna", "Gabler", "1962-04-21", "Plauen", "female"),
      P("father", "Mustermann", "Max", None, "1958-07-30", "Plauen", "male", date_of_death="2021-02-08")],
     False, False),
    ("E 87/2015", "marriage", "2015-06-20", "Plauen",
     [P("spouse1", "Beispiel", "Jonas", None, "1988-12-01", "Zwickau", "male"),
      P("spouse2", "Beispiel", "Erika Maria", "Mustermann", "1990-03-14", "Plauen", "female")], False, False),
    ("G 1093/2016", "birth", "2016-11-02", "Plauen",
     [P("child", "Beispiel", "Lena", None, "2016-11-02", "Plauen", "female"),
      P("mother", "Beispiel", "Erika Maria", "Mustermann", "1990-03-14", "Plauen", "female"),
      P("father", "Beispiel", "Jonas", None, "1988-12-01", "Zwickau", "male")], False, False),
    ("S 101/2019", "death", "2019-10-05T14:30", "Plauen",
     [P("deceased", "Mustermann", "Hilde", "Alt", "1931-01-12", "Oelsnitz/Vogtl.", "female",
        last_residence="Plauen", marital_status="widowed")], False, False),
    ("S 233/2021", "death", "2021-02-08T09:15", "Plauen",
     [P("deceased", "Mustermann", "Max", None, "1958-07-30", "Plauen", "male",
        last_residence="Plauen", marital_status="married")], False, False),
    # Two cousins of the same name born on the same day: ambiguous without the register number.
    ("G 501/1985", "birth", "1985-05-05", "Plauen",
     [P("child", "Platzhalter", "Paul", None, "1985-05-05", "Plauen", "male"),
      P("mother", "Platzhalter", "Sabine", None, "1961-03-03", "Plauen", "female"),
      P("father", "Platzhalter", "Uwe", None, "1959-08-08", "Plauen", "male")], False, False),
    ("G 502/1985", "birth", "1985-05-05", "Plauen",
     [P("child", "Platzhalter", "Paul", None, "1985-05-05", "Plauen", "male"),
      P("mother", "Platzhalter", "Petra", "Ersatz", "1963-06-06", "Greiz", "female"),
      P("father", "Platzhalter", "Rainer", None, "1960-01-01", "Plauen", "male")], False, False),
    ("G 77/2001", "birth", "2001-08-19", "Plauen",
     [P("child", "Verborgen", "Klara", None, "2001-08-19", "Plauen", "female"),
      P("mother", "Verborgen", "Sonja", None, "1975-04-04", "Plauen", "female")], True, False),
    ("G 260/2008", "birth", "2008-01-23", "Plauen",
     [P("child", "Wahlmann", "Noah", None, "2008-01-23", "Plauen", "male"),
      P("mother", "Wahlmann", "Jana", None, "1976-05-17", "Plauen", "female"),
      P("father", "Wahlmann", "Tim", None, "1974-10-02", "Plauen", "male")], False, True),
    ("L 12/2009", "partnership", "2009-08-14", "Plauen",
     [P("spouse1", "Exempel", "Sven", None, "1975-03-30", "Chemnitz", "male"),
      P("spouse2", "Exempel", "Tobias", "Probe", "1979-11-11", "Plauen", "male")], False, False),
    # Child and both parents died, the last more than 30 years ago (§ 62 Abs. 3 PStG).
    ("G 96/1937", "birth", "1937-05-09", "Plauen",
     [P("child", "Altmann", "Hedwig", None, "1937-05-09", "Plauen", "female", date_of_death="1994-06-30"),
      P("mother", "Altmann", "Frieda", "Berg", "1910-02-11", "Plauen", "female", date_of_death="1979-01-20"),
      P("father", "Altmann", "Karl", None, "1905-08-23", "Falkenstein/Vogtl.", "male", date_of_death="1961-11-02")],
     False, False),
]

MUSTERSTADT = [
    ("E 9/1989", "marriage", "1989-04-15", "Musterstadt",
     [P("spouse1", "Probemann", "Bernd", None, "1960-02-29", "Musterstadt", "male", date_of_death="2020-12-03"),
      P("spouse2", "Probemann", "Gisela", "Vorlage", "1963-10-10", "Beispielhausen", "female",
        date_of_death="2022-03-15")], False, False),
    ("G 412/1990", "birth", "1990-03-14", "Musterstadt",
     [P("child", "Probemann", "Jan", None, "1990-03-14", "Musterstadt", "male"),
      P("mother", "Probemann", "Gisela", "Vorlage", "1963-10-10", "Beispielhausen", "female", date_of_death="2022-03-15"),
      P("father", "Probemann", "Bernd", None, "1960-02-29", "Musterstadt", "male", date_of_death="2020-12-03")],
     False, False),
    ("G 140/1992", "birth", "1992-07-07", "Musterstadt",
     [P("child", "Fiktiva", "Mara", None, "1992-07-07", "Musterstadt", "female"),
      P("mother", "Fiktiva", "Doris", None, "1966-12-12", "Musterstadt", "female")], False, False),
    ("E 33/2018", "marriage", "2018-05-26", "Musterstadt",
     [P("spouse1", "Probemann", "Jan", None, "1990-03-14", "Musterstadt", "male"),
      P("spouse2", "Probemann", "Mara", "Fiktiva", "1992-07-07", "Musterstadt", "female")], False, False),
    ("G 705/2019", "birth", "2019-09-15", "Musterstadt",
     [P("child", "Probemann", "Emil", None, "2019-09-15", "Musterstadt", "male"),
      P("mother", "Probemann", "Mara", "Fiktiva", "1992-07-07", "Musterstadt", "female"),
      P("father", "Probemann", "Jan", None, "1990-03-14", "Musterstadt", "male")], False, False),
    ("S 58/2020", "death", "2020-12-03T22:40", "Musterstadt",
     [P("deceased", "Probemann", "Bernd", None, "1960-02-29", "Musterstadt", "male",
        last_residence="Musterstadt", marital_status="married")], False, False),
    ("S 12/2022", "death", "2022-03-15T06:05", "Musterstadt",
     [P("deceased", "Probemann", "Gisela", "Vorlage", "1963-10-10", "Beispielhausen", "female",
        last_residence="Musterstadt", marital_status="widowed")], False, False),
    ("G 310/1994", "birth", "1994-02-02", "Musterstadt",
     [P("child", "Doppel", "Lisa", None, "1994-02-02", "Musterstadt", "female"),
      P("mother", "Doppel", "Karin", None, "1970-07-01", "Musterstadt", "female")], False, False),
    ("G 311/1994", "birth", "1994-02-02", "Musterstadt",
     [P("child", "Doppel", "Lisa", None, "1994-02-02", "Musterstadt", "female"),
      P("mother", "Doppel", "Heike", "Zweitname", "1972-09-09", "Musterstadt", "female")], False, False),
    ("G 88/2003", "birth", "2003-05-12", "Musterstadt",
     [P("child", "Verborgen", "Felix", None, "2003-05-12", "Musterstadt", "male"),
      P("mother", "Verborgen", "Nina", None, "1980-01-20", "Musterstadt", "female")], True, False),
    ("G 199/2010", "birth", "2010-10-10", "Musterstadt",
     [P("child", "Wahlmann", "Mila", None, "2010-10-10", "Musterstadt", "female"),
      P("mother", "Wahlmann", "Ute", None, "1971-02-03", "Musterstadt", "female")], False, True),
    # An entry made under § 22 Abs. 3 PStG: the child's sex "divers".
    ("G 233/2021", "birth", "2021-04-01", "Musterstadt",
     [P("child", "Exempel", "Kim", None, "2021-04-01", "Musterstadt", "diverse"),
      P("mother", "Exempel", "Sandra", None, "1989-09-19", "Musterstadt", "female")], False, False),
    ("L 4/2012", "partnership", "2012-06-01", "Musterstadt",
     [P("spouse1", "Muster", "Anke", None, "1970-05-05", "Musterstadt", "female"),
      P("spouse2", "Muster", "Birgit", "Vorlage", "1973-08-18", "Beispielhausen", "female")], False, False),
]

DATA = {"plauen": PLAUEN, "musterstadt": MUSTERSTADT}


def person_row(person: dict) -> dict:
    return {key: date.fromisoformat(value) if key in ("date_of_birth", "date_of_death") and value else value
            for key, value in person.items()}


def seed(session: Session, tenant: str) -> int:
    """Insert the tenant's demo entries that are missing; returns how many were added."""
    existing = set(session.scalars(select(CivregEntry.register_number).where(CivregEntry.tenant == tenant)))
    added = 0
    for number, kind, event_date, place, persons, blocked, adoption in DATA.get(tenant, []):
        if number in existing:
            continue
        day, _, at = event_date.partition("T")
        entry = CivregEntry(
            tenant=tenant, kind=kind, register_number=number, event_date=date.fromisoformat(day),
            event_time=time.fromisoformat(at) if at else None, event_place=place, adoption=adoption,
            created_at=utcnow(),
        )
        entry.persons = [CivregPerson(tenant=tenant, **person_row(person)) for person in persons]
        if blocked:
            entry.blocking_notes = [CivregBlockingNote(tenant=tenant, reason=BLOCK_REASON, valid_from=date(2020, 1, 1))]
        session.add(entry)
        added += 1
    session.flush()
    return added
