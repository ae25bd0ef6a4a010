"""Trade notices: Destatis nationality keys, plausibility of the GewA form, the Empfangsbescheinigung (§ 15 GewO)."""
import json

import pytest

from engine.errors import FormInvalid
from processes.catalog import MODELS
from tasks.trade import form
from tasks.xoev import nationality
from tests.processes.test_gewerbe import hub, notice, submit
from tests.processes.test_standesamt_lawful import documents, one


def test_destatis_nationality_key_list_is_the_forms_enum_and_997_is_stateless():
    schema = json.loads((MODELS / "gewerbe" / "antrag.schema.json").read_text(encoding="utf-8"))
    field = schema["properties"]["person"]["properties"]["staatsangehoerigkeit"]
    assert field["enum"] == list(nationality.keys()) and field["enumTitles"] == nationality.keys()
    assert nationality.keys()["997"] == "staatenlos" and nationality.keys()["998"] == "ungeklärt"
    assert nationality.keys()["999"] == "ohne Angabe"
    assert not any("andere" in title for title in nationality.keys().values())
    eu = {"124", "125", "126", "127", "128", "129", "130", "131", "134", "135", "137", "139", "142", "143", "145",
          "148", "151", "152", "153", "154", "155", "157", "161", "164", "165", "181", "136", "141", "149"}
    assert eu <= set(nationality.keys())


def test_destatis_nationality_key_goes_into_xgewerbeanzeige_as_it_is(trade_office):
    case_number = submit(trade_office, notice(**{"person.staatsangehoerigkeit": "997"}))
    [message] = [m for m in hub(trade_office).messages("plauen", case_number) if m["recipient"] == "fin"]
    assert "<code>997</code>" in message["xml"]


def test_gmbh_without_handelsregister_number_is_refused_on_the_field(trade_office):
    with pytest.raises(FormInvalid) as err:
        trade_office.cases.submit("gewerbe", "plauen", notice(**{"betrieb.rechtsform": "gmbh"}), citizen="erika")
    assert {e.field for e in err.value.errors} >= {"betrieb/registernummer", "betrieb/registergericht"}
    assert all(e.message for e in err.value.errors)
    assert trade_office.engine.runtime.query() == []


def test_handwerkskarte_ticked_needs_its_data(trade_office):
    with pytest.raises(FormInvalid) as err:
        trade_office.cases.submit("gewerbe", "plauen", notice(**{"betrieb.handwerkskarte": True}), citizen="erika")
    assert {e.field for e in err.value.errors} == {"betrieb/handwerkskarte_datum", "betrieb/handwerkskarte_ort",
                                                  "betrieb/handwerkskarte_datei"}
    assert trade_office.engine.runtime.query() == []


def test_gewo_15_1_receipt_is_an_empfangsbescheinigung_that_replaces_no_permit(trade_office):
    case_number = submit(trade_office, notice())
    text = one(documents(trade_office, case_number), "Empfangsbescheinigung")
    assert "Empfangsbescheinigung" in text and "Eingangsbestätigung" not in text
    assert "ersetzt keine Erlaubnis" in text and "§ 15 Abs. 1 GewO" in text
    assert "Guten Tag" in text


def test_gewa_receipt_prints_the_choices_with_the_labels_of_the_application_form():
    schema = json.loads((MODELS / "gewerbe" / "antrag.schema.json").read_text(encoding="utf-8"))
    business, person = schema["properties"]["betrieb"]["properties"], schema["properties"]["person"]["properties"]
    assert form.LEGAL_FORMS == business["rechtsform"]["enumTitles"]
    assert form.REGISTERS == business["registerart"]["enumTitles"]
    assert form.KINDS == business["art"]["enumTitles"] and form.ESTABLISHMENTS == business["niederlassung"]["enumTitles"]
    assert form.SEXES == person["geschlecht"]["enumTitles"]
    assert form.REASONS == {kind: schema["properties"][f"grund_{kind}"]["enumTitles"] for kind in form.REASONS}
    assert set(form.FORMS) == set(schema["properties"]["meldungsart"]["enum"])


def test_vwvfg_37_3_trade_decision_needs_the_name_of_the_deciding_official(trade_office):
    case_number = submit(trade_office, notice(taetigkeit="Rechtsanwaltskanzlei", wz="69101"))
    with pytest.raises(FormInvalid) as err:
        trade_office.engine.tasks.complete(trade_office.task(case_number).id, {
            "entscheidung": "ablehnen", "begruendung": "Freier Beruf, kein Gewerbe."})
    assert [e.field for e in err.value.errors] == ["entscheider"]
    trade_office.engine.tasks.complete(trade_office.task(case_number).id, {
        "entscheidung": "ablehnen", "begruendung": "Freier Beruf, kein Gewerbe.", "entscheider": "Jana Vogt"})
    trade_office.run()
    [step] = trade_office.variables(case_number)["entscheidungen"]
    assert step["entscheider"] == "Jana Vogt"  # in the file as well as on the notice
