"""A specialist system for tests and demos of the engine's guarantees: an effect recorded once
per idempotency key, a peer that fails a given number of times, a slow call. Registered only
where a test or ``Settings.plugin_modules`` names ``tasks.testing``; its table exists only there."""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, transaction
from engine.operations import BusinessError, InvalidRequest, ServiceCall, TemporaryFailure
from tasks.base import Plugin, SpecialistSystem


class Effect(Base):
    __tablename__ = "testing_effect"
    idempotency_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    label: Mapped[str] = mapped_column(String(200))
    calls: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TestingSystem(SpecialistSystem):
    name = "testing"
    operations = ("record_effect", "flaky", "reject", "refuse", "echo")

    def __init__(self, sessions):
        self.sessions = sessions

    def record_effect(self, call: ServiceCall) -> dict:
        """Records the effect once per key. ``pause_seconds`` waits after the first effect: the
        window in which a crash leaves an effect without a completed job."""
        with transaction(self.sessions) as session:
            effect = session.get(Effect, call.idempotency_key)
            if effect is None:
                effect = Effect(idempotency_key=call.idempotency_key, instance_id=call.instance_id,
                                label=str(call.params.get("label", "")), calls=0, created_at=datetime.now(timezone.utc))
                session.add(effect)
            effect.calls += 1
            first = effect.calls == 1
        if first:
            time.sleep(float(call.params.get("pause_seconds", 0)))
        return {"effect": call.idempotency_key, "label": effect.label}

    def flaky(self, call: ServiceCall) -> dict:
        """Fails with a technical error until it has been called ``fail_times`` times."""
        with transaction(self.sessions) as session:
            effect = session.get(Effect, call.idempotency_key)
            if effect is None:
                effect = Effect(idempotency_key=call.idempotency_key, instance_id=call.instance_id, label="flaky",
                                calls=0, created_at=datetime.now(timezone.utc))
                session.add(effect)
            effect.calls += 1
            calls = effect.calls
        if calls <= int(call.params.get("fail_times", 1)):
            raise TemporaryFailure(f"Gegenstelle nicht erreichbar (Versuch {calls})")
        return {"calls": calls}

    def reject(self, call: ServiceCall) -> dict:
        raise BusinessError(str(call.params.get("code", "rejected")), "Fachlich abgelehnt", {"detail": call.params.get("detail")})

    def refuse(self, call: ServiceCall) -> dict:
        raise InvalidRequest("Parameter passen nicht zur Operation")

    def echo(self, call: ServiceCall) -> dict:
        return dict(call.params)


def effects(sessions) -> list[Effect]:
    with sessions() as session:
        return list(session.scalars(select(Effect).order_by(Effect.created_at)))


PLUGIN = Plugin("testing", lambda ctx: TestingSystem(ctx.sessions), models=sys.modules[__name__])
PLUGINS = (PLUGIN,)
