"""A permit's life after issue: the residents or vehicle register reports a move or a change of
holder, and the permit is withdrawn (§ 49 Abs. 2 Satz 1 Nr. 3 VwVfG), must be moved to another zone
or vehicle, or stays as it is."""
from __future__ import annotations

import pytest

from tests.processes.test_bewohnerparken import application, pay, pdf_text, submit

ERIKA = "beispiel|erika|1990-03-14"


@pytest.fixture
def office(office):
    return office.deploy("bewohnerparken")


def issued(office) -> tuple[str, str]:
    case = submit(office, application())
    pay(office, case)
    return case, office.variables(case)["ausweis"]["permit_number"]


def permit_case(office, case):
    [info] = office.engine.runtime.query(tenant="plauen", business_key=case)
    return info


CASE_CONTEXT = ("fall", "konto", "antragsteller", "anschrift", "person", "akte", "kommune")


def report(office, permit_number, **meldung) -> str:
    """What the residents register (a move, with the new address) or the vehicle register (a sale or
    new holder) reports for the permit's holder: a report process for the permit's case."""
    [permit] = [p for p in office.system("parking").permits("plauen") if p["permit_number"] == permit_number]
    [case] = office.engine.runtime.query(tenant="plauen", business_key=permit["case_number"])
    earlier = office.engine.runtime.query(tenant="plauen", process_key="bewohnerparken_meldung")
    # Its own business key: the case stays the citizen's; notices and e-file are the case's (start variables).
    instance = office.engine.runtime.start(
        "bewohnerparken_meldung", tenant="plauen", business_key=f"{case.business_key}-M{len(earlier) + 1}",
        user="system",
        variables={**{k: case.variables[k] for k in CASE_CONTEXT}, "ausweisnummer": permit_number, "meldung": meldung})
    office.run()
    return instance


def registered_move(office, resident_key, street, postal_code, city) -> list[str]:
    """The residents register records a move; its report reaches each valid permit of the resident."""
    meldung = office.system("residents").record_move("plauen", resident_key, street, postal_code, city)
    started = office.installation.register_reports.deliver("plauen", meldung)
    office.run()
    return started


def registered_sale(office, plate, replacement_plate=None) -> list[str]:
    """The vehicle register reports a sale (or a new holder); it reaches each valid permit for the vehicle."""
    meldung = office.system("vehicles").report_holder_change("plauen", plate, replacement_plate)
    started = office.installation.register_reports.deliver("plauen", meldung)
    office.run()
    return started


def report_variables(office, instance) -> dict:
    return office.engine.runtime.get(instance).variables


def permit_states(office) -> list[tuple[str, str | None]]:
    return [(p["status"], p["withdrawn_on"]) for p in office.system("parking").permits("plauen", ERIKA)]


def test_move_out_of_every_zone_withdraws_the_permit_with_a_notice(office):
    case, number = issued(office)
    [instance] = registered_move(office, ERIKA, "Chamissostraße 4", "08525", "Plauen")
    variables = report_variables(office, instance)
    assert office.engine.runtime.get(instance).state == "completed"
    assert permit_states(office) == [("withdrawn", variables["widerruf"]["withdrawn_on"])]
    assert office.statuses(case)[-1] == "widerrufen"
    [message] = [m for m in office.cases.messages("plauen", case) if m["title"].startswith("Widerruf")]
    assert message["title"] == f"Widerruf Ihres Bewohnerparkausweises Nr. {number}"
    _, pdf = office.cases.document("plauen", case, message["documents"][0]["document_id"])
    text = " ".join(pdf_text(pdf).split())
    for part in ("Widerruf des Bewohnerparkausweises", "nicht mehr in der Bewohnerparkzone B",
                 "§ 49 Abs. 2 Satz 1 Nr. 3 VwVfG", "§ 45 Abs. 1b Satz 1 Nr. 2a StVO", "§ 28 Abs. 2 Nr. 4 VwVfG",
                 "Rechtsbehelfsbelehrung"):
        assert part in text
    filed = office.system("efile").document("plauen", variables["abgelegt_widerruf"]["document_id"])["json_content"]
    assert filed["ergebnis"] == "widerrufen" and filed["meldung"]["strasse"] == "Chamissostraße 4"


def test_no_renewal_reminder_for_a_withdrawn_permit(office, clock):
    case, number = issued(office)
    report(office, number, art="halterwechsel")
    assert permit_case(office, case).state == "waiting"  # for the reminder date
    clock.advance(days=340)
    office.run()
    assert permit_case(office, case).state == "completed" and office.statuses(case)[-1] == "widerrufen"


def test_move_within_the_zone_changes_nothing(office):
    case, number = issued(office)
    before = office.statuses(case)
    instance = report(office, number, art="umzug", strasse="Reichsstraße 5", plz="08523", ort="Plauen")
    assert report_variables(office, instance)["bewertung"]["outcome"] == "none"
    assert office.statuses(case) == before and permit_states(office) == [("valid", None)]


def test_move_to_another_zone_asks_for_a_replacement_and_keeps_the_permit(office):
    case, number = issued(office)
    report(office, number, art="umzug", strasse="Stresemannstraße 7", plz="08523", ort="Plauen")
    assert office.statuses(case)[-1] == "umzug_gemeldet" and permit_states(office) == [("valid", None)]
    [message] = [m for m in office.cases.messages("plauen", case) if m["title"].endswith("nach Ihrem Umzug")]
    assert "Ersatz-Bewohnerparkausweis nach Umzug für die Zone C" in message["text"]


def test_sold_vehicle_without_a_replacement_withdraws_the_permit(office):
    case, _ = issued(office)
    [instance] = registered_sale(office, "PL-EB 1990")
    assert office.statuses(case)[-1] == "widerrufen" and permit_states(office)[0][0] == "withdrawn"
    reason = report_variables(office, instance)["bewertung"]["reason"]
    assert reason == "Laut Fahrzeugregister sind Sie nicht mehr Halterin oder Halter des Fahrzeugs PL-EB 1990."


def test_replacement_plate_offers_a_replacement_and_keeps_the_permit(office):
    case, _ = issued(office)
    registered_sale(office, "PL-EB 1990", "PL-EB 2000")
    assert office.statuses(case)[-1] == "neues_kennzeichen" and permit_states(office) == [("valid", None)]
    [message] = [m for m in office.cases.messages("plauen", case) if m["title"].endswith("für das neue Fahrzeug")]
    assert "Ersatz-Bewohnerparkausweis wegen neuen Kennzeichens für PL-EB 2000" in message["text"]


def test_a_second_report_for_a_withdrawn_permit_changes_nothing(office):
    case, number = issued(office)
    report(office, number, art="halterwechsel")
    withdrawn = permit_states(office)
    statuses = office.statuses(case)
    instance = report(office, number, art="umzug", strasse="Chamissostraße 4", plz="08525", ort="Plauen")
    assert report_variables(office, instance)["bewertung"]["outcome"] == "none"
    assert permit_states(office) == withdrawn and office.statuses(case) == statuses
