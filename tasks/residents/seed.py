"""Demo register and street directory. Plauen has eight resident parking zones (A–H),
Musterstadt three. Street names look real; people and numbers are invented."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ResidentsPerson, ResidentsResidence, ResidentsStreet, ResidentsZone

ZONES = {
    "plauen": [("A", "Altstadt"), ("B", "Bahnhofsvorstadt"), ("C", "Neustadt"), ("D", "Rathausviertel"),
               ("E", "Dobenau"), ("F", "Preißelpöhl"), ("G", "Haselbrunn"), ("H", "Ostvorstadt")],
    "musterstadt": [("A", "Marktviertel"), ("B", "Bahnhofsviertel"), ("C", "Schlossviertel")],
}

# street, first and last house number (None: the whole street), zone (None: outside every zone)
STREETS = {
    "plauen": [
        ("Altmarkt", None, None, "A"), ("Klostermarkt", None, None, "A"), ("Nobelstraße", None, None, "A"),
        ("Herrenstraße", None, None, "A"), ("Topfmarkt", None, None, "A"),
        ("Bahnhofstraße", 1, 49, "B"), ("Melanchthonstraße", None, None, "B"), ("Reichsstraße", None, None, "B"),
        ("Bahnhofstraße", 50, 140, "C"), ("Stresemannstraße", None, None, "C"), ("Forststraße", None, None, "C"),
        ("Unterer Graben", None, None, "D"), ("Oberer Graben", None, None, "D"), ("Syrastraße", None, None, "D"),
        ("Dobenaustraße", None, None, "E"), ("Trockentalstraße", None, None, "E"), ("Hofer Straße", 1, 40, "E"),
        ("Hofer Straße", 41, None, None),
        ("Karlstraße", None, None, "F"), ("Thiergartner Straße", None, None, "F"), ("Pausaer Straße", 1, 60, "F"),
        ("Haselbrunner Straße", None, None, "G"), ("Lessingstraße", None, None, "G"), ("Schillerstraße", None, None, "G"),
        ("Jößnitzer Straße", None, None, "H"), ("Morgenbergstraße", None, None, "H"), ("Reißiger Straße", None, None, "H"),
        ("Chamissostraße", None, None, None), ("Kauschwitzer Straße", None, None, None),
    ],
    "musterstadt": [
        ("Marktplatz", None, None, "A"), ("Kirchgasse", None, None, "A"),
        ("Bahnhofsallee", None, None, "B"), ("Lindenstraße", 1, 30, "B"), ("Lindenstraße", 31, None, None),
        ("Schlossstraße", None, None, "C"), ("Gartenweg", None, None, "C"),
        ("Feldweg", None, None, None),
    ],
}

# family name, given names, date of birth, [(kind, street, number, postal code, moved in, flat?)]; the flat
# (Lage der Wohnung) where the building has more than one
PERSONS = {
    "plauen": [
        ("Beispiel", "Erika Maria", "1990-03-14", [("main", "Bahnhofstraße", "12", "08523", "2015-07-01", "2. OG links")]),
        ("Beispiel", "Jonas", "1988-12-01", [("main", "Bahnhofstraße", "12", "08523", "2015-07-01", "2. OG links")]),
        ("Mustermann", "Anna", "1962-04-21", [("main", "Altmarkt", "3", "08523", "1995-04-01")]),
        ("Platzhalter", "Paul", "1985-05-05", [("secondary", "Nobelstraße", "8", "08523", "2021-10-01")]),
        ("Exempel", "Sven", "1975-03-30", [("main", "Dobenaustraße", "20", "08523", "2010-01-15")]),
        ("Exempel", "Tobias", "1979-11-11", [("main", "Chamissostraße", "4", "08525", "2012-03-01")]),
        ("Wahlmann", "Tim", "1974-10-02", [("main", "Hofer Straße", "60", "08527", "2008-05-01")]),
        ("Gabler", "Ruth", "1938-02-14", [("main", "Jößnitzer Straße", "33", "08525", "1970-09-01")]),
    ],
    "musterstadt": [
        ("Probemann", "Jan", "1990-03-14", [("main", "Marktplatz", "1", "01234", "2018-06-01", "1. OG")]),
        ("Probemann", "Mara", "1992-07-07", [("main", "Marktplatz", "1", "01234", "2018-06-01", "1. OG")]),
        ("Fiktiva", "Doris", "1966-12-12", [("main", "Schlossstraße", "7", "01234", "2000-02-01"),
                                            ("secondary", "Bahnhofsallee", "3", "01234", "2019-01-01")]),
    ],
}
CITY = {"plauen": "Plauen", "musterstadt": "Musterstadt"}


def seed(session: Session, tenant: str) -> int:
    added = _zones(session, tenant) + _streets(session, tenant) + _persons(session, tenant)
    session.flush()
    return added


def _zones(session: Session, tenant: str) -> int:
    known = set(session.scalars(select(ResidentsZone.code).where(ResidentsZone.tenant == tenant)))
    new = [ResidentsZone(tenant=tenant, code=code, name=name) for code, name in ZONES.get(tenant, []) if code not in known]
    session.add_all(new)
    return len(new)


def _streets(session: Session, tenant: str) -> int:
    known = {tuple(r) for r in session.execute(select(ResidentsStreet.street, ResidentsStreet.number_from)
                                               .where(ResidentsStreet.tenant == tenant))}
    new = [ResidentsStreet(tenant=tenant, street=street, number_from=first, number_to=last, zone_code=zone)
           for street, first, last, zone in STREETS.get(tenant, []) if (street, first) not in known]
    session.add_all(new)
    return len(new)


def _persons(session: Session, tenant: str) -> int:
    known = {tuple(r) for r in session.execute(select(ResidentsPerson.family_name, ResidentsPerson.given_names)
                                               .where(ResidentsPerson.tenant == tenant))}
    added = 0
    for family, given, born, residences in PERSONS.get(tenant, []):
        if (family, given) in known:
            continue
        person = ResidentsPerson(tenant=tenant, family_name=family, given_names=given,
                                 date_of_birth=date.fromisoformat(born))
        person.residences = [
            ResidentsResidence(tenant=tenant, kind=kind, street=street, house_number=number, postal_code=code,
                               city=CITY[tenant], moved_in=date.fromisoformat(moved_in), flat=next(iter(flat), None))
            for kind, street, number, code, moved_in, *flat in residences]
        session.add(person)
        added += 1
    return added
