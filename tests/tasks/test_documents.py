"""PDF documents from the templates, filed in the e-file. WeasyPrint is slow-ish: each template is
rendered once per module, the e-file tests render one more PDF each."""
from __future__ import annotations

import copy
import hashlib
import io

import pypdf
import pytest
from sqlalchemy import func, select

from engine.db import transaction
from engine.operations import InvalidRequest
from tasks.documents import Documents, render_html, render_pdf
from tasks.documents.formatting import money
from tasks.efile import EFile
from tasks.efile.models import EfileDocument
from tasks.print_mail import PrintMail

from .helpers import make_call

MUNICIPALITY = {
    "name": "Stadt Plauen", "office": "Standesamt", "street": "Unterer Graben 1", "postal_code": "08523",
    "city": "Plauen", "phone": "03741 291-0", "email": "standesamt@plauen.example", "coat_of_arms": "[Stadtwappen]",
    "bank": {"name": "Sparkasse Vogtland", "iban": "DE12 8705 5000 0000 0000 00", "bic": "WELADED1PLX"},
}
APPLICANT = {"name": "Jörg Müßiggang", "street": "Straßberger Straße 5", "postal_code": "08527", "city": "Plauen"}
HOSTILE = {**APPLICANT, "name": "<b>Erika</b> {{ 7*7 }} {% for x in range(3) %}x{% endfor %}"}
CASE = "STA-2026-0042"

DATA = {
    "eingangsbestaetigung": {
        "case_number": CASE, "applicant": APPLICANT, "date": "2026-03-14", "subject": "Geburtsurkunde (2 Exemplare)",
        "details": ["Person: Erika Maria Mustermann, geboren am 14.03.1990 in Plauen"], "channel": "Online über Amt24",
    },
    "kostenbescheid": {
        "case_number": CASE, "applicant": HOSTILE, "date": "2026-03-14", "subject": "Geburtsurkunde",
        "fee_lines": [{"text": "Geburtsurkunde", "unit_cents": 1500}, {"text": "weiteres Exemplar", "unit_cents": 700}],
        "total_cents": 2200, "cash_reference": "KZ-2026-000017", "due_date": "2026-03-28",
        "legal_basis": "Sächsisches Verwaltungskostengesetz",
    },
    "urkunde": {
        "kind": "birth", "register_number": "G 412/1990", "event_date": "1990-03-14", "event_place": "Plauen",
        "registrar": "Weiß", "issued_on": "2026-03-20", "case_number": CASE,
        "persons": [
            {"role": "child", "family_name": "Mustermann", "given_names": "Erika Maria", "date_of_birth": "1990-03-14"},
            {"role": "mother", "family_name": "Mustermann", "given_names": "Anna", "birth_name": "Gabler"},
        ],
    },
    "anschreiben": {
        "case_number": CASE, "applicant": APPLICANT, "subject": "Ihre Geburtsurkunde",
        "enclosures": ["Geburtsurkunde (2 Exemplare)", "Kostenbescheid"],
        "payment": {"cash_reference": "KZ-2026-000017", "amount_cents": 2200, "due_date": "2026-03-28"},
    },
    "mitteilung": {
        "case_number": CASE, "applicant": APPLICANT, "heading": "Ablehnungsbescheid",
        "paragraphs": ["Ihr Antrag wird abgelehnt.", "Ein rechtliches Interesse wurde nicht glaubhaft gemacht."],
        "legal_remedy": True,
    },
}


def text_of(pdf: bytes) -> str:
    """The text with line breaks as spaces: a long name may wrap."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[bytes, str]]:
    pdfs = {template: render_pdf(template, data, MUNICIPALITY) for template, data in DATA.items()}
    return {template: (pdf, text_of(pdf)) for template, pdf in pdfs.items()}


@pytest.mark.parametrize("template", DATA)
def test_every_template_names_case_and_municipality(rendered, template):
    pdf, text = rendered[template]
    assert pdf.startswith(b"%PDF")
    assert CASE in text
    assert "Stadt Plauen" in text and "[Stadtwappen]" in text
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "de" and root["/MarkInfo"]["/Marked"]  # tagged for screen readers


def test_receipt(rendered):
    text = rendered["eingangsbestaetigung"][1]
    for expected in ("Eingangsbestätigung", "Jörg Müßiggang", "Straßberger Straße 5", "14.03.2026",
                     "Geburtsurkunde (2 Exemplare)", "Online über Amt24"):
        assert expected in text


def test_fee_notice(rendered):
    text = rendered["kostenbescheid"][1]
    for expected in ("Kostenbescheid", "Geburtsurkunde", "15,00 €", "weiteres Exemplar", "7,00 €", "22,00 €",
                     "KZ-2026-000017", "28.03.2026", "DE12 8705 5000 0000 0000 00", "Rechtsbehelfsbelehrung",
                     "Widerspruch", "Unterer Graben 1"):
        assert expected in text


def test_certificate(rendered):
    text = rendered["urkunde"][1]
    for expected in ("DEMO – keine amtliche Urkunde", "Geburtsurkunde", "Geburtenregister Nr. G 412/1990",
                     "Erika Maria", "Mustermann", "14.03.1990", "Plauen, den 20.03.2026", "Weiß",
                     "Standesbeamt", "Siegel", "Standesamt"):
        assert expected in text


def test_pstg_59_birth_certificate_prints_the_childs_sex_and_only_the_parents_names():
    data = {**DATA["urkunde"], "persons": [
        {"role": "child", "family_name": "Mustermann", "given_names": "Erika Maria", "sex": "female",
         "date_of_birth": "1990-03-14"},
        {"role": "mother", "family_name": "Mustermann", "given_names": "Anna", "birth_name": "Gabler",
         "sex": "female", "date_of_birth": "1962-04-21"},
        {"role": "father", "family_name": "Mustermann", "given_names": "Max", "date_of_birth": "1958-07-30"}]}
    text = text_of(render_pdf("urkunde", data, MUNICIPALITY))
    assert "Geschlecht weiblich" in text and "Anna" in text and "Max" in text
    assert "21.04.1962" not in text and "30.07.1958" not in text and text.count("Geschlecht") == 1


def test_pstg_57_marriage_certificate_prints_birth_date_and_place_of_both_spouses():
    data = {"kind": "marriage", "register_number": "E 87/2015", "event_date": "2015-06-20", "event_place": "Plauen",
            "persons": [{"role": "spouse1", "family_name": "Beispiel", "given_names": "Jonas", "date_of_birth": "1988-12-01",
                         "place_of_birth": "Zwickau"},
                        {"role": "spouse2", "family_name": "Beispiel", "given_names": "Erika Maria",
                         "birth_name": "Mustermann", "date_of_birth": "1990-03-14", "place_of_birth": "Plauen"}]}
    text = text_of(render_pdf("urkunde", data, MUNICIPALITY))
    for expected in ("Ehegatte 1", "Ehegatte 2", "01.12.1988", "Ort der Geburt Zwickau", "Geburtsname Mustermann",
                     "14.03.1990", "Tag der Eheschließung 20.06.2015"):
        assert expected in text


def test_vwvfg_37_machine_note_only_without_a_deciding_official():
    automatic = text_of(render_pdf("mitteilung", DATA["mitteilung"], MUNICIPALITY))
    decided = text_of(render_pdf("mitteilung", {**DATA["mitteilung"], "decided_by": "Sabine Berger"}, MUNICIPALITY))
    assert "ohne Unterschrift gültig" in automatic and "Sabine Berger" not in automatic
    assert "Sabine Berger" in decided and "ohne Unterschrift" not in decided


def test_fee_notice_names_what_the_case_is_an_application_by_default():
    assert "für Ihren Antrag „Geburtsurkunde“" in render_html("kostenbescheid", DATA["kostenbescheid"], MUNICIPALITY)
    trade = render_html("kostenbescheid", {**DATA["kostenbescheid"], "regarding": "Ihre Gewerbeanzeige"}, MUNICIPALITY)
    assert "für Ihre Gewerbeanzeige „Geburtsurkunde“" in trade and "Antrag" not in trade


def test_cover_letter(rendered):
    text = rendered["anschreiben"][1]
    for expected in ("Ihre Geburtsurkunde", "Jörg Müßiggang", "Anlagen", "Geburtsurkunde (2 Exemplare)",
                     "Kostenbescheid", "22,00 €", "KZ-2026-000017"):
        assert expected in text


def test_notice(rendered):
    text = rendered["mitteilung"][1]
    for expected in ("Ablehnungsbescheid", "Ihr Antrag wird abgelehnt.", "rechtliches Interesse",
                     "Rechtsbehelfsbelehrung"):
        assert expected in text


def test_citizen_data_is_text_not_markup_or_template(rendered):
    text = rendered["kostenbescheid"][1]
    assert "<b>Erika</b> {{ 7*7 }} {% for x in range(3) %}x{% endfor %}" in text
    assert "49" not in text and "xxx" not in text
    html = render_html("kostenbescheid", DATA["kostenbescheid"], MUNICIPALITY)
    assert "&lt;b&gt;Erika&lt;/b&gt;" in html and "<b>Erika</b>" not in html


def test_quantities_unit_prices_and_totals():
    data = {**DATA["kostenbescheid"], "applicant": APPLICANT, "total_cents": None,
            "fee_lines": [{"text": "Geburtsurkunde", "unit_cents": 1500},
                          {"text": "weitere Exemplare", "unit_cents": 700, "quantity": 2}]}
    html = render_html("kostenbescheid", data, MUNICIPALITY)
    assert "je 7,00 €" in html and "14,00 €" in html and "29,00 €" in html
    assert (money(0), money(700), money(123456)) == ("0,00 €", "7,00 €", "1.234,56 €")


def test_paid_fee_notice_asks_for_no_payment():
    html = render_html("kostenbescheid", {**DATA["kostenbescheid"], "paid": True}, MUNICIPALITY)
    assert "bereits bezahlt" in html and "Bitte überweisen" not in html


def test_birth_certificate_without_parents():
    html = render_html("urkunde", {**DATA["urkunde"], "without_parents": True}, MUNICIPALITY)
    assert "Erika Maria" in html and "Anna" not in html and "Mutter" not in html


def test_register_entry_fits_the_certificate(seeded):
    from tasks.civil_register import CivilRegister

    found = CivilRegister(seeded).lookup_entry(make_call("civil_register.lookup_entry", {
        "kind": "Eheurkunde", "family_name": "Mustermann", "given_names": "Max"}))
    assert found["status"] == "found"
    for data in (found["entry"], {"entry": found["entry"], "case_number": CASE}):
        html = render_html("urkunde", data, MUNICIPALITY)
        assert "Eheurkunde" in html and "Ehegatte 1" in html and found["entry"]["register_number"] in html
    assert CASE in html


@pytest.mark.parametrize("template, change, message", [
    ("handbuch", {}, "Unbekannte Dokumentvorlage"),
    ("kostenbescheid", {"cash_reference": None}, "cash_reference"),
    ("kostenbescheid", {"fee_lines": []}, "fee_lines"),
    ("kostenbescheid", {"total_cents": 9999}, "Summe"),
    ("kostenbescheid", {"fee_lines": [{"text": "Urkunde", "unit_cents": "15,00"}]}, "Cent"),
    ("kostenbescheid", {"due_date": "28.03.2026"}, "Datum"),
    ("urkunde", {"kind": "Taufschein"}, "Urkundenart"),
    ("anschreiben", {"enclosures": []}, "enclosures"),
    ("mitteilung", {"applicant": {"street": "ohne Namen"}}, "Namen"),
])
def test_invalid_data(template, change, message):
    data = {**copy.deepcopy(DATA.get(template, {})), **change}
    with pytest.raises(InvalidRequest, match=message):
        render_html(template, data, MUNICIPALITY)


def test_municipality_needs_an_address():
    with pytest.raises(InvalidRequest, match="street"):
        render_html("mitteilung", DATA["mitteilung"], {**MUNICIPALITY, "street": ""})


def open_file(seeded, tenant="plauen") -> str:
    call = make_call("efile.open_file", {"plan_code": "341.21", "subject": "Geburtsurkunde", "business_key": CASE},
                     tenant=tenant)
    return EFile(seeded).open_file(call)["file_number"]


def test_render_files_the_pdf_once_per_key_and_prints_by_id(seeded):
    file_number = open_file(seeded)
    params = {"template": "kostenbescheid", "data": DATA["kostenbescheid"], "municipality": MUNICIPALITY,
              "file_number": file_number, "title": "Kostenbescheid"}
    documents = Documents(seeded, EFile(seeded))
    first = documents.render(make_call("documents.render", params, key="render-1"))
    assert set(first) == {"document_id", "title", "sha256"} and first["title"] == "Kostenbescheid"
    assert documents.render(make_call("documents.render", params, key="render-1")) == first

    stored = EFile(seeded).document("plauen", first["document_id"])
    assert (stored["kind"], stored["mime_type"]) == ("bescheid", "application/pdf")
    assert hashlib.sha256(stored["content"]).hexdigest() == first["sha256"]
    assert file_number in text_of(stored["content"])  # printed as Aktenzeichen
    with transaction(seeded) as session:
        assert session.scalar(select(func.count()).select_from(EfileDocument)) == 1

    # The print outbox takes the filed PDF by its id: the process never carries the bytes.
    outbox = PrintMail(seeded, EFile(seeded))
    params = {"address": APPLICANT, "document_ids": [first["document_id"]]}
    job = outbox.enqueue(make_call("print_mail.enqueue", params))
    assert outbox.job_documents("plauen", job["print_job_id"]) == [("Kostenbescheid", stored["content"])]


def test_render_into_an_unknown_file_is_refused(seeded):
    params = {"template": "mitteilung", "data": DATA["mitteilung"], "municipality": MUNICIPALITY,
              "file_number": "341.21-2026/99999", "title": "Ablehnungsbescheid"}
    with pytest.raises(InvalidRequest, match="nicht vorhanden"):
        Documents(seeded, EFile(seeded)).render(make_call("documents.render", params))
    with pytest.raises(InvalidRequest, match="file_number"):
        Documents(seeded, EFile(seeded)).render(make_call("documents.render", {**params, "file_number": ""}))


def test_certificate_without_issue_date_is_dated_the_day_documents_render_gives():
    data = {k: v for k, v in DATA["urkunde"].items() if k != "issued_on"}
    assert "Plauen, den 21.03.2026" in text_of(render_pdf("urkunde", {**data, "date": "2026-03-21"}, MUNICIPALITY))


def test_receipt_of_a_notice_prints_the_form_sections_and_the_receipt_note():
    data = {**DATA["eingangsbestaetigung"], "heading": "Empfangsbescheinigung", "subject": "Gewerbe-Anmeldung (GewA 1)",
            "sections": [{"heading": "Angaben zur Person", "rows": [["Name", "Schneider"], ["Vornamen", ""]]}],
            "notes": ["Die Empfangsbescheinigung ersetzt keine Erlaubnis."], "decided_by": "Jana Vogt"}
    text = text_of(render_pdf("eingangsbestaetigung", data, MUNICIPALITY))
    assert "Empfangsbescheinigung" in text and "Angaben zur Person Name Schneider" in text
    assert "Vornamen" not in text  # an empty field is left out
    assert "ersetzt keine Erlaubnis" in text and "Jana Vogt" in text and "maschinell erstellt" not in text
    assert "Beantragt" not in text and "Antragstellende Person" not in text
