"""Attachments over HTTP, without JavaScript (plain multipart POSTs): the type decided by content, the
limits per file and per application, the malware-scanner seam, the file in the e-file and on the clerk's
page with access for the applicant and the office only, and a document handed in later ("nachreichen")."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from processes.bootstrap import bootstrap
from processes.settings import Settings, SettingsInvalid
from tests.conftest import TEST_PLUGINS, login
from tests.processes.conftest import application as standesamt_application
from tests.processes.files import EICAR, JPEG, PDF, TEXT, png, upload
from tests.processes.test_hundesteuer import anmeldung, clock  # noqa: F401  (fixtures used by name)
from webui import create_app
from webui.forms import flatten

DANGEROUS = anmeldung(rasse="Pit Bull Terrier", gefaehrlicher_hund=True, erlaubnis_nummer="GH-2025-117",
                      erlaubnis_behoerde="Polizeidirektion Zwickau", haftpflichtversicherung="Vogtland Versicherung AG")
FIELD_ERROR = re.compile(r'<p class="error" id="e_erlaubnis_datei">([^<]+)</p>')


class BrokenScanner:
    """A municipality's scanner that cannot be reached."""

    def scan(self, content: bytes):
        raise ConnectionError("clamd: connection refused")


@pytest.fixture
def app(office):
    office.deploy("hundesteuer").deploy("standesamt")
    return create_app(office.installation, {"TESTING": True})


def form_of(data: dict) -> dict:
    return {k: ("on" if v is True else str(v)) for k, v in flatten(data).items() if v is not False}


def post_application(citizen, files: dict, data: dict = DANGEROUS):
    return citizen.post("/portal/hundesteuer/antrag", data={**form_of(data), **files})


def field_error(response) -> str:
    assert response.status_code == 422
    return FIELD_ERROR.search(response.get_data(as_text=True)).group(1)


def submit(citizen) -> str:
    sent = citizen.post("/portal/hundesteuer/pruefen")
    return re.search(r"/portal/antraege/([A-Z0-9-]+)", sent.headers["Location"]).group(1)


def attachment_links(page: str, prefix: str) -> list[str]:
    return re.findall(rf'href="({re.escape(prefix)}/anlagen/[0-9]+)"', page)


def test_the_form_offers_a_file_field_with_a_german_hint_in_a_multipart_form(app):
    page = login(app, "erika").get("/portal/hundesteuer/antrag").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input type="file" id="f_erlaubnis_datei" name="erlaubnis_datei" accept="[^"]*application/pdf', page)
    assert "Erlaubt: PDF, JPEG oder PNG, höchstens 5 MB je Datei – bis zu 2 Dateien." in page
    assert "<script" not in page


@pytest.mark.parametrize("content, name, accepted_as", [
    (png(), "erlaubnis.pdf", "image/png"),  # named .pdf, is a PNG: taken as what it is
    (PDF, "scan.png", "application/pdf"),
    (JPEG, "foto", "image/jpeg"),
    (TEXT, "erlaubnis.pdf", None),  # text named .pdf
    (b"GIF89a" + b"\x00" * 40, "erlaubnis.png", None),  # an image, but not an allowed type
])
def test_the_type_is_decided_by_content_not_by_name(app, office, content, name, accepted_as):
    citizen = login(app, "erika")
    response = post_application(citizen, {"erlaubnis_datei": upload(content, name)})
    if accepted_as is None:
        assert field_error(response).startswith(
            "Erlaubnis zum Halten eines gefährlichen Hundes (Scan oder Foto): " f"{name}: Diese Datei ist kein PDF, "
            "JPEG oder PNG (geprüft wird der Inhalt, nicht der Dateiname).")
        assert office.cases.draft("plauen", "erika", "hundesteuer") is None
        return
    assert response.status_code == 302
    [record] = office.cases.draft("plauen", "erika", "hundesteuer")["erlaubnis_datei"]
    assert record["typ"] == accepted_as and record["name"] == name and record["bytes"] == len(content)


def test_a_required_file_missing_is_named_on_the_field(app):
    response = post_application(login(app, "erika"), {})
    assert field_error(response) == "Erlaubnis zum Halten eines gefährlichen Hundes (Scan oder Foto): Bitte fügen Sie " \
                                    "die Datei bei."


def test_a_file_over_the_limit_per_file_gets_a_field_error_and_the_typed_fields_come_back(app, office):
    response = post_application(login(app, "erika"), {"erlaubnis_datei": upload(png(padding=5 * 1024 * 1024 + 1),
                                                                                 "gross.png")})
    assert "gross.png: Die Datei ist 5,1 MB groß; erlaubt sind höchstens 5 MB je Datei." in field_error(response)
    page = response.get_data(as_text=True)
    assert 'value="Pit Bull Terrier"' in page and 'value="GH-2025-117"' in page and 'value="Lindenweg 3"' in page
    assert office.cases.draft("plauen", "erika", "hundesteuer") is None


def test_files_over_the_limit_per_application_are_refused(office, settings, clock):  # noqa: F811
    small = bootstrap(replace(settings, attachment_max_file_bytes=300 * 1024, attachment_max_total_bytes=500 * 1024),
                      plugins=TEST_PLUGINS, clock=clock)
    try:
        app = create_app(small, {"TESTING": True})
        citizen = login(app, "erika")
        one = png(padding=280 * 1024)
        assert post_application(citizen, {"erlaubnis_datei": upload(one, "seite1.png")}).status_code == 302
        response = post_application(citizen, {"erlaubnis_datei": [upload(one, "seite1.png"), upload(one, "seite2.png")]})
        assert "Alle Anlagen zusammen sind 560,2 KB groß; je Antrag sind höchstens 500 KB möglich." in field_error(response)
        too_big = post_application(citizen, {"erlaubnis_datei": upload(png(padding=310 * 1024), "seite.png")})
        assert "erlaubt sind höchstens 300 KB je Datei" in field_error(too_big)
        [kept] = small.cases.draft("plauen", "erika", "hundesteuer")["erlaubnis_datei"]  # the first, unchanged
        assert kept["name"] == "seite1.png"
    finally:
        small.close()
    with pytest.raises(SettingsInvalid, match="AMTSWEG_ATTACHMENT_MAX_FILE_BYTES"):
        Settings.from_env({"AMTSWEG_ATTACHMENT_MAX_FILE_BYTES": "3000000", "AMTSWEG_ATTACHMENT_MAX_TOTAL_BYTES": "1000000"})


def test_a_multipart_request_over_the_upload_limit_is_refused_with_the_german_page(office, settings, clock):  # noqa: F811
    small = bootstrap(replace(settings, attachment_max_file_bytes=100 * 1024, attachment_max_total_bytes=100 * 1024,
                              max_request_bytes=64 * 1024), plugins=TEST_PLUGINS, clock=clock)
    try:
        response = post_application(login(create_app(small, {"TESTING": True}), "erika"),
                                    {"erlaubnis_datei": upload(png(padding=200 * 1024), "riesig.png")})
        assert response.status_code == 413 and "höchstens 164 KB je Formular" in response.get_data(as_text=True)
    finally:
        small.close()


def test_the_eicar_test_file_is_refused_by_the_built_in_scanner(app, office):
    response = post_application(login(app, "erika"), {"erlaubnis_datei": upload(EICAR, "erlaubnis.pdf")})
    assert "erlaubnis.pdf: Die Virenprüfung hat in der Datei Schadsoftware gefunden (Befund: EICAR-Testsignatur); " \
           "sie wurde nicht angenommen." in field_error(response)
    inside_a_pdf = PDF + b"\n" + EICAR
    assert "Schadsoftware" in field_error(post_application(login(app, "erika"),
                                                           {"erlaubnis_datei": upload(inside_a_pdf, "a.pdf")}))
    assert office.cases.draft("plauen", "erika", "hundesteuer") is None


def test_a_failing_scanner_refuses_the_file_and_asks_to_try_again(office, settings, clock):  # noqa: F811
    broken = bootstrap(replace(settings, attachment_scanner=f"{__name__}:BrokenScanner"), plugins=TEST_PLUGINS,
                       clock=clock)
    try:
        response = post_application(login(create_app(broken, {"TESTING": True}), "erika"),
                                    {"erlaubnis_datei": upload(PDF, "erlaubnis.pdf")})
        message = field_error(response)
        assert "konnte gerade nicht auf Schadsoftware geprüft werden und wurde deshalb nicht angenommen. Bitte " \
               "versuchen Sie es in einigen Minuten erneut." in message and "clamd" not in response.get_data(as_text=True)
        assert broken.cases.draft("plauen", "erika", "hundesteuer") is None
    finally:
        broken.close()
    assert Settings.from_env({"AMTSWEG_ATTACHMENT_SCANNER": "acme.scanner:Clam"}).attachment_scanner == "acme.scanner:Clam"


def test_the_file_is_filed_once_in_the_e_file_and_shown_to_the_clerk_with_access_for_the_applicant_only(app, office):
    citizen = login(app, "erika")
    image = png(4, 3)
    assert post_application(citizen, {"erlaubnis_datei": [upload(image, "Erlaubnis Seite 1.png"),
                                                          upload(PDF, "Erlaubnis Seite 2.pdf")]}).status_code == 302
    review = citizen.get("/portal/hundesteuer/pruefen").get_data(as_text=True)
    assert "Erlaubnis Seite 1.png, Erlaubnis Seite 2.pdf" in review
    case_number = submit(citizen)
    assert citizen.post("/portal/hundesteuer/pruefen").status_code == 302  # sent twice: no second case
    office.run()

    efile = office.system("efile")
    file = efile.file_for_case("plauen", case_number)
    filed = [d for d in efile.documents("plauen", file["file_number"]) if d["kind"] == "anlage"]
    assert [(d["title"], d["mime_type"], d["size"]) for d in filed] == [
        ("Anlage: Erlaubnis zum Halten eines gefährlichen Hundes (Scan oder Foto) (Erlaubnis Seite 1.png)", "image/png",
         len(image)),
        ("Anlage: Erlaubnis zum Halten eines gefährlichen Hundes (Scan oder Foto) (Erlaubnis Seite 2.pdf)",
         "application/pdf", len(PDF))]
    efile.file_pending("plauen", case_number)  # filing again changes nothing
    assert len([d for d in efile.documents("plauen", file["file_number"]) if d["kind"] == "anlage"]) == 2

    clerk = login(app, "st.plauen")
    task = office.task(case_number)
    assert "Erlaubnis Seite 1.png, Erlaubnis Seite 2.pdf" in clerk.get(f"/arbeit/{task.id}").get_data(as_text=True)
    page = clerk.get(f"/arbeit/{task.id}/antrag").get_data(as_text=True)
    image_link, pdf_link = attachment_links(page, f"/arbeit/{task.id}")[::2]
    assert f'<img src="{image_link}"' in page and "zum Herunterladen" in page
    shown = clerk.get(image_link)
    assert shown.status_code == 200 and shown.data == image and shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Content-Disposition"].startswith('inline; filename="Erlaubnis_Seite_1.png"')
    assert "sandbox" in shown.headers["Content-Security-Policy"]
    pdf = clerk.get(pdf_link)
    assert pdf.data == PDF and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="Erlaubnis_Seite_2.pdf"')

    own = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    [citizen_link, _] = attachment_links(own, f"/portal/antraege/{case_number}")
    assert citizen.get(citizen_link).data == image
    assert login(app, "jan").get(citizen_link).status_code == 404  # another citizen
    assert login(app, "sv.plauen").get(image_link).status_code == 403  # another office
    assert login(app, "sb.musterstadt").get(image_link).status_code == 404  # another municipality


def test_a_document_handed_in_later_reaches_the_e_file_and_the_clerk_and_a_bad_one_is_refused(app, office):
    citizen = login(app, "erika")
    data = anmeldung(steuervergunstigung="huetehund", vergunstigung_begruendung="Hütehund für meine 80 Schafe")
    assert post_application(citizen, {}, data).status_code == 302
    case_number = submit(citizen)
    office.run()
    page = citizen.get(f"/portal/antraege/{case_number}").get_data(as_text=True)
    assert "Unterlage nachreichen" in page and 'enctype="multipart/form-data"' in page and "Keine Anlagen." in page

    where = f"/portal/antraege/{case_number}/nachreichen"
    refused = citizen.post(where, data={"bezeichnung": "Nachweis Herde", "datei": upload(TEXT, "herde.pdf")})
    assert refused.status_code == 422
    assert "Datei: herde.pdf: Diese Datei ist kein PDF, JPEG oder PNG" in refused.get_data(as_text=True)
    untitled = citizen.post(where, data={"bezeichnung": "", "datei": upload(PDF, "herde.pdf")})
    assert "Bezeichnung: Bitte geben Sie an, was Sie nachreichen" in untitled.get_data(as_text=True)
    assert login(app, "jan").post(where, data={"bezeichnung": "x", "datei": upload(PDF, "a.pdf")}).status_code == 404
    assert office.system("efile").attachments("plauen", case_number) == []  # nothing stored

    sent = citizen.post(where, data={"bezeichnung": "Bescheinigung Tierseuchenkasse", "datei": upload(PDF, "tsk.pdf")})
    assert sent.status_code == 302
    again = citizen.post(where, data={"bezeichnung": "Bescheinigung Tierseuchenkasse", "datei": upload(PDF, "tsk.pdf")})
    assert again.status_code == 302 and len(office.system("efile").attachments("plauen", case_number)) == 1
    assert "Ihre Unterlage „tsk.pdf“ ist eingegangen" in citizen.get(sent.headers["Location"]).get_data(as_text=True)
    file = office.system("efile").file_for_case("plauen", case_number)
    [later] = [d for d in office.system("efile").documents("plauen", file["file_number"]) if d["kind"] == "nachreichung"]
    assert later["title"] == "Anlage: Bescheinigung Tierseuchenkasse (tsk.pdf)"

    clerk = login(app, "st.plauen")
    page = clerk.get(f"/arbeit/{office.task(case_number).id}/antrag").get_data(as_text=True)
    assert f"Bescheinigung Tierseuchenkasse: tsk.pdf</a> (PDF, {len(PDF)} Bytes, zum Herunterladen)" in page and "nachgereicht am" in page


def test_a_document_handed_in_later_answers_the_open_question_and_the_process_goes_on(app, office):
    data = standesamt_application(familienname="Platzhalter", vornamen="Paul", ereignisdatum="1985-05-05")
    case_number = office.cases.submit("standesamt", "plauen", data, citizen="erika").case_number
    office.run()
    task = office.task(case_number)
    assert task.activity_id == "clarify_entry"
    office.engine.tasks.complete(task.id, {"ergebnis": "rueckfrage", "frage": "Bitte senden Sie die Vollmacht."},
                                 user="sb.plauen")
    office.run()
    citizen = login(app, "erika")
    sent = citizen.post(f"/portal/antraege/{case_number}/nachreichen",
                        data={"bezeichnung": "Vollmacht", "datei": upload(JPEG, "vollmacht.jpg")})
    assert sent.status_code == 302
    office.run()
    variables = office.variables(case_number)
    assert variables["antwort"] == "Unterlage nachgereicht: Vollmacht (vollmacht.jpg)" and not variables["rueckfrage_offen"]
    assert office.task(case_number).activity_id == "clarify_entry"  # back with the clerk
    page = login(app, "sb.plauen").get(f"/arbeit/{office.task(case_number).id}/antrag").get_data(as_text=True)
    assert "Vollmacht: vollmacht.jpg" in page and "nachgereicht am" in page


def test_a_file_larger_than_a_plain_form_passes_the_csrf_check_and_is_kept(office):
    """The CSRF check reads the form: the upload limit must already apply when it does."""
    citizen = create_app(office.installation, {"TESTING": True, "WTF_CSRF_ENABLED": True}).test_client()

    def token(path: str) -> str:
        return citizen.get(path).get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]

    assert citizen.post("/anmelden", data={"user": "erika", "csrf_token": token("/anmelden")}).status_code == 302
    big = png(padding=3 * 1024 * 1024)  # over the plain form limit, within the upload limits
    assert len(big) > office.installation.settings.max_request_bytes
    response = citizen.post("/portal/hundesteuer/antrag",
                            data={**form_of(DANGEROUS), "csrf_token": token("/portal/hundesteuer/antrag"),
                                  "erlaubnis_datei": upload(big, "erlaubnis.png")})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    [kept] = office.cases.draft("plauen", "erika", "hundesteuer")["erlaubnis_datei"]
    assert kept["name"] == "erlaubnis.png" and kept["bytes"] == len(big)


def test_documents_handed_in_later_stay_within_the_limit_per_application(office, settings, clock):  # noqa: F811
    office.deploy("hundesteuer")
    small = bootstrap(replace(settings, attachment_max_file_bytes=300 * 1024, attachment_max_total_bytes=500 * 1024),
                      plugins=TEST_PLUGINS, clock=clock)
    try:
        app = create_app(small, {"TESTING": True})
        citizen = login(app, "erika")
        data = anmeldung(steuervergunstigung="huetehund", vergunstigung_begruendung="Hütehund für meine 80 Schafe")
        assert post_application(citizen, {}, data).status_code == 302
        case_number = submit(citizen)
        where = f"/portal/antraege/{case_number}/nachreichen"
        for page in (1, 2):
            sent = citizen.post(where, data={"bezeichnung": f"Seite {page}", "datei": upload(png(padding=200 * 1024 + page),
                                                                                           f"seite{page}.png")})
            assert sent.status_code == 302
        over = citizen.post(where, data={"bezeichnung": "Seite 3", "datei": upload(png(padding=200 * 1024 + 3), "seite3.png")})
        assert over.status_code == 422
        assert "je Antrag sind höchstens 500 KB möglich" in over.get_data(as_text=True)
        assert len(small.registry.system("efile").attachments("plauen", case_number)) == 2
    finally:
        small.close()
