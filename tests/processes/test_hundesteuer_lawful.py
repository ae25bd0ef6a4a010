"""Data minimisation in the dog-tax form (Art. 5 Abs. 1 lit. c GDPR): Saxony requires liability
insurance only for dangerous dogs (SächsGefHundG), so only their holders are asked for an insurer."""
import pytest

from engine.errors import FormInvalid
from tests.processes import test_hundesteuer as registration
from tests.processes.test_hundesteuer import anmeldung, submit

clock, tax_office = registration.clock, registration.tax_office  # the registration's fixtures


def test_saechsgefhundg_insurer_is_not_asked_for_a_dog_that_is_not_dangerous(tax_office):
    before = tax_office.engine.runtime.query(tenant="plauen")
    with pytest.raises(FormInvalid) as err:
        tax_office.cases.submit("hundesteuer", "plauen", anmeldung(haftpflichtversicherung="Vogtland AG"),
                                citizen="erika")
    assert [e.field for e in err.value.errors] == ["haftpflichtversicherung"]
    assert "nur für gefährliche Hunde" in err.value.errors[0].message
    assert tax_office.engine.runtime.query(tenant="plauen") == before
    case_number = submit(tax_office, anmeldung())  # without an insurer the registration runs
    assert case_number and "Bruno" in [d["name"] for d in tax_office.system("dog_tax").dogs("plauen")]


def test_saechsgefhundg_insurer_is_required_for_a_dangerous_dog(tax_office):
    with pytest.raises(FormInvalid) as err:
        tax_office.cases.submit("hundesteuer", "plauen", anmeldung(gefaehrlicher_hund=True, rasse="Bullterrier"),
                                citizen="erika")
    assert [e.field for e in err.value.errors] == ["haftpflichtversicherung"]
