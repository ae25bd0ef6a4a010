"""The built-in specialist systems' tables and the folders of their migration branches.

Importing this module registers every built-in system's tables on ``engine.db.Base``. The
testing system (tasks.testing) is not built in: its table and branch exist only where it is
registered (AMTSWEG_ADAPTER_MODULES).
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from .civil_register import models as civil_register  # noqa: F401
from .dog_tax import models as dog_tax  # noqa: F401
from .efile import models as efile  # noqa: F401
from .finance import models as finance  # noqa: F401
from .notifications import models as notifications  # noqa: F401
from .parking import models as parking  # noqa: F401
from .portal import models as portal  # noqa: F401
from .print_mail import models as print_mail  # noqa: F401
from .residents import models as residents  # noqa: F401
from .vehicles import models as vehicles  # noqa: F401
from .xoev import models as xoev  # noqa: F401

_HERE = Path(__file__).resolve().parent

# One Alembic branch per system, labelled with the package name (engine/migrate.py).
BUILTIN_SYSTEMS = ("civil_register", "dog_tax", "efile", "finance", "notifications", "parking", "portal",
                   "print_mail", "residents", "vehicles", "xoev")
MIGRATIONS: tuple[Path, ...] = tuple(_HERE / name / "migrations" for name in BUILTIN_SYSTEMS)
TESTING_MIGRATIONS = _HERE / "testing" / "migrations"


def migration_locations() -> list[Path]:
    """The built-in branches plus those of the modules named in AMTSWEG_ADAPTER_MODULES (a
    ``migrations`` folder beside the module), as ``default_registry`` registers them."""
    locations = list(MIGRATIONS)
    for name in filter(None, (m.strip() for m in os.environ.get("AMTSWEG_ADAPTER_MODULES", "").split(","))):
        folder = Path(importlib.import_module(name).__file__).resolve().parent / "migrations"
        if folder.is_dir() and folder not in locations:
            locations.append(folder)
    return locations
