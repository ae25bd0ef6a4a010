"""Model and data errors reach the caller as a located ModelError, never as a traceback: a start
stores nothing, a completion leaves the task open, a message stays undelivered; a worker's job
that fails further on parks the instance with an incident. Models: tests/models/engine/model_errors/."""
import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.errors import ModelError, ModelInvalid
from engine.models import AuditEvent, HumanTask, MessageSubscription, ProcessInstance
from tests.conftest import ROOT, deploy_test_models


def deploy(engine, name: str):
    return deploy_test_models(engine, f"engine/model_errors/{name}")


def open_task(engine, instance_id):
    [task] = engine.tasks.query(instance_id=instance_id)
    return task


def count(db, model, **where):
    with db.sessions() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def assert_unchanged_and_open(engine, db, instance_id, task):
    """The failed completion wrote nothing: the task is open and the instance as it was."""
    assert open_task(engine, instance_id).id == task.id
    with db.sessions() as session:
        assert session.get(HumanTask, task.id).state == "open"
        instance = session.get(ProcessInstance, instance_id)
        assert (instance.state, instance.version) == ("waiting", 1)
    assert count(db, AuditEvent, instance_id=instance_id, action="task_completed") == 0
    assert engine.management.incidents(instance_id=instance_id) == []


def test_completion_data_output(process_engine, db):
    engine = process_engine
    deploy(engine, "completion_data_output.bpmn")
    instance_id = engine.runtime.start("completion_data_output", tenant="plauen")
    task = open_task(engine, instance_id)
    with pytest.raises(ModelError) as caught:
        engine.tasks.complete(task.id, {})
    err = caught.value
    assert (err.activity_id, err.variable) == ("enter", "result")
    assert "Element 'enter'" in str(err) and "'result'" in str(err) and "bleibt offen" in str(err)
    assert_unchanged_and_open(engine, db, instance_id, task)

    engine.tasks.complete(task.id, {"result": 42})  # the cache was not left half-changed either
    assert engine.runtime.get(instance_id).state == "completed"


def test_completion_post_script(process_engine, db):
    engine = process_engine
    deploy(engine, "completion_post_script.bpmn")
    instance_id = engine.runtime.start("completion_post_script", tenant="plauen")
    task = open_task(engine, instance_id)
    with pytest.raises(ModelError) as caught:
        engine.tasks.complete(task.id, {"note": "ohne Betrag"})
    assert (caught.value.activity_id, caught.value.variable) == ("enter", "amount")
    assert_unchanged_and_open(engine, db, instance_id, task)

    engine.tasks.complete(task.id, {"amount": 21})
    info = engine.runtime.get(instance_id)
    assert info.state == "completed" and info.variables["total"] == 42


def test_completion_gateway(process_engine, db):
    """A condition after the task fails on data the clerk did not give: the clerk hears it."""
    engine = process_engine
    deploy(engine, "completion_gateway.bpmn")
    instance_id = engine.runtime.start("completion_gateway", tenant="plauen")
    task = open_task(engine, instance_id)
    with pytest.raises(ModelError) as caught:
        engine.tasks.complete(task.id, {})
    assert (caught.value.activity_id, caught.value.variable) == ("choice_gw", "choice")
    assert "Genehmigt?" in str(caught.value)
    assert_unchanged_and_open(engine, db, instance_id, task)

    engine.tasks.complete(task.id, {"choice": "ja"})
    assert engine.runtime.get(instance_id).state == "completed"


def test_completion_correlation(process_engine, db):
    engine = process_engine
    deploy(engine, "completion_correlation.bpmn")
    instance_id = engine.runtime.start("completion_correlation", tenant="plauen")
    task = open_task(engine, instance_id)
    with pytest.raises(ModelError) as caught:
        engine.tasks.complete(task.id, {})
    assert caught.value.variable == "case_no" and "case_no" in str(caught.value)
    assert_unchanged_and_open(engine, db, instance_id, task)
    assert count(db, MessageSubscription, instance_id=instance_id) == 0

    engine.tasks.complete(task.id, {"case_no": "A-1"})
    assert engine.runtime.get(instance_id).state == "waiting"
    assert count(db, MessageSubscription, instance_id=instance_id) == 1


def test_start_script_error(process_engine, db):
    engine = process_engine
    deploy(engine, "start_script_error.bpmn")
    with pytest.raises(ModelError) as caught:
        engine.runtime.start("start_script_error", tenant="plauen", variables={"other": 1})
    assert (caught.value.activity_id, caught.value.variable) == ("compute", "parts")
    assert "nicht angelegt" in str(caught.value)
    with pytest.raises(ModelError, match="ZeroDivisionError"):
        engine.runtime.start("start_script_error", tenant="plauen", variables={"parts": 0})
    assert count(db, ProcessInstance) == 0 and count(db, AuditEvent) == 0
    assert engine.management.incidents() == []

    instance_id = engine.runtime.start("start_script_error", tenant="plauen", variables={"parts": 4})
    assert engine.runtime.get(instance_id).variables["share"] == 25


def test_timer_script_error(process_engine, db, clock):
    """After its first wait state the instance exists and no caller waits: an incident."""
    engine = process_engine
    deploy(engine, "timer_script_error.bpmn")
    instance_id = engine.runtime.start("timer_script_error", tenant="plauen")
    clock.advance(hours=2)
    engine.executor().run_due()
    [incident] = engine.management.incidents(instance_id=instance_id)
    assert incident.activity_id == "compute" and "parts" in incident.message
    assert engine.runtime.get(instance_id).state == "failed"


def test_correlate_then_fail(process_engine, db):
    engine = process_engine
    deploy(engine, "correlate_then_fail.bpmn")
    instance_id = engine.runtime.start("correlate_then_fail", tenant="plauen")
    with pytest.raises(ModelError) as caught:
        engine.runtime.correlate("ping", payload={"other": 1})
    assert (caught.value.activity_id, caught.value.variable) == ("use", "value")
    assert "nicht zugestellt" in str(caught.value)
    assert engine.runtime.get(instance_id).state == "waiting"
    assert count(db, MessageSubscription, instance_id=instance_id) == 1

    engine.runtime.correlate("ping", payload={"value": 2})
    info = engine.runtime.get(instance_id)
    assert info.state == "completed" and info.variables["doubled"] == 4


def test_deploy_bpmn20(process_engine):
    """Files named .bpmn20.xml (Activiti, Flowable) deploy their processes, as validation reads them."""
    engine = process_engine
    [info] = deploy(engine, "deploy_bpmn20.bpmn20.xml")
    assert info.key == "deploy_bpmn20"
    instance_id = engine.runtime.start("deploy_bpmn20", tenant="plauen")
    assert engine.runtime.get(instance_id).variables["share"] == 1


def test_cli_task_complete_model_error(process_engine, db, installation, monkeypatch):
    """``amtsweg task complete`` answers with one located line and exit 1, in a subprocess too;
    ``amtsweg worker`` runs outside the main thread (no signal handler there)."""
    import webui.cli

    engine = process_engine
    deploy(engine, "completion_data_output.bpmn")
    instance_id = engine.runtime.start("completion_data_output", tenant="plauen")
    task = open_task(engine, instance_id)
    env = {**os.environ, "AMTSWEG_DATABASE_URL": db.url, "AMTSWEG_PLUGIN_MODULES": "tasks.testing"}
    result = subprocess.run([sys.executable, "-m", "webui", "task", "complete", task.id, "--data", "{}"],
                            check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("Fehler: Element 'enter'") and "'result'" in result.stderr
    assert open_task(engine, instance_id).id == task.id

    monkeypatch.setattr(webui.cli._Run, "installation", lambda _self: installation)
    results = []
    thread = threading.Thread(target=lambda: results.append(
        CliRunner().invoke(webui.cli.main, ["worker", "--until-idle"])))
    thread.start()
    thread.join(10)
    assert results and results[0].exit_code == 0, results and results[0].output


def test_user_task_bad_due(process_engine, db, monkeypatch):
    """A dueIn that is no ISO duration is refused at deploy; one deployed before that check is
    found when the task opens."""
    engine = process_engine
    with pytest.raises(ModelInvalid, match="'drei Tage' ist keine gültige ISO-8601-Dauer"):
        deploy(engine, "user_task_bad_due.bpmn")
    monkeypatch.setattr(engine.repository, "validate", lambda files: [])
    deploy(engine, "user_task_bad_due.bpmn")
    with pytest.raises(ModelError) as caught:
        engine.runtime.start("user_task_bad_due", tenant="plauen")
    assert caught.value.activity_id == "decide" and "'drei Tage'" in str(caught.value)
    assert count(db, ProcessInstance) == 0 and count(db, HumanTask) == 0


def test_cli_reports_an_internal_error_in_one_line(installation, monkeypatch):
    """The last resort: a bug below the CLI is one line and exit 2, its details with AMTSWEG_DEBUG=1."""
    import webui.cli

    monkeypatch.setattr(webui.cli._Run, "installation", lambda _self: installation)
    monkeypatch.delenv("AMTSWEG_DEBUG", raising=False)

    def broken(*_args, **_kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(installation.engine.runtime, "start", broken)
    result = CliRunner().invoke(webui.cli.main, ["start", "irgendwas"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Interner Fehler (RuntimeError: kaputt)" in result.output
    monkeypatch.setenv("AMTSWEG_DEBUG", "1")
    assert isinstance(CliRunner().invoke(webui.cli.main, ["start", "irgendwas"]).exception, RuntimeError)
