"""Demo filing plan (Aktenplan excerpt after the KGSt scheme) for any tenant."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import EfilePlanEntry

PLAN = [
    ("020.1", "Allgemeine Verwaltung, Bürgeranliegen"),
    ("122.31", "Bewohnerparken"),
    ("151.1", "Gewerbeangelegenheiten"),
    ("341.21", "Personenstandsurkunden"),
    ("963.1", "Hundesteuer"),
]


def seed(session: Session, tenant: str) -> int:
    existing = set(session.scalars(select(EfilePlanEntry.code).where(EfilePlanEntry.tenant == tenant)))
    missing = [(code, title) for code, title in PLAN if code not in existing]
    session.add_all(EfilePlanEntry(tenant=tenant, code=code, title=title) for code, title in missing)
    session.flush()
    return len(missing)
