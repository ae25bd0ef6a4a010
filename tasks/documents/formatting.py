"""German display formats for amounts and dates."""
from __future__ import annotations

from datetime import date


def money(cents: int) -> str:
    """1500 -> "15,00 €", 123456 -> "1.234,56 €"."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"


def date_de(value: date) -> str:
    return f"{value:%d.%m.%Y}"
