"""Helpers shared by the built-in specialist systems."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Callable, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, TemporaryFailure

# Column types shared with the engine's tables.
Tenant = String(100)
BusinessKey = String(200)
InstanceId = String(36)
IdempotencyKey = String(200)

T = TypeVar("T")


BERLIN = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def berlin_today() -> date:
    """Today in Germany, whatever time zone the server runs in (a date decides fees and validity)."""
    return datetime.now(BERLIN).date()


def call_today(call) -> date:
    """Today in Germany by the engine's clock (``ServiceCall.extra["now"]``, set by the worker), or
    by the wall clock for a call from elsewhere."""
    now = (getattr(call, "extra", None) or {}).get("now")
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    return now.astimezone(BERLIN).date() if isinstance(now, datetime) else berlin_today()


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidRequest(f"{field}: kein gültiges Datum ({value!r}).") from None


def require(params: dict, *names: str) -> None:
    missing = [n for n in names if params.get(n) in (None, "")]
    if missing:
        raise InvalidRequest("Fehlende Angaben: " + ", ".join(missing))


def run_once(
    sessions: sessionmaker[Session],
    find: Callable[[Session], T | None],
    create: Callable[[Session], T],
    attempts: int = 3,
) -> T:
    """Find the stored outcome or create it, in one short transaction. Two deliveries of the
    same key racing each other collide on a unique constraint; the loser then finds the
    winner's row on the next pass."""
    for attempt in range(attempts):
        try:
            with transaction(sessions) as session:
                found = find(session)
                if found is not None:
                    return found
                result = create(session)
                session.flush()
                return result
        except IntegrityError as exc:
            if attempt == attempts - 1:
                raise TemporaryFailure(f"Schreibkonflikt in der Datenbank: {exc.orig}") from exc
    raise AssertionError("unreachable")


def next_counter(session: Session, model, tenant: str, scope: str) -> int:
    """Next value of a per-tenant counter (gap-free within committed transactions). The row
    lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite) serialises concurrent writers; a racing
    first insert fails on the primary key and ``run_once`` repeats the transaction."""
    row = session.get(model, (tenant, scope), with_for_update=True)
    if row is None:
        row = model(tenant=tenant, scope=scope, value=0)
        session.add(row)
    row.value += 1
    session.flush()
    return row.value


def address_lines(address: dict) -> list[str]:
    """The address block as printed on a letter (DIN 5008 order, country only if abroad).

    address: {"name", "addition"?, "street", "postal_code", "city", "country"?}"""
    if not isinstance(address, dict) or not str(address.get("name") or "").strip():
        raise InvalidRequest("Die Anschrift braucht mindestens einen Namen.")
    lines = [address.get("name"), address.get("addition"), address.get("street")]
    lines.append(" ".join(filter(None, (address.get("postal_code"), address.get("city")))))
    if str(address.get("country") or "").strip().upper() not in ("", "DE", "DEU", "DEUTSCHLAND"):
        lines.append(str(address["country"]).upper())
    return [str(line).strip() for line in lines if line and str(line).strip()]
