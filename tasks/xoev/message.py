"""XGewerbeanzeige 2.2 messages, built with lxml in the element order of KoSIT's examples.

A message has one ``nachrichtenkopf`` (message id, reader, author) and one ``satz`` per
notice; the statistics batch puts a month's notices into one message. The notices given
here are already filtered for the recipient (``recipients.filter_notice``): whatever is
missing is simply not written."""
from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from . import nationality

NS = "http://www.xgewerbeanzeige.de/spezifikation/2.2"
PRODUCT = {"produkt": "Amtsweg", "produkthersteller": "Amtsweg", "produktversion": "1.0",
           "standard": "XGewerbeanzeige", "version": "2.2"}
AGS_LIST = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags"
DVDV_PREFIX_LIST = "urn:xoev-de:bund:bmi:bit:codeliste:dvdv.praefix"
PARTNER_LIST = "urn:xoev-de:xgewerbeanzeige:codeliste:weiterekommunikationspartner"

# Form values -> code list values. Confirmed by KoSIT's examples: legal forms 170 (e.K.) and
# 180 (sole trader), sex 1, establishment 1, nation 276; the rest follows the code lists'
# order as we know it: check against XRepository before production.
LEGAL_FORMS = {"einzelunternehmen": "180", "ek": "170", "gbr": "210", "ohg": "220", "kg": "230", "gmbh": "320",
               "ug": "321", "ag": "310", "ev": "410", "sonstige": "900"}
SEXES = {"maennlich": "1", "weiblich": "2", "divers": "3", "ohne_angabe": "4"}
ESTABLISHMENTS = {"hauptniederlassung": "1", "zweigniederlassung": "2", "unselbstaendige_zweigstelle": "3"}
# Partners and representatives: placeholders in the code list's order as we know it (see above).
FUNCTIONS = {"gesellschafter": "2", "geschaeftsfuehrer": "3", "vorstand": "4", "vertreter": "5"}
REGISTER_KINDS = {"HRA": "A", "HRB": "B", "GnR": "G", "VR": "V", "PR": "P"}
KINDS = ("industrie", "handwerk", "handel", "sonstiges")
REASON_ELEMENTS = {"anmeldung": ("grundAnmeldungSchluessel", "grund_anmeldung"),
                   "ummeldung": ("grundUmmeldungSchluessel", "grund_ummeldung"),
                   "abmeldung": ("grundAbmeldungSchluessel", "grund_abmeldung")}
GERMANY = "276"


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def sub(parent, name: str, text=None, **attrs):
    element = etree.SubElement(parent, q(name), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def code(parent, name: str, value, **attrs):
    element = sub(parent, name, **attrs)
    etree.SubElement(element, "code").text = str(value)  # code children are unqualified
    return element


def flag(parent, name: str, value: bool):
    return code(parent, name, "1" if value else "0")


def build_message(root: str, records: list[dict], author: dict, reader: dict, message_uuid: str,
                  created: datetime) -> bytes:
    """root e.g. "sta.gewerbemeldung.0100"; records [{"notice", "meta"}] (see ``satz``);
    author {"ags", "behoerdenname", "email"?, "telefon"?, "strasse"?, "hausnummer"?, "plz"?, "ort"?};
    reader {"kennung", "name"}."""
    message = etree.Element(q(root), PRODUCT, nsmap={"xga": NS})
    head = sub(message, "nachrichtenkopf")
    ident = sub(head, "identifikation.nachricht")
    sub(ident, "nachrichtenUUID", message_uuid)
    code(ident, "nachrichtentyp", root.rsplit(".", 1)[1])
    sub(ident, "erstellungszeitpunkt", created.isoformat(timespec="seconds"))
    reader_el = sub(head, "leser")
    authority_id(reader_el, "xga", reader["kennung"], PARTNER_LIST)
    sub(reader_el, "behoerdenname", reader["name"])
    author_el = sub(head, "autor")
    authority_id(author_el, "MELDID", author["ags"], AGS_LIST)
    contacts(author_el, author.get("email"), author.get("telefon"))
    if author.get("strasse"):
        address = sub(author_el, "anschrift")
        for name, key in (("strasse", "strasse"), ("hausNr", "hausnummer"), ("ort", "ort"), ("plz", "plz")):
            if author.get(key):
                sub(address, name, author[key])
    sub(author_el, "behoerdenname", author["behoerdenname"])
    for record in records:
        satz(sub(message, "satz"), record["notice"], record["meta"])
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def authority_id(parent, prefix: str, key: str, key_list: str) -> None:
    ident = sub(parent, "behoerdenkennung")
    code(ident, "praefix", prefix, listURI=DVDV_PREFIX_LIST, listVersionID="7")
    code(ident, "kennung", key, listURI=key_list)


def contacts(parent, email: str | None, phone: str | None) -> None:
    for channel, value in (("01", email), ("02", phone)):
        if value:
            reach = sub(parent, "erreichbarkeit")
            code(reach, "kanal", channel)
            sub(reach, "kennung", value)


def satz(parent, notice: dict, meta: dict) -> None:
    """meta: {"case_number", "received_on" (ISO date), "record_uuid", "business_uuid", "created" (datetime), "ags"}."""
    kind = notice["meldungsart"]
    record = sub(parent, kind)
    created = meta["created"]
    created = datetime.fromisoformat(created) if isinstance(created, str) else created
    sub(record, "satzErstellung", created.isoformat(timespec="seconds"))
    sub(record, "ereigniszeitpunkt", created.isoformat(timespec="seconds"))
    flag(record, "istKorrektur", False)
    code(record, "gemeindeSchluessel", meta["ags"], listURI=AGS_LIST)
    sub(record, "gemeindeMeldungNr", meta["case_number"])
    sub(record, "gewerbebetriebID", meta["business_uuid"])
    sub(record, "uuid", meta["record_uuid"])
    trade(sub(record, "gewerbe"), notice)
    sub(record, "gueltigAb", notice["gueltig_ab"])
    sub(record, "datumMeldung", meta["received_on"])
    activities = sub(record, "taetigkeitenGesamt")
    focus = sub(activities, "schwerpunkt")
    sub(focus, "taetigkeitSchwerpunkt", notice["taetigkeit"])
    sub(focus, "taetigkeitSchluessel", notice["wz"])
    if notice.get("weitere_taetigkeiten"):
        others = sub(activities, "weitereTaetigkeiten")
        sub(others, "taetigkeitenZusammengefasst", "|".join(
            line.strip() for line in str(notice["weitere_taetigkeiten"]).replace(";", "\n").splitlines() if line.strip()))
    element, key = REASON_ELEMENTS[kind]
    code(record, element, notice[key])


def trade(parent, notice: dict) -> None:
    b = notice["betrieb"]
    business = sub(parent, "betrieb")
    sub(business, "ID", 1)
    registered = bool(b.get("registernummer"))
    sub(business, "eingetragenerName" if registered else "geschaeftsbezeichnung", b["name"])
    if registered:
        sub(business, "eintragungNr", b["registernummer"])
        if b.get("registergericht"):
            sub(business, "eintragungOrt", b["registergericht"])
        if b.get("registerart") in REGISTER_KINDS:
            code(business, "eintragungArt", REGISTER_KINDS[b["registerart"]])
    if b.get("rechtsform"):
        code(business, "rechtsformSchluessel", LEGAL_FORMS[b["rechtsform"]])
    if "vollzeit" in b:
        sub(parent, "anzahlVollzeitBeschaeftigte", b["vollzeit"])
        sub(parent, "anzahlTeilzeitBeschaeftigte", b.get("teilzeit", 0))
    kinds = sub(parent, "betriebArt")
    for name in KINDS:
        flag(kinds, name, b["art"] == name)
    if b.get("niederlassung"):
        code(parent, "niederlassungArt", ESTABLISHMENTS[b["niederlassung"]])
    if "reisegewerbe" in b:
        flag(parent, "istReisegewerbe", b["reisegewerbe"])
    if "nebenerwerb" in b:
        flag(parent, "istNebenerwerb", b["nebenerwerb"])
    if b.get("handwerkskarte"):
        card = sub(parent, "handwerkskarte")
        flag(card, "status", True)
        if b.get("handwerkskarte_datum"):
            sub(card, "ausgestelltAm", b["handwerkskarte_datum"])
        if b.get("handwerkskarte_ort"):
            sub(card, "ausgestelltVonOrt", b["handwerkskarte_ort"])
    if b.get("strasse"):
        address(parent, b)
    person(sub(parent, "beteiligtePerson"), notice["person"])
    for further in notice.get("weitere_personen") or []:
        person(sub(parent, "beteiligtePerson"), further, FUNCTIONS.get(further.get("funktion"), "9"))


def person(parent, p: dict, function: str = "1") -> None:
    code(parent, "personFunktion", function)  # 1: the notifying person
    sub(parent, "familienname", p["familienname"])
    sub(parent, "vorname", p["vornamen"])
    if p.get("geschlecht"):
        code(parent, "geschlecht", SEXES[p["geschlecht"]], listVersionID="3")
    if p.get("geburtsname"):
        sub(parent, "geburtsname", p["geburtsname"])
    if p.get("geburtsdatum"):
        sub(parent, "geburtsdatum", date.fromisoformat(p["geburtsdatum"]).strftime("%d%m%Y"))
    if p.get("geburtsort"):
        sub(parent, "geburtsort", p["geburtsort"])
    if p.get("geburtsland"):
        sub(parent, "geburtsland", p["geburtsland"])
    if p.get("staatsangehoerigkeit"):
        # Destatis key as it is: 997 is "staatenlos", never "another state" (tasks.xoev.nationality).
        code(sub(parent, "staatangehoerigkeiten"), "staatsangehoerigkeitSchluessel",
             nationality.checked(p["staatsangehoerigkeit"]))
    if p.get("strasse"):
        address(parent, p)
    contacts(parent, p.get("email"), p.get("telefon"))


def address(parent, source: dict) -> None:
    element = sub(parent, "anschrift")
    sub(element, "strasse", source["strasse"])
    if source.get("hausnummer"):
        sub(element, "hausNrVon", source["hausnummer"])
    sub(element, "ort", source["ort"])
    sub(element, "plz", source["plz"])
    code(element, "nationSchluessel", GERMANY, listVersionID="2")


def element_paths(xml: bytes) -> set[str]:
    """Every element's path of local names below the root ("nachrichtenkopf/leser/behoerdenname"),
    to compare our messages' structure with KoSIT's examples whatever the root's name."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    paths = set()

    def walk(element, prefix):
        for child in element:
            if not isinstance(child.tag, str):
                continue  # comments
            path = f"{prefix}/{etree.QName(child).localname}" if prefix else etree.QName(child).localname
            paths.add(path)
            walk(child, path)

    walk(root, "")
    return paths
