"""Imports the table definitions of every built-in specialist system (for Alembic)."""
from .civil_register import models as civil_register  # noqa: F401
from .efile import models as efile  # noqa: F401
from .finance import models as finance  # noqa: F401
from .notifications import models as notifications  # noqa: F401
from .portal import models as portal  # noqa: F401
from .print_mail import models as print_mail  # noqa: F401

# Table name prefixes of the specialist systems (migration 0002 owns exactly these tables).
TABLE_PREFIXES = ("civreg_", "finance_", "efile_", "print_mail_", "notify_")
TABLE_PREFIXES += ("portal_",)  # migration 0004
from tasks import testing  # noqa: F401,E402  (the testing system's table)
from .parking import models as parking  # noqa: F401,E402
from .residents import models as residents  # noqa: F401,E402
from .vehicles import models as vehicles  # noqa: F401,E402

TABLE_PREFIXES += ("residents_", "vehicles_", "parking_")  # migration 0006
from .dog_tax import models as dog_tax  # noqa: F401,E402

TABLE_PREFIXES += ("dog_tax_",)  # migration 0005
from .xoev import models as xoev  # noqa: F401,E402

TABLE_PREFIXES += ("xoev_",)  # migration 0007
