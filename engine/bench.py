"""Throughput measured side by side in one run: (a) SpiffWorkflow alone in memory,
(b) the engine running the same model fully persisted, (b2) the same with scripts that run in a
sandbox process, (c) a persisted lifecycle with two service calls and a human task. Figures are
compared as ratios, not absolute times."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .db import make_engine, make_sessionmaker
from .migrate import upgrade
from .operations import UnknownOperation

MODELS = Path(__file__).parent / "bench_models"
SLICE_SECONDS = 0.15
LIFECYCLE_BATCH = 20
WAITING_TIMERS = 100_000


def run_bench(seconds: float = 3.0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        engine = _engine(Path(tmp) / "bench.db")
        variants = {
            "spiff_memory_per_s": _spiff_alone(),
            "engine_persisted_per_s": lambda: bool(engine.runtime.start("bench_reference", tenant="bench")),
            # The same model with scripts that run in a sandbox process (not provably cheap): the cost of isolation.
            "engine_isolated_scripts_per_s": lambda: bool(engine.runtime.start("bench_isolated", tenant="bench")),
            "lifecycle_per_s": lambda: _lifecycle(engine),
        }
        for run in variants.values():  # warm up: compiled specs, statements, caches
            _timed(run, SLICE_SECONDS)
        totals = {name: [0, 0.0] for name in variants}
        for _ in range(max(1, round(seconds / SLICE_SECONDS))):
            # Short slices, one after the other: a noisy moment on a shared machine hits every variant alike.
            for name, run in variants.items():
                count, elapsed = _timed(run, SLICE_SECONDS)
                totals[name][0] += count
                totals[name][1] += elapsed
        engine.sessions.kw["bind"].dispose()
        delays = _timer_delays(engine)
    rates = {name: count / elapsed for name, (count, elapsed) in totals.items()}
    base = rates["spiff_memory_per_s"]
    return {
        **{k: round(v, 1) for k, v in rates.items()},
        "ratio_persisted_to_memory": round(rates["engine_persisted_per_s"] / base, 3),
        "ratio_lifecycle_to_memory": round(rates["lifecycle_per_s"] / base, 3),
        "ratio_isolated_to_persisted": round(rates["engine_isolated_scripts_per_s"] / rates["engine_persisted_per_s"], 3),
        "timers_waiting": WAITING_TIMERS,
        "timer_delay_max_s": round(max(delays), 3),
    }


def _timed(run, seconds: float) -> tuple[int, float]:
    """Instances run in about ``seconds``; ``run`` returns how many it ran (True or None: one)."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        count += int(run() or 1)
    return count, elapsed


def _spiff_alone():
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MODELS / "reference.bpmn"))
    spec = parser.get_spec("bench_reference")

    def run():
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        assert workflow.is_completed()

    return run


class _BenchOperations:
    """The one operation the lifecycle model calls (an ``OperationRegistry``)."""

    def resolve(self, operation: str):
        if operation != "bench.echo":
            raise UnknownOperation(operation)
        return lambda call: dict(call.params)

    def operations(self) -> set[str]:
        return {"bench.echo"}


def _engine(path: Path):
    from .facade import ProcessEngine

    db = make_engine(f"sqlite:///{path}")
    upgrade(db, ())
    engine = ProcessEngine(make_sessionmaker(db), _BenchOperations())
    engine.repository.deploy({p.name: p.read_bytes() for p in MODELS.glob("*.bpmn")}, name="bench")
    engine.bench_executor = engine.executor(batch_size=LIFECYCLE_BATCH)
    return engine


def _timer_delays(engine, samples: int = 5) -> list[float]:
    """How late timers fire while WAITING_TIMERS other timers wait (due in a year)."""
    import threading
    import uuid
    from datetime import timedelta

    from sqlalchemy import insert

    from .models import Job, ProcessInstance

    holder = engine.runtime.start("bench_timer", tenant="bench")  # owns the waiting timers
    later = engine.ctx.now() + timedelta(days=365)
    rows = [{"id": str(uuid.uuid4()), "instance_id": holder, "tenant": "bench", "kind": "timer", "task_id": None,
             "activity_id": "wait", "operation": None, "params": None, "idempotency_key": f"bench:{n}", "state": "ready",
             "due_at": later, "retries_left": 1, "attempts": 0, "backoff_seconds": 1, "lock_owner": None,
             "lock_expires_at": None, "last_error": None, "created_at": later} for n in range(WAITING_TIMERS)]
    with engine.ctx.writer.begin() as conn:
        conn.execute(insert(Job), rows)
    stop = threading.Event()
    worker = threading.Thread(target=engine.executor().run, kwargs={"stop": stop.is_set}, daemon=True)
    worker.start()
    delays = []
    for _ in range(samples):
        instance_id = engine.runtime.start("bench_timer", tenant="bench")
        due = engine.ctx.now() + timedelta(seconds=1)
        while engine.runtime.get(instance_id).state != "completed":
            time.sleep(0.01)
        delays.append((engine.ctx.now() - due).total_seconds())
    stop.set()
    worker.join()
    with engine.ctx.writer.begin() as conn:
        conn.execute(Job.__table__.delete().where(Job.instance_id == holder))
        conn.execute(ProcessInstance.__table__.delete().where(ProcessInstance.id == holder))
    return delays


def _lifecycle(engine) -> int:
    """A batch of lifecycles in flight at once, as a worker meets them in production."""
    for _ in range(LIFECYCLE_BATCH):
        engine.runtime.start("bench_lifecycle", tenant="bench", variables={"n": 1, "ok": True})
    engine.bench_executor.run_due()
    for task in engine.tasks.query(tenant="bench", per_page=LIFECYCLE_BATCH):
        engine.tasks.complete(task.id, {"ok": True})
    engine.bench_executor.run_due()
    return LIFECYCLE_BATCH
