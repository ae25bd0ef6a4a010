"""The nationality key of the Federal Statistical Office (Destatis Staatsangehörigkeitsschlüssel, three
digits, part 2 of the Staats- und Gebietssystematik; XRepository code list C60000019), as XGewerbeanzeige
carries it. data/staatsangehoerigkeit.csv holds all of its nationalities: the current states, the former
ones still needed for old cases (Jugoslawien, Sowjetunion, Tschechoslowakei, ...), the regional ones
(Hongkong, Macau, Britische Überseegebiete) and the substitute values 997 "staatenlos", 998 "ungeklärt",
999 "ohne Angabe": none of them means "another state". Left out is 910, which the statistical offices
reserve for internal use; it is no nationality a person can state. Names follow the adjectives of the
Auswärtiges Amt's list of state names. The form's enum is generated from the file (``form_enum``; a test
keeps them equal)."""
from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from engine.operations import InvalidRequest

FILE = Path(__file__).parent / "data" / "staatsangehoerigkeit.csv"
STATELESS, UNRESOLVED, NOT_STATED = "997", "998", "999"


@cache
def keys() -> dict[str, str]:
    with FILE.open(encoding="utf-8", newline="") as f:
        return {row["schluessel"]: row["bezeichnung"] for row in csv.DictReader(f, delimiter=";")}


def form_enum() -> dict:
    """The JSON-Schema fragment of the form field."""
    return {"enum": list(keys()), "enumTitles": dict(keys())}


def checked(value) -> str:
    key = str(value or "").strip()
    if key not in keys():
        raise InvalidRequest(f"Unbekannter Staatsangehörigkeitsschlüssel {value!r} (Destatis, dreistellig).")
    return key
