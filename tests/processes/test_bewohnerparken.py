"""The resident parking permit, through the branches of its process."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from engine.errors import FormInvalid
from tasks.common import berlin_today
from tests.processes.conftest import changed
from tests.processes.files import attached


@pytest.fixture
def office(office):
    return office.deploy("bewohnerparken")


def application(**changes) -> dict:
    """Erika Beispiel, main residence Bahnhofstraße 12 (zone B), asks for a permit for her own car."""
    data = {
        "antragsart": "neu",
        "antragsteller": {"vorname": "Erika", "nachname": "Beispiel", "geburtsdatum": "1990-03-14",
                          "strasse": "Bahnhofstraße 12", "plz": "08523", "ort": "Plauen", "email": "erika@example.org"},
        "kennzeichen": "PL-EB 1990",
        "halter": "selbst",
        "umzug": False,
    }
    for key, value in changes.items():
        if key in data["antragsteller"]:
            data["antragsteller"][key] = value
        else:
            data[key] = value
    return data


def anna(**changes) -> dict:
    """Anna Mustermann, Altmarkt 3 (zone A), already holds a permit for PL-AM 62."""
    return application(**{"vorname": "Anna", "nachname": "Mustermann", "geburtsdatum": "1962-04-21",
                          "strasse": "Altmarkt 3", "email": "anna@example.org", "kennzeichen": "PL-AM 62", **changes})


def submit(office, data, tenant="plauen"):
    if data.get("halter") in ("firmenwagen", "familie"):  # the holder's declaration comes as a file
        data = attached(office, data, "halter_erklaerung_datei", tenant=tenant)
    case = office.cases.submit("bewohnerparken", tenant, data, citizen="erika")
    office.run()
    return case.case_number


def pay(office, case_number, tenant="plauen"):
    variables = office.variables(case_number, tenant)
    office.cases.record_payment(tenant, variables["kassenzeichen"], variables["gebuehr_cents"])
    office.run()


OFFICIAL = "Lena Roth"  # the clerk of the Straßenverkehrsbehörde who decides


def decide(office, case_number, **form):
    task = office.task(case_number)
    assert task.activity_id == "decide" and task.candidate_group == "strassenverkehr"
    office.engine.tasks.complete(task.id, {"entscheider": OFFICIAL, **form}, user="sb.plauen")
    office.run()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_resident_with_own_car_gets_the_permit_after_paying_without_any_clerk(office, mail_sink):
    case = submit(office, application())
    assert office.engine.tasks.query(tenant="plauen") == []
    assert office.statuses(case) == ["eingegangen", "zahlung_offen"]
    variables = office.variables(case)
    assert (variables["pruefung"], variables["zone"], variables["gebuehr_cents"]) == ("genehmigt", "B", 3070)

    pay(office, case)
    assert office.statuses(case) == ["eingegangen", "zahlung_offen", "ausgestellt"]
    permit = office.variables(case)["ausweis"]
    assert (permit["plate"], permit["zone"], permit["valid_from"]) == ("PL-EB 1990", "B", berlin_today().isoformat())

    # The permit lies in the e-file, in the postbox and in the print outbox.
    efile = office.system("efile")
    documents = efile.documents("plauen", efile.file_for_case("plauen", case)["file_number"])
    assert {d["kind"] for d in documents} >= {"bestaetigung", "bescheid", "ausweis", "anschreiben", "vorgang"}
    ausweis = next(d for d in documents if d["kind"] == "ausweis")
    text = pdf_text(efile.document("plauen", ausweis["document_id"])["content"])
    assert "PL-EB 1990" in text and "B – Bahnhofsvorstadt" in text and permit["permit_number"] in text
    [message] = [m for m in office.cases.messages("plauen", case) if m["title"].startswith("Ihr Bewohnerparkausweis")]
    assert [d["document_id"] for d in message["documents"]] == [ausweis["document_id"]]
    assert len([j for j in office.cases.open_print_jobs("plauen") if j["business_key"] == case]) == 1
    assert office.state(case) == "waiting"  # for the expiry reminder


def test_payment_is_correlated_by_cash_reference_only_to_its_case(office):
    first = submit(office, application())
    second = submit(office, application(vorname="Jonas", geburtsdatum="1988-12-01", kennzeichen="PL-EB 1990",
                                        halter="familie", halter_name="Erika Beispiel", halter_erklaerung=True))
    decide(office, second, entscheidung="genehmigen", begruendung="Erklärung der Halterin liegt vor")
    assert office.variables(first)["kassenzeichen"] != office.variables(second)["kassenzeichen"]
    pay(office, second)
    assert office.statuses(second)[-1] == "ausgestellt"
    assert office.statuses(first)[-1] == "zahlung_offen"
    # A partial payment books the amount but does not issue the permit.
    office.cases.record_payment("plauen", office.variables(first)["kassenzeichen"], 1000)
    office.run()
    assert office.statuses(first)[-1] == "zahlung_offen"


@pytest.mark.parametrize("changes, reason", [
    (dict(halter="firmenwagen", kennzeichen="PL-VL 500", halter_name="Vogtland Logistik GmbH", halter_erklaerung=True),
     "Halter ist Vogtland Logistik GmbH (Firmenwagen); Erklärung des Halters liegt laut Antrag vor."),
    (dict(kennzeichen="PL-JB 88", halter="familie", halter_name="Jonas Beispiel", halter_erklaerung=True),
     "Halter ist Jonas Beispiel (Fahrzeug eines Familienmitglieds); Erklärung des Halters liegt laut Antrag vor."),
    (dict(umzug=True), "Umzug angegeben – die Ummeldung ist noch nicht abgeschlossen."),
    (dict(strasse="Bahnhofstraße 14"), "An der Anschrift ist kein Wohnsitz gemeldet."),
    (dict(vorname="Paul", nachname="Platzhalter", geburtsdatum="1985-05-05", strasse="Nobelstraße 8",
          kennzeichen="L-PP 585"), "An der Anschrift ist nur ein Nebenwohnsitz gemeldet."),
    (dict(strasse="Neue Straße 1"), "Die Straße steht nicht im Straßenverzeichnis – bitte die Parkzone festlegen."),
    (dict(kennzeichen="PL-ZZ 9"), "Das Kennzeichen ist im Fahrzeugregister nicht verzeichnet."),
])
def test_doubtful_cases_go_to_a_clerk_with_the_reason(office, changes, reason):
    case = submit(office, application(**changes))
    assert office.task(case).activity_id == "decide"
    assert reason in office.variables(case)["pruefgruende"]
    assert office.statuses(case) == ["eingegangen", "in_pruefung"]


def test_clerk_approves_and_sets_the_zone_for_an_unknown_street(office):
    case = submit(office, application(strasse="Neue Straße 1"))
    decide(office, case, entscheidung="genehmigen", begruendung="Neubaugebiet, gehört zur Zone C")
    assert office.task(case).activity_id == "decide"  # no zone known yet: asked again
    decide(office, case, entscheidung="genehmigen", zone_festgelegt="C", begruendung="Neubaugebiet, gehört zur Zone C")
    assert office.variables(case)["zone"] == "C"
    pay(office, case)
    assert office.variables(case)["ausweis"]["zone"] == "C"


def test_zone_choice_offers_the_municipality_zone_table(office):
    case = submit(office, application(strasse="Neue Straße 1"))
    field = office.engine.tasks.form(office.task(case).id)["properties"]["zone_festgelegt"]
    assert field["enum"] == ["A", "B", "C", "D", "E", "F", "G", "H"]  # Plauen's zones (residents system)
    assert field["enumTitles"]["C"] == "C – Neustadt"
    musterstadt = submit(office, application(strasse="Neue Straße 1"), tenant="musterstadt")
    assert office.engine.tasks.form(office.task(musterstadt, "musterstadt").id)["properties"]["zone_festgelegt"][
        "enum"] == ["A", "B", "C"]


@pytest.mark.parametrize("typed", ["Z", "c", "D1", "I"])  # Plauen has A–H
def test_zone_not_in_the_zone_table_is_refused_and_nothing_stored(office, typed):
    case = submit(office, application(strasse="Neue Straße 1"))
    task = office.task(case)
    with pytest.raises(FormInvalid) as err:
        office.engine.tasks.complete(task.id, {"entscheidung": "genehmigen", "zone_festgelegt": typed,
                                               "begruendung": "Neubaugebiet", "entscheider": OFFICIAL})
    assert [(e.field, e.message) for e in err.value.errors] == [(
        "zone_festgelegt", ("Parkzone (nur wenn die Straße nicht im Verzeichnis steht oder abweichend): Diese Parkzone "
                            "gibt es in der Zonentabelle der Gemeinde nicht. Bitte eine Zone aus der Liste wählen."))]
    assert office.task(case).id == task.id  # still open
    variables = office.variables(case)
    assert (variables["zone_festgelegt"], variables["zone"]) == (None, None)
    assert [d["schritt"] for d in variables["entscheidungen"]] == ["automatische_pruefung"]  # no decision recorded


def test_clerk_rejects_with_a_notice_giving_the_reason(office):
    case = submit(office, application(umzug=True))
    decide(office, case, entscheidung="ablehnen", begruendung="Der Einzug ist noch nicht erfolgt.")
    assert office.state(case) == "completed"
    assert office.statuses(case)[-1] == "abgelehnt"
    [message] = [m for m in office.cases.messages("plauen", case) if m["title"].startswith("Bescheid")]
    _, pdf = office.cases.document("plauen", case, message["documents"][0]["document_id"])
    assert "Der Einzug ist noch nicht erfolgt." in pdf_text(pdf)


def test_vwvfg_37_3_parking_decision_needs_the_name_of_the_deciding_official(office):
    case = submit(office, application(umzug=True))
    with pytest.raises(FormInvalid) as err:
        office.engine.tasks.complete(office.task(case).id, {"entscheidung": "genehmigen",
                                                            "begruendung": "Einzug ist erfolgt."})
    assert [e.field for e in err.value.errors] == ["entscheider"]
    assert [d["schritt"] for d in office.variables(case)["entscheidungen"]] == ["automatische_pruefung"]


def test_clerk_rejection_needs_a_reason(office):
    case = submit(office, application(umzug=True))
    with pytest.raises(FormInvalid) as err:
        office.engine.tasks.complete(office.task(case).id, {"entscheidung": "ablehnen", "entscheider": OFFICIAL})
    assert [e.message for e in err.value.errors] == ["Begründung (bei Ablehnung steht sie im Bescheid): Bitte ausfüllen."]


@pytest.mark.parametrize("data, reason", [
    (anna(), "besitzen Sie bereits einen gültigen Bewohnerparkausweis"),  # one permit per resident and vehicle
    (application(antragsart="kennzeichen", bisheriges_kennzeichen="PL-EB 19"), "kein gültiger Bewohnerparkausweis"),
    (application(vorname="Tim", nachname="Wahlmann", geburtsdatum="1974-10-02", strasse="Hofer Straße 60",
                 kennzeichen="PL-TW 74"), "liegt in keinem Bewohnerparkgebiet"),
])
def test_clear_refusals_need_no_clerk(office, data, reason):
    case = submit(office, data)
    assert office.engine.tasks.query(tenant="plauen") == []
    assert office.state(case) == "completed" and office.statuses(case) == ["eingegangen", "abgelehnt"]
    assert reason in office.variables(case)["ablehnungsgrund"]


def test_existing_permit_refusal_suggests_a_replacement(office):
    case = submit(office, anna())
    assert "beantragen Sie bitte einen Ersatzausweis" in office.variables(case)["ablehnungsgrund"]


@pytest.mark.parametrize("changes, old_plate, new_plate", [
    (dict(antragsart="kennzeichen", kennzeichen="PL-AM 620E", bisheriges_kennzeichen="PL-AM 62"), "PL-AM 62", "PL-AM 620E"),
    (dict(antragsart="umzug"), "PL-AM 62", "PL-AM 62"),
])
def test_replacement_costs_the_replacement_fee_and_invalidates_the_old_permit(office, changes, old_plate, new_plate):
    parking = office.system("parking")
    [old] = parking.permits("plauen", "mustermann|anna|1962-04-21")
    case = submit(office, anna(**changes))
    assert office.variables(case)["gebuehr_cents"] == 1020
    pay(office, case)
    permit = office.variables(case)["ausweis"]
    assert (permit["kind"], permit["plate"], permit["replaces"]) == ("replacement", new_plate, old["permit_number"])
    assert permit["valid_until"] == old["valid_until"]
    statuses = {p["permit_number"]: p["status"] for p in parking.permits("plauen", "mustermann|anna|1962-04-21")}
    assert statuses == {old["permit_number"]: "replaced", permit["permit_number"]: "valid"}


def test_expiry_reminder_offers_renewal_and_ends_the_case(office, clock, mail_sink):
    case = submit(office, application())
    pay(office, case)
    valid_until = date.fromisoformat(office.variables(case)["ausweis"]["valid_until"])
    reminder_on = valid_until - timedelta(days=28)  # Plauen reminds four weeks ahead
    clock.advance(days=(reminder_on - berlin_today()).days - 1)
    office.run()
    assert office.statuses(case)[-1] == "ausgestellt"
    mails_before = len(mail_sink.messages)
    clock.advance(days=1)
    office.run()
    assert office.state(case) == "completed"
    statuses = office.cases.statuses("plauen", case)
    assert statuses[-1]["status"] == "ablauf_erinnerung"
    assert statuses[-1]["label"] == f"Ausweis läuft am {valid_until:%d.%m.%Y} ab – Verlängerung möglich"
    [reminder] = [m for m in office.cases.messages("plauen", case) if "läuft am" in m["title"]]
    assert "neuen Bewohnerparkausweis" in reminder["text"]
    assert len(mail_sink.messages) == mails_before + 1


def test_no_reminder_for_a_permit_that_was_replaced(office, clock):
    case = submit(office, application())
    pay(office, case)
    replacement = submit(office, application(antragsart="kennzeichen", kennzeichen="PL-EB 991E",
                                             bisheriges_kennzeichen="PL-EB 1990", halter="firmenwagen",
                                             halter_name="Stadtwerke Plauen", halter_erklaerung=True))
    decide(office, replacement, entscheidung="genehmigen", begruendung="Dienstwagen, Erklärung liegt vor")
    pay(office, replacement)
    clock.advance(days=340)
    office.run()
    assert office.state(case) == "completed" and office.statuses(case)[-1] == "ausgestellt"


def test_unpaid_fee_discontinues_the_case_after_the_deadline(office, clock):
    case = submit(office, application())
    clock.advance(days=31)
    office.run()
    assert office.state(case) == "completed" and office.statuses(case)[-1] == "eingestellt"
    assert office.system("parking").permits("plauen", "beispiel|erika|1990-03-14") == []
    variables = office.variables(case)
    assert [r["cancelled"] for r in office.system("finance").receivables("plauen", case)] == [True]
    assert variables["storno"]["cash_reference"] == variables["kassenzeichen"]
    efile = office.system("efile")
    assert "Der Kostenbescheid ist damit gegenstandslos und die Forderung storniert." in pdf_text(
        efile.document("plauen", variables["einstellung"]["document_id"])["content"])
    filed = efile.document("plauen", variables["abgelegt"]["document_id"])["json_content"]
    assert filed["kostenbescheid"]["status"] == "storniert"


def test_both_municipalities_differ_in_zones_and_fees(office):
    jan = {"antragsart": "neu", "antragsteller": {"vorname": "Jan", "nachname": "Probemann", "geburtsdatum": "1990-03-14",
           "strasse": "Marktplatz 1", "plz": "01234", "ort": "Musterstadt", "email": "jan@example.org"},
           "kennzeichen": "MU-JP 90", "halter": "selbst", "umzug": False}
    musterstadt = submit(office, jan, tenant="musterstadt")
    variables = office.variables(musterstadt, "musterstadt")
    assert (variables["zone"], variables["gebuehr_cents"]) == ("A", 9000)
    assert variables["zonenauskunft"]["zone_name"] == "Marktviertel"
    plauen = submit(office, application())
    assert (office.variables(plauen)["zone"], office.variables(plauen)["gebuehr_cents"]) == ("B", 3070)
    # Erika is not registered in Musterstadt, and Plauen's streets are unknown there.
    elsewhere = submit(office, application(), tenant="musterstadt")
    reasons = office.variables(elsewhere, "musterstadt")["pruefgruende"]
    assert "An der Anschrift ist kein Wohnsitz gemeldet." in reasons
    assert office.engine.tasks.query(tenant="plauen") == []


@pytest.mark.parametrize("field, value, message", [
    ("kennzeichen", "PLEB1990", "Amtliches Kennzeichen: Bitte ein deutsches Kennzeichen angeben, z. B. PL-AB 123."),
    ("kennzeichen", "PL-EB 0199", "Amtliches Kennzeichen: Bitte ein deutsches Kennzeichen angeben, z. B. PL-AB 123."),
    ("kennzeichen", "ABC-DE 1234", "Amtliches Kennzeichen: Bitte ein deutsches Kennzeichen angeben, z. B. PL-AB 123."),
    ("kennzeichen", None, "Amtliches Kennzeichen: Bitte ausfüllen."),
    ("antragsart", "verlaengerung", "Art des Antrags: Bitte einen der angebotenen Werte wählen."),
    ("halter", None, "Halter/in des Fahrzeugs: Bitte ausfüllen."),
    ("antragsteller.geburtsdatum", "14.03.1990", "Geburtsdatum: Bitte ein Datum (JJJJ-MM-TT) angeben."),
    ("antragsteller.strasse", "Bahnhofstraße", "Straße und Hausnummer (Wohnung im Parkgebiet): Bitte Straße und Hausnummer angeben, z. B. Bahnhofstraße 12."),
    ("antragsteller.plz", "8523", "Postleitzahl: Bitte fünf Ziffern angeben."),
])
def test_every_invalid_field_gives_a_german_message_and_stores_nothing(office, field, value, message):
    with pytest.raises(FormInvalid) as err:
        office.cases.submit("bewohnerparken", "plauen", changed(application(), {field: value}), citizen="erika")
    assert [e.message for e in err.value.errors] == [message]
    assert office.engine.runtime.query() == []


@pytest.mark.parametrize("changes, fields", [
    (dict(antragsart="kennzeichen"), ["bisheriges_kennzeichen"]),
    (dict(halter="firmenwagen"), ["halter_erklaerung", "halter_erklaerung_datei", "halter_name"]),
    (dict(halter="familie", halter_name="Jonas Beispiel", halter_erklaerung=False),
     ["halter_erklaerung", "halter_erklaerung_datei"]),
])
def test_conditional_fields(office, changes, fields):
    with pytest.raises(FormInvalid) as err:
        office.cases.submit("bewohnerparken", "plauen", application(**changes), citizen="erika")
    assert sorted(e.field for e in err.value.errors) == fields
