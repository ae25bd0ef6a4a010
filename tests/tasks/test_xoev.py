"""XGewerbeanzeige messages: each recipient sees only its fields, every message matches our
schema and KoSIT's published structure, deliveries are idempotent; trade rules and calendar."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from engine.operations import InvalidRequest
from tasks.trade import Trade
from tasks.trade.calendar import first_working_day_after
from tasks.xoev import Xoev, nationality
from tasks.xoev import schema as xsd
from tasks.xoev.message import build_message, element_paths
from tasks.xoev.recipients import RECIPIENTS, entitled, filter_notice
from tasks.xoev.schema import InvalidMessage, validate
from tests.conftest import SHARED
from tests.tasks.helpers import make_call

KOSIT = SHARED / "xoev" / "xgewerbeanzeige-examples"
AUTHOR = {"ags": "14523319", "behoerdenname": "Stadt Plauen – Gewerbeamt", "email": "gewerbe@plauen.example",
          "telefon": "03741 291-0", "strasse": "Unterer Graben", "hausnummer": "1", "plz": "08523", "ort": "Plauen"}
READER = {"kennung": "491000000101", "name": "Finanzamt Plauen"}
META = {"case_number": "GW-2026-ABCDEFGH", "received_on": "2026-04-20", "ags": "14523319",
        "created": datetime(2026, 4, 20, 9, 30, tzinfo=UTC),
        "record_uuid": "5687cf4a-5c7b-43f1-933e-e5a7f69f7967", "business_uuid": "0c9003a6-5b4f-4a99-98ae-b2b915708c1d"}


def full_notice(kind: str = "anmeldung") -> dict:
    """Every field filled: a registered hairdresser with Handwerkskarte, like KoSIT's example."""
    data = {
        "meldungsart": kind,
        "betrieb": {"name": "Tibor Pick e.K.", "registerart": "HRA", "registernummer": "11111",
                    "registergericht": "Chemnitz", "rechtsform": "ek", "vollzeit": 0, "teilzeit": 2,
                    "art": "handwerk", "niederlassung": "hauptniederlassung", "reisegewerbe": False,
                    "nebenerwerb": False, "handwerkskarte": True, "handwerkskarte_datum": "2012-03-01",
                    "handwerkskarte_ort": "Chemnitz", "strasse": "Bahnhofstraße", "hausnummer": "90",
                    "plz": "08523", "ort": "Plauen"},
        "person": {"familienname": "Pick", "vornamen": "Tibor", "geburtsname": "Rodríguez", "geschlecht": "maennlich",
                   "geburtsdatum": "1965-10-12", "geburtsort": "Santiago", "geburtsland": "Chile",
                   "staatsangehoerigkeit": "000", "strasse": "Ewald-Hase-Straße", "hausnummer": "4",
                   "plz": "08523", "ort": "Plauen", "telefon": "03741 141455", "email": "tibor@example.org"},
        "gueltig_ab": "2026-05-01",
        "taetigkeit": "Friseur",
        "wz": "96021",
        "weitere_taetigkeiten": "Verkauf von Haarpflegeprodukten\nMake-up-Beratung",
    }
    data[{"anmeldung": "grund_anmeldung", "ummeldung": "grund_ummeldung", "abmeldung": "grund_abmeldung"}[kind]] = "01"
    return data


def message_for(code: str, notice: dict) -> bytes:
    xml = build_message(RECIPIENTS[code].root, [{"notice": filter_notice(notice, code), "meta": META}], AUTHOR,
                        READER, "00000000-0000-4000-8000-000000000001", META["created"])
    validate(xml)
    return xml


# Where each field group shows up in a message (below satz/<kind>/).
PROBES = {
    "register_entry": "gewerbe/betrieb/eintragungNr",
    "legal_form": "gewerbe/betrieb/rechtsformSchluessel",
    "staff": "gewerbe/anzahlVollzeitBeschaeftigte",
    "establishment": "gewerbe/niederlassungArt",
    "itinerant": "gewerbe/istReisegewerbe",
    "side_business": "gewerbe/istNebenerwerb",
    "craft_card": "gewerbe/handwerkskarte",
    "business_address": "gewerbe/anschrift",
    "sex": "gewerbe/beteiligtePerson/geschlecht",
    "birth_name": "gewerbe/beteiligtePerson/geburtsname",
    "birth": "gewerbe/beteiligtePerson/geburtsdatum",
    "nationality": "gewerbe/beteiligtePerson/staatangehoerigkeiten",
    "person_address": "gewerbe/beteiligtePerson/anschrift",
    "person_contact": "gewerbe/beteiligtePerson/erreichbarkeit",
    "other_activities": "taetigkeitenGesamt/weitereTaetigkeiten",
}
EVERYTHING = set(PROBES)
SUPERVISION = {"register_entry", "legal_form", "staff", "establishment", "itinerant", "side_business",
               "business_address", "person_address", "other_activities"}
ALWAYS = ["gewerbe/beteiligtePerson/familienname", "gewerbe/beteiligtePerson/vorname", "gewerbe/betriebArt/handwerk",
          "taetigkeitenGesamt/schwerpunkt/taetigkeitSchluessel", "gueltigAb"]

# What each recipient sees (GewAnzV §3 as read in tasks/xoev/recipients.py): the table the code must match.
VISIBLE = [
    ("fin", "anmeldung", EVERYTHING),
    ("ihk", "anmeldung", EVERYTHING - {"nationality"}),
    ("hwk", "anmeldung", EVERYTHING - {"nationality"}),
    ("baa", "anmeldung", EVERYTHING - {"nationality"}),
    ("baa", "abmeldung", {"register_entry", "legal_form", "sex", "birth_name", "birth", "person_address", "staff"}),
    ("dgu", "anmeldung", EVERYTHING - {"person_contact", "craft_card", "nationality"}),
    ("ims", "anmeldung", SUPERVISION),
    ("abs", "anmeldung", SUPERVISION),
    ("lue", "anmeldung", SUPERVISION),
    ("eic", "anmeldung", {"sex", "person_address", "business_address", "establishment"}),
    ("reg", "abmeldung", {"register_entry", "legal_form", "sex", "person_address", "business_address"}),
    ("sta", "anmeldung", EVERYTHING - {"birth_name", "birth", "person_address", "person_contact", "craft_card"}),
    ("sta", "abmeldung", EVERYTHING - {"birth_name", "birth", "person_address", "person_contact", "craft_card"}),
]


def test_the_table_covers_every_recipient():
    assert {code for code, _, _ in VISIBLE} == set(RECIPIENTS)


@pytest.mark.parametrize("code, kind, visible", VISIBLE, ids=[f"{c}-{k}" for c, k, _ in VISIBLE])
def test_each_recipient_gets_only_its_fields(code, kind, visible):
    paths = element_paths(message_for(code, full_notice(kind)))
    below = {p.split("/", 2)[2] for p in paths if p.startswith(f"satz/{kind}/")}
    for group, probe in PROBES.items():
        assert (probe in below) == (group in visible), f"{code}: {group}"
    assert all(path in below for path in ALWAYS)
    # the business's name: as registered where the register entry may be seen, else as trading name
    name = "eingetragenerName" if "register_entry" in visible else "geschaeftsbezeichnung"
    assert f"gewerbe/betrieb/{name}" in below
    reason = {"anmeldung": "grundAnmeldungSchluessel", "abmeldung": "grundAbmeldungSchluessel"}[kind]
    assert reason in below


@pytest.mark.parametrize("changes, expected", [
    ({}, {"fin", "hwk", "baa", "dgu", "ims", "abs", "eic"}),  # craft: HWK, not IHK
    ({"betrieb.art": "handel", "wz": "47610", "taetigkeit": "Buchhandel"}, {"fin", "ihk", "baa", "dgu", "ims", "abs", "eic"}),
    ({"betrieb.art": "sonstiges", "wz": "56101", "taetigkeit": "Restaurant"},
     {"fin", "ihk", "baa", "dgu", "ims", "abs", "eic", "lue"}),
    ({"meldungsart": "abmeldung", "grund_abmeldung": "01"}, {"fin", "hwk", "baa", "dgu", "ims", "abs", "eic", "reg"}),
    ({"meldungsart": "abmeldung", "grund_abmeldung": "01", "betrieb.registernummer": None},
     {"fin", "hwk", "baa", "dgu", "ims", "abs", "eic"}),  # not registered: nothing for the register court
])
def test_who_is_entitled_to_a_notice(changes, expected):
    notice = full_notice()
    for key, value in changes.items():
        section, _, leaf = key.rpartition(".")
        (notice[section] if section else notice)[leaf] = value
    configured = {code: {} for code in RECIPIENTS}
    assert set(entitled(notice, configured)) == expected
    del configured["eic"]  # a recipient that waived regular transmission
    assert "eic" not in entitled(notice, configured)


@pytest.mark.skipif(not KOSIT.exists(), reason="/work/shared/xoev is not available")
def test_our_element_paths_are_those_of_kosits_valid_2_2_example():
    kosit = element_paths((KOSIT / "xgwa2.2-valid.xml").read_bytes())
    ours = element_paths(message_for("fin", full_notice()))
    assert ours - kosit == set()  # nothing we write is unknown to the standard's example
    # and we write the example's core: header, record metadata, business, person, activities, reason
    core = {p for p in kosit if not p.startswith(("nachrichtenkopf/leser/erreichbarkeit", "nachrichtenkopf/leser/anschrift",
                                                  "satz/anmeldung/autor", "satz/anmeldung/gewerbe/beteiligtePerson/aufenthaltstitel",
                                                  "satz/anmeldung/gewerbe/betrieb/eintragungPLZ",
                                                  "satz/anmeldung/gewerbe/betrieb/gerichtSchluessel",
                                                  "satz/anmeldung/gewerbe/anschrift/strassenschluessel",
                                                  "satz/anmeldung/gewerbe/handwerkskarte/ausgestelltVon",
                                                  "satz/anmeldung/taetigkeitenGesamt/schwerpunkt/stichwort"))}
    core |= {"satz/anmeldung/gewerbe/handwerkskarte/ausgestelltVonOrt"}
    assert core - ours == set()


@pytest.mark.skipif(not KOSIT.exists(), reason="/work/shared/xoev is not available")
def test_header_matches_kosits_example():
    ours = etree.fromstring(message_for("fin", full_notice()))
    ns = {"x": "http://www.xgewerbeanzeige.de/spezifikation/2.2"}
    assert ours.xpath("string(x:nachrichtenkopf/x:autor/x:behoerdenkennung/x:praefix/code)", namespaces=ns) == "MELDID"
    assert ours.xpath("string(x:nachrichtenkopf/x:autor/x:behoerdenkennung/x:kennung/code)", namespaces=ns) == "14523319"
    assert ours.xpath("string(x:nachrichtenkopf/x:leser/x:behoerdenkennung/x:praefix/code)", namespaces=ns) == "xga"
    assert ours.xpath("string(x:nachrichtenkopf/x:identifikation.nachricht/x:nachrichtentyp/code)", namespaces=ns) == "0250"
    assert ours.get("standard") == "XGewerbeanzeige" and ours.get("version") == "2.2"
    assert ours.xpath("string(//x:geburtsdatum)", namespaces=ns) == "12101965"  # DDMMYYYY as in the example


def test_schema_rejects_a_message_without_the_owners_name():
    xml = message_for("fin", full_notice())
    broken = xml.replace(b"<xga:familienname>Pick</xga:familienname>", b"")
    with pytest.raises(InvalidMessage, match="familienname|vorname"):
        validate(broken)


def test_the_official_schema_can_replace_ours(tmp_path):
    replacement = tmp_path / "official.xsd"
    replacement.write_bytes(xsd.SUBSET.read_bytes().replace(b'name="familienname"', b'name="nachname"'))
    with pytest.raises(InvalidMessage, match="official.xsd"):
        validate(message_for("fin", full_notice()), replacement)


def test_forward_is_idempotent_and_logs_each_delivery(seeded):
    xoev = Xoev(seeded)
    recipients = {code: {"kennung": f"4910000001{i:02d}", "name": RECIPIENTS[code].name, "transport": "postfach"}
                  for i, code in enumerate(RECIPIENTS)}
    params = {"notice": full_notice(), "case_number": "GW-2026-TEST0001", "received_on": "2026-04-20",
              "author": AUTHOR, "recipients": recipients}
    first = xoev.forward(make_call("xoev.forward", params, key="k1"))
    again = xoev.forward(make_call("xoev.forward", params, key="k1"))
    assert first == again
    assert {m["recipient"] for m in first["messages"]} == {"fin", "hwk", "baa", "dgu", "ims", "abs", "eic"}
    assert len(xoev.mailbox("plauen", "fin")) == 1
    fin = next(m for m in first["messages"] if m["recipient"] == "fin")
    assert [d["outcome"] for d in xoev.deliveries("plauen", fin["message_id"])] == ["delivered"]
    assert xoev.mailbox("musterstadt", "fin") == []  # tenants apart


def test_unknown_transport_is_a_configuration_error(seeded):
    params = {"notice": full_notice(), "case_number": "GW-1", "received_on": "2026-04-20", "author": AUTHOR,
              "recipients": {"fin": {"kennung": "1234", "name": "Finanzamt", "transport": "brieftaube"}}}
    with pytest.raises(InvalidRequest, match="brieftaube"):
        Xoev(seeded).forward(make_call("xoev.forward", params))


@pytest.mark.parametrize("changes, codes", [
    ({"betrieb.art": "handel", "wz": "47610", "taetigkeit": "Buchhandel"}, []),
    ({}, []),  # craft with Handwerkskarte: nothing to judge
    ({"betrieb.handwerkskarte": False}, ["handwerk"]),
    ({"betrieb.art": "sonstiges", "wz": "56101", "taetigkeit": "Restaurant"}, ["erlaubnispflichtig"]),
    ({"betrieb.art": "sonstiges", "wz": "69101", "taetigkeit": "Rechtsanwaltskanzlei"}, ["freier_beruf"]),
    ({"betrieb.art": "sonstiges", "wz": "74909", "taetigkeit": "Versicherungsvermittlung"}, ["erlaubnispflichtig"]),
    ({"meldungsart": "abmeldung", "betrieb.handwerkskarte": False}, []),  # closures are not checked
])
def test_trade_rules(changes, codes):
    notice = full_notice()
    for key, value in changes.items():
        section, _, leaf = key.rpartition(".")
        (notice[section] if section else notice)[leaf] = value
    result = Trade().check_notice(make_call("trade.check_notice", {"notice": notice}))
    assert [f["code"] for f in result["findings"]] == codes
    assert result["needs_clerk"] == bool(codes)


@pytest.mark.parametrize("month, due", [
    ("2026-03", date(2026, 4, 1)),
    ("2026-04", date(2026, 5, 4)),  # 1 May holiday, then a weekend
    ("2025-12", date(2026, 1, 2)),
    ("2027-03", date(2027, 4, 1)),
    ("2026-02", date(2026, 3, 2)),  # 1 March is a Sunday
])
def test_statistics_go_out_on_the_first_working_day_of_the_next_month(month, due):
    assert first_working_day_after(month) == due
    result = Trade().statistics_due(make_call("trade.statistics_due", {"month": month}))
    assert datetime.fromisoformat(result["due_at"]).date() == due  # 04:00 or 05:00 UTC


def test_trade_receipt_form_is_the_gewa_form_in_its_order_with_the_craft_card():
    form = Trade().receipt_form(make_call("trade.receipt_form", {"notice": full_notice()}))
    assert (form["form"], form["title"]) == ("GewA 1", "Gewerbe-Anmeldung")
    assert [s["heading"] for s in form["sections"]] == ["GewA 1: Angaben zum Betriebsinhaber", "Angaben zur Person",
                                                        "Angaben zum Betrieb"]
    rows = {label: value for section in form["sections"] for label, value in section["rows"]}
    assert rows["Eingetragener Name mit Rechtsform"] == "Tibor Pick e.K., Eingetragener Kaufmann / Kauffrau (e. K.)"
    assert rows["Ort und Nummer des Registereintrags"] == "Chemnitz, Handelsregister A 11111"
    assert rows["Geburtsort und -land"] == "Santiago, Chile" and rows["Staatsangehörigkeit"] == "deutsch"
    assert rows["Datum des Beginns der angemeldeten Tätigkeit"] == "01.05.2026"
    assert rows["Handwerkskarte"] == "ausgestellt am 01.03.2012, von der Handwerkskammer Chemnitz"
    assert rows["Nebenerwerb"] == "nein" and rows["Grund der Anmeldung"] == "Neugründung"


def test_trade_receipt_form_of_a_closure_is_gewa3_and_leaves_out_what_the_notice_lacks():
    notice = full_notice("abmeldung")
    notice["betrieb"] = {k: v for k, v in notice["betrieb"].items() if not k.startswith(("register", "handwerks"))}
    form = Trade().receipt_form(make_call("trade.receipt_form", {"notice": notice}))
    rows = {label: value for section in form["sections"] for label, value in section["rows"]}
    assert form["form"] == "GewA 3" and rows["Datum der Betriebsaufgabe"] == "01.05.2026"
    assert rows["Grund der Abmeldung"] == "Vollständige Aufgabe"
    assert "Ort und Nummer des Registereintrags" not in rows and "Handwerkskarte" not in rows


def test_trade_receipt_form_refuses_what_is_no_notice():
    with pytest.raises(InvalidRequest, match="Gewerbeanzeige"):
        Trade().receipt_form(make_call("trade.receipt_form", {"notice": {"meldungsart": "anmeldung"}}))


@pytest.mark.parametrize("key, title", [
    ("000", "deutsch"), ("121", "albanisch"), ("423", "afghanisch"), ("436", "indisch"), ("438", "irakisch"),
    ("439", "iranisch"), ("475", "syrisch"), ("479", "chinesisch"), ("368", "amerikanisch (Vereinigte Staaten)"),
    ("997", "staatenlos"), ("998", "ungeklärt"), ("999", "ohne Angabe"),
])
def test_destatis_nationality_keys_are_those_of_the_official_list(key, title):
    assert nationality.keys()[key] == title


def test_destatis_nationality_list_is_complete_and_has_no_internal_key():
    keys = nationality.keys()
    # Part 2 of the Staats- und Gebietssystematik: 211 entries, of them 910 reserved for internal use.
    assert len(keys) == 210 and "910" not in keys and list(keys) == sorted(keys)
    assert len(set(keys.values())) == len(keys)  # every choice can be told apart in the form
    assert nationality.checked("278") == "278"  # South Sudan, one the short list lacked
    with pytest.raises(InvalidRequest, match="Staatsangehörigkeitsschlüssel"):
        nationality.checked("910")
