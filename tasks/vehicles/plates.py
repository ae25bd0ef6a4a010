"""German number plates (FZV §8): district code of 1–3 letters, 1–2 letters, 1–4 digits
without a leading zero, optionally E (electric) or H (historic); at most 8 characters."""
from __future__ import annotations

import re

from engine.operations import InvalidRequest

PLATE = re.compile(r"^([A-ZÄÖÜ]{1,3})[- ]([A-Z]{1,2}) ?([1-9][0-9]{0,3})([EH]?)$")


def normalise_plate(value: str) -> str:
    """"pl-eb1990" -> "PL-EB 1990"; InvalidRequest if it is no German plate."""
    match = PLATE.match(" ".join(str(value or "").upper().split()))
    if not match or sum(len(g) for g in match.groups()) > 8:
        raise InvalidRequest(f"{value!r} ist kein deutsches Kennzeichen (Format PL-AB 123).")
    district, letters, digits, suffix = match.groups()
    return f"{district}-{letters} {digits}{suffix}"
