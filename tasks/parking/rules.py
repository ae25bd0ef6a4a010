"""Validity periods and the one-permit rule, free of the database."""
from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(valid_from: date, months: int) -> date:
    """A permit from 14.03.2026 for twelve months is valid until 13.03.2027."""
    return add_months(valid_from, months) - timedelta(days=1)


def blocks_new_permit(existing_until: date | None, today: date, renewal_window_days: int) -> bool:
    """A valid permit for the same resident and vehicle blocks a new one, unless it runs out within
    the renewal window: then the new permit follows on seamlessly."""
    return existing_until is not None and (existing_until - today).days > renewal_window_days


REPORT_KINDS = ("umzug", "halterwechsel")  # a move (residents register), a sale or new holder (vehicle register)


def change_outcome(kind: str, permit_zone: str, new_zone: str | None, replacement_plate: str | None = None) -> str:
    """What a register report means for a valid permit. A resident is who has the main residence in
    the zone, and the permit is for a vehicle the resident keeps (VwV-StVO zu § 45 Abs. 1 bis 1e).

    "withdraw": the conditions ceased (moved out of every zone, vehicle sold without a replacement);
    "move": moved to another zone, the permit must be moved there (replacement permit);
    "new_plate": the vehicle was replaced, the permit goes over to the new plate;
    "none": a move within the zone changes nothing."""
    if kind == "umzug":
        if new_zone is None:
            return "withdraw"
        return "none" if new_zone == permit_zone else "move"
    if kind == "halterwechsel":
        return "new_plate" if replacement_plate else "withdraw"
    raise ValueError(kind)
