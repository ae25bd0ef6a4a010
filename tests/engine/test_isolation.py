"""Model code runs under limits the operating system enforces (engine.isolation): a hostile script
ends in an incident within seconds while a healthy instance beside it is served, and the worker's
memory stays small."""
import re
import resource
import threading
import time
from xml.sax.saxutils import escape

import pytest

from engine.errors import ModelError
from engine.isolation import IsolatedEnvironment, SandboxPool, is_cheap, is_cheap_script
from engine.sandbox import ScriptError, ScriptTimeout
from tests.conftest import TEST_MODELS, deploy_test_models

HOSTILE = {
    "segfault": ("t = ()\nfor i in range(1000000):\n    t = (t,)\nx = hash(t)", "zum Absturz gebracht"),
    "c_level_cpu": ("x = len(sum([[0] * 1000] * 10000, []))", "Rechenzeitlimit|Zeitlimit"),
    "to_bytes": ("x = (0).to_bytes(2_500_000_000, 'big')", "Speicherlimit"),
    "ljust": ("x = 'a'.ljust(3_000_000_000)", "Speicherlimit"),
    "list_growth": ("x = [0] * 9_000_000\ny = [x] * 9_000_000\nz = sum(y, [])", "Speicherlimit|Zeitlimit|Elementen"),
    "shared_references": ("x = [1]\n" + "\n".join("x = [x, x]" for _ in range(40)), "Datenelemente"),
    "endless_loop": ("while True:\n    pass", "Zeitlimit"),
}


def deploy_hostile(engine, name, script):
    bpmn = (TEST_MODELS / "engine/hostile_script.bpmn").read_text().replace("SCRIPT", escape(script))
    bpmn = bpmn.replace('id="hostile_script"', f'id="hostile_{name}"')
    engine.repository.deploy({f"hostile_{name}.bpmn": bpmn.encode()}, name=name)
    return f"hostile_{name}"


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_script_ends_in_an_incident_while_a_healthy_instance_is_served(process_engine, name):
    engine = process_engine
    script, message = HOSTILE[name]
    key = deploy_hostile(engine, name, script)
    deploy_test_models(engine, "engine/lifecycle.bpmn", "engine/review.schema.json")
    hostile = engine.runtime.start(key, tenant="plauen")
    healthy = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "Erika"})

    started = time.monotonic()
    engine.executor().run_due()
    assert time.monotonic() - started < 15

    [incident] = engine.management.incidents(instance_id=hostile)
    assert incident.activity_id == "hostile"
    assert re.search(message, incident.message), incident.message
    assert engine.runtime.get(hostile).state == "failed"
    assert [t.name for t in engine.tasks.query(instance_id=healthy)] == ["Antrag prüfen"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB: the worker stays below 1 GB


def deploy_at_start(engine, key, script):
    """The script runs inside the request that starts the instance (no wait state before it)."""
    bpmn = (TEST_MODELS / "engine/hostile_start.bpmn").read_text().replace("SCRIPT", escape(script))
    engine.repository.deploy({f"{key}.bpmn": bpmn.replace('id="hostile_start"', f'id="{key}"').encode()}, name=key)


def test_a_request_that_starts_hostile_code_is_answered_in_seconds_while_others_are_served(process_engine):
    engine = process_engine
    deploy_at_start(engine, "costly_start", "x = len(sum([[0] * 1000] * 10000, []))")
    deploy_at_start(engine, "friendly_start", "y = 1")
    other_times = []

    def other_user():
        for _ in range(5):
            began = time.monotonic()
            engine.runtime.start("friendly_start", tenant="plauen")
            other_times.append(time.monotonic() - began)

    began = time.monotonic()
    neighbour = threading.Thread(target=other_user)
    neighbour.start()
    with pytest.raises(ModelError, match="Rechenzeitlimit überschritten") as refused:
        engine.runtime.start("costly_start", tenant="plauen")
    neighbour.join(30)
    assert time.monotonic() - began < 15
    assert "ScriptTimeout" not in str(refused.value)  # German only, no program internals
    assert len(other_times) == 5 and max(other_times) < 3
    assert not engine.runtime.query(process_key="costly_start")  # nothing half-written


def test_cheap_code_stays_in_process_and_costly_code_goes_to_a_child():
    assert is_cheap("pruefung == 'genehmigt' and not ersatz")
    assert not is_cheap("len(sum([[0]*100]*5000, []))")
    assert is_cheap_script("person = a['vorname'] + ' ' + a['nachname']\nif x:\n    y = a.get('z')")
    for costly in ("for i in range(3):\n    y = i", "y = 'x' * 9", "d['k'] = 1", "y = f'{x:>99999}'", "y = str(x)"):
        assert not is_cheap_script(costly), costly


def test_in_process_script_that_grows_too_big_runs_again_in_a_child_with_the_same_result():
    env = IsolatedEnvironment(SandboxPool(time_limit=2))
    context = {"a": "x" * 1000}
    env.execute("b = a + a\nc = b + b\nd = c + c\ne = d + d\nf = e + e\ng = f + f\nh = g + g", context)
    assert len(context["h"]) == 128_000 and context["a"] == "x" * 1000


def test_errors_from_a_child_keep_their_kind_and_line():
    env = IsolatedEnvironment(SandboxPool(time_limit=2))
    with pytest.raises(ZeroDivisionError) as caught:
        env.execute("for i in range(2):\n    y = 1\nx = 1 / 0", {})
    assert caught.traceback[-1].lineno == 2  # third line of "<string>", counted from 0
    with pytest.raises(ScriptTimeout):
        env.execute("while True:\n    pass", {})
    with pytest.raises(ScriptError, match="nicht erlaubt"):
        env.execute("for i in range(2):\n    open('/etc/passwd')", {})
