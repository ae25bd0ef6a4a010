"""The case data each template needs: checked here and turned into display strings, so the
templates only print prepared values (autoescaped) and never compute anything.

Amounts are cents (int), dates ISO strings ("2026-03-14"). Keys of ``data`` per template:

Letters (eingangsbestaetigung, kostenbescheid, anschreiben, mitteilung) share
    case_number       Vorgangsnummer (the business key), required
    applicant         {"name", "addition"?, "street"?, "postal_code"?, "city"?, "country"?} or a name, required
    date?             date of the letter (default today)
    file_number?      e-file number, printed as Aktenzeichen (documents.render fills it in)
    clerk?            clerk's name, printed in the info block (Ansprechperson)
    decided_by?       name of the official who decided (§ 37 Abs. 3 VwVfG): printed under the closing
                      instead of the note for decisions made by automatic equipment (§ 37 Abs. 5 VwVfG)
    salutation?       own greeting; default from the applicant: {"title": "Frau"/"Herr", "family_name"}
                      gives "Sehr geehrte Frau Beispiel,", else "Guten Tag <name>,"
eingangsbestaetigung
    subject           what was applied for, e.g. "Geburtsurkunde (2 Exemplare)"
    heading?          default "Eingangsbestätigung" ("Empfangsbescheinigung" for a trade notice, § 15 GewO)
    sections?         [{"heading", "rows": [[label, value], ...]}]: the notice as filed, in the official form's
                      order (the completed GewA form, tasks.trade.form); with sections the letter is the
                      receipt of a notice, not of an application
    notes?            [str] notes printed prominently (e.g. the receipt note: "ersetzt keine Erlaubnis")
    received_on?      date of receipt (default: the letter date)
    details?          [str] further lines about the application
    channel?          e.g. "Online-Antrag über Amt24"
    next_steps?       str
kostenbescheid
    cash_reference (Kassenzeichen), due_date
    subject?          what the fee is for, e.g. "Geburtsurkunde"
    regarding?        what the case is, as the letter says "für ...": default "Ihren Antrag"
                      ("Ihre Gewerbeanzeige" for a trade notice, which is no application)
    fee_lines         [{"text", "unit_cents", "quantity"? (default 1)}], at least one
    total_cents?      if given, must equal the sum of the lines
    paid?             true: already paid, no payment request
    legal_basis?      str
    legal_remedy?     own text instead of the default Rechtsbehelfsbelehrung
anschreiben
    enclosures        [str], at least one
    subject?          the letter's heading (default "Unterlagen zu Ihrem Antrag")
    paragraphs?       [str] (default: one sentence introducing the enclosures)
    payment?          {"cash_reference", "amount_cents", "due_date"?}: only while unpaid
mitteilung
    heading           e.g. "Ablehnungsbescheid", "Einstellung des Verfahrens"
    paragraphs        [str], or one str with blank lines between paragraphs
    legal_remedy?     true for the default Rechtsbehelfsbelehrung (Widerspruch), an own text, or
                      {"court": {"name", "street", "postal_code", "city"}}: refusal of the Standesamt,
                      application to the Amtsgericht for an instruction (§§ 49, 50 PStG)
urkunde (no address block; the issuing office is the municipality's ``office``, PStG §55(2))
    kind              birth, marriage, partnership, death (or Geburtsurkunde, Eheurkunde, ...)
    register_number, event_date, event_place
    event_time?       "HH:MM", the time of death (Sterbeurkunde)
    persons           [{"role", "family_name", "given_names", "birth_name"?, "sex"?, "date_of_birth"?,
                      "place_of_birth"?, "last_residence"?, "marital_status"?}], roles as in
                      the civil register (child, mother, father, spouse1, spouse2, deceased) or German labels
    issued_on?        default the issue day (``date``, which documents.render sets by the engine's clock)
    registrar?        name under the signature line
    without_parents?  true: leave out mother and father
    form?             "vollstaendig" (default); "ohne_geschlecht_eltern": a birth certificate without sex and
                      parents (PStG § 59 Abs. 2); "mehrsprachig": the multilingual extract of a birth, marriage
                      or death entry (CIEC-Übereinkommen Nr. 16, Art. 1: forms A, B, C)
    copies?           how many certificates (1–10, default 1): one page set each, every one an original
    remarks?          [str]
    case_number?      printed small at the bottom
    entry?            the entry returned by civil_register.lookup_entry: its keys are used where
                      ``data`` does not give them (it fits the keys above as it is)

municipality: name, office, street, postal_code, city (required); phone?, email?,
coat_of_arms? (text placeholder in the letterhead), bank? {"name", "iban", "bic"}.
"""
from __future__ import annotations

from datetime import date, datetime

from engine.operations import InvalidRequest

from ..civil_register.system import certificate_kind
from ..common import address_lines, berlin_today, parse_date
from .formatting import date_de, money

MUNICIPALITY_REQUIRED = ("name", "office", "street", "postal_code", "city")
DEFAULT_SALUTATION = "Sehr geehrte Damen und Herren,"
SALUTATIONS = {"frau": "Sehr geehrte Frau", "herr": "Sehr geehrter Herr"}

CERTIFICATES = {  # kind: (title, register, event date label, event place label)
    "birth": ("Geburtsurkunde", "Geburtenregister", "Tag der Geburt", "Ort der Geburt"),
    "marriage": ("Eheurkunde", "Eheregister", "Tag der Eheschließung", "Ort der Eheschließung"),
    "partnership": ("Lebenspartnerschaftsurkunde", "Lebenspartnerschaftsregister",
                    "Tag der Begründung der Lebenspartnerschaft", "Ort der Begründung der Lebenspartnerschaft"),
    "death": ("Sterbeurkunde", "Sterberegister", "Zeitpunkt des Todes", "Ort des Todes"),
}
ROLE_LABELS = {
    "child": "Kind", "mother": "Mutter", "father": "Vater", "deceased": "Verstorbene Person",
    ("marriage", "spouse1"): "Ehegatte 1", ("marriage", "spouse2"): "Ehegatte 2",
    ("partnership", "spouse1"): "Lebenspartner 1", ("partnership", "spouse2"): "Lebenspartner 2",
}
PARENT_ROLES = {"mother", "father", "mutter", "vater"}
SUBJECT_ROLES = {"child", "spouse1", "spouse2", "deceased"}
SUBJECT_ROLES |= {label.lower() for role, label in ROLE_LABELS.items()
                  if (role[1] if isinstance(role, tuple) else role) in SUBJECT_ROLES}  # German labels too
SEX_LABELS = {"female": "weiblich", "male": "männlich", "diverse": "divers", "unspecified": "ohne Angabe",
              "weiblich": "weiblich", "männlich": "männlich", "maennlich": "männlich", "divers": "divers",
              "ohne_angabe": "ohne Angabe"}
MARITAL_LABELS = {"single": "ledig", "married": "verheiratet", "widowed": "verwitwet", "divorced": "geschieden",
                  "partnered": "in eingetragener Lebenspartnerschaft", "partner_deceased": "Lebenspartner verstorben",
                  "partnership_dissolved": "Lebenspartnerschaft aufgehoben"}
# What each certificate prints of a person, as the law lists it:
# § 59 Abs. 1 PStG (Geburtsurkunde): "1. die Vornamen und der Geburtsname des Kindes, 2. das Geschlecht des
#   Kindes, 3. Ort und Tag der Geburt, 4. die Vornamen und die Familiennamen der Eltern"; the parents' birth
#   data are not part of it.
# §§ 57, 58 PStG (Ehe-, Lebenspartnerschaftsurkunde): the names of both spouses / partners, their birth
#   names, "Ort und Tag der Geburt der Ehegatten", place and day of the marriage / partnership.
# § 60 PStG (Sterbeurkunde): "die Vornamen und der Familienname des Verstorbenen", "Ort und Tag seiner
#   Geburt", "der letzte Wohnsitz und der Familienstand", place and time of death; no birth name.
CERTIFICATE_FIELDS = {  # kind: (fields of the subject persons, fields of the others)
    "birth": (("birth_name", "sex"), ()),
    "marriage": (("birth_name", "date_of_birth", "place_of_birth"), ()),
    "partnership": (("birth_name", "date_of_birth", "place_of_birth"), ()),
    "death": (("date_of_birth", "place_of_birth", "last_residence", "marital_status"), ()),
}
SUBJECT_COUNT = {"birth": 1, "marriage": 2, "partnership": 2, "death": 1}
MAX_COPIES = 10  # the application form's limit
CERTIFICATE_FORMS = ("vollstaendig", "ohne_geschlecht_eltern", "mehrsprachig")
SHORT_FORM_KINDS = ("birth",)  # § 59 Abs. 2 PStG: "Auf Verlangen werden in die Geburtsurkunde ... nicht aufgenommen"
MULTILINGUAL_KINDS = ("birth", "marriage", "death")  # CIEC-Übereinkommen Nr. 16, Art. 1: Geburt, Eheschließung, Tod
GERMAN_LABELS = {"family_name": "Familienname", "given_names": "Vornamen", "birth_name": "Geburtsname",
                 "sex": "Geschlecht", "date_of_birth": "Tag der Geburt", "place_of_birth": "Ort der Geburt",
                 "last_residence": "Letzter Wohnsitz", "marital_status": "Familienstand"}
# The multilingual extract: each fixed text in German, French and English (CIEC Nr. 16, Art. 4–8: the issuing
# state's language and French at least).
MULTILINGUAL_LABELS = {
    "family_name": "Familienname / Nom / Surname", "given_names": "Vornamen / Prénoms / Forenames",
    "birth_name": "Geburtsname / Nom de naissance / Name at birth", "sex": "Geschlecht / Sexe / Sex",
    "date_of_birth": "Tag der Geburt / Date de naissance / Date of birth",
    "place_of_birth": "Ort der Geburt / Lieu de naissance / Place of birth",
    "last_residence": "Letzter Wohnsitz / Dernier domicile / Last residence",
    "marital_status": "Familienstand / État civil / Marital status",
}
MULTILINGUAL_TITLES = {  # kind: (title, event date label, event place label)
    "birth": ("Auszug aus dem Geburtseintrag / Extrait d'acte de naissance / Extract from a birth record",
              "Tag der Geburt / Date de naissance / Date of birth", "Ort der Geburt / Lieu de naissance / Place of birth"),
    "marriage": ("Auszug aus dem Eheeintrag / Extrait d'acte de mariage / Extract from a marriage record",
                 "Tag der Eheschließung / Date du mariage / Date of marriage",
                 "Ort der Eheschließung / Lieu du mariage / Place of marriage"),
    "death": ("Auszug aus dem Sterbeeintrag / Extrait d'acte de décès / Extract from a death record",
              "Zeitpunkt des Todes / Date du décès / Date of death", "Ort des Todes / Lieu du décès / Place of death"),
}
MULTILINGUAL_ROLES = {"Kind": "Kind / Enfant / Child", "Mutter": "Mutter / Mère / Mother", "Vater": "Vater / Père / Father",
                      "Ehegatte 1": "Ehegatte / Époux / Spouse", "Ehegatte 2": "Ehegatte / Époux / Spouse",
                      "Verstorbene Person": "Verstorbene Person / Défunt / Deceased"}
MULTILINGUAL_VALUES = {"weiblich": "weiblich / féminin / female", "männlich": "männlich / masculin / male",
                       "divers": "divers / divers / diverse", "ohne Angabe": "ohne Angabe / non indiqué / not stated",
                       "ledig": "ledig / célibataire / single", "verheiratet": "verheiratet / marié / married",
                       "verwitwet": "verwitwet / veuf / widowed", "geschieden": "geschieden / divorcé / divorced"}
MULTILINGUAL_NOTE = ("Ausgestellt nach dem Übereinkommen vom 8. September 1976 über die Ausstellung mehrsprachiger "
                     "Auszüge aus Personenstandsbüchern (CIEC Nr. 16) / Délivré en application de la Convention du "
                     "8 septembre 1976 relative à la délivrance d'extraits plurilingues d'actes de l'état civil / "
                     "Issued under the Convention of 8 September 1976 on the issue of multilingual extracts from "
                     "civil status records")


# Checked values.

def text(data: dict, key: str, required: bool = True, where: str = "data") -> str:
    value = data.get(key)
    if value is None or not str(value).strip():
        if required:
            raise InvalidRequest(f"{where}.{key} fehlt.")
        return ""
    return str(value).strip()


def texts(data: dict, key: str, required: bool = False) -> list[str]:
    value = data.get(key) or []
    if isinstance(value, str):
        value = value.split("\n\n")
    if not isinstance(value, list):
        raise InvalidRequest(f"data.{key} muss eine Liste von Texten sein.")
    items = [str(v).strip() for v in value if v is not None and str(v).strip()]
    if required and not items:
        raise InvalidRequest(f"data.{key} braucht mindestens einen Eintrag.")
    return items


def cents(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidRequest(f"{field} muss ein Betrag in Cent (ganze Zahl ≥ 0) sein, nicht {value!r}.")
    return value


def day(data: dict, key: str, default: date | None = None, where: str = "data") -> str:
    value = parse_date(data.get(key), f"{where}.{key}") or default
    if value is None:
        raise InvalidRequest(f"{where}.{key} fehlt.")
    return date_de(value)


def mapping(value, field: str) -> dict:
    if not isinstance(value, dict):
        raise InvalidRequest(f"{field} muss ein Objekt sein.")
    return value


# Contexts.

def build_context(template: str, data, municipality) -> dict:
    builder = BUILDERS.get(template)
    if builder is None:
        raise InvalidRequest(f"Unbekannte Dokumentvorlage {template!r}; bekannt sind: {', '.join(BUILDERS)}.")
    m = municipality_context(mapping(municipality, "municipality"))
    return {"m": m, **builder(mapping(data, "data"), m)}


def municipality_context(raw: dict) -> dict:
    m = {key: text(raw, key, required=key in MUNICIPALITY_REQUIRED, where="municipality")
         for key in (*MUNICIPALITY_REQUIRED, "phone", "email", "coat_of_arms")}
    m["coat_of_arms"] = m["coat_of_arms"] or "Wappen"
    m["return_line"] = " · ".join((m["name"], m["office"], m["street"], f"{m['postal_code']} {m['city']}"))
    m["bank"] = None
    if raw.get("bank"):
        bank = mapping(raw["bank"], "municipality.bank")
        m["bank"] = {key: text(bank, key, required=False) for key in ("name", "iban", "bic")}
    return m


def letter(data: dict, m: dict, heading: str, info: tuple = ()) -> dict:
    case_number = text(data, "case_number")
    applicant = data.get("applicant")
    lines = address_lines(applicant if isinstance(applicant, dict) else {"name": applicant})
    letter_date = parse_date(data.get("date"), "data.date") or berlin_today()
    rows = [("Vorgangsnummer", case_number), ("Aktenzeichen", text(data, "file_number", required=False)), *info,
            ("Datum", date_de(letter_date)), ("Ansprechperson", text(data, "clerk", required=False)),
            ("Telefon", m["phone"]), ("E-Mail", m["email"])]
    return {
        "doc_title": f"{heading} – Vorgang {case_number}",
        "heading": heading,
        "case_number": case_number,
        "address": lines,
        "applicant_name": lines[0],
        "letter_date": letter_date,
        "info": [(label, value) for label, value in rows if value],
        "salutation": text(data, "salutation", required=False) or greeting(applicant, lines[0]),
        "clerk": text(data, "clerk", required=False),
        "decided_by": text(data, "decided_by", required=False),
        "legal_remedy": None,
    }


def greeting(applicant, name: str) -> str:
    """Letters greet the applicant by name: "Sehr geehrte Frau Beispiel," where the salutation is
    known, "Guten Tag Erika Beispiel," where it is not."""
    if isinstance(applicant, dict):
        title = SALUTATIONS.get(str(applicant.get("title") or "").strip().lower())
        family_name = str(applicant.get("family_name") or "").strip()
        if title and family_name:
            return f"{title} {family_name},"
    return f"Guten Tag {name}," if name else DEFAULT_SALUTATION


def legal_remedy(value, default: bool) -> str | bool | dict | None:
    """True: the default text (Widerspruch); a string: the caller's own text; {"court": ...}: the
    application to the Amtsgericht against a refusal of the Standesamt (§§ 49, 50 PStG); None: no section."""
    if value is None or value is False or value == "":
        return True if default else None
    if isinstance(value, dict):
        court = mapping(value.get("court"), "data.legal_remedy.court")
        return {"court": {key: text(court, key, where="data.legal_remedy.court")
                          for key in ("name", "street", "postal_code", "city")}}
    return True if value is True else str(value).strip()


def receipt(data: dict, m: dict) -> dict:
    ctx = letter(data, m, text(data, "heading", required=False) or "Eingangsbestätigung")
    sections = []
    for i, raw in enumerate(data.get("sections") or []):
        section = mapping(raw, f"data.sections[{i}]")
        rows = [(str(label), str(value)) for label, value in (section.get("rows") or [])
                if value is not None and str(value).strip()]
        sections.append({"heading": text(section, "heading", where=f"data.sections[{i}]"), "rows": rows})
    return {**ctx, "subject": text(data, "subject"), "details": texts(data, "details"),
            "sections": sections, "notes": texts(data, "notes"),
            "received_on": day(data, "received_on", default=ctx["letter_date"]),
            "channel": text(data, "channel", required=False), "next_steps": text(data, "next_steps", required=False)}


def fee_notice(data: dict, m: dict) -> dict:
    raw_lines = data.get("fee_lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvalidRequest("data.fee_lines braucht mindestens eine Gebührenposition.")
    lines, total = [], 0
    for i, raw in enumerate(raw_lines):
        line = mapping(raw, f"data.fee_lines[{i}]")
        quantity = line.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidRequest(f"data.fee_lines[{i}].quantity muss eine ganze Zahl ≥ 1 sein.")
        unit = cents(line.get("unit_cents"), f"data.fee_lines[{i}].unit_cents")
        total += quantity * unit
        lines.append({"quantity": quantity, "text": text(line, "text", where=f"data.fee_lines[{i}]"),
                      "amount": money(quantity * unit),
                      "unit": f"je {money(unit)}" if quantity > 1 else ""})
    if data.get("total_cents") is not None and cents(data["total_cents"], "data.total_cents") != total:
        raise InvalidRequest(f"data.total_cents ({data['total_cents']}) ist nicht die Summe der Positionen ({total}).")
    cash_reference = text(data, "cash_reference")
    ctx = letter(data, m, "Kostenbescheid", info=(("Kassenzeichen", cash_reference),))
    return {**ctx, "subject": text(data, "subject", required=False),
            "regarding": text(data, "regarding", required=False) or "Ihren Antrag",
            "fee_lines": lines, "total": money(total),
            "cash_reference": cash_reference, "due_date": day(data, "due_date"), "paid": bool(data.get("paid")),
            "legal_basis": text(data, "legal_basis", required=False),
            "legal_remedy": legal_remedy(data.get("legal_remedy"), default=True), "fee_remedy_note": True}


def cover_letter(data: dict, m: dict) -> dict:
    payment = None
    if data.get("payment"):
        raw = mapping(data["payment"], "data.payment")
        payment = {"cash_reference": text(raw, "cash_reference", where="data.payment"),
                   "amount": money(cents(raw.get("amount_cents"), "data.payment.amount_cents")),
                   "due_date": day(raw, "due_date", where="data.payment") if raw.get("due_date") else ""}
    ctx = letter(data, m, text(data, "subject", required=False) or "Unterlagen zu Ihrem Antrag",
                 info=(("Kassenzeichen", payment["cash_reference"]),) if payment else ())
    return {**ctx, "enclosures": texts(data, "enclosures", required=True), "paragraphs": texts(data, "paragraphs"),
            "payment": payment}


def notice(data: dict, m: dict) -> dict:
    ctx = letter(data, m, text(data, "heading"))
    return {**ctx, "paragraphs": texts(data, "paragraphs", required=True),
            "legal_remedy": legal_remedy(data.get("legal_remedy"), default=False), "fee_remedy_note": False}


def certificate(data: dict, m: dict) -> dict:
    if data.get("entry") is not None:
        data = {**mapping(data["entry"], "data.entry"), **{k: v for k, v in data.items() if k != "entry"}}
    kind = certificate_kind(text(data, "kind"))
    title, register, date_label, place_label = CERTIFICATES[kind]
    form = text(data, "form", required=False) or "vollstaendig"
    if form not in CERTIFICATE_FORMS:
        raise InvalidRequest(f"data.form: unbekannte Art der Ausstellung {form[:40]!r}.")
    if form == "ohne_geschlecht_eltern" and kind not in SHORT_FORM_KINDS:
        raise InvalidRequest("Ohne Angaben zu Geschlecht und Eltern gibt es nur die Geburtsurkunde (§ 59 Abs. 2 PStG).")
    if form == "mehrsprachig" and kind not in MULTILINGUAL_KINDS:
        raise InvalidRequest(f"Einen mehrsprachigen Auszug gibt es nicht als {title} (CIEC-Übereinkommen Nr. 16, Art. 1).")
    copies = data.get("copies", 1)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise InvalidRequest(f"data.copies: 1 bis {MAX_COPIES} Exemplare, nicht {str(copies)[:20]!r}.")
    short = form == "ohne_geschlecht_eltern"
    raw_persons = data.get("persons")
    if not isinstance(raw_persons, list) or not raw_persons:
        raise InvalidRequest("data.persons braucht mindestens eine Person.")
    persons = []
    for i, raw in enumerate(raw_persons):
        person = certificate_person(kind, mapping(raw, f"data.persons[{i}]"), f"data.persons[{i}]",
                                    without_parents=bool(data.get("without_parents")) or short)
        if person is not None:
            if short:
                person["sex"] = ""
            persons.append(person)
    subjects = sum(1 for p in persons if p.pop("subject"))
    if subjects != SUBJECT_COUNT[kind]:
        raise InvalidRequest(f"Eine {title} braucht {SUBJECT_COUNT[kind]} Person(en), auf die sich der Eintrag "
                             f"bezieht; angegeben sind {subjects}.")
    labels, note = GERMAN_LABELS, ""
    if form == "mehrsprachig":
        title, date_label, place_label = MULTILINGUAL_TITLES[kind]
        labels, note = MULTILINGUAL_LABELS, MULTILINGUAL_NOTE
        for person in persons:
            person["role"] = MULTILINGUAL_ROLES.get(person["role"], person["role"])
            for key in ("sex", "marital_status"):
                person[key] = MULTILINGUAL_VALUES.get(person[key], person[key])
    return {
        "doc_title": f"{title} – {register} Nr. {text(data, 'register_number')}",
        "title": title, "register": register, "register_number": text(data, "register_number"),
        "labels": labels, "form_note": note, "copies": list(range(1, copies + 1)),
        "persons": persons, "event_date_label": date_label, "event_place_label": place_label,
        "event_date": day(data, "event_date"), "event_place": text(data, "event_place"),
        "event_time": clock_time(data.get("event_time")) if kind == "death" else "",
        "issued_on": day(data, "issued_on", default=parse_date(data.get("date"), "data.date") or berlin_today()),
        "registrar": text(data, "registrar", required=False),
        "remarks": texts(data, "remarks"), "case_number": text(data, "case_number", required=False),
    }


def certificate_person(kind: str, person: dict, where: str, without_parents: bool) -> dict | None:
    """One person as the certificate of ``kind`` shows them, or None when left out (§ 59 Abs. 2 PStG)."""
    role = text(person, "role", required=False)
    if without_parents and role.lower() in PARENT_ROLES:
        return None
    subject = role.lower() in SUBJECT_ROLES
    subject_fields, other_fields = CERTIFICATE_FIELDS[kind]
    fields = subject_fields if subject else other_fields
    shown = {f: text(person, f, required=False) if f in fields else "" for f in
             ("birth_name", "sex", "place_of_birth", "last_residence", "marital_status")}
    born = parse_date(person.get("date_of_birth"), f"{where}.date_of_birth") if "date_of_birth" in fields else None
    return {"subject": subject,
            "role": ROLE_LABELS.get((kind, role)) or ROLE_LABELS.get(role) or role or "Person",
            "family_name": text(person, "family_name", where=where),
            "given_names": text(person, "given_names", where=where),
            **shown,
            "sex": SEX_LABELS.get(shown["sex"].lower(), shown["sex"]),
            "marital_status": MARITAL_LABELS.get(shown["marital_status"], shown["marital_status"]),
            "date_of_birth": date_de(born) if born else ""}


def clock_time(value) -> str:
    """"14:30" as the certificate prints a time of death ("14:30 Uhr"); nothing when the entry has none."""
    if value in (None, ""):
        return ""
    raw = str(value).strip()
    try:  # the register's time column reads "14:30:00"
        parsed = datetime.strptime(raw, "%H:%M:%S" if raw.count(":") == 2 else "%H:%M")
    except ValueError:
        raise InvalidRequest(f"data.event_time: {raw[:20]!r} ist keine Uhrzeit (SS:MM).") from None
    return f"{parsed:%H:%M} Uhr"


BUILDERS = {
    "eingangsbestaetigung": receipt,
    "kostenbescheid": fee_notice,
    "urkunde": certificate,
    "anschreiben": cover_letter,
    "mitteilung": notice,
}
