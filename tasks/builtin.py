"""Registers the built-in specialist systems."""
from __future__ import annotations

from .civil_register import CivilRegister
from .efile import EFile
from .finance import Finance
from .notifications import Notifications
from .print_mail import PrintMail

BUILTIN_SYSTEMS = (CivilRegister, Finance, EFile, PrintMail, Notifications)


def register(registry, sessions) -> None:
    for system in BUILTIN_SYSTEMS:
        registry.add_system(system(sessions))
