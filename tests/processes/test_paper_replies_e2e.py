"""Answers on paper to questions on paper, over HTTP: a question (Rückfrage) to an applicant who came by
letter goes by post and asks for an answer by letter or at the counter; the clerk of the case's office
records that answer in the worklist, which moves the case on as a portal answer would. Bad input is
refused on its field with nothing stored; other offices and municipalities cannot record; an answer is
taken once, and not after the deadline."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from processes.cases import BERLIN
from tests.conftest import login
from tests.processes.conftest import application
from tests.processes.test_paper_e2e import Paper
from webui import create_app

QUESTION = "Bitte nennen Sie uns den Geburtsort Ihrer Mutter."
ANSWER = "Meine Mutter wurde in Oelsnitz geboren."


@pytest.fixture
def app(office):
    return create_app(office.installation, {"TESTING": True})


def asked_by_post(app, office) -> Paper:
    """A letter applicant not found in the register, whose question went out by post."""
    paper = Paper(app, office, "standesamt", application(vornamen="Erica"), "brief")
    assert paper.letters() == [[f"Eingangsbestätigung {paper.case_number}"]]
    paper.task("clarify_entry", {"ergebnis": "rueckfrage", "frage": QUESTION})
    assert paper.letters() == [[f"Rückfrage zu Ihrem Antrag {paper.case_number}"]]
    return paper


def today(office):
    return office.engine.ctx.now().astimezone(BERLIN).date()


def deadline(office, case: str, by_post: bool = True) -> str:
    """The last day to answer, as the question names it: Plauen's P14D, for a letter from the fourth day after
    posting (§ 41 Abs. 2 VwVfG)."""
    asked, until = (date.fromisoformat(office.variables(case)[k]) for k in ("rueckfrage_am", "antwort_bis"))
    assert until - asked == timedelta(days=(4 if by_post else 0) + 14)
    return until.strftime("%d.%m.%Y")


def recorded(office, case: str) -> list:
    [info] = office.engine.runtime.query(tenant="plauen", business_key=case)
    return [a for a in office.engine.history.audit(instance_id=info.id) if a.action == "message_received"]


def test_letter_applicant_answers_by_letter_and_gets_the_certificate_by_post(app, office):
    paper = asked_by_post(app, office)
    case = paper.case_number
    until = deadline(office, case)
    letter = paper.texts[f"Rückfrage zu Ihrem Antrag {case}"]
    assert QUESTION in letter and f"bis zum {until} schriftlich an: Standesamt Plauen, Unterer Graben 1, 08523 Plauen" in letter
    assert f"Antragsnummer {case}" in letter and "Portal" not in letter
    [status] = [s for s in office.cases.statuses("plauen", case) if s["status"] == "rueckfrage"]
    assert status["label"] == f"Rückfrage an Sie – bitte antworten Sie bis zum {until} per Brief oder persönlich"

    listed = paper.clerk.get("/arbeit/rueckfragen/").get_data(as_text=True)
    assert case in listed and f"/arbeit/rueckfragen/{case}" in listed and until in listed
    form = paper.clerk.get(f"/arbeit/rueckfragen/{case}").get_data(as_text=True)
    assert QUESTION in form and 'name="csrf_token"' in form and 'name="eingang"' in form
    arrived = today(office)
    answered = paper.clerk.post(f"/arbeit/rueckfragen/{case}", data={
        "antwort": ANSWER, "eingang": arrived.strftime("%d.%m.%Y"), "kanal": "brief"}, follow_redirects=True)
    page = answered.get_data(as_text=True)
    assert f"Antwort zu Antrag {case} erfasst" in page and "Keine Rückfrage wartet auf eine Antwort." in page
    office.run()
    assert [a.actor for a in recorded(office, case)] == ["sb.plauen"]  # the audit trail names the clerk
    variables = office.variables(case)
    assert variables["entscheidungen"][-1] == {"schritt": "rueckfrage", "frage": QUESTION, "antwort": ANSWER,
                                               "eingang": arrived.isoformat(), "kanal": "brief",
                                               "erfasst_von": "sb.plauen"}

    paper.task("clarify_entry", {"ergebnis": "registernummer", "registernummer": "G 412/1990"})
    # A letter proves no identity: the clerk checks the copy of the identity card enclosed (§ 62 Abs. 1 PStG).
    paper.task("decide_entitlement", {"berechtigt": "ja", "begruendung": "Ausweiskopie liegt dem Brief bei"})
    paper.task("sign", {"unterschrieben": "on", "standesbeamter": "Sabine Berger"})
    assert paper.letters() == [[f"Anschreiben {case}", f"Geburtsurkunde {case}", f"Kostenbescheid {case}"]]
    assert paper.letters() == []
    paper.ends_with_every_document_once_on_paper()


def test_portal_applicant_is_asked_to_answer_in_the_portal(app, office):
    citizen = login(app, "erika")
    case = office.cases.submit("standesamt", "plauen", application(vornamen="Erica"), citizen="erika").case_number
    office.run()
    office.engine.tasks.complete(office.task(case).id, {"ergebnis": "rueckfrage", "frage": QUESTION})
    office.run()
    until = deadline(office, case, by_post=False)
    [message] = [m for m in office.cases.messages("plauen", case) if m["title"].startswith("Rückfrage")]
    assert message["delivery"] == "postfach" and QUESTION in message["text"]
    assert f"bis zum {until} im Portal" in message["text"] and "schriftlich" not in message["text"]
    page = citizen.get(f"/portal/antraege/{case}").get_data(as_text=True)
    assert f"bitte antworten Sie bis zum {until} im Portal" in page and 'name="antwort"' in page
    assert citizen.post(f"/portal/antraege/{case}/antwort", data={"antwort": ANSWER}).status_code == 302
    office.run()
    assert office.variables(case)["entscheidungen"][-1]["kanal"] == "portal"
    assert office.task(case).activity_id == "clarify_entry"


@pytest.mark.parametrize("form, field, message", [
    ({"antwort": "  "}, "antwort", "Antwort: Bitte geben Sie die Antwort ein."),
    ({"eingang": "+1"}, "eingang", "liegt in der Zukunft. Bitte den Tag des Eingangs angeben."),
    ({"eingang": "31.02.2026"}, "eingang", "Eingangsdatum: Bitte den Tag angeben, an dem die Antwort einging"),
    ({"eingang": "-1"}, "eingang", "Eingangsdatum: Die Rückfrage wurde erst am"),
    ({"kanal": "fax"}, "kanal", "Eingang: Bitte „Brief“ oder „persönlich am Schalter“ wählen."),
])
def test_recorded_answer_with_bad_input_is_refused_on_the_field_and_nothing_stored(app, office, form, field, message):
    paper = asked_by_post(app, office)
    case = paper.case_number
    data = {"antwort": ANSWER, "eingang": today(office).isoformat(), "kanal": "schalter", **form}
    if data["eingang"] == "+1":  # tomorrow
        data["eingang"] = (today(office) + timedelta(days=1)).isoformat()
    elif data["eingang"] == "-1":  # the day before the question was asked
        data["eingang"] = (date.fromisoformat(office.variables(case)["rueckfrage_am"]) - timedelta(days=1)).isoformat()
    refused = paper.clerk.post(f"/arbeit/rueckfragen/{case}", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and message in page
    assert f'aria-invalid="true" aria-describedby="e_{field}"' in page and f'id="e_{field}"' in page
    assert "Es wurde nichts gespeichert." in page
    office.run()
    assert recorded(office, case) == [] and office.variables(case)["rueckfrage_offen"] is True
    assert "antwort" not in office.variables(case)
    assert case in paper.clerk.get("/arbeit/rueckfragen/").get_data(as_text=True)  # still waiting


def test_only_the_case_office_of_its_municipality_records_the_answer(app, office):
    paper = asked_by_post(app, office)
    case = paper.case_number
    data = {"antwort": ANSWER, "eingang": today(office).isoformat(), "kanal": "brief"}
    tax_office = login(app, "st.plauen")  # Plauen, but the Steueramt
    assert tax_office.get(f"/arbeit/rueckfragen/{case}").status_code == 403
    assert tax_office.post(f"/arbeit/rueckfragen/{case}", data=data).status_code == 403
    assert case not in tax_office.get("/arbeit/rueckfragen/").get_data(as_text=True)
    elsewhere = login(app, "sb.musterstadt")  # a Standesamt, but Musterstadt's: Plauen's case is not there
    assert elsewhere.get(f"/arbeit/rueckfragen/{case}").status_code == 404
    assert elsewhere.post(f"/arbeit/rueckfragen/{case}", data=data).status_code == 404
    assert case not in elsewhere.get("/arbeit/rueckfragen/").get_data(as_text=True)
    citizen = login(app, "erika")
    assert citizen.post(f"/arbeit/rueckfragen/{case}", data=data).status_code == 403
    office.run()
    assert recorded(office, case) == [] and office.variables(case)["rueckfrage_offen"] is True


def test_a_question_takes_one_answer(app, office):
    paper = asked_by_post(app, office)
    case = paper.case_number
    data = {"antwort": ANSWER, "eingang": today(office).isoformat(), "kanal": "brief"}
    assert paper.clerk.post(f"/arbeit/rueckfragen/{case}", data=data).status_code == 302
    office.run()
    again = paper.clerk.post(f"/arbeit/rueckfragen/{case}", data={**data, "antwort": "Noch ein Brief dazu."},
                             follow_redirects=True)
    page = again.get_data(as_text=True)
    assert f"Die Rückfrage zu Antrag {case} ist bereits beantwortet (Antwort eingegangen am " \
           f"{today(office):%d.%m.%Y}). Eine zweite Antwort wird nicht erfasst" in page
    office.run()
    assert len(recorded(office, case)) == 1 and office.variables(case)["antwort"] == ANSWER
    assert office.task(case).activity_id == "clarify_entry"


def test_vwvfg_41_2_a_letter_that_arrived_on_the_last_day_is_recorded_days_later(app, office, clock):
    paper = asked_by_post(app, office)
    case = paper.case_number
    last_day = date.fromisoformat(office.variables(case)["antwort_bis"])
    clock.advance(days=4 + 14 + 2)  # two days after the last day: the letter reached the desk late
    office.run()
    assert office.statuses(case)[-1] == "rueckfrage"  # still waiting for what may have arrived in time
    paper.sign_in_again()
    answered = paper.clerk.post(f"/arbeit/rueckfragen/{case}", data={
        "antwort": ANSWER, "eingang": last_day.isoformat(), "kanal": "brief"}, follow_redirects=True)
    assert f"Antwort zu Antrag {case} erfasst" in answered.get_data(as_text=True)
    office.run()
    assert office.task(case).activity_id == "clarify_entry"


def test_no_answer_is_recorded_after_the_deadline(app, office, clock):
    paper = asked_by_post(app, office)
    case = paper.case_number
    until = deadline(office, case)
    clock.advance(days=4 + 14 + 4 + 1)  # the deadline and the days a late-arriving letter is waited for
    office.run()
    assert office.statuses(case)[-1] == "eingestellt"
    paper.sign_in_again()
    late = paper.clerk.post(f"/arbeit/rueckfragen/{case}", data={
        "antwort": ANSWER, "eingang": today(office).isoformat(), "kanal": "brief"}, follow_redirects=True)
    assert f"Die Antwortfrist zu Antrag {case} endete am {until}; das Verfahren " \
           "wird eingestellt. Eine Antwort kann nicht mehr erfasst werden." in late.get_data(as_text=True)
    assert recorded(office, case) == []
