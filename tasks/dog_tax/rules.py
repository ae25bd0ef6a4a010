"""The tax rules, free of storage: which rate applies, how many months are owed, when the
instalments fall due, whether a breed is on the list, whether an IBAN is valid. The
municipality's values (rates, list, due dates, pro-rata rule) come in as arguments."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from schwifty import IBAN
from schwifty import exceptions as iban_errors

from engine.operations import InvalidRequest

RATE_KINDS = ("first", "second", "further", "dangerous_first", "dangerous_further")
RATE_LABELS = {
    "first": "erster Hund",
    "second": "zweiter Hund",
    "further": "dritter und jeder weitere Hund",
    "dangerous_first": "gefährlicher Hund",
    "dangerous_further": "jeder weitere gefährliche Hund",
}
# The month the tax starts, relative to the month the dog was taken in.
PRO_RATA_RULES = {"ab_monat": 0, "ab_folgemonat": 1}
EXEMPTION_DECISIONS = ("befreiung", "ermaessigung", "abgelehnt")


def rate_kind(dangerous: bool, registered_dogs: int, registered_dangerous: int) -> str:
    """The rate for a new dog given the dogs already registered in the household."""
    if dangerous:
        return "dangerous_first" if registered_dangerous == 0 else "dangerous_further"
    return ("first", "second")[registered_dogs] if registered_dogs < 2 else "further"


def annual_rate(rates: dict, kind: str) -> int:
    value = (rates or {}).get(kind)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequest(f"rates.{kind} fehlt oder ist kein Betrag in Cent.")
    return value


def liable_months(held_since: date, year: int, rule: str) -> tuple[int | None, int]:
    """(first liable month, number of liable months) within ``year``."""
    if rule not in PRO_RATA_RULES:
        raise InvalidRequest(f"Unbekannte Regel für die anteilige Steuer: {rule!r} ({', '.join(PRO_RATA_RULES)}).")
    start = held_since.year * 12 + held_since.month - 1 + PRO_RATA_RULES[rule]
    first = max(start, year * 12)  # a dog held since an earlier year owes the whole year
    months = max(0, (year + 1) * 12 - first)
    return (first % 12 + 1 if months else None), months


def pro_rata(annual_cents: int, months: int) -> int:
    """Twelfths of the annual rate, rounded half up to the cent."""
    return (annual_cents * months + 6) // 12


def reduced(amount_cents: int, percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidRequest(f"Ermäßigung muss 0 bis 100 Prozent sein, nicht {percent!r}.")
    return (amount_cents * (100 - percent) + 50) // 100


def instalments(amount_cents: int, on: date, due_dates: list[str], single_due_days: int) -> list[dict]:
    """The amount split over the due dates still ahead in the year of ``on`` (the remainder
    cents go to the first); if none are left, one payment ``single_due_days`` after ``on``."""
    if amount_cents <= 0:
        return []
    ahead = sorted(d for d in (due_date(on.year, text) for text in due_dates) if d > on)
    if not ahead:
        ahead = [on + timedelta(days=single_due_days)]
    base, rest = divmod(amount_cents, len(ahead))
    return [{"due_date": d.isoformat(), "amount_cents": base + (rest if i == 0 else 0)} for i, d in enumerate(ahead)]


def due_date(year: int, text: str) -> date:
    """'02-15' (month-day) in the given year."""
    try:
        month, day = (int(part) for part in str(text).split("-"))
        return date(year, month, day)
    except ValueError:
        raise InvalidRequest(f"Fälligkeitstermin {text!r}: bitte als MM-TT angeben, z. B. 02-15.") from None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zäöüß]+", str(text or "").casefold())


def listed_breed(breed: str, listed: list[str]) -> str | None:
    """The list entry a breed falls under, crosses included: the entry's letters must begin at a
    word of the breed ("Pit-Bull-Mischling" and "Pitbull" both fall under "Pit Bull")."""
    words = _words(breed)
    keys = [(entry, "".join(_words(entry))) for entry in listed or []]
    for i in range(len(words)):  # the earliest word wins: "Pit-Bull-Terrier" is a Pit Bull
        rest = "".join(words[i:])
        for entry, key in keys:
            if key and rest.startswith(key):
                return entry
    return None


def household_key(street: str, postal_code: str, family_name: str) -> str:
    """Address plus family name: people of one family at one address count as one household.
    "Bahnhofstr. 12" and "Bahnhofstraße 12" are the same address."""
    folded = str(street).casefold().replace("ß", "ss").replace("str.", "strasse")
    return f"{str(postal_code).strip()}|{re.sub(r'[^a-z0-9äöü]', '', folded)}|{' '.join(_words(family_name))}"


def name_key(given_name: str, family_name: str) -> str:
    return " ".join(_words(f"{given_name} {family_name}"))


@dataclass(frozen=True)
class IbanCheck:
    valid: bool
    iban: str | None = None  # compact
    formatted: str | None = None
    bic: str | None = None
    bank_name: str | None = None
    message: str | None = None  # German, for the citizen


CHECK_HINT = " Bitte prüfen Sie die IBAN auf Ihrem Kontoauszug oder in Ihrer Banking-App."
IBAN_MESSAGES = (
    (iban_errors.InvalidChecksumDigits, "Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie jede Stelle."),
    (iban_errors.InvalidLength, "Die IBAN hat nicht die richtige Länge (in Deutschland 22 Zeichen)."),
    (iban_errors.InvalidCountryCode, "Die IBAN beginnt nicht mit einem gültigen Länderkennzeichen (z. B. DE)."),
    (iban_errors.InvalidBankCode, "Die Bankleitzahl in der IBAN ist nicht bekannt." + CHECK_HINT),
)


def check_iban(value: str) -> IbanCheck:
    """Full check with schwifty (structure, length, check digits, bank code)."""
    if not str(value or "").strip():
        return IbanCheck(False, message="IBAN: Bitte ausfüllen.")
    try:
        iban = IBAN(str(value))
    except iban_errors.SchwiftyException as exc:
        text = next((m for kind, m in IBAN_MESSAGES if isinstance(exc, kind)), "Die IBAN ist ungültig." + CHECK_HINT)
        return IbanCheck(False, message=f"IBAN: {text}")
    bic = iban.bic
    return IbanCheck(True, iban.compact, iban.formatted, str(bic) if bic else None,
                     getattr(iban, "bank_name", None))


def mask_iban(compact: str) -> str:
    """Printed on notices: country, check digits and the last four digits only."""
    return f"{compact[:4]} … {compact[-4:]}" if len(compact) > 8 else compact
