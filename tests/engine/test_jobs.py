"""Job executor: retries with backoff, incidents, operator retry, at-least-once with one effect."""
import os
import signal
import subprocess
import sys
import time

import pytest

from tasks import testing
from tests.conftest import ROOT, deploy_test_models


@pytest.fixture
def failing(process_engine):
    deploy_test_models(process_engine, "engine/failing.bpmn")
    return process_engine


def test_failing_adapter_retries_with_backoff_then_opens_incident_and_retry_completes(failing, clock):
    engine = failing
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 3, "divisor": 2})
    executor = engine.executor()

    executor.run_due()
    [job] = engine.management.jobs(instance_id=instance_id)
    assert (job.attempts, job.retries_left, job.state) == (1, 2, "ready")
    assert (job.due_at - clock.now()).total_seconds() == pytest.approx(2)
    assert executor.run_due() == 0  # not due before its backoff

    clock.advance(seconds=2)
    executor.run_due()
    [job] = engine.management.jobs(instance_id=instance_id)
    assert (job.attempts, job.retries_left) == (2, 1)
    assert (job.due_at - clock.now()).total_seconds() == pytest.approx(4)

    clock.advance(seconds=4)
    executor.run_due()
    [incident] = engine.management.incidents(instance_id=instance_id)
    assert incident.activity_id == "call_peer"
    assert "Gegenstelle nicht erreichbar (Versuch 3)" in incident.message
    assert engine.runtime.get(instance_id).state == "failed"
    assert [a.changes["attempt"] for a in engine.history.audit(instance_id=instance_id, action="job_failed")] == [1, 2, 3]

    engine.management.retry_incident(incident.id, user="operator")
    assert engine.runtime.get(instance_id).state == "waiting"
    executor.run_due()
    info = engine.runtime.get(instance_id)
    assert info.state == "completed"
    assert info.variables["peer"] == {"calls": 4} and info.variables["result"] == 5
    assert engine.management.incidents(instance_id=instance_id) == []


def test_script_error_parks_the_instance_in_an_incident_without_losing_the_service_result(failing):
    engine = failing
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 0})
    engine.executor().run_due()
    [incident] = engine.management.incidents(instance_id=instance_id)
    assert incident.kind == "failed_continuation"
    assert "check" in incident.message and "division" in incident.message.lower()
    info = engine.runtime.get(instance_id)
    assert info.state == "failed"
    assert info.variables["peer"] == {"calls": 1}  # the adapter's result was kept


def test_business_error_without_boundary_event_ends_in_incident(process_engine):
    engine = process_engine
    bpmn = (ROOT / "tests/models/engine/failing.bpmn").read_text().replace("testing.flaky", "testing.reject")
    engine.repository.deploy({"failing.bpmn": bpmn.encode()})
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
    for _ in range(3):
        engine.executor().run_due()
        engine.ctx.clock.advance(seconds=60)
    [incident] = engine.management.incidents(instance_id=instance_id)
    assert "wird im Modell nicht abgefangen" in incident.message


def test_invalid_request_opens_an_incident_at_once_without_retrying(process_engine):
    engine = process_engine
    bpmn = (ROOT / "tests/models/engine/failing.bpmn").read_text().replace("testing.flaky", "testing.refuse")
    engine.repository.deploy({"failing.bpmn": bpmn.encode()})
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
    engine.executor().run_due()
    [job] = engine.management.jobs(instance_id=instance_id)
    assert (job.attempts, job.retries_left, job.state) == (1, 0, "failed")
    [incident] = engine.management.incidents(instance_id=instance_id)
    assert "Parameter passen nicht zur Operation" in incident.message
    assert engine.runtime.get(instance_id).state == "failed"


def test_a_job_whose_worker_keeps_dying_ends_as_an_incident_and_spares_its_neighbours(failing, clock):
    engine = failing
    poison = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
    for attempt in (1, 2, 3):
        dying = engine.executor(lock_seconds=60)
        assert [j.instance_id for j in dying.acquire()] == [poison]  # acquired, then the worker dies
        [job] = engine.management.jobs(instance_id=poison)
        assert job.attempts == attempt  # counted before the job ran
        clock.advance(seconds=61)  # the lock expires
        neighbour = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
        engine.executor().run_due()
        assert engine.runtime.get(neighbour).state == "completed"
        clock.advance(seconds=2 * 2 ** (attempt - 1))  # the backoff
    [incident] = engine.management.incidents(instance_id=poison)
    assert "Worker ist während dieses Auftrags ausgefallen" in incident.message
    assert engine.runtime.get(poison).state == "failed"


def test_a_job_that_fails_while_its_result_is_applied_does_not_undo_the_others_of_its_batch(failing):
    engine = failing
    bpmn = (ROOT / "tests/models/engine/failing.bpmn").read_text().replace("testing.flaky", "testing.reject")
    engine.repository.deploy({"rejecting.bpmn": bpmn.replace('id="failing"', 'id="rejecting"').encode()})
    healthy = [engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 2})
               for _ in range(3)]
    broken = engine.runtime.start("rejecting", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
    engine.executor(batch_size=20).run_due()  # one batch: the uncaught BPMN error fails when it is applied
    assert [engine.runtime.get(i).state for i in healthy] == ["completed"] * 3
    [failure] = engine.history.audit(instance_id=broken, action="job_failed")
    assert "wird im Modell nicht abgefangen" in failure.changes["error"]


def test_suspended_instance_runs_no_jobs_until_resumed(failing):
    engine = failing
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
    engine.management.suspend(instance_id)
    assert engine.executor().run_due() == 0
    assert engine.runtime.get(instance_id).state == "suspended"
    engine.management.resume(instance_id)
    engine.executor().run_due()
    assert engine.runtime.get(instance_id).state == "completed"


def _worker(db, lock_seconds):
    env = {**os.environ, "AMTSWEG_DATABASE_URL": db.url, "AMTSWEG_PLUGIN_MODULES": "tasks.testing",
           "AMTSWEG_LOCK_SECONDS": str(lock_seconds)}
    return subprocess.Popen([sys.executable, "-m", "webui", "worker", "--until-idle"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_worker_killed_mid_call_is_taken_over_after_lock_expiry_and_effect_happens_once(process_engine, db):
    engine = process_engine
    bpmn = (ROOT / "tests/models/engine/lifecycle.bpmn").read_text().replace(
        '<spiffworkflow:parameter id="label" type="str" value="decision" />',
        '<spiffworkflow:parameter id="label" type="str" value="decision" />'
        '<spiffworkflow:parameter id="pause_seconds" type="float" value="60" />')
    engine.repository.deploy({"lifecycle.bpmn": bpmn.encode(),
                              "review.schema.json": (ROOT / "tests/models/engine/review.schema.json").read_bytes()})
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "A"})
    engine.executor().run_due()
    [task] = engine.tasks.query(instance_id=instance_id)
    engine.tasks.complete(task.id, {"decision": "approve", "reason": "passt"})

    first = _worker(db, lock_seconds=2)
    deadline = time.monotonic() + 30
    while not testing.effects(db.sessions) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # the effect happened, the job was not completed
    first.wait()
    [job] = engine.management.jobs(instance_id=instance_id)
    assert job.lock_owner is not None and job.attempts == 1  # counted before the call
    assert engine.runtime.get(instance_id).state == "waiting"

    time.sleep(2.2)  # the lock expires; a second worker takes over and counts the lost attempt
    second = _worker(db, lock_seconds=2)
    assert second.wait(timeout=60) == 0, second.stderr.read().decode()
    [job] = engine.management.jobs(instance_id=instance_id)
    assert (job.attempts, job.lock_owner) == (1, None) and "Worker ist während" in job.last_error
    time.sleep(max(0.0, (job.due_at - engine.ctx.now()).total_seconds()) + 0.1)  # the backoff
    third = _worker(db, lock_seconds=2)
    assert third.wait(timeout=60) == 0, third.stderr.read().decode()

    assert engine.runtime.get(instance_id).state == "completed"
    [effect] = testing.effects(db.sessions)
    assert effect.idempotency_key == f"amtsweg:{job.id}"
    assert effect.calls == 2  # the adapter was called twice with the same key, the effect recorded once


def test_several_workers_share_the_jobs_and_run_each_once(process_engine, db):
    engine = process_engine
    deploy_test_models(engine, "engine/failing.bpmn")
    instance_ids = [engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 1})
                    for _ in range(40)]
    workers = [_worker(db, lock_seconds=60) for _ in range(3)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()
    assert {engine.runtime.get(i).state for i in instance_ids} == {"completed"}
    effects = testing.effects(db.sessions)
    assert len(effects) == 40 and {e.calls for e in effects} == {1}  # no job ran twice
    assert engine.management.incidents() == []
