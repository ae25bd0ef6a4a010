"""No model hangs the engine through time or recursion: hostile literals are rejected at
deploy with their element named, hostile computed values end in an incident within seconds
while a healthy instance beside them runs on. Every risky call runs under a timeout, so a
regression fails instead of hanging the suite."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine import repository, spiff, timebounds
from engine.errors import ModelError, ModelInvalid
from engine.validation import validate
from tests.conftest import MODELS, TEST_MODELS, deploy_test_models

FOLDER = TEST_MODELS / "timebounds"
LIMIT_SECONDS = 10


def within(seconds: float, fn, *args, **kwargs):
    """fn(*args) in a thread; fails the test if it has not returned after ``seconds``."""
    result, error = [], []

    def run():
        try:
            result.append(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the test thread
            error.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{getattr(fn, '__name__', fn)} hat nach {seconds} s nicht zurückgegeben (Endlosschleife?)")
    if error:
        raise error[0]
    return result[0]


def _files(*names: str) -> dict[str, bytes]:
    return {f"amt/{name}": (FOLDER / name).read_bytes() for name in names}


# --- the shared parser --------------------------------------------------------------------------

NOW = datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["PT5M", "P3D", "P1W", "P1M", "P13M", "P2Y", "P1M3DT2H", "P1Y2M3DT4H5M6S"])
def test_durations_agree_with_spiffworkflow(text):
    parsed = TimerEventDefinition.parse_iso_duration(text)
    assert timebounds.due_after(text, NOW) == NOW + TimerEventDefinition.get_timedelta_from_start(parsed, NOW)


@pytest.mark.parametrize("text", ["P99999999999M", "P99999999999Y", "P101Y", "P1201M", "P36526D", "P5300W",
                                  "PT999999999999H", "P" + "9" * 5000 + "D"])
def test_huge_durations_are_refused_at_once(text):
    with pytest.raises(timebounds.TimeBoundError, match="100 Jahre"):
        within(1, timebounds.due_after, text, NOW)


def test_hundred_years_is_the_horizon():
    assert timebounds.due_after("P100Y", NOW) - NOW <= timebounds.MAX_SPAN
    assert timebounds.due_after("P36525D", NOW) - NOW == timebounds.MAX_SPAN


@pytest.mark.parametrize("text, fragment", [
    ("R/PT0S", "Abstand ist 0"), ("R5/P0D", "Abstand ist 0"), ("R/PT1S", "unter 1 Minute"),
    ("R11/PT30S", "unter 1 Minute"), ("R/P101Y", "100 Jahre"), ("R/2999-01-01T00:00:00Z/P1D", "100 Jahre"),
    ("R/P1D/P1D", "kein gültiger ISO-8601-Zyklus"), ("P1D", "kein gültiger ISO-8601-Zyklus"),
])
def test_hostile_cycles(text, fragment):
    with pytest.raises(timebounds.TimeBoundError, match=fragment):
        timebounds.parse_cycle(text, NOW)


def test_healthy_cycles():
    assert timebounds.parse_cycle("R3/PT10S", NOW) == timebounds.Cycle(3, NOW + timedelta(seconds=10),
                                                                       timedelta(seconds=10))
    assert timebounds.parse_cycle("R/PT1M", NOW).repetitions == -1
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert timebounds.parse_cycle("R/2020-01-01T00:00:00Z/P1D", NOW) == timebounds.Cycle(-1, start, timedelta(days=1))
    # ten years of missed daily occurrences fold into one step, not 3,650 firings
    assert timebounds.next_occurrence(start, timedelta(days=1), NOW) == datetime(2026, 2, 1, tzinfo=timezone.utc)


# --- deploy time --------------------------------------------------------------------------------

@pytest.mark.parametrize("names, element_id, fragment", [
    (["cycle_zero_interval.bpmn"], "erinnerung_sofort", "Der Timer-Zyklus 'R/PT0S': der Abstand ist 0"),
    (["cycle_tiny_interval.bpmn"], "erinnerung_sekunde", "Abstand unter 1 Minute"),
    (["cycle_start_beyond_horizon.bpmn"], "erinnerung_spaet", "weiter als 100 Jahre"),
    (["duration_beyond_horizon.bpmn"], "frist_ewig", "Die Timer-Dauer 'P99999999999M' liegt weiter als 100 Jahre"),
    (["date_beyond_horizon.bpmn"], "termin_ewig", "Der Timer-Zeitpunkt '9999-12-31T00:00:00Z' liegt weiter"),
    (["due_in_beyond_horizon.bpmn"], "pruefen_ewig", "Die Frist (dueIn) 'P99999999999M' liegt weiter"),
    (["call_activity_calls_itself.bpmn"], "selbstaufruf",
     "ruft ihren eigenen Prozess 'call_activity_calls_itself' auf: eine endlose Rekursion"),
    (["call_activity_cycle_a.bpmn", "call_activity_cycle_b.bpmn", "call_activity_cycle_c.bpmn"], "ruft_b",
     "ruft 'antrag_b' auf, und über antrag_b → antrag_c → antrag_a wird 'antrag_a' wieder aufgerufen"),
    (["adhoc_without_completion.bpmn"], "nach_bedarf", "keine Abschlussbedingung"),
])
def test_hostile_model_is_rejected_at_deploy(names, element_id, fragment):
    problems = within(LIMIT_SECONDS, validate, _files(*names), set(), parser_factory=spiff.AmtswegParser)
    assert any(p.element_id == element_id and fragment in p.message for p in problems), [str(p) for p in problems]
    assert all(p.file.startswith("amt/") and p.element_id for p in problems), [str(p) for p in problems]


def test_indirect_recursion_names_every_call_activity():
    names = ["call_activity_cycle_a.bpmn", "call_activity_cycle_b.bpmn", "call_activity_cycle_c.bpmn"]
    problems = within(LIMIT_SECONDS, validate, _files(*names), set())
    assert {(p.file, p.element_id) for p in problems} == {
        ("amt/call_activity_cycle_a.bpmn", "ruft_b"), ("amt/call_activity_cycle_b.bpmn", "ruft_c"),
        ("amt/call_activity_cycle_c.bpmn", "ruft_a")}


def test_computed_timer_values_pass_deploy():
    for name in ("computed_duration.bpmn", "computed_date.bpmn", "computed_cycle.bpmn"):
        assert validate(_files(name), set(), parser_factory=spiff.AmtswegParser) == []


def test_deploy_refuses_hostile_model(process_engine):
    with pytest.raises(ModelInvalid) as info:
        within(LIMIT_SECONDS, deploy_test_models, process_engine, "timebounds/cycle_zero_interval.bpmn")
    assert [p.element_id for p in info.value.problems] == ["erinnerung_sofort"]


def test_service_models_still_deploy(process_engine):
    for folder in sorted(p for p in MODELS.iterdir() if p.is_dir()):
        assert within(60, process_engine.repository.deploy, repository.read_paths([folder]), name=folder.name)


# --- run time -----------------------------------------------------------------------------------

def _start(engine, key, **variables):
    return within(LIMIT_SECONDS, engine.runtime.start, key, tenant="plauen", variables=variables)


def _refused(engine, key, **variables) -> ModelError:
    """A bound broken before the first wait state refuses the start: nothing is stored (see
    core._run_and_save); the same value met later, in a worker's job, parks with an incident."""
    before = len(engine.runtime.query(process_key=key))
    with pytest.raises(ModelError) as refused:
        _start(engine, key, **variables)
    assert len(engine.runtime.query(process_key=key)) == before
    return refused.value


def test_computed_duration_out_of_bounds_refuses_the_start(process_engine, clock):
    deploy_test_models(process_engine, "timebounds/computed_duration.bpmn")
    refused = _refused(process_engine, "computed_duration", frist="P99999999999M")
    assert refused.activity_id == "frist"
    assert "Die Timer-Dauer 'P99999999999M' liegt weiter als 100 Jahre" in str(refused)
    assert "ergibt int" in str(_refused(process_engine, "computed_duration", frist=300))
    healthy = _start(process_engine, "computed_duration", frist="PT1M")
    clock.advance(minutes=2)
    assert within(LIMIT_SECONDS, process_engine.executor().run_due) == 1
    assert process_engine.runtime.get(healthy).state == "completed"


def test_computed_date_out_of_bounds_refuses_the_start(process_engine, clock):
    deploy_test_models(process_engine, "timebounds/computed_date.bpmn")
    refused = _refused(process_engine, "computed_date", termin="9999-12-31T00:00:00Z")
    healthy = _start(process_engine, "computed_date",
                     termin=(datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat())
    assert "Der Timer-Zeitpunkt '9999-12-31T00:00:00Z' liegt weiter" in str(refused)
    clock.advance(minutes=2)
    assert within(LIMIT_SECONDS, process_engine.executor().run_due) == 1
    assert process_engine.runtime.get(healthy).state == "completed"


@pytest.mark.parametrize("cycle, fragment", [("R/PT0S", "der Abstand ist 0"), ("R/PT1S", "unter 1 Minute"),
                                             ("P99999999999M", "kein gültiger ISO-8601-Zyklus")])
def test_computed_cycle_out_of_bounds_refuses_the_start(process_engine, clock, cycle, fragment):
    deploy_test_models(process_engine, "timebounds/computed_cycle.bpmn")
    refused = _refused(process_engine, "computed_cycle", zyklus=cycle)
    healthy = _start(process_engine, "computed_cycle", zyklus="R/PT1M")  # endless, once a minute
    assert refused.activity_id == "erinnerung" and fragment in str(refused)
    [timer] = [j for j in process_engine.management.jobs(instance_id=healthy) if j.kind == "timer"]
    clock.advance(minutes=2)
    # one firing per due job: the cycle keeps its schedule instead of replaying from 1970
    assert within(LIMIT_SECONDS, process_engine.executor().run_due) == 1
    assert process_engine.runtime.get(healthy).variables.get("erinnert") is True
    [moved] = [j for j in process_engine.management.jobs(instance_id=healthy) if j.kind == "timer"]
    assert moved.due_at - timer.due_at == timedelta(minutes=1)
    [task] = process_engine.tasks.query(instance_id=healthy)
    within(LIMIT_SECONDS, process_engine.tasks.complete, task.id, {})
    assert process_engine.runtime.get(healthy).state == "completed"
    assert process_engine.management.jobs(instance_id=healthy) == []


def test_due_in_out_of_bounds_of_an_old_deployment_refuses_the_start(process_engine, monkeypatch):
    # Deployed before these checks existed: the run must fail with an incident, not the save hang.
    monkeypatch.setattr(process_engine.repository, "validate", lambda files: [])
    deploy_test_models(process_engine, "timebounds/due_in_beyond_horizon.bpmn")
    refused = _refused(process_engine, "due_in_beyond_horizon", ewig=True)
    healthy = _start(process_engine, "due_in_beyond_horizon", ewig=False)
    assert refused.activity_id == "pruefen_ewig" and "Die Frist (dueIn) 'P99999999999M'" in str(refused)
    [task] = process_engine.tasks.query(instance_id=healthy)
    assert task.due_at is not None
    within(LIMIT_SECONDS, process_engine.tasks.complete, task.id, {})
    assert process_engine.runtime.get(healthy).state == "completed"


def test_self_call_of_an_old_deployment_refuses_the_start(process_engine, monkeypatch):
    # Deployed before recursion was checked: the nesting depth limit turns the spin into an incident.
    monkeypatch.setattr(process_engine.repository, "validate", lambda files: [])
    deploy_test_models(process_engine, "timebounds/call_activity_calls_itself.bpmn",
                       "timebounds/computed_duration.bpmn")
    refused = _refused(process_engine, "call_activity_calls_itself")
    healthy = _start(process_engine, "computed_duration", frist="PT0S")
    assert refused.activity_id and f"mehr als {spiff.MAX_SUBPROCESS_DEPTH} Ebenen" in str(refused)
    assert process_engine.runtime.get(healthy).state == "completed"


def test_computed_duration_out_of_bounds_in_a_job_is_an_incident_beside_a_healthy_instance(process_engine, clock):
    deploy_test_models(process_engine, "timebounds/computed_duration_after_service.bpmn")
    hostile = _start(process_engine, "computed_duration_after_service", frist="P99999999999M")
    healthy = _start(process_engine, "computed_duration_after_service", frist="PT1M")
    for _ in range(3):  # the job's retries, then the incident
        within(LIMIT_SECONDS, process_engine.executor().run_due)
        clock.advance(seconds=30)
    [incident] = process_engine.management.incidents(instance_id=hostile)
    assert "Element 'frist'" in incident.message and "liegt weiter als 100 Jahre" in incident.message
    assert process_engine.runtime.get(hostile).state == "failed"
    within(LIMIT_SECONDS, process_engine.executor().run_due)  # the healthy one's minute is over
    assert process_engine.runtime.get(healthy).state == "completed"
