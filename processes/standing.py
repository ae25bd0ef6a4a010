"""Processes that run permanently, one per municipality and service (for example the monthly
trade statistics). Starting them is idempotent: a running one is left alone."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from .catalog import services
from .municipalities import municipalities


def standing_purpose(process_key: str) -> str | None:
    """What a standing process is for (German), or None for a case's process."""
    return next((s.standing_processes[process_key] for s in services().values() if process_key in s.standing_processes),
                None)


def start_standing_processes(engine) -> list[str]:
    """Starts what is missing; returns the new instance ids."""
    started = []
    month = engine.ctx.now().astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m")
    for svc in services().values():
        for process_key in svc.standing_processes:
            if not engine.repository.list_definitions(process_key):
                continue  # the service's models are not deployed here
            for place in municipalities().values():
                if not place.offers(svc.key):
                    continue
                running = [i for i in engine.runtime.query(tenant=place.key, process_key=process_key)
                           if i.state not in ("completed", "cancelled")]
                if running:
                    continue
                started.append(engine.runtime.start(
                    process_key, tenant=place.key, business_key=f"{svc.case_prefix}-{process_key}",
                    variables={"monat": month, "einstellungen": place.settings(svc.key),
                               "kommune": place.letterhead(svc.key)}, user="system"))
    return started
