"""What the Standesamt may lawfully sign: remedies (§§ 49, 50 PStG; VwGO for fees), the official named on
a decision a person made (§ 37 Abs. 3 VwVfG), certificate contents (§§ 57–60 PStG), entitlement (§ 62 PStG)."""
import pytest

from engine.errors import FormInvalid
from tests.processes.conftest import application
from tests.processes.test_standesamt import ERIKA, pdf_text, post, sign


def documents(office, case_number, tenant="plauen"):
    efile = office.system("efile")
    file = efile.file_for_case(tenant, case_number)
    return {d["title"]: pdf_text(efile.document(tenant, d["document_id"])["content"])
            for d in efile.documents(tenant, file["file_number"]) if d["kind"] != "vorgang"}


def one(docs, prefix):
    [text] = [t for title, t in docs.items() if title.startswith(prefix)]
    return " ".join(text.split())


def rejected(office, **changes):
    data = application(beziehung="other", rechtliches_interesse="Ich interessiere mich für Familienforschung", **changes)
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    office.engine.tasks.complete(office.task(case.case_number).id,
                                 {"berechtigt": "nein", "begruendung": "Kein rechtliches Interesse dargelegt",
                                  "entscheider": "Sabine Berger"})
    office.run()
    return case


def test_pstg_49_50_refusal_names_the_amtsgericht_not_widerspruch(office):
    text = one(documents(office, rejected(office).case_number), "Ablehnungsbescheid")
    assert "Amtsgericht Zwickau" in text and "§ 49 Abs. 1, § 50 PStG" in text and "anzuweisen" in text
    assert "Widerspruch" not in text


def test_vwgo_68_fee_notice_of_the_standesamt_keeps_the_widerspruch(office):
    case = office.cases.submit("standesamt", "plauen", application(), citizen="erika", identity=ERIKA)
    office.run()
    text = one(documents(office, case.case_number), "Kostenbescheid")
    assert "Widerspruch" in text and "§ 80 Abs. 2 Satz 1 Nr. 1 VwGO" in text
    assert "Amtsgericht" not in text
    assert "SächsVwKG" in text
    # Fee computed by the installation alone: made with automatic equipment (§ 37 Abs. 5 VwVfG).
    assert "ohne Unterschrift gültig" in text


def test_vwvfg_37_3_refusal_by_a_clerk_names_the_official(office):
    text = one(documents(office, rejected(office).case_number), "Ablehnungsbescheid")
    assert "Sabine Berger" in text
    assert "ohne Unterschrift gültig" not in text


def test_vwvfg_37_3_refusal_needs_the_name_of_the_deciding_official(office):
    data = application(beziehung="other", rechtliches_interesse="Ich interessiere mich für Familienforschung")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    with pytest.raises(FormInvalid) as err:
        office.engine.tasks.complete(office.task(case.case_number).id,
                                     {"berechtigt": "nein", "begruendung": "Kein rechtliches Interesse dargelegt"})
    assert [e.field for e in err.value.errors] == ["entscheider"]


def test_vwvfg_37_3_clarification_refusal_names_the_official(office):
    case = office.cases.submit("standesamt", "plauen", application(vornamen="Erica"), citizen="erika")
    office.run()
    task = office.task(case.case_number)
    with pytest.raises(FormInvalid):
        office.engine.tasks.complete(task.id, {"ergebnis": "ablehnen", "begruendung": "Kein Eintrag vorhanden"})
    office.engine.tasks.complete(task.id, {"ergebnis": "ablehnen", "begruendung": "Kein Eintrag vorhanden",
                                           "entscheider": "Sabine Berger"})
    office.run()
    text = one(documents(office, case.case_number), "Ablehnungsbescheid")
    assert "Sabine Berger" in text and "Amtsgericht Zwickau" in text and "ohne Unterschrift" not in text


def test_pstv_certificate_and_cover_letter_name_the_signing_registrar(office):
    case = office.cases.submit("standesamt", "plauen", application(), citizen="erika", identity=ERIKA)
    office.run()
    sign(office, case.case_number)
    post(office, case.case_number)
    docs = documents(office, case.case_number)
    assert "Sabine Berger" in one(docs, "Geburtsurkunde")
    cover = one(docs, "Anschreiben")
    assert "Sabine Berger" in cover and "ohne Unterschrift gültig" not in cover


def certificate_text(office, tenant="plauen", **changes) -> str:
    """The certificate issued on an application with ``changes``, as pypdf reads it back."""
    case = office.cases.submit("standesamt", tenant, application(**changes), citizen="erika")
    office.run()
    # Erika's sign-in does not prove these relations: the registrar accepts the proof she brings.
    office.engine.tasks.complete(office.task(case.case_number, tenant).id,
                                 {"berechtigt": "ja", "begruendung": "Nachweis vorgelegt"})
    office.run()
    variables = office.variables(case.case_number, tenant)
    if variables["einstellungen"]["payment_first"]:
        office.cases.record_payment(tenant, variables["kassenzeichen"], variables["gebuehr_cents"])
        office.run()
    sign(office, case.case_number, tenant)
    [text] = [t for title, t in documents(office, case.case_number, tenant).items()
              if title.split()[0].endswith("urkunde")]
    return " ".join(text.split())


def test_pstg_59_birth_certificate_has_sex_and_parents_names_but_not_their_birth_data(office):
    text = certificate_text(office)
    # § 59 Abs. 1: the child's names, sex, place and day of birth; the parents' given and family names.
    assert "Geburtsurkunde" in text and "Erika Maria" in text and "Mustermann" in text
    assert "Geschlecht weiblich" in text and "Tag der Geburt 14.03.1990" in text and "Ort der Geburt Plauen" in text
    assert "Mutter" in text and "Anna" in text and "Vater" in text and "Max" in text
    assert "21.04.1962" not in text and "30.07.1958" not in text  # the parents' birth dates
    assert "Gabler" not in text  # the mother's birth name: § 59 Abs. 1 Nr. 4 names "Vornamen und Familiennamen"


def test_pstg_22_3_birth_certificate_prints_divers(office):
    text = certificate_text(office, tenant="musterstadt", familienname="Exempel", vornamen="Kim",
                            ereignisdatum="2021-04-01", ereignisort="Musterstadt", beziehung="parent")
    assert "Kim" in text and "Geschlecht divers" in text and "Sandra" in text and "19.09.1989" not in text


def test_pstg_57_marriage_form_asks_for_both_spouses_and_finds_only_their_entry(office):
    with pytest.raises(FormInvalid) as err:
        office.cases.submit("standesamt", "plauen", application(urkundenart="marriage", familienname="Beispiel",
                            vornamen="Jonas", ereignisdatum="2015-06-20"), citizen="erika")
    assert {e.field for e in err.value.errors} == {"familienname_2", "vornamen_2"}
    wrong = office.cases.submit("standesamt", "plauen", application(
        urkundenart="marriage", familienname="Beispiel", vornamen="Jonas", familienname_2="Beispiel",
        vornamen_2="Lena", ereignisdatum="2015-06-20"), citizen="erika")
    office.run()
    assert office.variables(wrong.case_number)["registerauskunft"]["status"] == "not_found"
    text = certificate_text(office, urkundenart="marriage", familienname="Beispiel", vornamen="Jonas",
                            familienname_2="Beispiel", vornamen_2="Erika", ereignisdatum="2015-06-20")
    # § 57 PStG: names of both spouses, their birth names, place and day of birth; place and day of marriage.
    assert "Eheurkunde" in text and "Ehegatte 1" in text and "Ehegatte 2" in text
    assert "Jonas" in text and "Erika Maria" in text and "Geburtsname Mustermann" in text
    assert "01.12.1988" in text and "Zwickau" in text and "14.03.1990" in text
    assert "Tag der Eheschließung 20.06.2015" in text and "Ort der Eheschließung Plauen" in text
    assert "Geschlecht" not in text


def test_pstg_58_partnership_form_asks_for_both_partners(office):
    with pytest.raises(FormInvalid) as err:
        office.cases.submit("standesamt", "plauen", application(urkundenart="partnership", familienname="Exempel",
                            vornamen="Sven", ereignisdatum="2009-08-14"), citizen="erika")
    assert {e.field for e in err.value.errors} == {"familienname_2", "vornamen_2"}


def test_pstg_58_partnership_certificate_has_both_partners(office):
    text = certificate_text(office, urkundenart="partnership", familienname="Exempel", vornamen="Sven",
                            familienname_2="Exempel", vornamen_2="Tobias", ereignisdatum="2009-08-14")
    assert "Lebenspartnerschaftsurkunde" in text and "Lebenspartner 1" in text and "Lebenspartner 2" in text
    assert "Sven" in text and "30.03.1975" in text and "Chemnitz" in text
    assert "Tobias" in text and "Geburtsname Probe" in text and "11.11.1979" in text
    assert "14.08.2009" in text


def test_pstg_60_death_certificate_has_birth_data_last_residence_marital_status_and_time_of_death(office):
    text = certificate_text(office, urkundenart="death", familienname="Mustermann", vornamen="Max",
                            ereignisdatum="2021-02-08", beziehung="child")
    assert "Sterbeurkunde" in text and "Max" in text and "Mustermann" in text
    assert "Tag der Geburt 30.07.1958" in text and "Ort der Geburt Plauen" in text
    assert "Letzter Wohnsitz Plauen" in text and "Familienstand verheiratet" in text
    assert "Zeitpunkt des Todes 08.02.2021, 09:15 Uhr" in text and "Ort des Todes Plauen" in text


def test_pstg_60_death_certificate_names_the_deceased_without_the_birth_name(office):
    text = certificate_text(office, urkundenart="death", familienname="Mustermann", vornamen="Hilde",
                            ereignisdatum="2019-10-05", beziehung="child")
    assert "Hilde" in text and "Zeitpunkt des Todes 05.10.2019, 14:30 Uhr" in text
    assert "Geburtsname" not in text and "Alt " not in text  # the register keeps it, § 60 PStG does not print it


def test_pstg_62_3_thirty_years_after_the_last_death_a_justified_interest_suffices(office):
    data = application(familienname="Altmann", vornamen="Hedwig", ereignisdatum="1937-05-09", beziehung="other",
                       rechtliches_interesse="Familienforschung zu meiner Urgroßtante")
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    assert office.task(case.case_number).activity_id == "decide_entitlement"
    reason = office.variables(case.case_number)["berechtigung"]["reason"]
    assert "§ 62 Abs. 3 PStG" in reason and "30.06.1994" in reason and "rechtliches Interesse" not in reason


def test_pstg_62_1_satz_3_applicant_under_16_by_birth_date_goes_to_the_registrar(office, clock):
    data = application()
    data["antragsteller"] = {**data["antragsteller"], "geburtsdatum": "2015-01-01"}
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    assert office.task(case.case_number).activity_id == "decide_entitlement"
    assert "§ 62 Abs. 1 Satz 3 PStG" in office.variables(case.case_number)["berechtigung"]["reason"]


def test_pstg_62_1_satz_3_applicant_over_16_by_birth_date_is_entitled(office):
    data = application()
    data["antragsteller"] = {**data["antragsteller"], "geburtsdatum": "1990-03-14"}
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika", identity=ERIKA)
    office.run()
    assert office.task(case.case_number).activity_id == "sign"


def test_letters_greet_the_applicant_by_name(office):
    data = application()
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    assert "Guten Tag Erika Beispiel," in one(documents(office, case.case_number), "Eingangsbestätigung")
    data["antragsteller"] = {**data["antragsteller"], "anrede": "Frau"}
    case = office.cases.submit("standesamt", "plauen", data, citizen="erika")
    office.run()
    text = one(documents(office, case.case_number), "Eingangsbestätigung")
    assert "Sehr geehrte Frau Beispiel," in text and "Damen und Herren" not in text


def test_pstg_59_2_short_birth_certificate_leaves_out_sex_and_parents(office):
    full = certificate_text(office, ausfertigung="vollstaendig")
    short = certificate_text(office, ausfertigung="ohne_geschlecht_eltern")
    assert "Geschlecht weiblich" in full and "Mutter" in full and "Vater" in full
    assert "Geschlecht" not in short and "Mutter" not in short and "Vater" not in short and "Anna" not in short
    # What § 59 Abs. 1 Nr. 1 and 3 PStG keep: the child's names, place and day of birth.
    assert "Geburtsurkunde" in short and "Erika Maria" in short and "G 412/1990" in short
    assert "Tag der Geburt 14.03.1990" in short and "Ort der Geburt Plauen" in short


@pytest.mark.parametrize("kind, changes, title, fixed_text", [
    ("birth", {}, "Extrait d'acte de naissance", "Geschlecht / Sexe / Sex weiblich / féminin / female"),
    ("marriage", {"familienname": "Beispiel", "vornamen": "Jonas", "familienname_2": "Beispiel", "vornamen_2": "Erika",
                  "ereignisdatum": "2015-06-20"}, "Extrait d'acte de mariage", "Date du mariage / Date of marriage"),
    ("death", {"familienname": "Mustermann", "vornamen": "Max", "ereignisdatum": "2021-02-08", "beziehung": "child"},
     "Extrait d'acte de décès", "Familienstand / État civil / Marital status verheiratet / marié / married"),
])
def test_ciec_16_multilingual_extract_carries_the_fixed_texts_in_several_languages(office, kind, changes, title,
                                                                                   fixed_text):
    text = certificate_text(office, urkundenart=kind, ausfertigung="mehrsprachig", **changes)
    assert title in text and fixed_text in text
    assert "Familienname / Nom / Surname" in text and "Vornamen / Prénoms / Forenames" in text
    assert "Übereinkommen vom 8. September 1976" in text and "CIEC Nr. 16" in text
    standard = certificate_text(office, urkundenart=kind, **changes)
    assert title not in standard and "Surname" not in standard and "CIEC" not in standard
