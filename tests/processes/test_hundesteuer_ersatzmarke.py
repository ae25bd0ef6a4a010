"""An Ersatzmarke: Erika lost the tag 00002 of Bruno; she gets the next number, the old one is invalid,
and the fee of the statute (Plauen 5,00 €) is due with a Kostenbescheid that goes by post with the tag."""
from datetime import UTC, datetime

import pytest

from engine.clock import ManualClock
from engine.errors import FormInvalid
from tests.processes.test_hundesteuer import anmeldung, pdf_text, submit


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def dog_office(office):
    return office.deploy("hundesteuer").deploy("hundesteuer_ersatzmarke")


def ersatzmarke(**changes) -> dict:
    data = {"halter": {"vorname": "Erika", "nachname": "Neumann", "strasse": "Lindenweg 3", "plz": "08523",
                       "ort": "Plauen", "email": "erika@example.org"},
            "steuermarke": "00002", "grund": "verloren"}
    data.update(changes)
    return data


def replace(office, data):
    case = office.cases.submit("hundesteuer_ersatzmarke", "plauen", data, citizen="erika")
    office.run()
    return case.case_number


def test_replacement_tag_with_fee_and_the_old_one_invalid(dog_office):
    submit(dog_office, anmeldung())
    case_number = replace(dog_office, ersatzmarke())
    variables = dog_office.variables(case_number)
    assert variables["marke"]["old_tag"] == "00002" and variables["marke"]["tag_number"] == "00003"
    [dog] = [d for d in dog_office.system("dog_tax").dogs("plauen") if d["name"] == "Bruno"]
    assert dog["tags"] == ["00002", "00003"]
    fee = dog_office.cases.finance.balance_of("plauen", variables["forderung"]["cash_reference"])
    assert (fee["amount_cents"], fee["open_cents"]) == (500, 500)
    document_id = variables["kostenbescheid"]["document_id"]
    text = pdf_text(dog_office.system("efile").document("plauen", document_id)["content"])
    for expected in ("Kostenbescheid", "Ersatzmarke Nr. 00003", "bisherige Marke Nr. 00002 ungültig", "5,00 €",
                     "Hundesteuersatzung der Stadt Plauen", variables["forderung"]["cash_reference"]):
        assert expected in text, expected
    assert dog_office.state(case_number) == "completed"
    assert [j for j in dog_office.cases.open_print_jobs("plauen") if j["business_key"] == case_number]

    # The old tag is invalid: neither a second Ersatzmarke nor anything else is given for it.
    with pytest.raises(FormInvalid) as refused:
        dog_office.cases.submit("hundesteuer_ersatzmarke", "plauen", ersatzmarke(), citizen="erika")
    assert refused.value.errors[0].field == "steuermarke"
    assert "kein Hund auf Ihren Namen" in refused.value.errors[0].message
    assert replace(dog_office, ersatzmarke(steuermarke="00003", grund="beschaedigt"))


def test_no_replacement_tag_for_someone_elses_dog(dog_office):
    submit(dog_office, anmeldung())
    with pytest.raises(FormInvalid) as refused:
        dog_office.cases.submit("hundesteuer_ersatzmarke", "plauen", ersatzmarke(steuermarke="00001"),
                                citizen="erika")
    assert refused.value.errors[0].field == "steuermarke"
    assert len(dog_office.cases.finance.receivables("plauen")) == 1  # only the tax of the registration
