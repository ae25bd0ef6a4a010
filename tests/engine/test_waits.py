"""Message correlation and timers, across the save/restore that every wait implies."""
import pytest

from engine.errors import MessageNotCorrelated
from tests.conftest import deploy_test_models


@pytest.fixture
def engine(process_engine):
    deploy_test_models(process_engine, "engine/waits.bpmn")
    return process_engine


def test_message_is_correlated_by_key_and_timer_fires_when_due(engine, clock):
    first = engine.runtime.start("waits", tenant="plauen", variables={"cash_reference": "KZ-1"})
    second = engine.runtime.start("waits", tenant="plauen", variables={"cash_reference": "KZ-2"})

    with pytest.raises(MessageNotCorrelated):
        engine.runtime.correlate("payment_received", {"cash_reference": "KZ-9"}, {"paid_cents": 1500})
    assert engine.runtime.correlate("payment_received", {"cash_reference": "KZ-2"}, {"paid_cents": 1500}) == second
    assert engine.runtime.get(second).variables["paid_cents"] == 1500
    assert "paid_cents" not in engine.runtime.get(first).variables

    [timer] = [j for j in engine.management.jobs(instance_id=second)]
    assert timer.kind == "timer"
    assert engine.executor().run_due() == 0
    clock.advance(minutes=59)
    assert engine.executor().run_due() == 0
    clock.advance(minutes=2)
    assert engine.executor().run_due() == 1
    info = engine.runtime.get(second)
    assert info.state == "completed" and info.variables["finished"] is True
    assert engine.runtime.get(first).state == "waiting"


def test_message_for_another_tenant_is_not_delivered(engine):
    engine.runtime.start("waits", tenant="plauen", variables={"cash_reference": "KZ-1"})
    with pytest.raises(MessageNotCorrelated):
        engine.runtime.correlate("payment_received", {"cash_reference": "KZ-1"}, {}, tenant="musterstadt")


def test_same_key_waiting_twice_is_ambiguous(engine):
    engine.runtime.start("waits", tenant="plauen", variables={"cash_reference": "KZ-1"})
    engine.runtime.start("waits", tenant="plauen", variables={"cash_reference": "KZ-1"})
    with pytest.raises(MessageNotCorrelated, match="mehreren"):
        engine.runtime.correlate("payment_received", {"cash_reference": "KZ-1"}, {})


def test_cancel_removes_waits(engine):
    instance_id = engine.runtime.start("waits", tenant="plauen", variables={"cash_reference": "KZ-1"})
    engine.runtime.cancel(instance_id, user="clerk", reason="Antrag zurückgezogen")
    assert engine.runtime.get(instance_id).state == "cancelled"
    with pytest.raises(MessageNotCorrelated):
        engine.runtime.correlate("payment_received", {"cash_reference": "KZ-1"}, {})
    assert engine.management.jobs(instance_id=instance_id) == []
