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
