"""Permits: the one-permit rule, issuing, replacement, status and the permit PDF."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from engine.operations import BusinessError, InvalidRequest
from tasks.common import berlin_today
from tasks.efile import EFile
from tasks.parking import Parking
from tasks.parking.rules import add_months, blocks_new_permit, change_outcome, valid_until

from .helpers import make_call

ERIKA = "beispiel|erika|1990-03-14"
ANNA = "mustermann|anna|1962-04-21"  # holds a permit for PL-AM 62 (zone A) since 60 days
JONAS = "beispiel|jonas|1988-12-01"  # his permit for PL-JB 88 runs out in about 20 days
TODAY = berlin_today()


@pytest.fixture
def parking(seeded):
    return Parking(seeded, EFile(seeded))


def call(parking, operation, key=None, tenant="plauen", now: datetime | None = None, **params):
    service_call = make_call(f"parking.{operation}", params, tenant=tenant, key=key)
    if now is not None:
        service_call.extra["now"] = now.isoformat()  # the engine's clock, as the worker passes it
    return getattr(parking, operation)(service_call)


def issue(parking, resident=ERIKA, plate="PL-EB 1990", zone="B", key=None, tenant="plauen", **extra):
    return call(parking, "issue_permit", key=key, tenant=tenant, resident_key=resident, holder_name="Erika Beispiel",
                plate=plate, zone=zone, validity_months=12, **extra)


@pytest.mark.parametrize("start, months, until", [
    (date(2026, 3, 14), 12, date(2027, 3, 13)),
    (date(2026, 1, 31), 1, date(2026, 2, 27)),
    (date(2024, 2, 29), 12, date(2025, 2, 27)),
    (date(2026, 12, 1), 6, date(2027, 5, 31)),
])
def test_validity_is_months_minus_one_day(start, months, until):
    assert valid_until(start, months) == until
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


@pytest.mark.parametrize("days_left, window, blocked", [(None, 42, False), (300, 42, True), (43, 42, True),
                                                        (42, 42, False), (5, 0, True), (-1, 0, False)])
def test_renewal_window(days_left, window, blocked):
    until = None if days_left is None else TODAY + timedelta(days=days_left)
    assert blocks_new_permit(until, TODAY, window) is blocked


@pytest.mark.parametrize("resident, plate, replace, old_plate, rule", [
    (ERIKA, "PL-EB 1990", False, None, "ok"),  # first permit
    (ANNA, "PL-AM 62", False, None, "permit_exists"),  # one permit per resident (VwV-StVO zu § 45)
    (ANNA, "pl-am62", False, None, "permit_exists"),  # however the plate is typed
    (ANNA, "PL-AM 620E", False, None, "new_vehicle"),  # another car of hers: the plate on her permit is replaced
    (ERIKA, "PL-AM 62", False, None, "ok"),  # another resident with the same car
    (JONAS, "PL-JB 88", False, None, "ok"),  # renewal: his permit expires within the window
    (ANNA, "PL-AM 62", True, None, "ok"),  # replacement after a move
    (ANNA, "PL-AM 620E", True, "PL-AM 62", "ok"),  # replacement for a new plate
    (ERIKA, "PL-EB 1990", True, None, "nothing_to_replace"),
])
def test_one_permit_per_resident_vwv_stvo_45(parking, resident, plate, replace, old_plate, rule):
    result = call(parking, "check_permits", resident_key=resident, plate=plate, replace=replace, old_plate=old_plate,
                  renewal_window_days=42)
    assert result["rule"] == rule


def test_renewal_starts_the_day_after_the_old_permit_ends(parking):
    result = call(parking, "check_permits", resident_key=JONAS, plate="PL-JB 88", renewal_window_days=42)
    old_end = date.fromisoformat(result["existing"]["valid_until"])
    assert result["valid_from"] == (old_end + timedelta(days=1)).isoformat()
    permit = call(parking, "issue_permit", resident_key=JONAS, holder_name="Jonas Beispiel", plate="PL-JB 88", zone="B",
                  validity_months=12, not_before=result["valid_from"])
    assert permit["valid_from"] == result["valid_from"]


def test_issue_permit_is_idempotent_and_numbers_by_zone_and_year(parking):
    first = issue(parking, key="k1")
    assert issue(parking, key="k1") == first
    assert first["permit_number"].startswith(f"B-{TODAY.year}-")
    assert (first["plate"], first["zone"], first["status"], first["kind"]) == ("PL-EB 1990", "B", "valid", "new")
    assert first["valid_from"] == TODAY.isoformat()
    assert first["valid_until"] == valid_until(TODAY, 12).isoformat()


def test_second_permit_for_the_same_vehicle_is_refused(parking):
    issue(parking)
    with pytest.raises(BusinessError) as err:
        issue(parking)
    assert err.value.code == "permit_exists"


def test_replacement_invalidates_the_old_permit_and_keeps_its_end_date(parking):
    [old] = [p for p in parking.permits("plauen", ANNA)]
    new = call(parking, "replace_permit", key="r1", resident_key=ANNA, holder_name="Anna Mustermann",
               old_plate="PL-AM 62", plate="PL-AM 620E", zone="A")
    assert call(parking, "replace_permit", key="r1", resident_key=ANNA, holder_name="Anna Mustermann",
                old_plate="PL-AM 62", plate="PL-AM 620E", zone="A") == new
    assert (new["kind"], new["plate"], new["replaces"]) == ("replacement", "PL-AM 620E", old["permit_number"])
    assert (new["valid_from"], new["valid_until"]) == (TODAY.isoformat(), old["valid_until"])
    statuses = {p["permit_number"]: p["status"] for p in parking.permits("plauen", ANNA)}
    assert statuses == {old["permit_number"]: "replaced", new["permit_number"]: "valid"}
    assert call(parking, "permit_status", permit_number=old["permit_number"])["status"] == "replaced"
    # The old plate is free again: nothing left to replace.
    assert call(parking, "check_permits", resident_key=ANNA, plate="PL-AM 62", replace=True)["rule"] == "nothing_to_replace"


def test_replacing_without_a_valid_permit_is_a_business_error(parking):
    with pytest.raises(BusinessError) as err:
        call(parking, "replace_permit", resident_key=ERIKA, holder_name="Erika Beispiel", old_plate="PL-EB 1990",
             plate="PL-EB 1990", zone="C")
    assert err.value.code == "no_permit_to_replace"


def test_tenants_keep_their_permits_apart(parking):
    assert call(parking, "check_permits", resident_key=ANNA, plate="PL-AM 62", tenant="musterstadt")["rule"] == "ok"
    assert [p["plate"] for p in parking.permits("musterstadt")] == ["MU-MP 92"]


ENGINE_DAY = TODAY + timedelta(days=40)  # the engine's clock stands on another day than the wall clock
ENGINE_NOW = datetime(ENGINE_DAY.year, ENGINE_DAY.month, ENGINE_DAY.day, 10, 0, tzinfo=UTC)


def test_new_permit_starts_on_the_engine_day(parking):
    permit = issue(parking, now=ENGINE_NOW)
    assert (permit["valid_from"], permit["valid_until"]) == (ENGINE_DAY.isoformat(),
                                                             valid_until(ENGINE_DAY, 12).isoformat())


def test_replacement_starts_on_the_engine_day(parking):
    new = call(parking, "replace_permit", now=ENGINE_NOW, resident_key=ANNA, holder_name="Anna Mustermann",
               old_plate="PL-AM 62", plate="PL-AM 620E", zone="A")
    assert new["valid_from"] == ENGINE_DAY.isoformat()


def test_permit_status_counts_expiry_by_the_engine_day(parking):
    permit = issue(parking)
    last_day = date.fromisoformat(permit["valid_until"])
    after_expiry = datetime(last_day.year, last_day.month, last_day.day, 10, 0, tzinfo=UTC) + timedelta(days=1)
    assert call(parking, "permit_status", permit_number=permit["permit_number"])["status"] == "valid"
    assert call(parking, "permit_status", now=after_expiry, permit_number=permit["permit_number"])["status"] == "expired"


MUNICIPALITY = {"name": "Stadt Plauen", "office": "Straßenverkehrsbehörde Plauen", "street": "Unterer Graben 1",
                "postal_code": "08523", "city": "Plauen"}


def render(parking, seeded, permit, now=None, **extra) -> str:
    efile = EFile(seeded)
    file = efile.open_file(make_call("efile.open_file", {"plan_code": "122.31", "subject": "Bewohnerparkausweis"}))
    filed = call(parking, "render_permit", now=now, permit_number=permit["permit_number"],
                 file_number=file["file_number"], municipality=MUNICIPALITY, **extra)
    content = efile.document("plauen", filed["document_id"])["content"]
    return " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_permit_pdf_names_plate_zone_validity_and_number(parking, seeded):
    efile = EFile(seeded)
    file = efile.open_file(make_call("efile.open_file", {"plan_code": "122.31", "subject": "Bewohnerparkausweis"}))
    permit = issue(parking)
    params = {"permit_number": permit["permit_number"], "file_number": file["file_number"],
              "municipality": MUNICIPALITY, "zone_name": "Bahnhofsvorstadt"}
    filed = call(parking, "render_permit", key="doc", **params)
    assert call(parking, "render_permit", key="doc", **params) == filed
    document = efile.document("plauen", filed["document_id"])
    assert document["kind"] == "ausweis"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document["content"])).pages)
    for expected in ("Bewohnerparkausweis", "PL-EB 1990", "B – Bahnhofsvorstadt", permit["permit_number"],
                     valid_until(TODAY, 12).strftime("%d.%m.%Y"), "Straßenverkehrsbehörde Plauen"):
        assert expected in text


def test_permit_pdf_is_dated_the_engine_day(parking, seeded):
    text = render(parking, seeded, issue(parking, now=ENGINE_NOW), now=ENGINE_NOW)
    assert f"Plauen, den {ENGINE_DAY:%d.%m.%Y}" in text and f"Gültig vom {ENGINE_DAY:%d.%m.%Y}" in text


def test_vwvfg_37_3_permit_approved_by_a_clerk_names_the_official(parking, seeded):
    text = render(parking, seeded, issue(parking), decided_by="Lena Roth")
    assert "Im Auftrag Lena Roth" in text and "maschinell erstellt" not in text.lower()


def test_vwvfg_37_5_permit_approved_by_automatic_equipment_carries_the_machine_note(parking, seeded):
    text = render(parking, seeded, issue(parking))
    assert "Maschinell erstellt, ohne Unterschrift gültig" in text and "Im Auftrag" not in text


@pytest.mark.parametrize("kind, permit_zone, new_zone, replacement_plate, outcome", [
    ("umzug", "B", None, None, "withdraw"),  # moved out of every zone: no longer a resident
    ("umzug", "B", "B", None, "none"),  # moved within the zone
    ("umzug", "B", "C", None, "move"),  # another zone: the permit must be moved there
    ("umzug", "B", "C", "PL-EB 2000", "move"),  # a plate in a move report changes nothing
    ("halterwechsel", "B", "B", None, "withdraw"),  # vehicle sold, no other vehicle
    ("halterwechsel", "B", "B", "PL-EB 2000", "new_plate"),  # a replacement vehicle takes the permit over
])
def test_permit_withdrawal_on_a_move_or_a_change_of_holder(kind, permit_zone, new_zone, replacement_plate, outcome):
    assert change_outcome(kind, permit_zone, new_zone, replacement_plate) == outcome


def test_assess_change_explains_the_outcome(parking):
    permit = issue(parking)
    moved = call(parking, "assess_change", permit_number=permit["permit_number"], kind="umzug", new_zone=None)
    assert moved["outcome"] == "withdraw"
    assert moved["reason"] == ("Laut Melderegister wohnen Sie nicht mehr in der Bewohnerparkzone B; Ihre neue "
                               "Hauptwohnung liegt in keinem Bewohnerparkgebiet.")
    sold = call(parking, "assess_change", permit_number=permit["permit_number"], kind="halterwechsel",
                replacement_plate="pl eb 2000")
    assert (sold["outcome"], sold["reason"]) == (
        "new_plate", "Laut Fahrzeugregister ersetzt das Fahrzeug PL-EB 2000 Ihr bisheriges Fahrzeug PL-EB 1990.")
    with pytest.raises(InvalidRequest, match="Unbekannte Registermeldung 'tod'"):
        call(parking, "assess_change", permit_number=permit["permit_number"], kind="tod")


def test_withdrawal_dates_the_permit_and_is_idempotent(parking):
    permit = issue(parking)
    day = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    first = call(parking, "withdraw_permit", key="w-1", now=day, permit_number=permit["permit_number"], reason="Umzug")
    assert (first["status"], first["withdrawn_on"]) == ("withdrawn", "2026-12-24")
    assert call(parking, "withdraw_permit", key="w-2", permit_number=permit["permit_number"], reason="x") == first
    assert [p["status"] for p in parking.permits("plauen", ERIKA)] == ["withdrawn"]
    status = call(parking, "permit_status", permit_number=permit["permit_number"])["status"]
    assert status == "withdrawn"
    # A withdrawn permit no longer blocks a new one, and a further report finds nothing to do.
    assert call(parking, "check_permits", resident_key=ERIKA, plate="PL-EB 1990")["rule"] == "ok"
    again = call(parking, "assess_change", permit_number=permit["permit_number"], kind="umzug", new_zone=None)
    assert again["outcome"] == "none"


def test_a_replaced_permit_is_not_withdrawn(parking):
    old = call(parking, "check_permits", resident_key=ANNA, plate="PL-AM 62")["existing"]
    call(parking, "replace_permit", resident_key=ANNA, holder_name="Anna Mustermann", old_plate="PL-AM 62",
         plate="PL-AM 63", zone="A")
    with pytest.raises(BusinessError) as err:
        call(parking, "withdraw_permit", permit_number=old["permit_number"], reason="Umzug")
    assert err.value.code == "permit_not_valid"
