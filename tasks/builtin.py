"""Registers the built-in specialist systems."""
from __future__ import annotations

from .civil_register import CivilRegister
from .documents import Documents
from .efile import EFile
from .finance import Finance
from .notifications import Notifications
from .portal import Portal
from .print_mail import PrintMail

BUILTIN_SYSTEMS = (CivilRegister, Finance, EFile, PrintMail, Notifications)
BUILTIN_SYSTEMS += (Documents, Portal)


def register(registry, sessions) -> None:
    for system in BUILTIN_SYSTEMS:
        registry.add_system(system(sessions))

from .parking import Parking  # noqa: E402
from .residents import Residents  # noqa: E402
from .vehicles import Vehicles  # noqa: E402

BUILTIN_SYSTEMS += (Residents, Vehicles, Parking)

from .dog_tax import DogTax  # noqa: E402

BUILTIN_SYSTEMS += (DogTax,)

from .trade import Trade  # noqa: E402
from .xoev import Xoev  # noqa: E402

BUILTIN_SYSTEMS += (Trade, Xoev)
