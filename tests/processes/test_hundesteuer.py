"""Dog tax registration, through every branch of its process. The clock stands on 10 March 2026,
so the tax runs from March (Musterstadt) or April (Plauen) and the instalments still ahead are
known: Plauen 15.05./15.08./15.11., Musterstadt 01.07./01.10."""
import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from engine.clock import ManualClock
from engine.errors import FormInvalid
from tests.processes.conftest import changed
from tests.processes.files import attached


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def tax_office(office):
    return office.deploy("hundesteuer")


def anmeldung(**changes) -> dict:
    """Erika Neumann registers her first dog in Plauen, no exemption, paying by transfer."""
    data = {
        "halter": {"vorname": "Erika", "nachname": "Neumann", "strasse": "Lindenweg 3", "plz": "08523",
                   "ort": "Plauen", "email": "erika@example.org"},
        "hund_name": "Bruno",
        "rasse": "Labrador-Pudel-Mischling",
        "wurftag": "2025-11-20",
        "gehalten_seit": "2026-03-01",
        "chipnummer": "276098106543210",
        "gefaehrlicher_hund": False,
        "steuervergunstigung": "keine",
        "sepa_lastschrift": False,
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def pdf_text(pdf: bytes) -> str:
    """The text with line breaks as spaces: wrapped lines do not split what the tests look for."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def submit(office, data, tenant="plauen", citizen="erika"):
    if data.get("gefaehrlicher_hund") and data.get("erlaubnis_nummer"):  # the named permit comes as a file
        data = attached(office, data, "erlaubnis_datei", owner=citizen, tenant=tenant)
    case = office.cases.submit("hundesteuer", tenant, data, citizen=citizen)
    office.run()
    return case.case_number


OFFICIAL = "Uwe Kramer"  # the clerk of the Steuerverwaltung who decides


def complete(office, case_number, activity, data, tenant="plauen"):
    task = office.task(case_number, tenant)
    assert task.activity_id == activity and task.candidate_group == "steueramt"
    office.engine.tasks.complete(task.id, {"entscheider": OFFICIAL, **data}, user="st.plauen")
    office.run()


def post(office, case_number, tenant="plauen"):
    jobs = [j for j in office.cases.open_print_jobs(tenant) if j["business_key"] == case_number]
    assert len(jobs) == 1 and "Steuermarke Nr." in jobs[0]["documents"][0]["title"]
    office.cases.mark_posted(tenant, [jobs[0]["id"]], "poststelle")
    office.run()


def notice_text(office, case_number, tenant="plauen") -> str:
    document_id = office.variables(case_number, tenant)["steuerbescheid"]["document_id"]
    return pdf_text(office.system("efile").document(tenant, document_id)["content"])


def test_first_dog_without_any_clerk_step_gets_notice_tag_and_receivable(tax_office, mail_sink):
    case_number = submit(tax_office, anmeldung())
    assert tax_office.engine.tasks.query(tenant="plauen") == []  # nothing for a clerk to do
    variables = tax_office.variables(case_number)
    assessment = variables["festsetzung"]
    assert (assessment["rate_kind"], assessment["months"], assessment["amount_cents"]) == ("first", 9, 8100)
    assert assessment["instalments"] == [{"due_date": "2026-05-15", "amount_cents": 2700},
                                         {"due_date": "2026-08-15", "amount_cents": 2700},
                                         {"due_date": "2026-11-15", "amount_cents": 2700}]
    assert variables["steuermarke"] == "00002"  # the demo data issued 00001 in Plauen
    balance = tax_office.cases.finance.balance_of("plauen", variables["kassenzeichen"])
    assert balance["open_cents"] == 8100

    text = notice_text(tax_office, case_number)
    for expected in ("Steuerbescheid über die Hundesteuer", "Nr. 00002", "81,00 €", "108,00 €", "9 von 12 Monaten",
                     "April bis Dezember 2026", "15.05.2026", "27,00 €", variables["kassenzeichen"], "Bruno",
                     "Rechtsbehelfsbelehrung"):
        assert expected in text, expected
    post(tax_office, case_number)
    assert tax_office.state(case_number) == "completed"
    assert tax_office.statuses(case_number) == ["eingegangen", "veranlagt", "versandt"]
    [dog] = tax_office.system("dog_tax").dogs("plauen", case_number)
    assert dog["status"] == "angemeldet" and dog["tags"] == ["00002"]
    efile = tax_office.system("efile")
    documents = efile.documents("plauen", efile.file_for_case("plauen", case_number)["file_number"])
    assert [d["kind"] for d in documents] == ["bestaetigung", "bescheid", "vorgang"]


@pytest.mark.parametrize("tenant, holder, breed, rate_kind, amount", [
    ("plauen", {"nachname": "Neumann", "strasse": "Lindenweg 3"}, "Dackel", "first", 8100),
    # The Beispiel household already keeps Bello (demo data): second dog.
    ("plauen", {"nachname": "Beispiel", "strasse": "Bahnhofstr. 12"}, "Dackel", "second", 10800),
    # A neighbour in the Beispiels' building the register does not know: her own household (address and
    # family name), not the building's.
    ("plauen", {"vorname": "Lena", "strasse": "Bahnhofstraße 12"}, "Dackel", "first", 8100),
    # The residents' register decides: Erika Maria Beispiel's main residence is Bahnhofstraße 12, where Bello
    # lives, whatever address she gives.
    ("plauen", {"vorname": "Erika Maria", "nachname": "Beispiel", "geburtsdatum": "1990-03-14",
                "strasse": "Lindenweg 3"}, "Dackel", "second", 10800),
    # Not in the register with that date of birth: the address given decides.
    ("plauen", {"vorname": "Erika Maria", "nachname": "Beispiel", "geburtsdatum": "1991-03-14",
                "strasse": "Lindenweg 3"}, "Dackel", "first", 8100),
    # The Probemann household in Musterstadt keeps two dogs: further dog, tax from March (10 months).
    ("musterstadt", {"nachname": "Probemann", "strasse": "Marktplatz 1", "plz": "01234", "ort": "Musterstadt"},
     "Beagle", "further", 10000),
    ("musterstadt", {"nachname": "Neu", "strasse": "Am Teich 2", "plz": "01234", "ort": "Musterstadt"},
     "Beagle", "first", 5000),
])
def test_rate_follows_the_dogs_already_registered_in_the_household(tax_office, tenant, holder, breed, rate_kind,
                                                                   amount):
    data = anmeldung(rasse=breed)
    data["halter"].update(holder)
    case_number = submit(tax_office, data, tenant)
    assessment = tax_office.variables(case_number, tenant)["festsetzung"]
    assert (assessment["rate_kind"], assessment["amount_cents"]) == (rate_kind, amount)


@pytest.mark.parametrize("born, held_since, months, amount", [
    ("2026-01-25", "2026-03-08", 8, 7200),  # taken at 6 weeks, 3 months old on 25 April: taxed from May
    ("2025-12-10", "2026-03-01", 9, 8100),  # 3 months old before keeping began: from April, as any dog
])
def test_a_puppy_is_taxed_from_the_age_of_three_months(tax_office, born, held_since, months, amount):
    case_number = submit(tax_office, anmeldung(wurftag=born, gehalten_seit=held_since))
    assessment = tax_office.variables(case_number)["festsetzung"]
    assert (assessment["months"], assessment["amount_cents"]) == (months, amount)


def test_a_registered_dog_makes_the_next_one_the_second(tax_office):
    first = submit(tax_office, anmeldung())
    second = submit(tax_office, anmeldung(hund_name="Paula", chipnummer="276098106543211"))
    assert tax_office.variables(first)["festsetzung"]["rate_kind"] == "first"
    assert tax_office.variables(second)["festsetzung"]["rate_kind"] == "second"
    assert tax_office.variables(second)["steuermarke"] == "00003"


def test_dangerous_dog_with_valid_permit_pays_the_dangerous_rate(tax_office):
    case_number = submit(tax_office, anmeldung(rasse="American Staffordshire Terrier", erlaubnis_nummer="GH-2026-017"))
    assert tax_office.variables(case_number)["hund_erfasst"]["listed_breed"] == "American Staffordshire Terrier"
    assert tax_office.statuses(case_number) == ["eingegangen", "in_pruefung"]
    complete(tax_office, case_number, "check_permit", {"ergebnis": "gueltig"})
    assessment = tax_office.variables(case_number)["festsetzung"]
    assert (assessment["rate_kind"], assessment["amount_cents"]) == ("dangerous_first", 31500)
    assert "gefährlicher Hund" in notice_text(tax_office, case_number)


def test_municipality_list_decides_which_breed_is_dangerous(tax_office):
    data = anmeldung(rasse="Rottweiler", gefaehrlicher_hund=False)
    data["halter"].update({"strasse": "Am Teich 2", "plz": "01234", "ort": "Musterstadt"})
    in_musterstadt = submit(tax_office, data, "musterstadt")
    in_plauen = submit(tax_office, anmeldung(rasse="Rottweiler"))
    assert tax_office.task(in_musterstadt, "musterstadt").activity_id == "check_permit"
    assert tax_office.variables(in_plauen)["festsetzung"]["rate_kind"] == "first"


def test_breed_list_matches_exactly_staffordshire_bullterrier_is_no_bullterrier_saechsgefhundg(tax_office):
    case_number = submit(tax_office, anmeldung(rasse="Staffordshire Bullterrier"))
    assert tax_office.engine.tasks.query(tenant="plauen") == []  # not on the list: no permit check
    assert tax_office.variables(case_number)["hund_erfasst"]["listed_breed"] is None
    assert tax_office.variables(case_number)["festsetzung"]["rate_kind"] == "first"


def test_dangerous_dog_without_permit_is_taxed_at_dangerous_rate_and_handed_to_police_authority_saechskag(
        tax_office, mail_sink):
    # SächsKAG § 2 with the Hundesteuersatzung: the tax is owed for keeping the dog, permit or not;
    # the missing permit (SächsGefHundG) goes to the police authority named in the settings.
    case_number = submit(tax_office, anmeldung(rasse="Pitbull-Mischling", erlaubnis_nummer="GH-1999-001",
                                               gefaehrlicher_hund=True, haftpflichtversicherung="Vogtland AG"))
    with pytest.raises(FormInvalid) as err:
        tax_office.engine.tasks.complete(tax_office.task(case_number).id,
                                         {"ergebnis": "ungueltig", "entscheider": OFFICIAL})
    assert [e.message for e in err.value.errors] == ["Begründung: Bitte ausfüllen."]
    complete(tax_office, case_number, "check_permit",
             {"ergebnis": "ungueltig", "begruendung": "Die Erlaubnis GH-1999-001 ist seit 2004 erloschen."})
    variables = tax_office.variables(case_number)
    assert variables["festsetzung"]["rate_kind"] == "dangerous_first"
    assert "abgelehnt" not in tax_office.statuses(case_number)
    [step] = [e for e in variables["entscheidungen"] if e["schritt"] == "abgabe_polizeibehoerde"]
    assert "Kreispolizeibehörde" in step["behoerde"]
    [dog] = tax_office.system("dog_tax").dogs("plauen", case_number)
    assert dog["status"] == "angemeldet" and dog["dangerous"] is True


@pytest.mark.parametrize("decision, amount, printed", [
    ({"entscheidung": "befreiung", "begruendung": "Merkzeichen Bl nachgewiesen"}, 0, "Steuerbefreiung"),
    ({"entscheidung": "ermaessigung", "prozent": 50, "begruendung": "Herde mit 120 Schafen"}, 4050,
     "Steuerermäßigung 50 %"),
    ({"entscheidung": "abgelehnt", "begruendung": "Kein Jagdschein vorgelegt"}, 8100, "Kein Jagdschein vorgelegt"),
])
def test_exemption_decided_by_the_clerk(tax_office, decision, amount, printed):
    data = anmeldung(steuervergunstigung="huetehund", vergunstigung_begruendung="Ich halte eine Herde Schafe.")
    case_number = submit(tax_office, data)
    assert tax_office.statuses(case_number)[-1] == "in_pruefung"
    complete(tax_office, case_number, "decide_exemption", decision)
    variables = tax_office.variables(case_number)
    assert variables["festsetzung"]["amount_cents"] == amount
    assert (variables["kassenzeichen"] is None) == (amount == 0)  # nothing to collect, nothing booked
    assert variables["steuermarke"]  # an exempt dog wears a tag all the same
    assert printed in notice_text(tax_office, case_number)


@pytest.mark.parametrize("data, activity, form", [
    (anmeldung(rasse="American Staffordshire Terrier", erlaubnis_nummer="GH-2026-017"), "check_permit",
     {"ergebnis": "gueltig"}),
    (anmeldung(steuervergunstigung="huetehund", vergunstigung_begruendung="Ich halte eine Herde Schafe."),
     "decide_exemption", {"entscheidung": "befreiung", "begruendung": "Herde belegt"}),
])
def test_vwvfg_37_3_clerk_decision_needs_the_name_of_the_deciding_official(tax_office, data, activity, form):
    case_number = submit(tax_office, data)
    task = tax_office.task(case_number)
    assert task.activity_id == activity
    with pytest.raises(FormInvalid) as err:
        tax_office.engine.tasks.complete(task.id, form)
    assert [e.field for e in err.value.errors] == ["entscheider"]
    assert tax_office.variables(case_number)["entscheidungen"] == []  # nothing recorded


def test_reduction_needs_a_percentage(tax_office):
    data = anmeldung(steuervergunstigung="jagdhund", vergunstigung_begruendung="Jagdschein Nr. 4711 vorhanden.")
    case_number = submit(tax_office, data)
    with pytest.raises(FormInvalid) as err:
        tax_office.engine.tasks.complete(tax_office.task(case_number).id,
                                         {"entscheidung": "ermaessigung", "begruendung": "Jagdhund",
                                          "entscheider": OFFICIAL})
    assert [e.field for e in err.value.errors] == ["prozent"]


def test_sepa_mandate_is_printed_on_the_notice(tax_office):
    case_number = submit(tax_office, anmeldung(sepa_lastschrift=True, iban="DE89 3704 0044 0532 0130 00",
                                               kontoinhaber="Erika Neumann"))
    text = notice_text(tax_office, case_number)
    assert "SEPA-Lastschrift" in text and "HUNDESTEUER-000001" in text
    assert tax_office.variables(case_number)["mandat"]["valid"] is True


def test_iban_with_wrong_check_digits_is_refused_at_submission_and_nothing_stored(tax_office):
    before = tax_office.engine.runtime.query(tenant="plauen")
    with pytest.raises(FormInvalid) as err:
        tax_office.cases.submit("hundesteuer", "plauen", anmeldung(
            sepa_lastschrift=True, iban="DE89370400440532013001", kontoinhaber="Erika Neumann"), citizen="erika")
    assert [(e.field, e.message) for e in err.value.errors] == [
        ("iban", "IBAN: Die Prüfziffer der IBAN stimmt nicht. Bitte prüfen Sie jede Stelle.")]
    assert tax_office.engine.runtime.query(tenant="plauen") == before


def test_chip_number_of_another_registered_dog_is_refused_at_submission(tax_office):
    submit(tax_office, anmeldung())
    with pytest.raises(FormInvalid) as err:
        tax_office.cases.submit("hundesteuer", "plauen", anmeldung(hund_name="Paula"), citizen="erika")
    assert [e.field for e in err.value.errors] == ["chipnummer"]
    assert "bereits ein anderer Hund angemeldet" in err.value.errors[0].message
    assert [d["name"] for d in tax_office.system("dog_tax").dogs("plauen")].count("Paula") == 0


def test_dog_born_in_the_future_is_refused(tax_office):
    with pytest.raises(FormInvalid) as err:
        tax_office.cases.submit("hundesteuer", "plauen", anmeldung(wurftag="2026-04-01"), citizen="erika")
    assert [(e.field, e.message) for e in err.value.errors] == [
        ("wurftag", "Wurftag (Geburtsdatum des Hundes): Das Datum darf nicht in der Zukunft liegen.")]


def test_counter_intake_runs_the_same_process(tax_office):
    case = tax_office.cases.submit("hundesteuer", "plauen", anmeldung(), channel="schalter", clerk="st.plauen")
    tax_office.run()
    assert tax_office.variables(case.case_number)["kanal"] == "schalter"
    assert tax_office.statuses(case.case_number) == ["eingegangen", "veranlagt"]


@pytest.mark.parametrize("changes, field, message", [
    ({"hund_name": ""}, "hund_name", "Name des Hundes: Bitte ausfüllen."),
    ({"gehalten_seit": "01.03.2026"}, "gehalten_seit", "Gehalten seit: Bitte ein Datum (JJJJ-MM-TT) angeben."),
    ({"chipnummer": "27609810654"}, "chipnummer", "Chipnummer (Transponder): Bitte die 15 Ziffern der Chipnummer angeben."),
    ({"halter.plz": "8523"}, "halter/plz", "Postleitzahl: Bitte fünf Ziffern angeben."),
    # Art. 5 Abs. 1 lit. c GDPR: the insurer is asked only where the law requires insurance (dangerous dogs).
    ({"gefaehrlicher_hund": True}, "haftpflichtversicherung",
     "Hundehaftpflichtversicherung (Versicherer) – nur bei gefährlichen Hunden: Bitte ausfüllen."),
    ({"steuervergunstigung": "blindenfuehrhund"}, "vergunstigung_begruendung",
     "Begründung und Nachweise zur Steuervergünstigung: Bitte ausfüllen."),
    ({"steuervergunstigung": "katze"}, "steuervergunstigung",
     "Antrag auf Steuerbefreiung oder -ermäßigung: Bitte einen der angebotenen Werte wählen."),
    ({"sepa_lastschrift": True, "kontoinhaber": "Erika Neumann"}, "iban", "IBAN: Bitte ausfüllen."),
    ({"sepa_lastschrift": True, "kontoinhaber": "Erika Neumann", "iban": "DE89-3704"}, "iban",
     "IBAN: Bitte eine IBAN angeben: Länderkennzeichen, zwei Prüfziffern, dann Kontonummer (in Deutschland 22 Zeichen)."),
    ({"sepa_lastschrift": True, "iban": "DE89370400440532013000"}, "kontoinhaber", "Kontoinhaber/in: Bitte ausfüllen."),
])
def test_every_invalid_field_gives_a_german_message_and_stores_nothing(tax_office, changes, field, message):
    with pytest.raises(FormInvalid) as err:
        tax_office.cases.submit("hundesteuer", "plauen", changed(anmeldung(), changes), citizen="erika")
    assert [(e.field, e.message) for e in err.value.errors] == [(field, message)]
    assert tax_office.engine.runtime.query() == []
    assert tax_office.system("dog_tax").dogs("plauen", None)[-1]["name"] == "Bello"  # only the demo dog
