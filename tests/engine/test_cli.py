"""The CLI contract, as operators and outside checks use it."""
import json
import os
import subprocess
import sys

import pytest

from processes.bootstrap import bootstrap
from processes.settings import Settings
from tests.conftest import ROOT, TEST_MODELS


def amtsweg(db, *args, check=True):
    env = {**os.environ, "AMTSWEG_DATABASE_URL": db.url, "AMTSWEG_PLUGIN_MODULES": "tasks.testing"}
    result = subprocess.run([sys.executable, "-m", "webui", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)  # the caller decides, see below
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


def test_deploy_start_work_and_show_as_json(db):
    assert amtsweg(db, "db", "upgrade").returncode == 0
    deployed = amtsweg(db, "deploy", str(TEST_MODELS / "engine/lifecycle.bpmn"), str(TEST_MODELS / "engine/review.schema.json"))
    assert deployed.stdout.split() == ["lifecycle", "1"]
    instance_id = amtsweg(db, "start", "lifecycle", "--tenant", "plauen", "--business-key", "B-7",
                          "--data", '{"applicant": "Erika"}').stdout.strip()
    amtsweg(db, "worker", "--until-idle")

    [task] = json.loads(amtsweg(db, "task", "list", "--group", "sachbearbeitung", "--json").stdout)
    assert task["instance_id"] == instance_id and task["name"] == "Antrag prüfen"
    invalid = amtsweg(db, "task", "complete", task["id"], "--data", '{"decision": "vielleicht"}', check=False)
    assert invalid.returncode == 1 and "Entscheidung" in invalid.stderr
    amtsweg(db, "task", "complete", task["id"], "--data", '{"decision": "approve", "reason": "passt so"}', "--user", "sb1")
    amtsweg(db, "worker", "--until-idle")

    shown = json.loads(amtsweg(db, "instance", "show", instance_id, "--json").stdout)
    assert set(shown) == {"id", "state", "variables", "open_tasks", "incidents", "audit"}
    assert shown["state"] == "completed" and shown["open_tasks"] == [] and shown["incidents"] == []
    assert shown["variables"]["decision"] == "approve"
    assert any(a["action"] == "task_completed" and a["actor"] == "sb1" for a in shown["audit"])


def test_validate_reports_located_problems_and_exit_code(db, tmp_path):
    amtsweg(db, "db", "upgrade")
    assert amtsweg(db, "validate", str(TEST_MODELS / "engine/loop.bpmn")).returncode == 0
    bad = tmp_path / "bad.bpmn"
    bad.write_text((TEST_MODELS / "engine/lifecycle.bpmn").read_text().replace("testing.echo", "nirgends.bekannt"))
    result = amtsweg(db, "validate", str(bad), check=False)
    assert result.returncode == 1
    assert "bad.bpmn" in result.stderr and "fetch" in result.stderr and "nirgends.bekannt" in result.stderr


@pytest.mark.parametrize("data", ["{kaputt", "[1, 2]"])
def test_start_rejects_bad_json_clearly(db, data):
    amtsweg(db, "db", "upgrade")
    result = amtsweg(db, "start", "lifecycle", "--data", data, check=False)
    assert result.returncode != 0 and "--data" in result.stderr


def test_db_heads_lists_the_engine_and_every_registered_system(db):
    lines = amtsweg(db, "db", "heads").stdout.splitlines()
    assert "engine 0001" in lines and "finance finance_0003" in lines and "testing testing_0001" in lines
    assert "trade trade_0001" in lines


def test_the_worker_delivers_the_registers_reports(db):
    installation = bootstrap(Settings(database_url=db.url))
    try:
        installation.seed_demo(("plauen",))
        residents = installation.registry.system("residents")
        residents.record_move("plauen", "beispiel|erika|1990-03-14", "Chamissostraße 4", "08525", "Plauen")
        assert [r["state"] for r in residents.outbox.reports("plauen")] == ["pending"]
        assert "Aufträge ausgeführt" in amtsweg(db, "worker", "--until-idle").stdout
        # No permit of hers to withdraw: delivered, and nothing started.
        assert [(r["state"], r["instance_ids"]) for r in residents.outbox.reports("plauen")] == [("delivered", [])]
    finally:
        installation.close()
