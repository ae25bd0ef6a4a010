"""The tax rules, free of storage: which rate applies, how many months are owed, when the
instalments fall due, whether a breed is on the list, whether an IBAN is valid. The
municipality's values (rates, list, due dates, pro-rata rule) come in as arguments."""
from __future__ import annotations

import calendar
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
# The last liable month, relative to the month keeping ended (the Hundesteuersatzung says which).
END_RULES = {"bis_monatsende": 0, "bis_vormonat": -1}


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


def liable_months(held_since: date, year: int, rule: str, born_on: date | None = None,
                   min_age_months: int = 0) -> tuple[int | None, int]:
    """(first liable month, number of liable months) within ``year``. Under the puppy rule of the
    statute a dog younger than ``min_age_months`` is not taxed: liability begins as if keeping began
    on the day the dog reaches that age."""
    if rule not in PRO_RATA_RULES:
        raise InvalidRequest(f"Unbekannte Regel für die anteilige Steuer: {rule!r} ({', '.join(PRO_RATA_RULES)}).")
    begins = max(held_since, old_enough_on(born_on, min_age_months)) if born_on else held_since
    start = begins.year * 12 + begins.month - 1 + PRO_RATA_RULES[rule]
    first = max(start, year * 12)  # a dog held since an earlier year owes the whole year
    months = max(0, (year + 1) * 12 - first)
    return (first % 12 + 1 if months else None), months


def old_enough_on(born_on: date, months: int) -> date:
    """The day a dog born on ``born_on`` is ``months`` months old (a 31st falls back to the month's end)."""
    index = born_on.year * 12 + born_on.month - 1 + int(months or 0)
    year, month = divmod(index, 12)
    return date(year, month + 1, min(born_on.day, calendar.monthrange(year, month + 1)[1]))


def exempt_months(first_month: int | None, months: int, year: int, valid_until: date | None) -> int:
    """How many of the liable months of ``year`` an exemption valid until the end of ``valid_until``
    (None: without end) covers: the months up to and including the month it ends."""
    if not first_month or not months:
        return 0
    if valid_until is None:
        return months
    end = valid_until.year * 12 + valid_until.month - 1
    return max(0, min(months, end - (year * 12 + first_month - 1) + 1))


# Festsetzungsverjährung, § 3a Abs. 2 SächsKAG: four years from the end of the calendar year the tax arose
# (the dog tax arises for each calendar year in it); § 170 Abs. 2 Satz 1 Nr. 1 AO applies accordingly: where
# the statute requires a notification (the Anmeldung of the dog), the period begins only with the end of the
# year it is made, at the latest with the end of the third year after the tax arose. A late registration
# made in year R thus still allows the years from R - 7 (§ 169 Abs. 2 Satz 2 AO, evaded tax, is left to the clerk).
LIMITATION_YEARS = 4
START_DELAY_YEARS = 3


def earliest_assessable_year(registered_on: date) -> int:
    """The earliest year a dog registered on ``registered_on`` can still be assessed for."""
    return registered_on.year - LIMITATION_YEARS - START_DELAY_YEARS


def months_until(first_month: int | None, months: int, year: int, held_until: date, rule: str) -> tuple[int | None, int]:
    """(last liable month, number of liable months) of an assessment for ``year`` that was liable for
    ``months`` months from ``first_month``, when keeping ended on ``held_until``."""
    if rule not in END_RULES:
        raise InvalidRequest(f"Unbekannte Regel für das Ende der Steuerpflicht: {rule!r} ({', '.join(END_RULES)}).")
    if not first_month or not months:
        return None, 0
    start = year * 12 + first_month - 1
    last = min(held_until.year * 12 + held_until.month - 1 + END_RULES[rule], start + months - 1)
    liable = max(0, last - start + 1)
    return (last % 12 + 1 if liable else None), liable


def open_instalments(instalments: list[dict], reduction_cents: int, paid_cents: int) -> list[dict]:
    """What is still to pay of the instalments after a reduction: the reduction comes off the last
    ones, what was paid off the first ones; an instalment left at nothing falls away."""
    result = [dict(item) for item in instalments]
    for amount, order in ((reduction_cents, reversed(result)), (paid_cents, result)):
        for item in order:
            taken = min(item["amount_cents"], max(amount, 0))
            item["amount_cents"] -= taken
            amount -= taken
    return [item for item in result if item["amount_cents"] > 0]


def pro_rata(annual_cents: int, months: int) -> int:
    """Twelfths of the annual rate, rounded half up to the cent."""
    return (annual_cents * months + 6) // 12


def reduced(amount_cents: int, percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidRequest(f"Ermäßigung muss 0 bis 100 Prozent sein, nicht {percent!r}.")
    return (amount_cents * (100 - percent) + 50) // 100


# § 122 Abs. 2 Nr. 1 AO (applied to municipal taxes by § 3 Abs. 1 Nr. 3 SächsKAG) and § 41 Abs. 2 VwVfG,
# both as amended by the Postrechtsmodernisierungsgesetz (in force since 1 January 2025): a notice sent
# by post is deemed made known (Bekanntgabe) on the fourth day after posting (before: the third).
BEKANNTGABE_DAYS = 4


def bekanntgabe(issued_on: date) -> date:
    """The day a notice posted on ``issued_on`` is deemed made known."""
    return issued_on + timedelta(days=BEKANNTGABE_DAYS)


def instalments(amount_cents: int, issued_on: date, due_dates: list[str], back_due_period: str,
                first_month: int | None = 1, year: int | None = None) -> list[dict]:
    """The amount split in equal shares over the year's due dates from the first liable month on
    (the remainder cents go to the first payment). A share whose due date is not after the
    Bekanntgabe (a back amount, e.g. for a dog kept since January and registered in June) cannot
    fall due before the citizen knows of the notice: all such shares are one payment due
    ``back_due_period`` (ISO duration, e.g. "P1M") after the Bekanntgabe; so is the whole amount
    if no due date falls in the liable months."""
    if amount_cents <= 0:
        return []
    known = bekanntgabe(issued_on)
    year = year or issued_on.year  # the yearly run issues in December for the coming year
    start = date(year, first_month or 1, 1)
    liable = sorted(d for d in (due_date(year, text) for text in due_dates) if d >= start)
    ahead = [d for d in liable if d > known]
    shares = max(len(liable), 1)
    base, rest = divmod(amount_cents, shares)
    result = [{"due_date": d.isoformat(), "amount_cents": base} for d in ahead]
    past = shares - len(ahead)
    if past:  # shares already past (or no due date at all): one back payment
        result.insert(0, {"due_date": after(known, back_due_period).isoformat(), "amount_cents": base * past})
    result[0]["amount_cents"] += rest
    return result


def after(day: date, period: str) -> date:
    """``day`` plus an ISO duration of days, weeks or months ("P30D", "P2W", "P1M")."""
    match = re.fullmatch(r"P([0-9]+)([DWM])", str(period or ""))
    if not match:
        raise InvalidRequest(f"Frist {period!r}: bitte als ISO-Dauer angeben, z. B. P1M oder P30D.")
    n, unit = int(match.group(1)), match.group(2)
    if unit == "D":
        return day + timedelta(days=n)
    if unit == "W":
        return day + timedelta(weeks=n)
    month = day.month - 1 + n
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(year: int, text: str) -> date:
    """'02-15' (month-day) in the given year."""
    try:
        month, day = (int(part) for part in str(text).split("-"))
        return date(year, month, day)
    except ValueError:
        raise InvalidRequest(f"Fälligkeitstermin {text!r}: bitte als MM-TT angeben, z. B. 02-15.") from None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zäöüß]+", str(text or "").casefold())


CROSS_MARKERS = ("mischling", "mix", "kreuzung", "mischung")
CROSS_SEPARATORS = re.compile(r"\s+(?:x|und|mit)\s+|[/,&+×]")


def breed_key(text: str) -> str:
    """A breed name compared exactly: case-insensitive, hyphens as spaces, whitespace collapsed
    ("pit-bull" and "Pit  Bull" are the same name; "Pitbull" is another, unless listed as synonym)."""
    return " ".join(re.sub(r"[-‐‑–_]", " ", str(text or "")).casefold().split())


def breed_entries(listed: list) -> list[tuple[str, set[str]]]:
    """The municipality's list: each entry a name or {"name", "synonyms": [...]}."""
    entries = []
    for entry in listed or []:
        if isinstance(entry, dict):
            name, synonyms = str(entry.get("name") or ""), entry.get("synonyms") or []
        else:
            name, synonyms = str(entry), []
        keys = {breed_key(name), *(breed_key(s) for s in synonyms)} - {""}
        if keys:
            entries.append((name, keys))
    return entries


def listed_breed(breed: str, listed: list) -> str | None:
    """The list entry a breed is, matched exactly against the names and synonyms of the list:
    "Staffordshire Bullterrier" is not "Bullterrier" (the Saxon act on dangerous dogs, SächsGefHundG § 1
    with its ordinance, presumes danger for the breeds named there and their crosses, not for breeds
    whose name contains one). A cross
    ("Bullterrier-Mischling", "Labrador x Pit Bull", "Labrador-Pitbull-Mischling") is listed if one of
    its named parents is; a cross is marked by "Mischling"/"Mix"/"Kreuzung" or by "x", "/", "und"
    between the parents."""
    entries = breed_entries(listed)
    whole = breed_key(breed)

    def find(key: str) -> str | None:
        return next((name for name, keys in entries if key in keys), None)

    if (hit := find(whole)) is not None:
        return hit
    words = whole.split()
    marked = bool(words) and words[-1] in CROSS_MARKERS
    core = " ".join(words[:-1]) if marked else whole
    parts = [breed_key(p) for p in CROSS_SEPARATORS.split(core) if breed_key(p)]
    if not marked and len(parts) < 2:
        return None  # one breed name that is not on the list
    for part in parts:
        if (hit := find(part)) is not None:
            return hit
    if marked:  # "Labrador-Pitbull-Mischling": the parents joined by hyphens
        tokens = core.split()  # a cross of a breed whose name contains a listed one is left to the clerk
        for i in range(len(tokens)):
            for j in range(len(tokens), i, -1):
                if (hit := find(" ".join(tokens[i:j]))) is not None:
                    return hit
    return None


def address_key(street: str, postal_code: str) -> str:
    """The building: "Bahnhofstr. 12" and "Bahnhofstraße 12" are the same address."""
    folded = str(street).casefold().replace("ß", "ss").replace("str.", "strasse")
    return f"{str(postal_code).strip()}|{re.sub(r'[^a-z0-9äöü]', '', folded)}"


def household_key(street: str, postal_code: str, flat: str | None = None, family_name: str | None = None) -> str:
    """The dogs of one household are counted together. The household is the flat of the main residence in
    the residents' register, whoever of the people living there keeps the dog, whatever their family name
    (``flat`` None: the register knows no flat there, the building is one dwelling). A holder the register
    does not know is placed by the address given plus the family name (``family_name``), as before the
    register was asked: never the bare building, where neighbours' dogs would count."""
    if family_name is not None:
        return f"{address_key(street, postal_code)}|{family_key(family_name)}"
    # "#" cannot occur in a family-name key, so a flat never meets a family at the same address.
    return f"{address_key(street, postal_code)}|#{re.sub(r'[^a-z0-9äöüß]', '', str(flat or '').casefold())}"


def family_key(family_name: str) -> str:
    return " ".join(_words(family_name))


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


def before(day: date, period: str) -> date:
    """``day`` less an ISO duration of days, weeks or months (the review of an exemption ahead of its end)."""
    match = re.fullmatch(r"P([0-9]+)([DWM])", str(period or ""))
    if not match:
        raise InvalidRequest(f"Frist {period!r}: bitte als ISO-Dauer angeben, z. B. P6W.")
    n, unit = int(match.group(1)), match.group(2)
    if unit in "DW":
        return day - timedelta(days=n * (7 if unit == "W" else 1))
    month = day.year * 12 + day.month - 1 - n
    year, month = month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
