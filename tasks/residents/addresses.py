"""Street names as people type them ("Bahnhofstr. 12a") in the form the directory compares."""
from __future__ import annotations

import re

_ADDRESS = re.compile(r"^(?P<street>.*?\D)\s*(?P<number>\d+)\s*(?P<suffix>[a-zA-Z]?)\s*$")
_ABBREVIATIONS = ((re.compile(r"str\.(?=\s|$)"), "straße"), (re.compile(r"strasse\b"), "straße"),
                  (re.compile(r"\bpl\.(?=\s|$)"), "platz"))


def street_key(street: str) -> str:
    """Case-folded, abbreviations expanded, hyphens and spaces unified: "Hofer Str." == "hofer straße"."""
    key = " ".join(str(street).lower().replace("-", " ").split())
    for pattern, full in _ABBREVIATIONS:
        key = pattern.sub(full, key)
    return key


def split_address(line: str) -> tuple[str, int | None, str]:
    """"Bahnhofstraße 12a" -> ("Bahnhofstraße", 12, "a"); without a number -> (line, None, "")."""
    match = _ADDRESS.match(str(line).strip())
    if not match:
        return str(line).strip(), None, ""
    return match["street"].strip().rstrip(","), int(match["number"]), match["suffix"].lower()


def name_key(name: str) -> str:
    return " ".join(str(name).casefold().split())


def person_key(family_name: str, given_names: str, date_of_birth: str) -> str:
    """One resident across cases and systems: family name, first given name, date of birth."""
    first = (name_key(given_names).split() or [""])[0]
    return f"{name_key(family_name)}|{first}|{date_of_birth}"
