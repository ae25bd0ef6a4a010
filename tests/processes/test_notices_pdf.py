"""Every notice of the four services, obtained by running its process and read back from the PDF in the
e-file: dated the day it is issued, naming the official where a person decided (§ 37 Abs. 3 VwVfG) and
"maschinell erstellt" only where no one did (§ 37 Abs. 5), the remedy its law provides (Amtsgericht for
the Standesamt, §§ 49, 50 PStG; Widerspruch at the issuing office otherwise, §§ 68 ff. VwGO) and its legal
basis. Every application arrives the day before its notices are issued."""
import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader

from engine.forms import local_date
from processes.municipalities import SettingsError, municipality
from tests.processes import test_bewohnerparken as parking
from tests.processes import test_gewerbe as trade
from tests.processes import test_hundesteuer as dog_tax
from tests.processes.conftest import application
from tests.processes.files import attached
from tests.processes.test_standesamt import ERIKA, fire_payment_deadline, pay_first_case, post, sign, unpaid_notice_text

MACHINE_NOTE = "maschinell erstellt"
PLAUEN = municipality("plauen")
TOWN_HALL = f"{PLAUEN.data['street']}, {PLAUEN.data['postal_code']} {PLAUEN.data['city']}"


@pytest.fixture
def offices(office):
    return office.deploy("hundesteuer").deploy("bewohnerparken").deploy("gewerbe")


def filed_the_day_before(office, clock, service, data, identity=None) -> str:
    """Files the application today and lets the office work on it tomorrow."""
    case = office.cases.submit(service, "plauen", data, citizen="erika", identity=identity)
    clock.advance(days=1)
    office.run()
    return case.case_number


def notices(office, case_number) -> dict[str, str]:
    """Title -> text (whitespace collapsed, so wrapped lines do not split a phrase) of the PDFs the office
    made for the case (not the citizen's attachments)."""
    efile = office.system("efile")
    file = efile.file_for_case("plauen", case_number)
    return {d["title"]: " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(
        efile.document("plauen", d["document_id"])["content"])).pages).split())
        for d in efile.documents("plauen", file["file_number"]) if d["kind"] not in ("vorgang", "anlage", "nachreichung")}


def one(docs: dict, prefix: str) -> str:
    [text] = [t for title, t in docs.items() if title.startswith(prefix)]
    return text


def today(clock, days_before: int = 0) -> str:
    """The day in Germany by the test clock, as notices print it."""
    return (local_date(clock.now()) - timedelta(days=days_before)).strftime("%d.%m.%Y")


def assert_issued_today(text: str, clock):
    assert f"Datum {today(clock)}" in text, text[:400]


def assert_decided_by(text: str, official: str):
    assert official in text and MACHINE_NOTE not in text


def assert_made_by_machine(text: str):
    assert MACHINE_NOTE in text


def assert_widerspruch_at(text: str, office_name: str, fee: bool):
    assert "Widerspruch" in text and "§§ 68 ff." in text and f"{office_name}, {TOWN_HALL}" in text
    assert "Amtsgericht" not in text
    assert ("keine aufschiebende Wirkung (§ 80 Abs. 2 Satz 1 Nr. 1 VwGO)" in text) == fee


def assert_legal_basis(text: str, basis: str):
    assert f"Rechtsgrundlage: {basis}" in text


# Standesamt

def test_pstg_refusal_is_dated_the_issue_day_names_the_official_and_the_amtsgericht_of_the_settings(offices, clock):
    data = application(beziehung="other", rechtliches_interesse="Ich interessiere mich für Familienforschung")
    case_number = filed_the_day_before(offices, clock, "standesamt", data)
    offices.engine.tasks.complete(offices.task(case_number).id, {
        "berechtigt": "nein", "begruendung": "Kein rechtliches Interesse dargelegt", "entscheider": "Sabine Berger"})
    offices.run()
    text = one(notices(offices, case_number), "Ablehnungsbescheid")
    assert_issued_today(text, clock)
    assert_decided_by(text, "Sabine Berger")
    court = PLAUEN.settings("standesamt")["court"]
    assert f"{court['name']}, {court['street']}, {court['postal_code']} {court['city']}" in text
    assert "§ 49 Abs. 1, § 50 PStG" in text and "Widerspruch" not in text


def certified(office, clock) -> dict:
    case_number = filed_the_day_before(office, clock, "standesamt", application(), identity=ERIKA)
    sign(office, case_number)
    post(office, case_number)
    return notices(office, case_number)


def test_pstg_fee_notice_and_cover_letter_are_dated_the_issue_day(offices, clock):
    docs = certified(offices, clock)
    assert f"am {today(clock, days_before=1)} bei uns eingegangen" in one(docs, "Eingangsbestätigung")
    cover = one(docs, "Anschreiben")
    assert_issued_today(cover, clock)
    assert_decided_by(cover, "Sabine Berger")
    fee = one(docs, "Kostenbescheid")
    assert_issued_today(fee, clock)
    assert_made_by_machine(fee)  # the fee follows from the settings alone
    assert_widerspruch_at(fee, "Standesamt Plauen", fee=True)
    assert_legal_basis(fee, PLAUEN.settings("standesamt")["fee_legal_basis"])


def test_pstg_certificate_is_dated_the_issue_day_and_names_the_registrar(offices, clock):
    certificate = one(certified(offices, clock), "Geburtsurkunde")
    assert "Sabine Berger" in certificate
    assert f"Plauen, den {today(clock)}" in certificate


def test_pstg_clarification_question_goes_to_the_portal_and_the_discontinuation_is_dated_its_day(offices, clock):
    case_number = filed_the_day_before(offices, clock, "standesamt", application(vornamen="Erica"))
    offices.engine.tasks.complete(offices.task(case_number).id,
                                  {"ergebnis": "rueckfrage", "frage": "Wie lautet der Vorname der Mutter?"})
    offices.run()
    [question] = [m for m in offices.cases.messages("plauen", case_number) if m["title"].startswith("Rückfrage")]
    assert question["text"].startswith("Wie lautet der Vorname der Mutter?\n\nBitte antworten Sie bis zum ")
    assert question["text"].endswith(" im Portal: Öffnen Sie unter „Meine Anträge“ den Antrag " + case_number
                                     + " und senden Sie dort Ihre Antwort.") and question["documents"] == []
    clock.advance(days=13)
    offices.run()
    clock.advance(days=2)  # past Plauen's reply deadline of 14 days
    offices.run()
    text = one(notices(offices, case_number), "Einstellung des Verfahrens")
    assert_issued_today(text, clock)
    assert_made_by_machine(text)


def test_pstg_discontinuation_of_an_unpaid_case_revokes_the_fee_notice_with_the_amtsgericht_remedy(offices, clock):
    case_number, variables = pay_first_case(offices)
    fire_payment_deadline(offices, clock, variables)
    offices.run()
    text = unpaid_notice_text(offices, case_number)
    assert_issued_today(text, clock)
    assert_made_by_machine(text)
    court = municipality("musterstadt").settings("standesamt")["court"]
    assert f"{court['name']}, {court['street']}, {court['postal_code']} {court['city']}" in text
    assert "§ 49 Abs. 1, § 50 PStG" in text and "Widerspruch" not in text
    assert (f"Den Kostenbescheid zum Kassenzeichen {variables['kassenzeichen']} heben wir hiermit mit Wirkung für die "
            "Zukunft auf (Widerruf nach § 49 Abs. 1 VwVfG)") in text
    assert "gegenstandslos" not in text and "Die Forderung ist storniert" in text


# Hundesteuer

def test_kag_tax_notice_is_dated_the_issue_day_with_widerspruch_and_its_legal_basis(offices, clock):
    case_number = filed_the_day_before(offices, clock, "hundesteuer",
                                       dog_tax.anmeldung(gehalten_seit=local_date(clock.now()).isoformat()))
    text = one(notices(offices, case_number), "Steuerbescheid")
    assert_issued_today(text, clock)
    assert_made_by_machine(text)
    assert_widerspruch_at(text, PLAUEN.settings("hundesteuer")["office"], fee=True)
    assert "Rechtsgrundlage: § 2 Abs. 1 und § 7 Abs. 2 SächsKAG" in text


def test_vwvfg_37_3_tax_notice_after_a_clerks_exemption_decision_names_the_official(offices, clock):
    data = dog_tax.anmeldung(gehalten_seit=local_date(clock.now()).isoformat(), steuervergunstigung="huetehund",
                             vergunstigung_begruendung="Ich halte eine Herde von 80 Schafen.")
    case_number = filed_the_day_before(offices, clock, "hundesteuer", data)
    dog_tax.complete(offices, case_number, "decide_exemption", {
        "entscheidung": "ermaessigung", "prozent": 50, "begruendung": "Herde belegt", "entscheider": "Uwe Kramer"})
    text = one(notices(offices, case_number), "Steuerbescheid")
    assert_issued_today(text, clock)
    assert_decided_by(text, "Uwe Kramer")
    [step] = [e for e in offices.variables(case_number)["entscheidungen"] if e["schritt"] == "vergunstigung"]
    assert step["entscheider"] == "Uwe Kramer"  # in the file as well as on the notice


def test_vwvfg_37_3_tax_notice_after_a_clerks_permit_check_names_the_official(offices, clock):
    data = dog_tax.anmeldung(gehalten_seit=local_date(clock.now()).isoformat(), rasse="American Staffordshire Terrier",
                             erlaubnis_nummer="GH-2026-017")
    case_number = filed_the_day_before(offices, clock, "hundesteuer", data)
    dog_tax.complete(offices, case_number, "check_permit", {"ergebnis": "gueltig", "entscheider": "Uwe Kramer"})
    text = one(notices(offices, case_number), "Steuerbescheid")
    assert_issued_today(text, clock)
    assert_decided_by(text, "Uwe Kramer")


# Bewohnerparken

def test_stvg_fee_notice_names_the_verordnung_and_the_widerspruch(offices, clock):
    case_number = filed_the_day_before(offices, clock, "bewohnerparken", parking.application())
    text = one(notices(offices, case_number), "Kostenbescheid")
    assert_issued_today(text, clock)
    assert_made_by_machine(text)
    assert "für Ihren Antrag „Bewohnerparkausweis (PL-EB 1990, Zone B)“" in text
    assert_widerspruch_at(text, "Straßenverkehrsbehörde Plauen", fee=True)
    assert_legal_basis(text, PLAUEN.settings("bewohnerparken")["ordinance"])
    parking.pay(offices, case_number)
    cover = one(notices(offices, case_number), "Anschreiben")
    assert_issued_today(cover, clock)


def test_vwvfg_37_5_permit_and_cover_letter_without_a_clerk_are_made_by_machine_and_dated_the_issue_day(
        offices, clock):
    case_number = filed_the_day_before(offices, clock, "bewohnerparken", parking.application())
    parking.pay(offices, case_number)
    docs = notices(offices, case_number)
    assert_made_by_machine(one(docs, "Anschreiben"))
    permit = one(docs, "Bewohnerparkausweis")
    assert_made_by_machine(permit.lower())
    # The engine's day, not the wall clock's: the permit runs from the day it is issued.
    assert f"Gültig vom {today(clock)}" in permit and f"Plauen, den {today(clock)}" in permit


def test_vwvfg_37_3_parking_approval_by_a_clerk_names_the_official_on_fee_notice_cover_letter_and_permit(
        offices, clock):
    data = attached(offices, parking.application(kennzeichen="PL-JB 88", halter="familie", halter_name="Jonas Beispiel",
                                                 halter_erklaerung=True), "halter_erklaerung_datei")
    case_number = filed_the_day_before(offices, clock, "bewohnerparken", data)
    parking.decide(offices, case_number, entscheidung="genehmigen", begruendung="Erklärung des Halters liegt vor",
                   entscheider="Lena Roth")
    fee = one(notices(offices, case_number), "Kostenbescheid")
    assert_issued_today(fee, clock)
    assert_decided_by(fee, "Lena Roth")
    parking.pay(offices, case_number)
    docs = notices(offices, case_number)
    assert_decided_by(one(docs, "Anschreiben"), "Lena Roth")
    assert_decided_by(one(docs, "Bewohnerparkausweis").lower(), "lena roth")
    [step] = [e for e in offices.variables(case_number)["entscheidungen"] if e["schritt"] == "sachbearbeitung"]
    assert step["entscheider"] == "Lena Roth"


def test_vwvfg_37_3_parking_refusal_by_a_clerk_names_the_official(offices, clock):
    case_number = filed_the_day_before(offices, clock, "bewohnerparken", parking.application(umzug=True))
    parking.decide(offices, case_number, entscheidung="ablehnen", begruendung="Der Einzug ist noch nicht erfolgt.",
                   entscheider="Lena Roth")
    text = one(notices(offices, case_number), "Ablehnungsbescheid")
    assert_issued_today(text, clock)
    assert_decided_by(text, "Lena Roth")
    assert_widerspruch_at(text, "Straßenverkehrsbehörde Plauen", fee=False)


def test_receipts_promise_the_permit_and_the_tax_notice_by_post_which_reaches_every_applicant(offices, clock):
    # The originals always go to the print outbox; a postbox copy only reaches an applicant with an account.
    for service, data in (("bewohnerparken", parking.application()),
                          ("hundesteuer", dog_tax.anmeldung(gehalten_seit=local_date(clock.now()).isoformat()))):
        receipt = one(notices(offices, filed_the_day_before(offices, clock, service, data)), "Eingangsbestätigung")
        assert "per Post" in receipt and "Postfach" not in receipt


def test_stvo_refusal_without_a_clerk_is_made_by_machine_with_widerspruch(offices, clock):
    data = parking.application(vorname="Tim", nachname="Wahlmann", geburtsdatum="1974-10-02",
                               strasse="Hofer Straße 60", kennzeichen="PL-TW 74")
    case_number = filed_the_day_before(offices, clock, "bewohnerparken", data)
    text = one(notices(offices, case_number), "Ablehnungsbescheid")
    assert_issued_today(text, clock)
    assert_made_by_machine(text)
    assert_widerspruch_at(text, "Straßenverkehrsbehörde Plauen", fee=False)


@pytest.mark.parametrize("basis, message", [
    ("Bewohnerparkgebührensatzung der Stadt Plauen", "muss eine Verordnung sein"),
    ("Satzung über Bewohnerparkgebühren auf Grund der Verordnung des Landes", "nicht durch Satzung"),
])
def test_stvg_6a_parking_fee_basis_that_is_no_verordnung_is_refused_in_german(tmp_path, monkeypatch, basis, message):
    from processes import municipalities

    folder = tmp_path / "testdorf"
    folder.mkdir()
    (folder / "municipality.json").write_text(
        json.dumps({**PLAUEN.data, "key": "testdorf"}), encoding="utf-8")
    (folder / "bewohnerparken.json").write_text(json.dumps(
        {**PLAUEN.settings("bewohnerparken"), "ordinance": basis}), encoding="utf-8")
    monkeypatch.setattr(municipalities, "FOLDER", tmp_path)
    municipalities.municipalities.cache_clear()
    municipalities._service_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match=f"testdorf/bewohnerparken.json: ordinance: .*{message}"):
            municipalities.municipality("testdorf").settings("bewohnerparken")
    finally:
        municipalities.municipalities.cache_clear()
        municipalities._service_settings.cache_clear()


# Gewerbe

def test_gewo_15_receipt_is_the_completed_gewa1_with_the_receipt_note_and_a_fee_notice_with_its_basis(offices, clock):
    case_number = filed_the_day_before(offices, clock, "gewerbe", trade.notice())
    docs = notices(offices, case_number)
    receipt = one(docs, "Empfangsbescheinigung")
    assert_issued_today(receipt, clock)
    assert_made_by_machine(receipt)  # accepted without a clerk
    assert f"am {today(clock, days_before=1)} bei uns eingegangen" in receipt
    assert "Gewerbe-Anmeldung (GewA 1)" in receipt and "ersetzt keine Erlaubnis" in receipt
    assert "§ 15 Abs. 1 GewO" in receipt
    # The form's fields in its order: holder, person, business.
    expected = ["Buchhandlung Seitenweise", "Schneider", "Mia", "Vogel", "weiblich", "02.04.1988",
                "Zwickau, Deutschland", "deutsch", "Reichenbacher Straße 12, 08529 Plauen", "Klostermarkt 7, 08523 Plauen",
                "Einzelhandel mit Büchern", "WZ 2008: 47610", "Lesungen", "01.05.2026", "Handel",
                "Vollzeit: 1, Teilzeit: 2", "eine Hauptniederlassung", "Neugründung"]
    position = receipt.index("GewA 1: Angaben zum Betriebsinhaber")
    for value in expected:
        position = receipt.index(value, position)  # fails if a field is missing or out of order
    fee = one(docs, "Kostenbescheid")
    assert_issued_today(fee, clock)
    assert_made_by_machine(fee)
    # A trade notice is an Anzeige, no application (§ 14 GewO).
    assert "für Ihre Gewerbeanzeige „Gewerbe-Anmeldung: Buchhandlung Seitenweise“" in fee and "Antrag" not in fee
    assert_widerspruch_at(fee, "Gewerbeamt Plauen", fee=True)
    assert_legal_basis(fee, PLAUEN.settings("gewerbe")["fee_legal_basis"])


def test_gewo_15_receipt_after_a_clerks_check_names_the_official(offices, clock):
    data = trade.notice(**{"betrieb.name": "Salon Schnittig", "betrieb.art": "handwerk", "taetigkeit": "Friseursalon",
                           "wz": "96021"})
    case_number = filed_the_day_before(offices, clock, "gewerbe", data)
    offices.engine.tasks.complete(offices.task(case_number).id, {
        "entscheidung": "annehmen", "begruendung": "Handwerkskarte liegt vor", "entscheider": "Jana Vogt"})
    offices.run()
    docs = notices(offices, case_number)
    receipt = one(docs, "Empfangsbescheinigung")
    assert_issued_today(receipt, clock)
    assert_decided_by(receipt, "Jana Vogt")
    assert "Salon Schnittig" in receipt and "Handwerk" in receipt
    assert_legal_basis(one(docs, "Kostenbescheid"), PLAUEN.settings("gewerbe")["fee_legal_basis"])


def test_gewo_rejection_names_the_official_and_the_widerspruch(offices, clock):
    case_number = filed_the_day_before(offices, clock, "gewerbe", trade.notice(taetigkeit="Rechtsanwaltskanzlei",
                                                                                wz="69101"))
    offices.engine.tasks.complete(offices.task(case_number).id, {
        "entscheidung": "ablehnen", "begruendung": "Rechtsanwälte üben einen freien Beruf aus, kein Gewerbe.",
        "entscheider": "Jana Vogt"})
    offices.run()
    docs = notices(offices, case_number)
    text = one(docs, "Bescheid zur Gewerbe-Anmeldung")
    assert_issued_today(text, clock)
    assert_decided_by(text, "Jana Vogt")
    assert_widerspruch_at(text, "Gewerbeamt Plauen", fee=False)
    assert not any(title.startswith(("Kostenbescheid", "Empfangsbescheinigung")) for title in docs)
