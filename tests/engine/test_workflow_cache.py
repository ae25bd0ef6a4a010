"""The workflow cache, and the switch that turns it off: with ``size=0`` every command loads
the instance state from the database, as a worker in another process does."""
import pytest

from engine import spiff
from engine.core import Outcome, WorkflowCache
from engine.facade import ProcessEngine
from tests.conftest import deploy_test_models


def test_a_cache_hands_back_the_saved_workflow_once_and_only_for_its_version():
    cache, workflow = WorkflowCache(size=2), object()
    cache.put(Outcome("i1", "waiting", 3, workflow))
    assert cache.take("i1", 2) is None  # another version: stale, and gone
    cache.put(Outcome("i1", "waiting", 3, workflow))
    assert cache.take("i1", 3) is workflow
    assert cache.take("i1", 3) is None  # taken by one caller only


def test_a_cache_of_size_zero_keeps_nothing():
    cache = WorkflowCache(size=0)
    cache.put(Outcome("i1", "waiting", 1, object()))
    assert cache.take("i1", 1) is None


def test_a_negative_size_is_refused():
    with pytest.raises(ValueError):
        WorkflowCache(size=-1)


@pytest.mark.parametrize("size, loads", [(2000, 0), (0, 3)])
def test_an_engine_without_cache_loads_the_state_for_each_command(process_engine, monkeypatch, size, loads):
    ctx = process_engine.ctx
    engine = ProcessEngine(process_engine.sessions, ctx.registry, ctx.clock, workflow_cache_size=size)
    deploy_test_models(engine, "engine/lifecycle.bpmn", "engine/review.schema.json")
    loaded = []
    load_state = spiff.load_state
    monkeypatch.setattr(spiff, "load_state", lambda blob, compiled: loaded.append(1) or load_state(blob, compiled))
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "Erika"})
    assert engine.executor().run_due() == 1  # a service result
    [task] = engine.tasks.query(instance_id=instance_id)
    engine.tasks.complete(task.id, {"decision": "approve", "reason": "Alles korrekt"})  # a human task
    assert engine.executor().run_due() == 1  # another service result, which ends the instance
    assert engine.runtime.get(instance_id).state == "completed"
    assert len(loaded) == loads
