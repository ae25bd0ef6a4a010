"""Paper for those who came on paper, over HTTP, for every service: an application taken at the
counter or from a letter, without an e-mail address, gets its receipt, questions, notices and
documents as letters in the print outbox, each document once, and runs to its end; no message
waits in a postbox nobody can open."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from tests.conftest import login
from tests.processes import test_bewohnerparken, test_gewerbe, test_hundesteuer
from tests.processes.conftest import application, changed
from webui import create_app
from webui.forms import flatten

CLERKS = {"standesamt": "sb.plauen", "hundesteuer": "st.plauen", "bewohnerparken": "sv.plauen", "gewerbe": "gw.plauen"}
EMAIL = {"standesamt": "antragsteller.email", "hundesteuer": "halter.email", "bewohnerparken": "antragsteller.email",
         "gewerbe": "person.email"}


@pytest.fixture
def app(office):
    for service_key in ("hundesteuer", "bewohnerparken", "gewerbe"):
        office.deploy(service_key)
    return create_app(office.installation, {"TESTING": True})


class Paper:
    """One application filed by a clerk, and the letters its case sends, as the post room sees them."""

    def __init__(self, app, office, service_key: str, data: dict, channel: str):
        self.app, self.office, self.clerk_id = app, office, CLERKS[service_key]
        self.clerk = login(app, self.clerk_id)
        data = changed(data, {EMAIL[service_key]: None})  # the applicant gave no e-mail address
        form = {k: ("on" if v is True else str(v)) for k, v in flatten(data).items() if v is not False}
        assert self.clerk.post(f"/arbeit/schalter/{service_key}", data={**form, "kanal": channel}).status_code == 302
        [info] = office.engine.runtime.query(tenant="plauen", started_by=CLERKS[service_key])
        self.case_number = info.business_key
        assert info.variables["kanal"] == channel
        self.printed: list[str] = []  # every document that went into the print outbox, in order
        self.texts: dict[str, str] = {}  # their text by title
        office.run()

    def letters(self) -> list[list[str]]:
        """The case's open letters, each as the titles of its documents, as listed on the outbox page; they
        are then marked posted there (as the post room does), so that each letter is counted once."""
        page = self.clerk.get("/arbeit/postausgang").get_data(as_text=True)
        jobs = [j for j in self.office.cases.open_print_jobs("plauen") if j["business_key"] == self.case_number]
        letters = []
        for job in jobs:
            titles = [d["title"] for d in job["documents"]]
            assert f'name="auftrag" value="{job["id"]}"' in page and all(title in page for title in titles), titles
            assert ", ".join(job["address_block"]) in page
            letters.append(titles)
            for title, pdf in self.office.system("print_mail").job_documents("plauen", job["id"]):
                self.texts[title] = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        if jobs:
            posted = self.clerk.post("/arbeit/postausgang", data={"auftrag": [str(j["id"]) for j in jobs]})
            assert posted.status_code == 302
            self.office.run()
        self.printed += [title for titles in letters for title in titles]
        return letters

    def sign_in_again(self) -> None:
        """After weeks on the clock the clerk's session has expired."""
        self.clerk = login(self.app, self.clerk_id)

    def task(self, activity: str, data: dict) -> None:
        """The clerk completes the case's task in the worklist."""
        task = self.office.task(self.case_number)
        assert task.activity_id == activity
        assert self.clerk.post(f"/arbeit/{task.id}", data=data).status_code == 302
        self.office.run()

    def ends_with_every_document_once_on_paper(self) -> None:
        assert self.office.state(self.case_number) == "completed"
        assert len(self.printed) == len(set(self.printed)), self.printed
        messages = self.office.system("portal").messages("plauen", case_number=self.case_number)
        assert messages and {(m["delivery"], m["recipient"]) for m in messages} == {("post", None)}  # no postbox


def test_counter_applicant_without_email_gets_receipt_and_certificate_by_post(app, office):
    paper = Paper(app, office, "standesamt", application(), "schalter")
    case = paper.case_number
    assert paper.letters() == [[f"Eingangsbestätigung {case}"]]
    assert case in paper.texts[f"Eingangsbestätigung {case}"] and "Bahnhofstraße 12" in paper.texts[f"Eingangsbestätigung {case}"]
    # No sign-in vouched for a counter applicant: the clerk checks the identity card (§ 62 Abs. 1 PStG).
    paper.task("decide_entitlement", {"berechtigt": "ja", "begruendung": "Personalausweis vorgelegt"})
    paper.task("sign", {"unterschrieben": "on", "standesbeamter": "Sabine Berger"})
    assert paper.letters() == [[f"Anschreiben {case}", f"Geburtsurkunde {case}", f"Kostenbescheid {case}"]]
    assert office.statuses(case)[-1] == "versandt"
    assert paper.letters() == []  # "Urkunde versandt": the cover letter and fee notice went with the certificate
    paper.ends_with_every_document_once_on_paper()


def test_letter_applicant_gets_the_question_and_the_discontinuation_by_post(app, office, clock):
    paper = Paper(app, office, "standesamt", application(vornamen="Erica"), "brief")  # not found in the register
    case = paper.case_number
    assert paper.letters() == [[f"Eingangsbestätigung {case}"]]
    question = "Bitte nennen Sie uns den Geburtsort Ihrer Mutter."
    paper.task("clarify_entry", {"ergebnis": "rueckfrage", "frage": question})
    assert paper.letters() == [[f"Rückfrage zu Ihrem Antrag {case}"]]  # a question has no document: it becomes a letter
    letter = paper.texts[f"Rückfrage zu Ihrem Antrag {case}"]
    assert question in letter and "Erika Beispiel" in letter and case in letter
    clock.advance(days=4 + 14 + 4 + 1)  # no answer: Bekanntgabe, deadline and the days a letter is waited for
    office.run()
    paper.sign_in_again()
    assert paper.letters() == [[f"Einstellung des Verfahrens {case}"]]
    paper.ends_with_every_document_once_on_paper()


def test_counter_applicant_without_email_gets_receipt_and_tax_notice_by_post(app, office):
    paper = Paper(app, office, "hundesteuer", test_hundesteuer.anmeldung(), "schalter")
    case = paper.case_number
    [[receipt], [notice]] = paper.letters()  # the notice is printed once, with the tag, not again as a message
    assert receipt == f"Eingangsbestätigung {case}" and "Steuermarke Nr." in notice
    assert "Bruno" in paper.texts[notice] and "Lindenweg 3" in paper.texts[notice]
    paper.ends_with_every_document_once_on_paper()


def test_letter_applicant_gets_the_tax_notice_with_the_decided_reduction_by_post(app, office):
    data = test_hundesteuer.anmeldung(steuervergunstigung="huetehund", vergunstigung_begruendung="Hütehund für 80 Schafe")
    paper = Paper(app, office, "hundesteuer", data, "brief")
    case = paper.case_number
    assert paper.letters() == [[f"Eingangsbestätigung {case}"]]
    paper.task("decide_exemption", {"entscheidung": "ermaessigung", "prozent": "50", "begruendung": "Herde belegt",
                                    "entscheider": "Stefan Tamm"})
    [[notice]] = paper.letters()
    assert "Steuermarke Nr." in notice and "Steuerermäßigung 50 %" in paper.texts[notice]
    paper.ends_with_every_document_once_on_paper()


def test_counter_applicant_without_email_gets_fee_notice_permit_and_reminder_by_post(app, office, clock):
    paper = Paper(app, office, "bewohnerparken", test_bewohnerparken.application(), "schalter")
    case = paper.case_number
    assert paper.letters() == [[f"Eingangsbestätigung {case}"], [f"Kostenbescheid {case}"]]
    reference = office.variables(case)["kassenzeichen"]
    assert reference in paper.texts[f"Kostenbescheid {case}"]
    booking = re.search(r'name="buchung" value="([^"]+)"', paper.clerk.get("/arbeit/kasse").get_data(as_text=True))[1]
    assert paper.clerk.post("/arbeit/kasse", data={"kassenzeichen": reference, "betrag": "30,70",
                                                   "buchung": booking}).status_code == 302
    office.run()
    permit = office.variables(case)["ausweis"]["permit_number"]
    assert paper.letters() == [[f"Anschreiben {case}", f"Bewohnerparkausweis {permit}"]]  # once, not again as a message
    assert office.statuses(case)[-1] == "ausgestellt"
    reminder_on = datetime.fromisoformat(office.variables(case)["erinnerung_am"]).replace(tzinfo=UTC)
    clock.advance(seconds=(reminder_on - clock.now()).total_seconds() + 3600)
    office.run()
    paper.sign_in_again()
    [[reminder]] = paper.letters()  # a reminder has no document: it becomes a letter
    assert reminder.startswith("Ihr Bewohnerparkausweis läuft am") and permit in paper.texts[reminder]
    paper.ends_with_every_document_once_on_paper()


def test_letter_applicant_gets_the_rejection_by_post(app, office):
    data = test_bewohnerparken.application(strasse="Bahnhofstraße 40", kennzeichen="PL-VL 500", halter="firmenwagen",
                                           halter_name="Vogtland Logistik GmbH", halter_erklaerung=True)
    paper = Paper(app, office, "bewohnerparken", data, "brief")
    case = paper.case_number
    assert paper.letters() == [[f"Eingangsbestätigung {case}"]]
    reason = "Unter der angegebenen Anschrift ist keine Wohnung gemeldet."
    paper.task("decide", {"entscheidung": "ablehnen", "begruendung": reason, "entscheider": "Stefan Vogel"})
    assert paper.letters() == [[f"Ablehnungsbescheid {case}"]]
    assert reason in paper.texts[f"Ablehnungsbescheid {case}"] and "Bahnhofstraße 40" in paper.texts[f"Ablehnungsbescheid {case}"]
    paper.ends_with_every_document_once_on_paper()


def test_counter_applicant_without_email_gets_the_trade_receipt_by_post(app, office):
    paper = Paper(app, office, "gewerbe", test_gewerbe.notice(), "schalter")
    case = paper.case_number
    assert paper.letters() == [[f"Empfangsbescheinigung {case}", f"Kostenbescheid {case}"]]
    assert "§ 15 Abs. 1 GewO" in paper.texts[f"Empfangsbescheinigung {case}"]
    assert "Reichenbacher Straße 12" in paper.texts[f"Empfangsbescheinigung {case}"]
    paper.ends_with_every_document_once_on_paper()


def test_letter_applicant_gets_the_trade_rejection_by_post(app, office):
    paper = Paper(app, office, "gewerbe", test_gewerbe.notice(taetigkeit="Rechtsanwaltskanzlei", wz="69101"), "brief")
    case = paper.case_number
    assert paper.letters() == []  # "received" is a status only; nothing to post yet
    paper.task("review", {"entscheidung": "ablehnen", "begruendung": "Ein freier Beruf ist kein Gewerbe.",
                          "entscheider": "Gerd Weber"})
    assert paper.letters() == [[f"Bescheid zur Gewerbe-Anmeldung {case}"]]
    assert "freier Beruf" in paper.texts[f"Bescheid zur Gewerbe-Anmeldung {case}"]
    paper.ends_with_every_document_once_on_paper()


def test_citizen_who_chose_post_gets_the_notices_by_post_not_in_the_postbox(app, office):
    citizen = login(app, "erika")
    assert "Zustellung von Nachrichten und Bescheiden: <strong>Postfach</strong>" in citizen.get("/portal/").get_data(
        as_text=True)  # the default
    page = citizen.get("/portal/zustellung").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'value="postfach" checked' in page and ">Post</label>" in page
    wrong = citizen.post("/portal/zustellung", data={"zustellung": "fax"})
    assert wrong.status_code == 422 and "Zustellung: Bitte „Postfach“ oder „Post“ wählen." in wrong.get_data(as_text=True)
    assert citizen.post("/portal/zustellung", data={"zustellung": "post"}).status_code == 302
    assert 'value="post" checked' in citizen.get("/portal/zustellung").get_data(as_text=True)

    form = {k: ("on" if v is True else str(v)) for k, v in flatten(test_gewerbe.notice()).items() if v is not False}
    assert citizen.post("/portal/gewerbe/antrag", data=form).status_code == 302
    submitted = citizen.post("/portal/gewerbe/pruefen")
    case = re.search(r"/portal/antraege/([A-Z0-9-]+)", submitted.headers["Location"]).group(1)
    office.run()
    [job] = [j for j in office.cases.open_print_jobs("plauen") if j["business_key"] == case]
    assert [d["title"] for d in job["documents"]] == [f"Empfangsbescheinigung {case}", f"Kostenbescheid {case}"]
    assert "geht Ihnen per Post zu" in citizen.get(f"/portal/antraege/{case}").get_data(as_text=True)
    assert office.state(case) == "completed"
