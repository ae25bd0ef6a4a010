"""Plausibility checks at submission that a form schema cannot make, because they need a
checksum library or the specialist systems' data. Each refuses with a German message on its
field (a FieldError), so the citizen learns it before anything is stored or assessed."""
from __future__ import annotations

from engine.errors import FieldError
from tasks.dog_tax.rules import check_iban


def dog_tax_checks(dog_tax):
    def check(tenant: str, data: dict) -> list[FieldError]:
        errors = []
        if data.get("sepa_lastschrift") and data.get("iban"):
            checked = check_iban(data["iban"])  # schwifty: length, check digits, bank code
            if not checked.valid:
                errors.append(FieldError("iban", checked.message))
        chip = data.get("chipnummer")
        registered = getattr(dog_tax, "chip_registered", None)
        if chip and registered is not None and registered(tenant, chip):
            errors.append(FieldError("chipnummer", "Chipnummer: Unter dieser Chipnummer ist bei uns bereits ein anderer "
                                                   "Hund angemeldet. Bitte prüfen Sie die Nummer im Heimtierausweis."))
        return errors
    return check


def application_checks(registry) -> dict:
    """Service key -> check, for the systems this installation has."""
    checks = {}
    try:
        checks["hundesteuer"] = dog_tax_checks(registry.system("dog_tax"))
    except KeyError:  # an installation without the dog tax system offers no dog tax
        pass
    return checks
