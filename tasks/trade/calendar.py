"""Working days in Saxony, for the statistics deadline "first working day of the next month"
(GewAnzV §3(5)). Saturdays, Sundays and the statutory holidays of Saxony are not working days."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ..common import BERLIN

DELIVERY_TIME = time(6, 0)  # early, so the batch is out on the due day


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> set[date]:
    e = easter(year)
    # Buß- und Bettag: the Wednesday before 23 November.
    repentance = date(year, 11, 22) - timedelta(days=(date(year, 11, 22).weekday() - 2) % 7)
    return {date(year, 1, 1), e - timedelta(days=2), e + timedelta(days=1), date(year, 5, 1),
            e + timedelta(days=39), e + timedelta(days=50), date(year, 10, 3), date(year, 10, 31),
            repentance, date(year, 12, 25), date(year, 12, 26)}


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def first_working_day_after(month: str) -> date:
    year, number = int(month[:4]), int(month[5:7])
    day = date(year + number // 12, number % 12 + 1, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def statistics_due(month: str) -> datetime:
    """When the batch of ``month`` ("2026-03") goes out: 06:00 Berlin time on the first working day after it."""
    return datetime.combine(first_working_day_after(month), DELIVERY_TIME, tzinfo=BERLIN)
