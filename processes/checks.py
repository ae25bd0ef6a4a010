"""Plausibility checks at submission that a form schema cannot make, because they need a
checksum library or the specialist systems' data. Each refuses with a German message on its
field (a FieldError), so the citizen learns it before anything is stored or assessed."""
from __future__ import annotations

from datetime import date

from engine.errors import FieldError
from engine.operations import ServiceCall
from tasks.dog_tax.rules import check_iban

from .municipalities import municipality


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


def dog_deregistration_checks(dog_tax):
    """The dog must be registered to the applicant at this address and kept until a day since its
    registration (the form has refused a day in the future)."""
    fields = {"tag_number": "steuermarke", "held_until": "gehalten_bis"}

    def check(tenant: str, data: dict) -> list[FieldError]:
        holder = data["halter"]
        refusal = dog_tax.deregistration_refusal(
            tenant, data["steuermarke"], {"given_name": holder["vorname"], "family_name": holder["nachname"],
                                          "street": holder["strasse"], "postal_code": holder["plz"]},
            date.fromisoformat(data["gehalten_bis"]))
        return [FieldError(fields[refusal[0]], refusal[1])] if refusal else []
    return check


def dog_tag_replacement_checks(dog_tax):
    """An Ersatzmarke only for a dog registered to the applicant, against its valid tag."""
    def check(tenant: str, data: dict) -> list[FieldError]:
        holder = data["halter"]
        refusal = dog_tax.replacement_refusal(
            tenant, data["steuermarke"], {"given_name": holder["vorname"], "family_name": holder["nachname"],
                                          "street": holder["strasse"], "postal_code": holder["plz"]})
        return [FieldError("steuermarke", refusal[1])] if refusal else []
    return check


def trade_reference_checks(trade):
    """A change or closure must name a business of this municipality's register, still open, with the
    notifying person among its persons (GewO § 14 Abs. 1), the same check the process makes again when
    it records the notice; a date before the business began is wrong on "Gültig ab"."""
    def check(tenant: str, data: dict) -> list[FieldError]:
        if data.get("meldungsart") not in ("ummeldung", "abmeldung"):
            return []
        ags = municipality(tenant).settings("gewerbe")["meldestelle"]["ags"]
        found = trade.check_reference(ServiceCall("trade.check_reference", {"notice": data, "ags": ags},
                                                  idempotency_key="", tenant=tenant, instance_id=""))
        if found["ok"]:
            return []
        entry = found["entry"]
        # the register checks the date last: a refusal of an open entry the notifying person belongs to
        late = entry is not None and entry["status"] == "aktiv" and data["gueltig_ab"] < entry["beginn"] \
            and "vor dem Beginn" in found["reason"]
        return [FieldError("gueltig_ab", f"Gültig ab: {found['reason']}") if late else
                FieldError("betriebsnummer", f"Nummer des Betriebs im Gewerberegister: {found['reason']}")]
    return check


def dog_data_change_checks(dog_tax):
    """Only the applicant's registered dog; a breed that moves the dog into or out of the municipality's list
    (and so changes the rate) is for the office; a chip number identifies one dog."""
    fields = {"name": "neuer_name", "breed": "neue_rasse", "chip_number": "neue_chipnummer",
              "tag_number": "steuermarke"}

    def check(tenant: str, data: dict) -> list[FieldError]:
        holder = data["halter"]
        breeds = municipality(tenant).settings("hundesteuer").get("dangerous_breeds") or []
        refusal = dog_tax.change_refusal(
            tenant, data["steuermarke"], {"given_name": holder["vorname"], "family_name": holder["nachname"],
                                          "street": holder["strasse"], "postal_code": holder["plz"]},
            {"name": data.get("neuer_name"), "breed": data.get("neue_rasse"),
             "chip_number": data.get("neue_chipnummer")}, breeds)
        return [FieldError(fields[refusal[0]], refusal[1])] if refusal else []
    return check


def application_checks(registry) -> dict:
    """Service key -> check, for the systems this installation has."""
    checks = {}
    try:
        checks["hundesteuer"] = dog_tax_checks(registry.system("dog_tax"))
        checks["hundesteuer_abmeldung"] = dog_deregistration_checks(registry.system("dog_tax"))
        checks["hundesteuer_ersatzmarke"] = dog_tag_replacement_checks(registry.system("dog_tax"))
        checks["hundesteuer_aenderung"] = dog_data_change_checks(registry.system("dog_tax"))
    except KeyError:  # an installation without the dog tax system offers no dog tax
        pass
    try:
        checks["gewerbe"] = trade_reference_checks(registry.system("trade"))
    except KeyError:  # nor one without the trade register a trade notice
        pass
    return checks
