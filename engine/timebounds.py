"""Bounded ISO-8601 durations, dates and cycles: the one parser that deploy-time validation and
the running engine share, so a model can never hang the engine through time.

SpiffWorkflow 3.2.0 must not see an unchecked value. ``TimerEventDefinition.get_timedelta_from_start``
(and ``_from_end``) adds up month lengths one month at a time: ``for idx in range(int(months))``
calling ``calendar.monthrange``, with years turned into months first. "P99999999999M" is 10^11
iterations, i.e. hours to days of 100 % CPU inside one call: that is the hang. Huge days, weeks or
time parts do not loop but raise ``OverflowError`` in ``timedelta`` or in the datetime addition.
Cycles are worse: ``CycleTimerEventDefinition.cycle_complete`` fires once per refresh while the
next occurrence lies in the past and then adds the interval, so an interval of 0 (``R/PT0S``)
never catches up with the clock and a start far in the past replays every missed occurrence.

Here every number is checked before any arithmetic; the calendar arithmetic (same month
semantics as SpiffWorkflow's: the lengths of the months starting at the start's month) is O(1).
"""
from __future__ import annotations

import ast
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import LOCALTZ

__all__ = ["TimeBoundError", "Cycle", "MAX_SPAN", "MIN_CYCLE_INTERVAL", "SHORT_CYCLE_REPETITIONS",
           "parse_duration", "due_after", "parse_date", "parse_cycle", "next_occurrence", "check",
           "string_literal"]

# No municipal deadline, reminder or retention period lies more than 100 years ahead: a longer
# value is a typo or an attack, and 100 years keeps every due date far below datetime's year 9999.
MAX_SPAN = timedelta(days=36525)  # 100 years
# A cycle fires through the job table: each firing is a transaction with audit rows, and the
# worker polls every 0.5 s. Reminders and escalations in an administration are hours or days
# apart; an endless cycle faster than once a minute is a mistake that floods jobs, audit trail
# and clerks' worklists. A cycle with few repetitions may be faster (a bounded burst).
MIN_CYCLE_INTERVAL = timedelta(minutes=1)
SHORT_CYCLE_REPETITIONS = 10
MAX_DIGITS = 18  # longer numbers are far beyond the horizon; int() of them is not even attempted

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(rf"P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
                       rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?")
_FIELDS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_DAYS_PER = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
             "seconds": 1 / 86400}  # upper bounds, for the check before exact arithmetic
_REPETITIONS = re.compile(r"R(-1|\d{0,9})")

KIND_LABELS = {"timeDuration": "Die Timer-Dauer", "timeDate": "Der Timer-Zeitpunkt",
               "timeCycle": "Der Timer-Zyklus", "dueIn": "Die Frist (dueIn)"}


class TimeBoundError(ValueError):
    """A duration, date or cycle that is malformed or out of bounds (German message)."""


@dataclass(frozen=True)
class Cycle:
    repetitions: int  # -1: endless
    start: datetime  # first occurrence, UTC
    interval: timedelta


def _years(span: timedelta) -> str:
    return f"{span.days // 365} Jahre" if span.days >= 730 else f"{span.days} Tage"


def parse_duration(text: str) -> dict[str, float]:
    """The parts of an ISO-8601 duration ("P3D", "PT1H30M", "P1W"), checked against MAX_SPAN."""
    if not isinstance(text, str):
        raise TimeBoundError(f"ergibt {type(text).__name__} statt einer ISO-8601-Dauer als Text, z. B. 'P3D'")
    clean = text.strip().upper()
    match = _DURATION.fullmatch(clean)
    if match is None or clean in ("P", "PT") or clean.endswith("T"):
        raise TimeBoundError(f"'{text[:60]}' ist keine gültige ISO-8601-Dauer (Beispiele: 'P3D', 'PT2H', 'P1W')")
    values = match.groups()
    given = [i for i, v in enumerate(values) if v is not None]
    if any("." in values[i] or "," in values[i] for i in given[:-1]):
        raise TimeBoundError(f"'{text[:60]}': nur der letzte Teil einer Dauer darf Nachkommastellen haben")
    if "W" in clean and any(values[i] is not None for i in (0, 1, 3)):
        raise TimeBoundError(f"'{text[:60]}': Wochen (W) lassen sich nicht mit Jahren, Monaten oder Tagen kombinieren")
    parts: dict[str, float] = {}
    for name, value in zip(_FIELDS, values):
        if value is None:
            continue
        if len(value) > MAX_DIGITS:
            raise TimeBoundError(f"'{text[:60]}' liegt weiter als {_years(MAX_SPAN)} in der Zukunft; "
                             "erlaubt sind höchstens 100 Jahre (prüfen Sie Zahl und Einheit)")
        number = float(value.replace(",", "."))
        parts[name] = int(number) if number.is_integer() else number
    if sum(v * _DAYS_PER[k] for k, v in parts.items()) > MAX_SPAN.days + 3 * 366:
        raise TimeBoundError(f"'{text[:60]}' liegt weiter als {_years(MAX_SPAN)} in der Zukunft; "
                             "erlaubt sind höchstens 100 Jahre (prüfen Sie Zahl und Einheit)")
    return parts


def _month_days(year: int, month: int, months: int) -> int:
    """Days from the first of (year, month) to the first of the month ``months`` later (or earlier)."""
    y, m = divmod(month - 1 + months, 12)
    return (date(year + y, m + 1, 1) - date(year, month, 1)).days


def _span(parts: dict, anchor: datetime, backwards: bool = False) -> timedelta:
    months = parts.get("years", 0) * 12 + parts.get("months", 0)
    whole, fraction = int(months), months - int(months)
    sign = -1 if backwards else 1
    days = abs(_month_days(anchor.year, anchor.month, sign * whole))
    if fraction:
        y, m = divmod(anchor.month - 1 + sign * whole, 12)
        days += fraction * monthrange(anchor.year + y, m + 1)[1]
    span = timedelta(days=days + parts.get("days", 0), weeks=parts.get("weeks", 0), hours=parts.get("hours", 0),
                     minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
    if span > MAX_SPAN:
        raise TimeBoundError(f"liegt weiter als {_years(MAX_SPAN)} in der Zukunft; "
                             "erlaubt sind höchstens 100 Jahre (prüfen Sie Zahl und Einheit)")
    return span


def due_after(text: str, start: datetime) -> datetime:
    """``start`` plus the duration ``text`` (timeDuration, dueIn)."""
    parts = parse_duration(text)
    try:
        return start + _span(parts, start)
    except TimeBoundError as exc:
        raise TimeBoundError(f"'{text[:60]}' {exc}") from None


def parse_date(text: str, now: datetime) -> datetime:
    """An ISO-8601 date/time (or week date, as SpiffWorkflow reads them) in UTC, at most MAX_SPAN ahead."""
    if not isinstance(text, str):
        raise TimeBoundError(f"ergibt {type(text).__name__} statt eines ISO-8601-Zeitpunkts als Text, "
                             "z. B. '2030-01-31T12:00:00+01:00'")
    clean = text.strip()
    try:
        if "W" in clean.upper():  # SpiffWorkflow's rule for week dates such as 2030W011
            found = re.fullmatch(r"(\d{4})W(\d{2})(\d)(T.+)?", clean.upper().replace("-", ""))
            if found is None:
                raise ValueError(clean)
            year, week, day, rest = found.groups()
            day_text = datetime.fromisocalendar(int(year), int(week), int(day)).strftime("%Y-%m-%d")
            value = datetime.fromisoformat(day_text + (rest or ""))
        else:
            value = datetime.fromisoformat(clean)
    except (ValueError, OverflowError):
        raise TimeBoundError(f"'{text[:60]}' ist kein gültiger ISO-8601-Zeitpunkt "
                             "(Beispiel: '2030-01-31T12:00:00+01:00')") from None
    if value.tzinfo is None:  # SpiffWorkflow reads naive times as local time
        value = value.replace(tzinfo=LOCALTZ)
    value = value.astimezone(timezone.utc)
    if value - now > MAX_SPAN:
        raise TimeBoundError(f"'{text[:60]}' liegt weiter als {_years(MAX_SPAN)} in der Zukunft; "
                             "erlaubt sind höchstens 100 Jahre (prüfen Sie Zahl und Einheit)")
    return value


def _date_or_duration(text: str, now: datetime):
    return parse_duration(text) if text.strip().upper().startswith("P") else parse_date(text, now)


def parse_cycle(text: str, now: datetime) -> Cycle:
    """An ISO-8601 repeating interval: R[n]/duration, R[n]/start/duration or R[n]/duration/end."""
    if not isinstance(text, str):
        raise TimeBoundError(f"ergibt {type(text).__name__} statt eines ISO-8601-Zyklus als Text, z. B. 'R3/P1D'")
    example = "(Beispiele: 'R3/P1D', 'R/P1W', 'R5/2030-01-01T08:00:00+01:00/P1D')"
    parts = text.strip().upper().replace("--", "/").split("/")
    head = _REPETITIONS.fullmatch(parts[0])
    if head is None or len(parts) not in (2, 3):
        raise TimeBoundError(f"'{text[:60]}' ist kein gültiger ISO-8601-Zyklus {example}")
    repetitions = int(head.group(1)) if head.group(1) else -1
    try:
        first = _date_or_duration(parts[1], now)
        second = _date_or_duration(parts[2], now) if len(parts) == 3 else None
        if isinstance(first, dict) and second is None:
            interval = _span(first, now)
            start = now + interval
        elif isinstance(first, datetime) and isinstance(second, dict):
            interval = _span(second, first)
            start = first
        elif isinstance(first, dict) and isinstance(second, datetime):
            interval = _span(first, second, backwards=True)
            start = second - interval
        else:
            raise ValueError(text)
    except TimeBoundError as exc:
        raise TimeBoundError(f"'{text[:60]}': {exc}") from None
    except ValueError:
        raise TimeBoundError(f"'{text[:60]}' ist kein gültiger ISO-8601-Zyklus {example}") from None
    if interval <= timedelta(0):
        raise TimeBoundError(f"'{text[:60]}': der Abstand ist 0; der Timer würde ohne Pause feuern. "
                             "Geben Sie einen Abstand von mindestens 1 Minute an, z. B. 'R/P1D'")
    if interval < MIN_CYCLE_INTERVAL and not 0 <= repetitions <= SHORT_CYCLE_REPETITIONS:
        raise TimeBoundError(f"'{text[:60]}': ein Abstand unter 1 Minute ist nur mit höchstens "
                             f"{SHORT_CYCLE_REPETITIONS} Wiederholungen erlaubt (z. B. 'R3/PT10S'); "
                             "für einen dauerhaften Zyklus wählen Sie mindestens 1 Minute, z. B. 'R/PT5M'")
    if start - now > MAX_SPAN:
        raise TimeBoundError(f"'{text[:60]}': der erste Termin liegt weiter als {_years(MAX_SPAN)} "
                             "in der Zukunft")
    return Cycle(repetitions, start, interval)


def next_occurrence(scheduled: datetime, interval: timedelta, now: datetime) -> datetime:
    """The first occurrence ``scheduled + k * interval`` (k >= 1) after ``now``: occurrences missed
    while the engine was down fold into one firing instead of replaying one by one."""
    following = scheduled + interval
    if following > now:
        return following
    return following + interval * ((now - following) // interval + 1)


def check(kind: str, text, now: datetime) -> None:
    """Raise TimeBoundError if ``text`` is no bounded value of ``kind`` (timeDuration, dueIn,
    timeDate, timeCycle)."""
    if kind in ("timeDuration", "dueIn"):
        due_after(text, now)
    elif kind == "timeDate":
        parse_date(text, now)
    elif kind == "timeCycle":
        parse_cycle(text, now)
    else:
        raise ValueError(kind)


def string_literal(code: str) -> str | None:
    """The string an expression consists of ("'PT5M'"), or None when it computes something."""
    try:
        node = ast.parse(code.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
