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
