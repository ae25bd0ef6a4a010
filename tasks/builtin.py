"""The built-in specialist systems: the one list to extend when a system is added. Demo data is
seeded in this order."""
from __future__ import annotations

from . import (
               accounts,
               civil_register,
               documents,
               dog_tax,
               efile,
               finance,
               notifications,
               parking,
               portal,
               print_mail,
               residents,
               staff_accounts,
               signin,
               trade,
               vehicles,
               xoev,
)

BUILTIN_PLUGINS = tuple(module.PLUGIN for module in (
    civil_register, finance, efile, print_mail, notifications, documents, portal, residents, vehicles, parking,
    dog_tax, trade, xoev, staff_accounts, signin, accounts,
))
