"""Demo data and registration of the built-in systems."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.db import transaction
from processes.bootstrap import seed_demo
from processes.settings import Settings
from tasks.builtin import BUILTIN_PLUGINS
from tasks.civil_register.models import CivregEntry
from tasks.efile.models import EfilePlanEntry
from tasks.registry import build_registry


def test_seed_twice_adds_nothing_the_second_time(sessions):
    first = seed_demo(sessions, BUILTIN_PLUGINS)
    assert first["plauen"] > 12 and first["musterstadt"] > 12
    assert seed_demo(sessions, BUILTIN_PLUGINS) == {"plauen": 0, "musterstadt": 0}
    with transaction(sessions) as session:
        counts = dict(session.execute(select(CivregEntry.tenant, func.count()).group_by(CivregEntry.tenant)).all())
        plans = session.scalar(select(func.count()).select_from(EfilePlanEntry).where(EfilePlanEntry.tenant == "plauen"))
    assert counts == {"plauen": 14, "musterstadt": 13}
    assert plans == 5


def test_other_tenants_get_the_filing_plan(sessions):
    assert seed_demo(sessions, BUILTIN_PLUGINS, tenants=("zwickau",)) == {"zwickau": 5}


def test_builtin_operations_are_registered(sessions):
    registry = build_registry(BUILTIN_PLUGINS, sessions, Settings())
    assert registry.operations() >= {
        "civil_register.lookup_entry", "civil_register.check_entitlement",
        "finance.create_receivable", "finance.balance",
        "efile.open_file", "efile.add_document",
        "print_mail.enqueue",
        "notifications.send_email",
        "documents.render",
        "portal.notify",
    }
    assert callable(registry.resolve("finance.balance"))
