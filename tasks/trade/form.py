"""The trade notice as the completed official form (GewAnzV Anlagen 1 to 3: GewA 1, GewA 2, GewA 3),
for the Empfangsbescheinigung (§ 15 Abs. 1 GewO: the receipt is the completed form with the receipt
note). Sections and fields follow the form's order; fields the application does not hold are left
out rather than printed empty. Further partners or managing directors go on a supplement sheet
(Beiblatt), as the forms ask for each of them. The choice labels are those of
the application form (a test keeps them equal)."""
from __future__ import annotations

from ..common import parse_date
from ..documents.formatting import date_de
from ..xoev import nationality

FORMS = {  # kind: (form, title, what the date of the notice means)
    "anmeldung": ("GewA 1", "Gewerbe-Anmeldung", "Datum des Beginns der angemeldeten Tätigkeit"),
    "ummeldung": ("GewA 2", "Gewerbe-Ummeldung", "Datum der Änderung"),
    "abmeldung": ("GewA 3", "Gewerbe-Abmeldung", "Datum der Betriebsaufgabe"),
}
LEGAL_FORMS = {
    "einzelunternehmen": "Einzelunternehmen (nicht eingetragen)", "ek": "Eingetragener Kaufmann / Kauffrau (e. K.)",
    "gbr": "Gesellschaft bürgerlichen Rechts (GbR)", "ohg": "Offene Handelsgesellschaft (OHG)",
    "kg": "Kommanditgesellschaft (KG)", "gmbh": "GmbH", "ug": "UG (haftungsbeschränkt)", "ag": "Aktiengesellschaft",
    "ev": "Eingetragener Verein", "sonstige": "Sonstige Rechtsform",
}
REGISTERS = {"HRA": "Handelsregister A", "HRB": "Handelsregister B", "GnR": "Genossenschaftsregister",
             "VR": "Vereinsregister", "PR": "Partnerschaftsregister"}
SEXES = {"weiblich": "weiblich", "maennlich": "männlich", "divers": "divers", "ohne_angabe": "ohne Angabe"}
FUNCTIONS = {"gesellschafter": "Gesellschafter/in", "geschaeftsfuehrer": "Geschäftsführer/in",
             "vorstand": "Vorstandsmitglied", "vertreter": "Gesetzliche/r Vertreter/in"}
KINDS = {"industrie": "Industrie", "handwerk": "Handwerk", "handel": "Handel", "sonstiges": "Sonstiges"}
ESTABLISHMENTS = {"hauptniederlassung": "eine Hauptniederlassung", "zweigniederlassung": "eine Zweigniederlassung",
                  "unselbstaendige_zweigstelle": "eine unselbstständige Zweigstelle"}
REASONS = {
    "anmeldung": {"01": "Neugründung", "02": "Wiedereröffnung nach Verlegung aus einem anderen Meldebezirk",
                  "03": "Gründung nach Umwandlungsgesetz", "04": "Wechsel der Rechtsform", "05": "Gesellschaftereintritt",
                  "06": "Übernahme (Erbfolge, Kauf, Pacht)"},
    "ummeldung": {"01": "Verlegung innerhalb des Meldebezirks", "02": "Wechsel der Tätigkeit",
                  "03": "Ausdehnung der Tätigkeit", "04": "Aufgabe eines Teils der Tätigkeit"},
    "abmeldung": {"01": "Vollständige Aufgabe", "02": "Verlegung in einen anderen Meldebezirk",
                  "03": "Aufgabe infolge Umwandlung", "04": "Wechsel der Rechtsform", "05": "Gesellschafteraustritt",
                  "06": "Übergabe (Erbfolge, Verkauf, Verpachtung)"},
}


def receipt_form(notice: dict, record: dict | None = None) -> dict:
    """{"form", "title", "sections": [{"heading", "rows": [[label, value], ...]}]} of the notice;
    ``record`` (trade.record_notice) adds the register number, the registration referred to and,
    for a change, the previous address and activity."""
    kind = notice["meldungsart"]
    record = record or {}
    form, title, date_label = FORMS[kind]
    b, p = notice["betrieb"], notice["person"]
    holder = [
        ["Eingetragener Name mit Rechtsform", _join(b.get("name"), LEGAL_FORMS.get(b.get("rechtsform"), ""))],
        ["Ort und Nummer des Registereintrags",
         _join(b.get("registergericht"), " ".join(filter(None, (REGISTERS.get(b.get("registerart"), ""),
                                                                  b.get("registernummer")))))],
        ["Anzahl der geschäftsführenden Gesellschafter / gesetzlichen Vertreter",
         str(notice.get("anzahl_personen") or "")],
        ["Nummer des Betriebs im Gewerberegister", record.get("number") or notice.get("betriebsnummer")],
        ["Bezug: Gewerbe-Anmeldung", _registration(record) if kind != "anmeldung" else ""],
    ]
    person = [
        ["Name", p.get("familienname")], ["Vornamen", p.get("vornamen")], ["Geburtsname", p.get("geburtsname")],
        ["Geschlecht", SEXES.get(p.get("geschlecht"), "")], ["Geburtsdatum", _day(p.get("geburtsdatum"))],
        ["Geburtsort und -land", _join(p.get("geburtsort"), p.get("geburtsland"))],
        ["Staatsangehörigkeit", nationality.keys().get(str(p.get("staatsangehoerigkeit") or ""), "")],
        ["Anschrift der Wohnung", _address(p)], ["Telefon, E-Mail", _join(p.get("telefon"), p.get("email"))],
    ]
    previous = record.get("previous") if kind == "ummeldung" else None
    business = [
        ["Anschrift der Betriebsstätte", _address(b)],
        ["Bisherige Anschrift der Betriebsstätte", _address(previous["anschrift"]) if previous else ""],
        ["Bisherige Tätigkeit", _join(previous.get("taetigkeit"), f"WZ 2008: {previous['wz']}") if previous else ""],
        ["Tätigkeit" if kind == "abmeldung" else "Angemeldete Tätigkeit",
         _join(notice.get("taetigkeit"), f"WZ 2008: {notice['wz']}" if notice.get("wz") else "",
               *str(notice.get("weitere_taetigkeiten") or "").splitlines())],
        ["Nebenerwerb", _yes_no(b.get("nebenerwerb"))],
        [date_label, _day(notice.get("gueltig_ab"))],
        ["Art des Betriebes", KINDS.get(b.get("art"), "")],
        ["Zahl der tätigen Personen (ohne Inhaber)", _staff(b)],
        ["Die Anzeige wird erstattet für", _join(ESTABLISHMENTS.get(b.get("niederlassung"), ""),
                                                 "auch Reisegewerbe" if b.get("reisegewerbe") else "")],
        [f"Grund der {title.split('-')[1]}", REASONS[kind].get(str(notice.get(f"grund_{kind}") or ""), "")],
        ["Handwerkskarte", _craft_card(b) if b.get("handwerkskarte") else ""],
    ]
    sections = [(f"{form}: Angaben zum Betriebsinhaber", holder), ("Angaben zur Person", person),
                ("Angaben zum Betrieb", business)]
    further = notice.get("weitere_personen") or []
    if further:
        sections.append(("Beiblatt: weitere Gesellschafter / gesetzliche Vertreter",
                         [[f"{index}. {FUNCTIONS.get(q.get('funktion'), 'Person')}", _person_line(q)]
                          for index, q in enumerate(further, start=2)]))
    return {"form": form, "title": title,
            "sections": [{"heading": heading, "rows": [[label, value] for label, value in rows if value]}
                         for heading, rows in sections]}


def _join(*parts) -> str:
    return ", ".join(str(part).strip() for part in parts if part is not None and str(part).strip())


def _address(section: dict) -> str:
    street = " ".join(filter(None, (section.get("strasse"), section.get("hausnummer"))))
    return _join(street, " ".join(filter(None, (section.get("plz"), section.get("ort")))))


def _day(value) -> str:
    parsed = parse_date(value, "datum") if value else None
    return date_de(parsed) if parsed else ""


def _yes_no(value) -> str:
    return "" if value is None else ("ja" if value else "nein")


def _craft_card(b: dict) -> str:
    issued, chamber = _day(b.get("handwerkskarte_datum")), b.get("handwerkskarte_ort")
    return _join(issued and f"ausgestellt am {issued}", chamber and f"von der Handwerkskammer {chamber}")


def _staff(b: dict) -> str:
    if b.get("vollzeit") is None and b.get("teilzeit") is None:
        return ""
    return f"Vollzeit: {b.get('vollzeit') or 0}, Teilzeit: {b.get('teilzeit') or 0}"


def _registration(record: dict) -> str:
    registration = record.get("registration") or {}
    if not registration.get("case_number"):
        return ""
    return _join(registration["case_number"], f"eingegangen am {_day(registration.get('received_on'))}")


def _person_line(p: dict) -> str:
    return _join(" ".join(filter(None, (p.get("vornamen"), p.get("familienname")))),
                 p.get("geburtsname") and f"geb. {p['geburtsname']}", _day(p.get("geburtsdatum")),
                 _join(p.get("geburtsort"), p.get("geburtsland")),
                 nationality.keys().get(str(p.get("staatsangehoerigkeit") or ""), ""), _address(p))
