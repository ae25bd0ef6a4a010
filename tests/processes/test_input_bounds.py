"""Nothing a form accepts may later fail a service task: per service the nastiest values the
form still accepts (maximum lengths, umlauts and punctuation, emoji, boundary dates) run
through the whole process without an incident; and what the forms refuse is refused with a
German message on the field, with nothing stored."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from engine import forms
from engine.errors import FormInvalid
from processes.cases import REPLY_MAX_LENGTH
from tasks.common import berlin_today
from tests.processes import test_bewohnerparken, test_gewerbe, test_hundesteuer
from tests.processes.conftest import application as standesamt_application
from tests.processes.conftest import changed

PUNCTUATION = "Ää Öö Üü ß – „Zitat“ ‚x‘ & <b>x</b> 'y' \"z\" ; | § % € / \\ # * ? é ł Ő 🐕 "


def nasty(length: int, multiline: bool = False) -> str:
    """Exactly ``length`` characters of umlauts, quotes, markup and emoji (and line breaks and
    tabs where the field is multi-line), neither starting nor ending with a space."""
    unit = PUNCTUATION + ("\n\tZeile " if multiline else "")
    text = (unit * (length // len(unit) + 1))[: length - 1]
    return "X" + text[1:] + "Z" if length > 1 else "X"


def years_ago(years: int) -> str:
    today = berlin_today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def today() -> str:
    return berlin_today().isoformat()


def nothing_started(office, tenant="plauen") -> bool:
    return office.engine.runtime.query(tenant=tenant) == []


def complete(office, case_number, activity, data):
    task = office.task(case_number)
    assert task.activity_id == activity, task.activity_id
    office.engine.tasks.complete(task.id, data, user="sb.plauen")
    office.run()


# --- the nastiest accepted values, per service ---------------------------------------------------

def test_standesamt_takes_the_nastiest_accepted_values_to_the_end(office):
    data = standesamt_application(
        familienname=nasty(100), vornamen=nasty(100), geburtsname=nasty(100), ereignisdatum="1874-10-01",
        ereignisort=nasty(100), registernummer=nasty(30), anzahl=10, zweck=nasty(200), beziehung="other",
        rechtliches_interesse=nasty(1000, multiline=True),
        antragsteller={"vorname": nasty(100), "nachname": nasty(100), "strasse": nasty(100), "plz": "01001",
                       "ort": nasty(100), "email": "Erika.O'Brien+amt-ä@Example.ORG".replace("-ä", "")})
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    assert office.variables(case.case_number)["antrag"]["antragsteller"]["email"] == "Erika.O'Brien+amt@example.org"
    while office.state(case.case_number) != "completed":
        task = office.task(case.case_number)
        if task.activity_id == "decide_entitlement":
            complete(office, case.case_number, task.activity_id, {"berechtigt": "ja",
                                                                  "begruendung": nasty(2000, multiline=True)})
        elif task.activity_id == "clarify_entry" and "antwort" not in office.variables(case.case_number):
            complete(office, case.case_number, task.activity_id, {"ergebnis": "rueckfrage",
                                                                  "frage": nasty(2000, multiline=True)})
            office.cases.reply("plauen", case.case_number, nasty(REPLY_MAX_LENGTH, multiline=True), citizen="erika")
            office.run()
        elif task.activity_id == "clarify_entry":
            complete(office, case.case_number, task.activity_id, {"ergebnis": "ablehnen", "entscheider": nasty(100),
                                                                  "begruendung": nasty(2000, multiline=True)})
        else:
            complete(office, case.case_number, task.activity_id, {"unterschrieben": True, "standesbeamter": nasty(100)})
    assert len(office.variables(case.case_number)["antwort"]) == REPLY_MAX_LENGTH


def test_bewohnerparken_takes_the_nastiest_accepted_values_to_the_end(office):
    office.deploy("bewohnerparken")
    data = test_bewohnerparken.application(
        antragsart="kennzeichen", vorname=nasty(100), nachname=nasty(100), geburtsdatum="1900-01-01",
        strasse=nasty(96) + " 12a", plz="99998", ort=nasty(100), email="erika@xn--bckerei-mller-bfb28a.de",
        kennzeichen="ÖHR-AB 123", bisheriges_kennzeichen="pl-a 1234h", halter="familie", halter_name=nasty(200),
        halter_erklaerung=True, umzug=True)
    rejected = test_bewohnerparken.submit(office, data)  # nobody of that name lives there: a rejection notice
    assert office.statuses(rejected) == ["eingegangen", "abgelehnt"]
    # Erika Beispiel is registered: the nasty values she may give reach the clerk, the fee notice and the permit.
    data = test_bewohnerparken.application(strasse="Neue Straße 1", email="Erika.Beispiel+parken@Example.ORG",
                                           halter="familie", halter_name=nasty(200), halter_erklaerung=True)
    case = test_bewohnerparken.submit(office, data)
    assert office.statuses(case) == ["eingegangen", "in_pruefung"], office.variables(case).get("pruefgruende")
    test_bewohnerparken.decide(office, case, entscheidung="genehmigen", zone_festgelegt="H",  # only a zone of the table is accepted
                               begruendung=nasty(2000, multiline=True), entscheider=nasty(100))
    test_bewohnerparken.pay(office, case)
    assert office.statuses(case)[-1] == "ausgestellt"


def test_gewerbe_takes_the_nastiest_accepted_values_through_the_xgewerbeanzeige_schema(office):
    office.deploy("gewerbe")
    data = test_gewerbe.notice(**{
        "betrieb.name": nasty(200), "betrieb.registerart": "HRB", "betrieb.registernummer": nasty(30),
        "betrieb.registergericht": nasty(100), "betrieb.rechtsform": "gmbh", "betrieb.vollzeit": 100000,
        "betrieb.teilzeit": 0, "betrieb.handwerkskarte_datum": "1900-01-01", "betrieb.handwerkskarte_ort": nasty(100),
        "betrieb.strasse": nasty(100), "betrieb.hausnummer": nasty(10), "betrieb.ort": nasty(100),
        "person.familienname": nasty(100), "person.vornamen": nasty(100), "person.geburtsname": nasty(100),
        "person.geburtsdatum": "1900-01-01", "person.geburtsort": nasty(100), "person.geburtsland": nasty(100),
        "person.strasse": nasty(100), "person.hausnummer": nasty(10), "person.ort": nasty(100),
        "person.telefon": nasty(40), "person.email": "x@" + "a" * 60 + ".example.org",
        "gueltig_ab": (berlin_today() - timedelta(days=5 * 365)).isoformat(), "taetigkeit": nasty(300),
        "weitere_taetigkeiten": nasty(1000, multiline=True), "anzahl_personen": 10})
    data["weitere_personen"] = [{  # as many partners as the form takes, each as long as it takes
        "funktion": "geschaeftsfuehrer", "familienname": nasty(100), "vornamen": nasty(100), "geburtsname": nasty(100),
        "geschlecht": "divers", "geburtsdatum": "1900-01-01", "geburtsort": nasty(100), "geburtsland": nasty(100),
        "staatsangehoerigkeit": "997", "strasse": nasty(100), "hausnummer": nasty(10), "plz": "99999",
        "ort": nasty(100)}] * 9
    case = test_gewerbe.submit(office, data)
    while office.engine.tasks.query(tenant="plauen"):
        complete(office, case, office.task(case).activity_id, {
            "entscheidung": "annehmen", "begruendung": nasty(2000, multiline=True), "hinweis": nasty(1000, True),
            "entscheider": nasty(100)})
    sent = test_gewerbe.hub(office).messages("plauen", case)
    assert sent and all(m["state"] == "delivered" for m in sent)  # every message passed the XSD check


def test_hundesteuer_takes_the_nastiest_accepted_values_to_the_end(office):
    office.deploy("hundesteuer")
    data = test_hundesteuer.anmeldung(
        halter={"vorname": nasty(100), "nachname": nasty(100), "geburtsdatum": "1900-01-01", "strasse": nasty(100),
                "plz": "01067", "ort": nasty(100), "email": "a.b-c_d+e@sub.example.org"},
        hund_name=nasty(100), rasse=("Labrador-Pudel-Mischling " + nasty(100))[:100], wurftag=years_ago(30),
        gehalten_seit=today(), vorbesitzer=nasty(300), vorherige_anschrift=nasty(300), chipnummer="999999999999999",
        haftpflichtversicherung=None, erlaubnis_behoerde=nasty(200), steuervergunstigung="jagdhund",  # insurer: dangerous dogs only
        vergunstigung_begruendung=nasty(2000, multiline=True), sepa_lastschrift=True,
        iban=" de89  3704 0044 0532 0130 00 ", kontoinhaber=nasty(200))
    case = office.cases.submit("hundesteuer", "plauen", data, citizen="erika")
    office.run()
    complete(office, case.case_number, "decide_exemption",
             {"entscheidung": "ermaessigung", "prozent": 99, "begruendung": nasty(2000, multiline=True),
              "entscheider": nasty(100)})
    assert office.engine.tasks.query(tenant="plauen") == []


# --- what the forms refuse: a German message on the field, nothing stored ------------------------

STREET_60K = "a" * 60_000 + " 12"
ONE_MB = "x" * 1_000_000


def _services():
    return {
        "standesamt": (standesamt_application(), "antragsteller.strasse", "antragsteller.email", "familienname",
                       "ereignisdatum"),
        "bewohnerparken": (test_bewohnerparken.application(), "antragsteller.strasse", "antragsteller.email",
                           "antragsteller.nachname", "antragsteller.geburtsdatum"),
        "gewerbe": (test_gewerbe.notice(), "betrieb.strasse", "person.email", "taetigkeit", "person.geburtsdatum"),
        "hundesteuer": (test_hundesteuer.anmeldung(), "halter.strasse", "halter.email", "hund_name",
                        "halter.geburtsdatum"),
    }


@pytest.mark.parametrize("service_key", ["standesamt", "bewohnerparken", "gewerbe", "hundesteuer"])
@pytest.mark.parametrize("rule", ["street_60k", "field_1mb", "nul", "newline", "email_html", "email_crlf",
                                  "year_0001", "future_birth"])
def test_refused_input_gets_a_german_field_message_and_starts_nothing(office, service_key, rule):
    office.deploy(service_key)
    data, street, email, text, birth = _services()[service_key]
    change, field, expected = {
        "street_60k": (STREET_60K, street, "Höchstens 100 Zeichen – Ihre Angabe hat 60003. Bitte kürzen Sie sie."),
        "field_1mb": (ONE_MB, text, "Höchstens"),
        "nul": ("Bäcker\x00ei", text, "Enthält ein unsichtbares Steuerzeichen (U+0000) an Stelle 7."),
        "newline": ("Zeile\r\nZwei", text, "Bitte ohne Zeilenumbruch angeben (nur eine Zeile)."),
        "email_html": ("<img src=x>@example.org", email, "Bitte nur die E-Mail-Adresse angeben"),
        "email_crlf": ("erika@example.org\r\nBcc: alle@example.org", email, "Bitte ohne Zeilenumbruch"),
        "year_0001": ("0001-01-01", birth, "Bitte ein Datum ab dem"),
        "future_birth": ((berlin_today() + timedelta(days=1)).isoformat(), birth,
                         "Das Datum darf nicht in der Zukunft liegen."),
    }[rule]
    if rule == "year_0001" and service_key == "standesamt":  # the event date: registers since 1874
        expected = "Personenstandsregister gibt es erst seit dem 01.10.1874."
    started = time.perf_counter()
    with pytest.raises(FormInvalid) as err:
        office.cases.submit(service_key, "plauen", changed(data, {field: change}), citizen="erika")
    assert time.perf_counter() - started < 1.0
    [error] = err.value.errors
    assert error.field == field.replace(".", "/") and expected in error.message, error
    assert nothing_started(office)


def test_the_reply_to_a_question_is_bounded_and_nothing_is_stored_when_refused(office):
    data = standesamt_application(familienname="Platzhalter", vornamen="Paul", ereignisdatum="1985-05-05")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika").case_number
    office.run()
    complete(office, case, "clarify_entry", {"ergebnis": "rueckfrage", "frage": "Wie lautet der Vorname der Mutter?"})
    for answer, message in [
        ("x" * 2_000_000, f"Antwort: Höchstens {REPLY_MAX_LENGTH} Zeichen – Ihre Angabe hat 2000000."),
        ("Sabine\x01", "Antwort: Enthält ein unsichtbares Steuerzeichen (U+0001) an Stelle 7."),
        ("Sa\ufffebine", "Antwort: Enthält ein unzulässiges Zeichen (U+FFFE) an Stelle 3."),
    ]:
        with pytest.raises(FormInvalid) as err:
            office.cases.reply("plauen", case, answer, citizen="erika")
        [error] = err.value.errors
        assert error.field == "antwort" and error.message.startswith(message)
        office.run()
        assert "antwort" not in office.variables(case) and office.statuses(case)[-1] == "rueckfrage"
    office.cases.reply("plauen", case, "Sabine\r\nund Karl", citizen="erika")
    office.run()
    assert office.variables(case)["antwort"] == "Sabine\nund Karl"


def test_clerk_free_text_is_bounded_and_nothing_is_stored_when_refused(office):
    data = standesamt_application(familienname="Platzhalter", vornamen="Paul", ereignisdatum="1985-05-05")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika").case_number
    office.run()
    task = office.task(case)
    for form, message in [
        ({"ergebnis": "rueckfrage", "frage": "x" * 2001}, "Rückfrage an die antragstellende Person: Höchstens 2000"),
        ({"ergebnis": "ablehnen", "begruendung": "Kein\x00Eintrag"}, "Begründung: Enthält ein unsichtbares"),
        ({"ergebnis": "registernummer", "registernummer": "G 1/1985\n"}, "Registernummer: Bitte ohne Zeilenumbruch"),
    ]:
        with pytest.raises(FormInvalid) as err:
            office.engine.tasks.complete(task.id, form, user="sb.plauen")
        assert [e.message for e in err.value.errors if e.message.startswith(message)], err.value.errors
        assert office.engine.tasks.get(task.id).state == "open"
    assert "klaerung" not in office.variables(case) and "frage" not in office.variables(case)


def test_every_service_form_caps_every_string_field():
    from processes.catalog import services

    def walk(key, node, path):
        for name, prop in node.get("properties", {}).items():
            if prop.get("type") == "object":
                walk(key, prop, f"{path}{name}.")
            elif prop.get("type") == "string" and "enum" not in prop:
                assert forms._max_length(prop) <= 300 or prop.get("x-multiline") is True, f"{key}: {path}{name}"

    for svc in services().values():
        walk(svc.key, svc.form, "")
