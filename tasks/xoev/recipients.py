"""Who receives a trade notice, and which of its fields each recipient may see.

Legal basis: GewO §14(8), GewAnzV §3(1) (regular recipients, each "mit Ausnahme" of certain
form fields), §3(2) (statistics offices: a fixed list of fields), §3(5) (when). The official
forms number their fields; here they are grouped by meaning (``FIELDS``) and each recipient
gets a whitelist of groups. Our reading of the field numbers — check it with the trade
office's data protection officer before production.

Message type codes: 0100 (sta), 0230 (dgu), 0290 (lue) appear in KoSIT's published examples;
the other codes and root prefixes are placeholders until the official code list is at hand.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.operations import InvalidRequest

# Field groups: (section of the application, keys). None: top level of the application.
FIELDS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "register_name": ("betrieb", ("name",)),
    "register_entry": ("betrieb", ("registerart", "registernummer", "registergericht")),
    "legal_form": ("betrieb", ("rechtsform",)),
    "staff": ("betrieb", ("vollzeit", "teilzeit")),
    "kind": ("betrieb", ("art",)),
    "establishment": ("betrieb", ("niederlassung",)),
    "itinerant": ("betrieb", ("reisegewerbe",)),
    "side_business": ("betrieb", ("nebenerwerb",)),
    "craft_card": ("betrieb", ("handwerkskarte", "handwerkskarte_datum", "handwerkskarte_ort")),
    "business_address": ("betrieb", ("strasse", "hausnummer", "plz", "ort")),
    "person_name": ("person", ("familienname", "vornamen")),
    "sex": ("person", ("geschlecht",)),
    "birth_name": ("person", ("geburtsname",)),
    "birth": ("person", ("geburtsdatum", "geburtsort", "geburtsland")),
    "nationality": ("person", ("staatsangehoerigkeit",)),
    "person_address": ("person", ("strasse", "hausnummer", "plz", "ort")),
    "person_contact": ("person", ("telefon", "email")),
    "valid_from": (None, ("gueltig_ab",)),
    "activity": (None, ("taetigkeit", "wz")),
    "other_activities": (None, ("weitere_taetigkeiten",)),
    "reason": (None, ("grund_anmeldung", "grund_ummeldung", "grund_abmeldung")),
}
ALL = frozenset(FIELDS)
# What every message carries: the official schema requires it (KoSIT's invalid example lacks
# betriebArt and familienname), and a record without it identifies nothing.
MANDATORY = frozenset({"register_name", "person_name", "kind", "activity", "valid_from", "reason"})
_SUPERVISION = MANDATORY | {"register_entry", "legal_form", "staff", "establishment", "itinerant", "side_business",
                            "business_address", "person_address", "other_activities"}

CRAFT_WZ = ("1013", "1071", "2361", "325", "412", "432", "4331", "4332", "4333", "4334", "4391", "452", "9602")
FOOD_WZ = ("10", "11", "463", "472", "561", "562", "563")


def is_craft(notice: dict) -> bool:
    return notice["betrieb"].get("art") == "handwerk" or str(notice.get("wz", "")).startswith(CRAFT_WZ)


def is_food(notice: dict) -> bool:
    return str(notice.get("wz", "")).startswith(FOOD_WZ)


@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    root: str  # root element of its messages
    fields: frozenset[str]
    when: Callable[[dict], bool] = lambda notice: True
    fields_on_closure: frozenset[str] | None = None  # GewAnzV §3(1) lists Anlage 3 separately

    def allowed(self, kind: str) -> frozenset[str]:
        return self.fields_on_closure if kind == "abmeldung" and self.fields_on_closure else self.fields


RECIPIENTS: dict[str, Recipient] = {r.code: r for r in (
    Recipient("fin", "Finanzamt", "fin.gewerbemeldung.0250", ALL),  # AO §138: everything, without delay
    Recipient("ihk", "Industrie- und Handelskammer", "ihk.gewerbemeldung.0200", ALL - {"nationality"},
              when=lambda n: n["betrieb"].get("art") != "handwerk"),
    Recipient("hwk", "Handwerkskammer", "hwk.gewerbemeldung.0210", ALL - {"nationality"}, when=is_craft),
    Recipient("baa", "Bundesagentur für Arbeit", "baa.gewerbemeldung.0240", ALL - {"nationality"},
              fields_on_closure=MANDATORY | {"register_entry", "legal_form", "sex", "birth_name", "birth",
                                             "person_address", "staff"}),
    Recipient("dgu", "Deutsche Gesetzliche Unfallversicherung", "dgu.gewerbemeldung.0230",
              ALL - {"person_contact", "craft_card", "nationality"}),
    Recipient("ims", "Immissionsschutzbehörde", "ims.gewerbemeldung.0260", _SUPERVISION),
    Recipient("abs", "Arbeitsschutzbehörde", "abs.gewerbemeldung.0270", _SUPERVISION),
    Recipient("eic", "Eichbehörde", "eic.gewerbemeldung.0280",
              MANDATORY | {"sex", "person_address", "business_address", "establishment"}),
    Recipient("lue", "Lebensmittelüberwachung", "lue.gewerbemeldung.0290", _SUPERVISION, when=is_food),
    Recipient("reg", "Registergericht", "reg.gewerbemeldung.0310",
              MANDATORY | {"register_entry", "legal_form", "sex", "person_address", "business_address"},
              when=lambda n: n["meldungsart"] == "abmeldung" and bool(n["betrieb"].get("registernummer"))),
    Recipient("sta", "Statistisches Landesamt", "sta.gewerbemeldung.0100",
              ALL - {"birth_name", "birth", "person_address", "person_contact", "craft_card"}),
)}
MONTHLY = frozenset({"sta"})  # GewAnzV §3(5): by the first working day of the next month
IMMEDIATE = tuple(code for code in RECIPIENTS if code not in MONTHLY)


def recipient(code: str) -> Recipient:
    try:
        return RECIPIENTS[code]
    except KeyError:
        raise InvalidRequest(f"Unbekannter Empfänger {code!r}; bekannt sind: {', '.join(RECIPIENTS)}.") from None


def entitled(notice: dict, configured: dict) -> list[str]:
    """The immediate recipients of this notice, in table order. A recipient missing from the
    municipality's settings has waived regular transmission (GewAnzV §3(1), last sentence)."""
    return [code for code in IMMEDIATE if code in configured and RECIPIENTS[code].when(notice)]


def filter_notice(notice: dict, code: str) -> dict:
    """A copy of the notice with only the fields the recipient may see."""
    allowed = recipient(code).allowed(notice["meldungsart"])
    kept: dict = {"meldungsart": notice["meldungsart"], "betrieb": {}, "person": {}}
    further = notice.get("weitere_personen") or []
    if further:  # each further person is filtered like the notifying one
        kept["weitere_personen"] = [{"funktion": p.get("funktion")} for p in further]
    for group in allowed:
        section, keys = FIELDS[group]
        sources = [(notice, kept)] if section is None else [(notice.get(section) or {}, kept[section])]
        if section == "person":
            sources += list(zip(further, kept.get("weitere_personen", [])))
        for source, target in sources:
            for key in keys:
                if source.get(key) not in (None, ""):
                    target[key] = source[key]
    return kept
