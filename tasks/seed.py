"""Demo data for the built-in specialist systems; running it again adds nothing."""
from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction

from .civil_register import seed as civil_register
from .efile import seed as efile
from .finance import seed as finance
from .notifications import seed as notifications
from .print_mail import seed as print_mail

SEEDERS = (civil_register, finance, efile, print_mail, notifications)


def seed_demo(sessions: sessionmaker[Session], tenants=("plauen", "musterstadt")) -> dict[str, int]:
    """Returns the number of rows added per tenant."""
    added = {}
    for tenant in tenants:
        with transaction(sessions) as session:
            added[tenant] = sum(seeder.seed(session, tenant) for seeder in SEEDERS)
    return added

from .parking import seed as parking  # noqa: E402
from .residents import seed as residents  # noqa: E402
from .vehicles import seed as vehicles  # noqa: E402

SEEDERS += (residents, vehicles, parking)

from .dog_tax import seed as dog_tax  # noqa: E402

SEEDERS += (dog_tax,)

from .xoev import seed as xoev  # noqa: E402

SEEDERS += (xoev,)
