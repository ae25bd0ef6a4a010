"""Each service declares the trust level it needs and which form fields the identity fills."""
import pytest

from processes.catalog import services
from webui.auth.saml import IDENTITY_KEYS
from webui.forms import fields

NEEDS = {"standesamt": "substanziell", "gewerbe": "substanziell", "hundesteuer": "basis", "bewohnerparken": "basis",
         "hundesteuer_abmeldung": "basis", "hundesteuer_ersatzmarke": "basis", "hundesteuer_aenderung": "basis"}


def test_every_service_declares_its_level():
    assert {key: svc.trust_level for key, svc in services().items()} == NEEDS


@pytest.mark.parametrize("key", sorted(NEEDS))
def test_prefill_names_form_fields_and_identity_attributes(key):
    svc = services()[key]
    names = {f.name: f for f in fields(svc.form)}
    assert svc.prefill and set(svc.prefill) <= set(names)
    assert set(svc.prefill.values()) <= IDENTITY_KEYS
    assert not any(names[n].schema.get("enum") or names[n].schema.get("type") != "string" for n in svc.prefill)


def test_levels_are_ordered():
    svc = services()["standesamt"]
    assert [svc.admits(level) for level in (None, "basis", "substanziell", "hoch", "unbekannt")] == \
        [False, False, True, True, False]
    assert services()["hundesteuer"].admits("basis")
