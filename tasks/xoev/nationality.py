"""The nationality key of the Federal Statistical Office (Destatis Staatsangehörigkeitsschlüssel, three
digits), as XGewerbeanzeige carries it. 997 is "staatenlos", 998 "ungeklärt", 999 "ohne Angabe": none of
them means "another state". The list in data/staatsangehoerigkeit.csv holds the states whose keys are
verified here (EU/EEA, Switzerland, the United Kingdom and the most frequent others); complete it from the
Destatis file before production. The form's enum is generated from it (``form_enum``; a test keeps them equal)."""
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
