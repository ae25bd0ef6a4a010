"""Database outages cost seconds, not minutes: a worker keeps the outcomes it has, applies them
once the database is back and gives back every other lock; a down database fails fast."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from engine import db as engine_db
from engine import jobs
from engine.db import make_engine, unavailable
from engine.models import Job, ProcessInstance
from tasks import testing
from tests.conftest import ROOT, deploy_test_models
from tests.pg_server import wait_until


def _outage() -> OperationalError:
    return OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


@pytest.fixture
def effects(process_engine, monkeypatch):
    monkeypatch.setattr(jobs, "OUTAGE_FIRST_PAUSE_SECONDS", 0.01)
    deploy_test_models(process_engine, "engine/effects.bpmn")
    return process_engine


def _start(engine, count: int, pause: float = 0) -> list[str]:
    return [engine.runtime.start("effects", tenant="plauen", variables={"pause": pause}) for _ in range(count)]


def _all_completed(sessions, instance_ids) -> bool:
    with sessions() as session:
        states = set(session.scalars(select(ProcessInstance.state).where(ProcessInstance.id.in_(instance_ids))))
    return states == {"completed"}


def _run_until_done(executor, sessions, instance_ids, timeout: float = 20) -> float:
    """Runs the executor as the worker service does (riding out outages); the seconds it took."""
    started, deadline = time.monotonic(), time.monotonic() + timeout
    executor.run(stop=lambda: _all_completed(sessions, instance_ids) or time.monotonic() > deadline)
    assert _all_completed(sessions, instance_ids), "not every instance completed"
    return time.monotonic() - started


def _assert_each_effect_once(sessions, count: int, calls=frozenset({1})):
    found = testing.effects(sessions)
    assert len(found) == count and len({e.idempotency_key for e in found}) == count
    assert {e.calls for e in found} <= set(calls)


def test_disconnect_errors_are_outages_and_statement_errors_are_not():
    assert unavailable(_outage())
    assert not unavailable(ValueError("x"))
    from sqlalchemy.exc import IntegrityError

    assert not unavailable(IntegrityError("INSERT", {}, Exception("duplicate key")))


def test_results_held_through_an_outage_are_applied_once_the_database_is_back(effects, db):
    instance_ids = _start(effects, 6)
    executor = effects.executor()
    real_apply, cut = executor._apply, [2]  # the first application and the first retry fail

    def apply(outcomes):
        if outcomes and cut[0]:
            cut[0] -= 1
            raise _outage()
        real_apply(outcomes)

    executor._apply = apply
    # The manual clock never lets a lock expire: only applying the held results or releasing helps.
    _run_until_done(executor, db.sessions, instance_ids)
    assert cut == [0]
    _assert_each_effect_once(db.sessions, 12)  # applied, not called again
    with db.sessions() as session:
        assert session.scalars(select(Job)).all() == []
    assert effects.management.incidents() == []


def test_a_result_applied_before_the_answer_was_lost_is_not_applied_twice(effects, db):
    instance_ids = _start(effects, 3)
    executor = effects.executor()
    real_apply, cut = executor._apply, [1]

    def apply(outcomes):
        real_apply(outcomes)
        if outcomes and cut[0]:
            cut[0] -= 1
            raise _outage()  # committed, but the worker did not hear so

    executor._apply = apply
    _run_until_done(executor, db.sessions, instance_ids)
    _assert_each_effect_once(db.sessions, 6)
    for instance_id in instance_ids:
        audit = effects.history.audit(instance_id=instance_id, action="service_completed")
        assert len(audit) == 2  # once per service task, not once per attempt to apply


def test_locks_committed_by_an_acquire_that_lost_its_answer_are_released_at_once(effects, db):
    instance_ids = _start(effects, 4)
    executor = effects.executor()
    real_acquire, cut = executor.acquire, [1]

    def acquire():
        acquired = real_acquire()
        if acquired and cut[0]:
            cut[0] -= 1
            raise _outage()  # the locks are committed, the worker does not know which
        return acquired

    executor.acquire = acquire
    assert _run_until_done(executor, db.sessions, instance_ids, timeout=10) < 10  # not after lock expiry (300 s)
    _assert_each_effect_once(db.sessions, 8)


def test_an_adapter_that_hit_our_own_outage_does_not_count_as_a_failed_attempt(effects, db):
    instance_ids = _start(effects, 3)
    executor = effects.executor()
    real_call, real_reachable, cut = executor._call, executor._database_reachable, [1]

    def call(job):
        if cut[0]:
            cut[0] -= 1
            return _outage()  # what record_effect raises while the database is down
        return real_call(job)

    executor._call = call
    executor._database_reachable = lambda: cut[0] > 0 or False  # down when asked about that call
    _run_until_done(executor, db.sessions, instance_ids)
    executor._database_reachable = real_reachable
    _assert_each_effect_once(db.sessions, 6)
    assert all(effects.history.audit(instance_id=i, action="job_failed") == [] for i in instance_ids)


def test_an_adapter_error_with_the_database_reachable_is_an_ordinary_failed_attempt(effects, db):
    [instance_id] = _start(effects, 1)
    executor = effects.executor()
    executor._call = lambda job: _outage()  # e.g. the peer's own database
    executor.run_due()
    [job] = effects.management.jobs(instance_id=instance_id)
    assert (job.attempts, job.lock_owner) == (1, None)


def test_a_database_that_accepts_connections_but_never_answers_fails_within_the_connect_timeout(monkeypatch):
    monkeypatch.setattr(engine_db, "CONNECT_TIMEOUT_SECONDS", 2)
    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        engine = make_engine(f"postgresql://amtsweg@127.0.0.1:{port}/amtsweg")
        started = time.monotonic()
        with pytest.raises(OperationalError) as raised, engine.connect():
            pass
        assert time.monotonic() - started < 6
        assert unavailable(raised.value)
        engine.dispose()


def test_connection_settings_in_the_url_win():
    engine = make_engine("postgresql://u@127.0.0.1:1/x?connect_timeout=11")
    _, params = engine.dialect.create_connect_args(engine.url)
    assert params["connect_timeout"] == "11"
    engine.dispose()


# -- A real restart of a PostgreSQL server of this test's own --------------------------------------


def _service_worker(url: str, log_path):
    """``amtsweg worker`` as a service runs it (no --until-idle), with the default 5-minute lock."""
    env = {**os.environ, "AMTSWEG_DATABASE_URL": url, "AMTSWEG_PLUGIN_MODULES": "tasks.testing",
           "AMTSWEG_LOCK_SECONDS": "300", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-m", "webui", "worker"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)


def _count(engine, sql: str) -> int:
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    except OperationalError:
        return -1


def test_two_workers_ride_out_a_database_restart_and_finish_within_seconds(pg_server, pg_installation, tmp_path):
    engine = pg_installation.engine
    deploy_test_models(engine, "engine/effects.bpmn")
    count = 150
    instance_ids = _start(engine, count, pause=0.02)  # 300 calls of about 20 ms: some seconds of work
    url = engine.ctx.db.url.render_as_string(hide_password=False)
    logs = [tmp_path / f"worker{i}.log" for i in range(2)]
    workers = [_service_worker(url, log) for log in logs]
    probe = make_engine(url)
    try:
        assert wait_until(lambda: _count(probe, "SELECT count(*) FROM testing_effect") >= count // 2, timeout=60)
        probe.dispose()
        pg_server.stop()  # in the middle of the run: every connection is cut
        time.sleep(3)
        pg_server.start()
        back = time.monotonic()
        done = wait_until(lambda: _count(probe, "SELECT count(*) FROM process_instance WHERE state = 'completed'")
                          == count, timeout=30, step=0.1)
        recovery = time.monotonic() - back
        print(f"\nalle {count} Vorgänge {recovery:.1f} s nach dem Neustart abgeschlossen")
        assert done, f"nicht alle Vorgänge 30 s nach dem Neustart abgeschlossen: {[p.read_text() for p in logs]}"
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        probe.dispose()
    output = "\n".join(p.read_text() for p in logs)
    assert "Datenbank nicht erreichbar" in output and "wieder erreichbar" in output, output
    assert "Traceback" not in output, output
    assert _all_completed(engine.sessions, instance_ids)
    found = testing.effects(engine.sessions)
    assert len(found) == 2 * count and len({e.idempotency_key for e in found}) == 2 * count  # each effect once
    with engine.sessions() as session:
        assert session.scalars(select(Job)).all() == []
    assert engine.management.incidents() == []


def test_the_worker_thread_survives_a_restart_while_idle(pg_server, pg_installation, monkeypatch):
    monkeypatch.setattr(jobs, "OUTAGE_FIRST_PAUSE_SECONDS", 0.1)
    engine = pg_installation.engine
    deploy_test_models(engine, "engine/effects.bpmn")
    executor, stopping = engine.executor(), threading.Event()
    thread = threading.Thread(target=executor.run, kwargs={"stop": stopping.is_set}, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        pg_server.stop()
        time.sleep(2)
        assert thread.is_alive()
        pg_server.start()
        back = time.monotonic()
        instance_ids = _start(engine, 5)
        assert wait_until(lambda: _all_completed(engine.sessions, instance_ids), timeout=15)
        print(f"\nnach dem Neustart in {time.monotonic() - back:.1f} s abgeschlossen")
    finally:
        stopping.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
