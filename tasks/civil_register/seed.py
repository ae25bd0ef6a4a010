"""Demo register entries (fictional people). Per tenant: found, ambiguous, blocked and
adoption cases; the same register number "G 412/1990" exists in both tenants for
different people, which makes tenant mix-ups visible."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..common import utcnow
from .models import CivregBlockingNote, CivregEntry, CivregPerson

BLOCK_REASON = "Auskunftssperre: Gefahr für Leib und Leben glaubhaft gemacht (§ 64 PStG)."


def P(role, family, given, birth=None, dob=None):  # noqa: N802  (reads like a table row)
    return (role, family, given, birth, dob)


# register number, kind, event date, place, persons, blocked, adoption
PLAUEN = [
    ("G 388/1958", "birth", "1958-07-30", "Plauen",
     [P("child", "Mustermann", "Max", None, "1958-07-30"), P("mother", "Mustermann", "Hilde", "Alt", "1931-01-12"),
      P("father", "Mustermann", "Otto", None, "1929-05-03")], False, False),
    ("G 215/1962", "birth", "1962-04-21", "Plauen",
     [P("child", "Gabler", "Anna", None, "1962-04-21"), P("mother", "Gabler", "Ruth", None, "1938-02-14"),
      P("father", "Gabler", "Kurt", None, "1936-09-09")], False, False),
    ("E 45/1988", "marriage", "1988-09-10", "Plauen",
     [P("spouse1", "Mustermann", "Max", None, "1958-07-30"), P("spouse2", "Mustermann", "Anna", "Gabler", "1962-04-21")],
     False, False),
    ("G 412/1990", "birth", "1990-03-14", "Plauen",
     [P("child", "Mustermann", "Erika Maria", None, "1990-03-14"), P("mother", "Mustermann", "Anna", "Gabler", "1962-04-21"),
      P("father", "Mustermann", "Max", None, "1958-07-30")], False, False),
    ("E 87/2015", "marriage", "2015-06-20", "Plauen",
     [P("spouse1", "Beispiel", "Jonas", None, "1988-12-01"), P("spouse2", "Beispiel", "Erika Maria", "Mustermann", "1990-03-14")],
     False, False),
    ("G 1093/2016", "birth", "2016-11-02", "Plauen",
     [P("child", "Beispiel", "Lena", None, "2016-11-02"), P("mother", "Beispiel", "Erika Maria", "Mustermann", "1990-03-14"),
      P("father", "Beispiel", "Jonas", None, "1988-12-01")], False, False),
    ("S 101/2019", "death", "2019-10-05", "Plauen",
     [P("deceased", "Mustermann", "Hilde", "Alt", "1931-01-12")], False, False),
    ("S 233/2021", "death", "2021-02-08", "Plauen",
     [P("deceased", "Mustermann", "Max", None, "1958-07-30")], False, False),
    # Two cousins of the same name born on the same day: ambiguous without the register number.
    ("G 501/1985", "birth", "1985-05-05", "Plauen",
     [P("child", "Platzhalter", "Paul", None, "1985-05-05"), P("mother", "Platzhalter", "Sabine", None, "1961-03-03"),
      P("father", "Platzhalter", "Uwe", None, "1959-08-08")], False, False),
    ("G 502/1985", "birth", "1985-05-05", "Plauen",
     [P("child", "Platzhalter", "Paul", None, "1985-05-05"), P("mother", "Platzhalter", "Petra", "Ersatz", "1963-06-06"),
      P("father", "Platzhalter", "Rainer", None, "1960-01-01")], False, False),
    ("G 77/2001", "birth", "2001-08-19", "Plauen",
     [P("child", "Verborgen", "Klara", None, "2001-08-19"), P("mother", "Verborgen", "Sonja", None, "1975-04-04")],
     True, False),
    ("G 260/2008", "birth", "2008-01-23", "Plauen",
     [P("child", "Wahlmann", "Noah", None, "2008-01-23"), P("mother", "Wahlmann", "Jana", None, "1976-05-17"),
      P("father", "Wahlmann", "Tim", None, "1974-10-02")], False, True),
    ("L 12/2009", "partnership", "2009-08-14", "Plauen",
     [P("spouse1", "Exempel", "Sven", None, "1975-03-30"), P("spouse2", "Exempel", "Tobias", "Probe", "1979-11-11")],
     False, False),
]

MUSTERSTADT = [
    ("E 9/1989", "marriage", "1989-04-15", "Musterstadt",
     [P("spouse1", "Probemann", "Bernd", None, "1960-02-29"), P("spouse2", "Probemann", "Gisela", "Vorlage", "1963-10-10")],
     False, False),
    ("G 412/1990", "birth", "1990-03-14", "Musterstadt",
     [P("child", "Probemann", "Jan", None, "1990-03-14"), P("mother", "Probemann", "Gisela", "Vorlage", "1963-10-10"),
      P("father", "Probemann", "Bernd", None, "1960-02-29")], False, False),
    ("G 140/1992", "birth", "1992-07-07", "Musterstadt",
     [P("child", "Fiktiva", "Mara", None, "1992-07-07"), P("mother", "Fiktiva", "Doris", None, "1966-12-12")], False, False),
    ("E 33/2018", "marriage", "2018-05-26", "Musterstadt",
     [P("spouse1", "Probemann", "Jan", None, "1990-03-14"), P("spouse2", "Probemann", "Mara", "Fiktiva", "1992-07-07")],
     False, False),
    ("G 705/2019", "birth", "2019-09-15", "Musterstadt",
     [P("child", "Probemann", "Emil", None, "2019-09-15"), P("mother", "Probemann", "Mara", "Fiktiva", "1992-07-07"),
      P("father", "Probemann", "Jan", None, "1990-03-14")], False, False),
    ("S 58/2020", "death", "2020-12-03", "Musterstadt",
     [P("deceased", "Probemann", "Bernd", None, "1960-02-29")], False, False),
    ("S 12/2022", "death", "2022-03-15", "Musterstadt",
     [P("deceased", "Probemann", "Gisela", "Vorlage", "1963-10-10")], False, False),
    ("G 310/1994", "birth", "1994-02-02", "Musterstadt",
     [P("child", "Doppel", "Lisa", None, "1994-02-02"), P("mother", "Doppel", "Karin", None, "1970-07-01")], False, False),
    ("G 311/1994", "birth", "1994-02-02", "Musterstadt",
     [P("child", "Doppel", "Lisa", None, "1994-02-02"), P("mother", "Doppel", "Heike", "Zweitname", "1972-09-09")],
     False, False),
    ("G 88/2003", "birth", "2003-05-12", "Musterstadt",
     [P("child", "Verborgen", "Felix", None, "2003-05-12"), P("mother", "Verborgen", "Nina", None, "1980-01-20")],
     True, False),
    ("G 199/2010", "birth", "2010-10-10", "Musterstadt",
     [P("child", "Wahlmann", "Mila", None, "2010-10-10"), P("mother", "Wahlmann", "Ute", None, "1971-02-03")], False, True),
    ("L 4/2012", "partnership", "2012-06-01", "Musterstadt",
     [P("spouse1", "Muster", "Anke", None, "1970-05-05"), P("spouse2", "Muster", "Birgit", "Vorlage", "1973-08-18")],
     False, False),
]

DATA = {"plauen": PLAUEN, "musterstadt": MUSTERSTADT}


def seed(session: Session, tenant: str) -> int:
    """Insert the tenant's demo entries that are missing; returns how many were added."""
    existing = set(session.scalars(select(CivregEntry.register_number).where(CivregEntry.tenant == tenant)))
    added = 0
    for number, kind, event_date, place, persons, blocked, adoption in DATA.get(tenant, []):
        if number in existing:
            continue
        entry = CivregEntry(
            tenant=tenant, kind=kind, register_number=number, event_date=date.fromisoformat(event_date),
            event_place=place, adoption=adoption, created_at=utcnow(),
        )
        entry.persons = [
            CivregPerson(tenant=tenant, role=role, family_name=family, given_names=given, birth_name=birth,
                         date_of_birth=date.fromisoformat(dob) if dob else None)
            for role, family, given, birth, dob in persons
        ]
        if blocked:
            entry.blocking_notes = [CivregBlockingNote(tenant=tenant, reason=BLOCK_REASON, valid_from=date(2020, 1, 1))]
        session.add(entry)
        added += 1
    session.flush()
    return added
