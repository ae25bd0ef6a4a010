"""The civil-status certificate request, through every branch of its process."""
import io
from datetime import date

import pytest
from pypdf import PdfReader

from engine.errors import FormInvalid
from engine.forms import local_date
from tests.processes.conftest import application, changed

# What a service account at level "substanziell" vouches for (processes.cases.login_identity).
ERIKA = {"trust_level": "substanziell", "given_name": "Erika Maria", "family_name": "Beispiel",
         "birth_name": "Mustermann", "birth_date": "1990-03-14"}
JAN = {"trust_level": "hoch", "given_name": "Jan", "family_name": "Probemann", "birth_date": "1990-03-14"}
PAUL = {"trust_level": "substanziell", "given_name": "Paul", "family_name": "Platzhalter", "birth_date": "1985-05-05"}


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def sign(office, case_number, tenant="plauen"):
    task = office.task(case_number, tenant)
    assert task.activity_id == "sign" and task.candidate_group == "standesbeamte"
    office.engine.tasks.complete(task.id, {"unterschrieben": True, "standesbeamter": "Sabine Berger"}, user="sb.plauen")
    office.run()


def post(office, case_number, tenant="plauen"):
    jobs = [j for j in office.cases.open_print_jobs(tenant) if j["business_key"] == case_number]
    assert len(jobs) == 1
    office.cases.mark_posted(tenant, [jobs[0]["id"]], "poststelle")
    office.run()


def test_entitled_applicant_pay_later_gets_certificate_with_only_the_signing_task(office, mail_sink):
    mails_before = len(mail_sink.messages)
    case = office.cases.submit("standesamt", "plauen", application(anzahl=3), citizen="erika", identity=ERIKA)
    office.run()
    assert office.task(case.case_number).activity_id == "sign"  # the only human task on the happy path
    variables = office.variables(case.case_number)
    assert variables["registerauskunft"]["entry"]["register_number"] == "G 412/1990"
    assert variables["gebuehr_cents"] == 1500 + 2 * 700
    sign(office, case.case_number)
    post(office, case.case_number)
    assert office.state(case.case_number) == "completed"
    assert office.statuses(case.case_number) == ["eingegangen", "in_bearbeitung", "versandt"]
    balance = office.cases.finance.balance_of("plauen", variables["kassenzeichen"])
    assert balance["open_cents"] == 2900  # mailed with the bill

    # The whole case lies in the e-file under its file number; the certificate names the person.
    efile = office.system("efile")
    file = efile.file_for_case("plauen", case.case_number)
    documents = efile.documents("plauen", file["file_number"])
    assert {d["kind"] for d in documents} >= {"bestaetigung", "bescheid", "urkunde", "anschreiben", "vorgang"}
    certificate = next(d for d in documents if d["kind"] == "urkunde")
    text = pdf_text(efile.document("plauen", certificate["document_id"])["content"])
    assert "Geburtsurkunde" in text and "Erika Maria" in text and "G 412/1990" in text
    # Each postbox message was announced by e-mail, without its contents.
    mails = mail_sink.messages[mails_before:]
    assert len(mails) == 2 and {m["To"] for m in mails} == {"erika@example.org"}
    assert all(m["Subject"] == "Neue Nachricht in Ihrem Postfach" for m in mails)


def test_payment_first_waits_for_the_payment(office):
    data = application(familienname="Probemann", vornamen="Jan", ereignisort="Musterstadt",
                       antragsteller={"vorname": "Jan", "nachname": "Probemann", "strasse": "Marktplatz 1",
                                      "plz": "01234", "ort": "Musterstadt", "email": "jan@example.org"})
    case = office.cases.submit("standesamt", "musterstadt", data, citizen="jan", identity=JAN)
    office.run()
    assert office.statuses(case.case_number, "musterstadt") == ["eingegangen", "zahlung_offen"]
    assert office.engine.tasks.query(tenant="musterstadt") == []
    reference = office.variables(case.case_number, "musterstadt")["kassenzeichen"]
    office.cases.record_payment("musterstadt", reference, 1200)
    office.run()
    assert office.task(case.case_number, "musterstadt").activity_id == "sign"
    assert office.statuses(case.case_number, "musterstadt")[-1] == "in_bearbeitung"


def test_two_municipalities_keep_their_settings_and_cases_apart(office):
    plauen = office.cases.submit("standesamt", "plauen", application(), citizen="erika", identity=ERIKA)
    office.run()
    assert office.variables(plauen.case_number)["gebuehr_cents"] == 1500
    assert office.cases.cases("musterstadt", "erika") == []
    assert [c.case_number for c in office.cases.cases("plauen", "erika")] == [plauen.case_number]
    assert office.engine.tasks.query(tenant="musterstadt") == []


def test_sibling_needs_a_clerk_who_can_accept_the_legal_interest(office):
    data = application(vornamen="Erika", beziehung="sibling", rechtliches_interesse="Erbschein für den Nachlass unserer Mutter")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    task = office.task(case.case_number)
    assert task.activity_id == "decide_entitlement" and task.candidate_group == "standesamt"
    office.engine.tasks.complete(task.id, {"berechtigt": "ja", "begruendung": "Rechtliches Interesse belegt"})
    office.run()
    assert office.task(case.case_number).activity_id == "sign"


def test_not_entitled_applicant_is_rejected_with_a_notice(office):
    data = application(beziehung="other", rechtliches_interesse="Ich interessiere mich für Familienforschung")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    task = office.task(case.case_number)
    office.engine.tasks.complete(task.id, {"berechtigt": "nein", "begruendung": "Kein rechtliches Interesse dargelegt",
                                           "entscheider": "Sabine Berger"})
    office.run()
    assert office.state(case.case_number) == "completed"
    assert office.statuses(case.case_number)[-1] == "abgelehnt"
    [message] = [m for m in office.cases.messages("plauen", case.case_number) if "Bescheid" in m["title"]]
    assert message["documents"]


def test_blocked_entry_goes_to_a_clerk(office):
    data = application(familienname="Verborgen", vornamen="Klara", ereignisdatum="2001-08-19")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    assert office.variables(case.case_number)["registerauskunft"]["blocked"] is True
    assert office.task(case.case_number).activity_id == "decide_entitlement"


def test_no_entry_clerk_enters_the_register_number_and_lookup_is_repeated(office):
    case = office.cases.submit("standesamt", "plauen", application(vornamen="Erica"), citizen="erika", identity=ERIKA)
    office.run()
    task = office.task(case.case_number)
    assert task.activity_id == "clarify_entry"
    assert office.variables(case.case_number)["registerauskunft"]["status"] == "not_found"
    with pytest.raises(FormInvalid) as err:
        office.engine.tasks.complete(task.id, {"ergebnis": "registernummer"})
    assert [e.field for e in err.value.errors] == ["registernummer"]
    office.engine.tasks.complete(task.id, {"ergebnis": "registernummer", "registernummer": "G 412/1990"})
    office.run()
    assert office.task(case.case_number).activity_id == "sign"


def test_ambiguous_entry_question_answered_by_the_citizen(office):
    data = application(familienname="Platzhalter", vornamen="Paul", ereignisdatum="1985-05-05")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika", identity=PAUL)
    office.run()
    assert office.variables(case.case_number)["registerauskunft"]["status"] == "ambiguous"
    task = office.task(case.case_number)
    office.engine.tasks.complete(task.id, {"ergebnis": "rueckfrage", "frage": "Wie lautet der Vorname der Mutter?"})
    office.run()
    assert office.statuses(case.case_number)[-1] == "rueckfrage"
    office.cases.reply("plauen", case.case_number, "Sabine", citizen="erika")
    office.run()
    task = office.task(case.case_number)
    assert task.activity_id == "clarify_entry"
    assert office.variables(case.case_number)["antwort"] == "Sabine"
    office.engine.tasks.complete(task.id, {"ergebnis": "registernummer", "registernummer": "G 501/1985"})
    office.run()
    assert office.task(case.case_number).activity_id == "sign"


def test_unanswered_question_closes_the_case_after_the_deadline(office, clock):
    case = office.cases.submit("standesamt", "plauen", application(vornamen="Erica"), citizen="erika")
    office.run()
    office.engine.tasks.complete(office.task(case.case_number).id,
                                 {"ergebnis": "rueckfrage", "frage": "Bitte nennen Sie Ihre Registernummer."})
    office.run()
    clock.advance(days=13)
    office.run()
    assert office.statuses(case.case_number)[-1] == "rueckfrage"
    clock.advance(days=2)
    office.run()
    assert office.state(case.case_number) == "completed"
    assert office.statuses(case.case_number)[-1] == "eingestellt"


def test_counter_intake_runs_the_same_process_and_records_the_channel(office):
    case = office.cases.submit("standesamt", "plauen", application(), channel="schalter", clerk="sb.plauen")
    office.run()
    assert office.variables(case.case_number)["kanal"] == "schalter"
    # No sign-in vouched for the applicant: the clerk checks the identity card and the relation.
    assert office.task(case.case_number).activity_id == "decide_entitlement"
    [info] = office.engine.runtime.query(business_key=case.case_number)
    assert info.started_by == "sb.plauen"


@pytest.mark.parametrize("field, value, message", [
    ("urkundenart", "reisepass", "Art der Urkunde: Bitte einen der angebotenen Werte wählen."),
    ("familienname", "", "Familienname der Person: Bitte ausfüllen."),
    ("vornamen", None, "Vornamen der Person: Bitte ausfüllen."),
    ("ereignisdatum", "14.03.1990", "Datum des Ereignisses: Bitte ein Datum (JJJJ-MM-TT) angeben."),
    ("ereignisort", "", "Ort des Ereignisses: Bitte ausfüllen."),
    ("anzahl", 0, "Anzahl der Urkunden: Mindestens 1."),
    ("anzahl", 11, "Anzahl der Urkunden: Höchstens 10."),
    ("anzahl", "zwei", "Anzahl der Urkunden: Bitte eine ganze Zahl angeben."),
    ("zweck", "x", "Verwendungszweck: Mindestens 3 Zeichen."),
    ("beziehung", "nachbar", "Ihre Beziehung zur Person: Bitte einen der angebotenen Werte wählen."),
    ("antragsteller.plz", "8523", "Postleitzahl: Bitte fünf Ziffern angeben."),
    ("antragsteller.email", "erika(at)example", ("E-Mail-Adresse: Bitte eine vollständige E-Mail-Adresse mit @ und "
                                                 "Domain angeben, z. B. erika@example.org.")),
    ("antragsteller.strasse", "", "Straße und Hausnummer: Bitte ausfüllen."),
])
def test_every_invalid_field_gives_a_german_message_and_stores_nothing(office, field, value, message):
    with pytest.raises(FormInvalid) as err:
        office.cases.submit("standesamt", "plauen", changed(application(), {field: value}), citizen="erika")
    assert [e.message for e in err.value.errors] == [message]
    assert office.engine.runtime.query() == []


def test_legal_interest_is_required_for_others(office):
    with pytest.raises(FormInvalid) as err:
        office.cases.submit("standesamt", "plauen", application(beziehung="other"), citizen="erika")
    assert [e.field for e in err.value.errors] == ["rechtliches_interesse"]


def test_adoption_case_goes_to_a_clerk(office):
    data = application(familienname="Wahlmann", vornamen="Noah", ereignisdatum="2008-01-23")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    assert office.variables(case.case_number)["registerauskunft"]["adoption"] is True
    assert office.task(case.case_number).activity_id == "decide_entitlement"


def printed_certificates(office, case_number, tenant="plauen") -> list[str]:
    """The certificate PDF in the case's print job, one text per page set (each ends with its seal)."""
    [job] = [j for j in office.cases.open_print_jobs(tenant) if j["business_key"] == case_number]
    [pdf] = [p for t, p in office.system("print_mail").job_documents(tenant, job["id"])
             if t.startswith("Geburtsurkunde")]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    sets, current = [], []
    for page in pages:
        current.append(page)
        if "Standesbeamtin / Standesbeamter" in page:
            sets.append("\n".join(current))
            current = []
    assert not current  # no page outside a certificate
    return sets


@pytest.mark.parametrize("copies, fee_cents", [(1, 1500), (2, 1500 + 700), (4, 1500 + 3 * 700)])
def test_each_copy_is_a_printed_certificate_and_further_copies_cost_the_settings_fee(office, copies, fee_cents):
    case = office.cases.submit("standesamt", "plauen", application(anzahl=copies), citizen="erika", identity=ERIKA)
    office.run()
    sign(office, case.case_number)
    certificates = printed_certificates(office, case.case_number)
    assert len(certificates) == copies
    assert all("G 412/1990" in c and "Erika Maria" in c and "Sabine Berger" in c for c in certificates)
    variables = office.variables(case.case_number)
    assert variables["gebuehr_cents"] == fee_cents
    assert office.cases.finance.balance_of("plauen", variables["kassenzeichen"])["amount_cents"] == fee_cents
    fee_notice = [d for d in office.system("efile").documents("plauen", variables["akte"]["file_number"])
                  if d["kind"] == "bescheid"]
    assert len(fee_notice) == 1


@pytest.mark.parametrize("kind, form, allowed", [
    ("birth", "ohne_geschlecht_eltern", True),  # § 59 Abs. 2 PStG
    ("marriage", "ohne_geschlecht_eltern", False),
    ("death", "ohne_geschlecht_eltern", False),
    ("partnership", "ohne_geschlecht_eltern", False),
    ("birth", "mehrsprachig", True),  # CIEC-Übereinkommen Nr. 16, Art. 1: birth, marriage, death
    ("marriage", "mehrsprachig", True),
    ("death", "mehrsprachig", True),
    ("partnership", "mehrsprachig", False),
    ("partnership", "vollstaendig", True),
])
def test_the_form_offers_short_and_multilingual_certificates_only_where_the_law_allows(office, kind, form, allowed):
    data = application(urkundenart=kind, ausfertigung=form, familienname_2="Exempel", vornamen_2="Tobias")
    if allowed:
        assert office.cases.check_application("standesamt", data, tenant="plauen")["ausfertigung"] == form
        return
    with pytest.raises(FormInvalid) as err:
        office.cases.check_application("standesamt", data, tenant="plauen")
    [error] = err.value.errors
    assert error.field == "ausfertigung" and error.message.startswith("Art der Ausstellung:")
    assert "Geburtsurkunde" in error.message or "CIEC" in error.message


def test_unpaid_pay_first_case_closes_after_the_deadline_with_a_dated_notice(office, clock):
    data = application(familienname="Probemann", vornamen="Jan", ereignisort="Musterstadt",
                       antragsteller={"vorname": "Jan", "nachname": "Probemann", "strasse": "Marktplatz 1",
                                      "plz": "01234", "ort": "Musterstadt", "email": "jan@example.org"})
    case = office.cases.submit("standesamt", "musterstadt", data, citizen="jan", identity=JAN)
    office.run()
    variables = office.variables(case.case_number, "musterstadt")
    due = variables["forderung"]["due_date"]
    [request] = [m for m in office.cases.messages("musterstadt", case.case_number) if m["title"].startswith("Kosten")]
    assert f"bis zum {due[8:10]}.{due[5:7]}.{due[:4]}" in request["text"]
    # Musterstadt waits seven days beyond the due day (payment_wait P7D) for the payment to be booked.
    clock.advance(days=(date.fromisoformat(due) - clock.now().date()).days + 7)
    office.run()
    assert office.state(case.case_number, "musterstadt") != "completed"
    assert office.statuses(case.case_number, "musterstadt")[-1] == "zahlung_offen"
    clock.advance(days=1)
    office.run()
    assert office.state(case.case_number, "musterstadt") == "completed"
    assert office.statuses(case.case_number, "musterstadt")[-1] == "eingestellt"
    assert office.engine.tasks.query(tenant="musterstadt") == []  # nothing to sign: no certificate
    variables = office.variables(case.case_number, "musterstadt")
    assert variables["storno"]["cash_reference"] == variables["kassenzeichen"]  # the fee is no longer claimed
    [notice] = [m for m in office.cases.messages("musterstadt", case.case_number)
                if m["title"].startswith("Einstellung")]
    efile = office.system("efile")
    text = " ".join(pdf_text(efile.document("musterstadt", notice["documents"][0]["document_id"])["content"]).split())
    assert f"Datum {local_date(clock.now()):%d.%m.%Y}" in text
    assert "Einstellung des Verfahrens" in text and "storniert" in text and variables["kassenzeichen"] in text


def test_pay_first_case_paid_in_time_is_printed(office, clock):
    data = application(familienname="Probemann", vornamen="Jan", ereignisort="Musterstadt", anzahl=2,
                       antragsteller={"vorname": "Jan", "nachname": "Probemann", "strasse": "Marktplatz 1",
                                      "plz": "01234", "ort": "Musterstadt", "email": "jan@example.org"})
    case = office.cases.submit("standesamt", "musterstadt", data, citizen="jan", identity=JAN)
    office.run()
    clock.advance(days=10)
    office.cases.record_payment("musterstadt", office.variables(case.case_number, "musterstadt")["kassenzeichen"],
                                1200 + 600)
    office.run()
    sign(office, case.case_number, "musterstadt")
    assert len(printed_certificates(office, case.case_number, "musterstadt")) == 2
    clock.advance(days=30)  # the cancelled deadline does not fire later
    office.run()
    assert office.statuses(case.case_number, "musterstadt")[-1] == "in_bearbeitung"


def pay_first_case(office):
    """A Musterstadt application: the fee (12 €) is paid before the certificate is made."""
    data = application(familienname="Probemann", vornamen="Jan", ereignisort="Musterstadt",
                       antragsteller={"vorname": "Jan", "nachname": "Probemann", "strasse": "Marktplatz 1",
                                      "plz": "01234", "ort": "Musterstadt", "email": "jan@example.org"})
    case = office.cases.submit("standesamt", "musterstadt", data, citizen="jan", identity=JAN)
    office.run()
    return case.case_number, office.variables(case.case_number, "musterstadt")


def fire_payment_deadline(office, clock, variables):
    """Past the due day plus Musterstadt's payment_wait (P7D): only the timer fires, the cancellation waits."""
    clock.advance(days=(date.fromisoformat(variables["forderung"]["due_date"]) - clock.now().date()).days + 8)
    executor = office.engine.executor()
    executor.execute_batch(executor.acquire())


def unpaid_notice_text(office, case_number) -> str:
    [notice] = [m for m in office.cases.messages("musterstadt", case_number) if m["title"].startswith("Einstellung")]
    pdf = office.system("efile").document("musterstadt", notice["documents"][0]["document_id"])["content"]
    return " ".join(pdf_text(pdf).split())


def test_full_payment_booked_after_the_deadline_fired_still_gets_the_certificate(office, clock):
    case_number, variables = pay_first_case(office)
    fire_payment_deadline(office, clock, variables)
    assert office.statuses(case_number, "musterstadt")[-1] == "zahlung_offen"
    office.cases.record_payment("musterstadt", variables["kassenzeichen"], 1200)  # no one waits for it any more
    office.run()
    sign(office, case_number, "musterstadt")
    assert len(printed_certificates(office, case_number, "musterstadt")) == 1
    assert office.statuses(case_number, "musterstadt")[-1] == "in_bearbeitung"
    assert office.cases.finance.balance_of("musterstadt", variables["kassenzeichen"])["paid"]


@pytest.mark.parametrize("late", [False, True], ids=["before_the_deadline", "after_the_timer"])
def test_partial_payment_goes_to_a_clerk_who_can_issue_the_certificate(office, clock, late):
    case_number, variables = pay_first_case(office)
    if late:
        fire_payment_deadline(office, clock, variables)
        office.cases.record_payment("musterstadt", variables["kassenzeichen"], 500)
    else:
        office.cases.record_payment("musterstadt", variables["kassenzeichen"], 500)
        office.run()
        assert office.statuses(case_number, "musterstadt")[-1] == "zahlung_offen"  # a part does not wake the case
        fire_payment_deadline(office, clock, variables)
    office.run()
    task = office.task(case_number, "musterstadt")
    assert task.activity_id == "decide_partial_payment" and task.candidate_group == "standesamt"
    assert office.variables(case_number, "musterstadt")["zahlungsstand"]["paid_cents"] == 500
    office.engine.tasks.complete(task.id, {"teilzahlung": "ausstellen", "begruendung": "Rest bar an der Kasse gezahlt",
                                           "entscheider": "Sabine Berger"}, user="sb.musterstadt")
    office.run()
    sign(office, case_number, "musterstadt")
    assert len(printed_certificates(office, case_number, "musterstadt")) == 1


def test_partial_payment_refunded_by_the_clerk_closes_the_case_with_the_refund_in_the_notice(office, clock):
    case_number, variables = pay_first_case(office)
    office.cases.record_payment("musterstadt", variables["kassenzeichen"], 750)
    fire_payment_deadline(office, clock, variables)
    office.run()
    office.engine.tasks.complete(office.task(case_number, "musterstadt").id, {
        "teilzahlung": "erstatten", "begruendung": "Keine Ausstellung ohne volle Gebühr",
        "entscheider": "Sabine Berger"}, user="sb.musterstadt")
    office.run()
    assert office.state(case_number, "musterstadt") == "completed"
    assert office.statuses(case_number, "musterstadt")[-1] == "eingestellt"
    assert office.engine.tasks.query(tenant="musterstadt") == []
    text = unpaid_notice_text(office, case_number)
    assert "Den bereits gezahlten Betrag von 7,50 € erstatten wir Ihnen" in text and "storniert" not in text
    assert "heben wir hiermit mit Wirkung für die Zukunft auf (Widerruf nach § 49 Abs. 1 VwVfG)" in text
    # The cash office neither dunns the rest nor keeps the part: nothing is owed, the 7,50 € go back.
    balance = office.system("finance").balance_of("musterstadt", variables["kassenzeichen"])
    assert balance["amount_cents"] == 0 and balance["open_cents"] == 0 and balance["paid_cents"] == 0
