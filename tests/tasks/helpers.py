"""Building ServiceCalls as the engine does."""
from __future__ import annotations

import uuid

from tasks.base import ServiceCall


def make_call(operation: str, params: dict, tenant: str = "plauen", key: str | None = None,
              business_key: str | None = "ANTRAG-2026-0001", instance_id: str = "inst-0001") -> ServiceCall:
    return ServiceCall(operation=operation, params=params, idempotency_key=key or uuid.uuid4().hex,
                       tenant=tenant, instance_id=instance_id, business_key=business_key)
