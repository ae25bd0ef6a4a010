"""Sandbox for scripts and expressions (engine.sandbox). No database needed."""
from __future__ import annotations

import threading
import time

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.sandbox import (
    SandboxedEnvironment,
    ScriptError,
    ScriptTimeout,
    make_script_engine,
)


@pytest.fixture
def env():
    return SandboxedEnvironment(time_limit=2.0)


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "escaped"


# --------------------------------------------------------------------------
# Escapes. MARK is replaced by a file path; every entry with a side effect
# really creates that file under stock SpiffWorkflow (see the control tests).

SUBCLASS_WALK = (
    "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close'][0]"
    ".__init__.__globals__['system']('touch MARK')"
)

SCRIPT_ESCAPES = [
    # id, script, side effect under stock exec
    ("subclasses-walk", SUBCLASS_WALK, True),
    ("__import__", "__import__('os').system('touch MARK')", True),
    ("import", "import os\nos.system('touch MARK')", True),
    ("from-import", "from os import system\nsystem('touch MARK')", True),
    ("open", "open('MARK', 'w').write('x')", True),
    ("eval", "eval(\"__import__('os').system('touch MARK')\")", True),
    ("exec", "exec(\"import os; os.system('touch MARK')\")", True),
    ("getattr", "b = getattr(getattr(len, '__self__'), '__import__')\nb('os').system('touch MARK')", True),
    ("type", "o = type(()).mro()[1]\nw = [c for c in type.__subclasses__(o) if c.__name__ == '_wrap_close'][0]\n"
             "w.__init__.__globals__['system']('touch MARK')", True),
    ("type-call", "t = type(amount)", False),
    ("gi_frame", "g = (x for x in [1])\ng.gi_frame.f_builtins['__import__']('os').system('touch MARK')", True),
    ("globals", "globals()['__builtins__']['__import__']('os').system('touch MARK')", True),
    ("str-format", "leak = '{0.__class__}'.format(1)", False),
    ("str-format-map", "leak = '{x.__class__}'.format_map({'x': 1})", False),
    ("f-string-dunder", "leak = f'{(1).__class__.__base__}'", False),
    ("mro", "leak = str.mro()", False),
    ("class-def", "class A:\n    pass\nleak = A", False),
]

EXPRESSION_ESCAPES = [
    ("subclasses-walk", SUBCLASS_WALK, True),
    ("__import__", "__import__('os').system('touch MARK')", True),
    ("open", "open('MARK', 'w').write('x')", True),
    ("eval", "eval(\"__import__('os').system('touch MARK')\")", True),
    ("exec", "exec(\"import os; os.system('touch MARK')\")", True),
    ("getattr", "getattr(getattr(len, '__self__'), '__import__')('os').system('touch MARK')", True),
    ("type", "type(1)", False),
    ("gi_frame", "(x for x in [1]).gi_frame.f_builtins['__import__']('os').system('touch MARK')", True),
    ("globals", "globals()['__builtins__']['__import__']('os').system('touch MARK')", True),
    ("str-format", "'{0.__class__}'.format(1)", False),
    ("f-string-dunder", "f'{(1).__class__}'", False),
    ("lambda", "(lambda: 1)()", False),
]


def _fill(code: str, marker) -> str:
    return code.replace("MARK", str(marker))


@pytest.mark.parametrize("code,side_effect", [e[1:] for e in SCRIPT_ESCAPES], ids=[e[0] for e in SCRIPT_ESCAPES])
def test_script_escape_is_blocked(env, marker, code, side_effect):
    context = {"amount": 1}
    with pytest.raises(ScriptError) as info:
        env.execute(_fill(code, marker), context)
    assert "nicht erlaubt" in str(info.value)
    assert not marker.exists()
    assert context == {"amount": 1}


@pytest.mark.parametrize("code,side_effect", [e[1:] for e in EXPRESSION_ESCAPES],
                         ids=[e[0] for e in EXPRESSION_ESCAPES])
def test_expression_escape_is_blocked(env, marker, code, side_effect):
    with pytest.raises(ScriptError) as info:
        env.evaluate(_fill(code, marker), {"amount": 1})
    assert "nicht erlaubt" in str(info.value)
    assert not marker.exists()


# Control: the escapes are real, i.e. stock SpiffWorkflow falls for them.
@pytest.mark.parametrize("code", [e[1] for e in SCRIPT_ESCAPES if e[2]], ids=[e[0] for e in SCRIPT_ESCAPES if e[2]])
def test_control_script_escape_works_without_sandbox(marker, code):
    TaskDataEnvironment().execute(_fill(code, marker), {})
    assert marker.exists()


@pytest.mark.parametrize("code", [e[1] for e in EXPRESSION_ESCAPES if e[2]],
                         ids=[e[0] for e in EXPRESSION_ESCAPES if e[2]])
def test_control_expression_escape_works_without_sandbox(marker, code):
    TaskDataEnvironment().evaluate(_fill(code, marker), {})
    assert marker.exists()


def test_messages_name_what_was_blocked(env):
    with pytest.raises(ScriptError, match="Zugriff auf '__class__' ist in Skripten nicht erlaubt"):
        env.execute("x = ().__class__", {})
    with pytest.raises(ScriptError, match="'open' ist in Skripten nicht erlaubt"):
        env.execute("f = open('/etc/passwd')", {})
    with pytest.raises(ScriptError, match="'import' ist in Skripten nicht erlaubt"):
        env.execute("import os", {})
    with pytest.raises(ScriptError, match="Zugriff auf '__class__' ist in Ausdrücken nicht erlaubt"):
        env.evaluate("x.__class__", {"x": 1})


def test_modules_in_data_are_refused(env):
    import os
    with pytest.raises(ScriptError):
        env.evaluate("m.getcwd()", {"m": os})
    with pytest.raises(ScriptError, match="Module"):
        env.execute("cwd = m.getcwd()", {"m": os})


# --------------------------------------------------------------------------
# Time and size limits

LOOPS = {
    "while-true": "while True:\n    pass",
    "swallow-timeout": "n = 0\nwhile True:\n    try:\n        n = n + 1\n    except:\n        pass",
    "finally-continue": "while True:\n    try:\n        while True:\n            pass\n    finally:\n        continue",
    "comprehension": "x = [1 for a in range(1000) for b in range(1000) for c in range(1000)]",
    "recursion-bomb": "def f():\n    try:\n        f()\n    except Exception:\n        f()\nf()",
    "lambda-sort": "x = list(range(100000))\nwhile 1:\n    x = sorted(x, key=lambda v: -v)",
}


@pytest.mark.parametrize("script", LOOPS.values(), ids=LOOPS.keys())
def test_runaway_script_is_stopped(script):
    env = SandboxedEnvironment(time_limit=0.2)
    context = {}
    started = time.monotonic()
    with pytest.raises(ScriptTimeout, match="Zeitlimit"):
        env.execute(script, context)
    assert time.monotonic() - started < 1.5
    assert "__builtins__" not in context and "f" not in context


def test_runaway_script_is_stopped_in_worker_thread():
    env = SandboxedEnvironment(time_limit=0.2)
    outcome = {}

    def run():
        started = time.monotonic()
        try:
            env.execute(LOOPS["swallow-timeout"], {})
        except Exception as exc:  # noqa: BLE001 - handed to the main thread
            outcome["error"] = exc
        outcome["elapsed"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive()
    assert isinstance(outcome["error"], ScriptTimeout)
    assert outcome["elapsed"] < 1.5


def test_runaway_expression_is_stopped():
    env = SandboxedEnvironment(time_limit=0.2)
    with pytest.raises(ScriptTimeout):
        env.evaluate("[sum(range(1000000)) for i in range(9000)]", {})


def test_deadline_does_not_leak_between_runs():
    env = SandboxedEnvironment(time_limit=0.2)
    with pytest.raises(ScriptTimeout):
        env.execute("while True:\n    pass", {})
    context = {"n": 0}
    env.execute("for i in range(1000):\n    n = n + 1", context)
    assert context["n"] == 1000


@pytest.mark.parametrize("script", [
    "x = 'a' * 10**9",
    "x = [0] * 10**9",
    "x = 10 ** 10**8",
    "x = 1 << 10**9",
    "x = pow(10, 10**8)",
    "x = list(range(10**9))",
    "s = 'a' * 1000\nwhile True:\n    s = s + s",
    "s = [1]\nwhile True:\n    s += s",
    "x = 3\nwhile True:\n    x = x * x",
    "x = 3\nwhile True:\n    x *= x",
    "x = pow(3, 1 << 5000, 7)",
], ids=["str-mult", "list-mult", "pow", "lshift", "pow-builtin", "range", "str-doubling", "list-doubling",
        "int-squaring", "int-squaring-inplace", "modpow"])
def test_memory_bombs_are_capped(env, script):
    with pytest.raises(ScriptError):
        env.execute(script, {})


@pytest.mark.parametrize("expression", [
    "'a' * 10**9",
    "10 ** 10**8",
    "9 ** 4000000",  # allowed by simpleeval's own cap, 1.4 s
    "(9 ** 30000) * (9 ** 30000)",  # simpleeval does not cap int * int
    "[x for x in range(10**5)]",
])
def test_expression_size_caps(env, expression):
    with pytest.raises(ScriptError):
        env.evaluate(expression, {})


# --------------------------------------------------------------------------
# Normal scripts and expressions keep working

def test_script_updates_context_in_place(env):
    context = {"i": 1, "items": [1, 2, 3], "form": {"count": 1}, "name": "  max  "}
    env.execute(
        "i = i + 1\n"
        "i += 10\n"
        "total = 0\n"
        "for x in items:\n"
        "    total += x * 2\n"
        "form['count'] += 1\n"
        "form['nested'] = {'n': [1]}\n"
        "form['nested']['n'][0] *= 7\n"
        "form['extra'] = [v for v in items if v > 1]\n"
        "items.append(4)\n"
        "name = name.strip().upper()\n"
        "lookup = {k: v for k, v in zip(['a', 'b'], [1, 2])}\n"
        "a, b = 1, 2\n"
        "def double(v):\n"
        "    return v * 2\n"
        "doubled = [double(v) for v in items]\n"
        "sq = sorted(items, key=lambda v: -v)\n"
        "print('debug output is dropped')\n",
        context,
    )
    assert context["i"] == 12
    assert context["total"] == 12
    assert context["form"] == {"count": 2, "nested": {"n": [7]}, "extra": [2, 3]}
    assert context["items"] == [1, 2, 3, 4]
    assert context["name"] == "MAX"
    assert context["lookup"] == {"a": 1, "b": 2}
    assert (context["a"], context["b"]) == (1, 2)
    assert context["doubled"] == [2, 4, 6, 8]
    assert context["sq"] == [4, 3, 2, 1]
    # nothing but data is left behind
    assert "double" not in context and "__builtins__" not in context and "_print" not in context


def test_augmented_assignment_with_computed_key_is_refused(env):
    with pytest.raises(ScriptError, match="bitte 'a = a \\+ b' schreiben"):
        env.execute("items[len(items) - 1] += 1", {"items": [1]})


def test_script_leaves_no_non_data(env):
    context = {}
    env.execute("f = lambda: 1\nz = zip([1], [2])\ng = (x for x in [1])\nr = range(3)\nkeep = 1", context)
    assert context == {"keep": 1}


def test_script_can_delete_and_raise(env):
    context = {"tmp": 1, "x": 5}
    env.execute("del tmp", context)
    assert context == {"x": 5}
    with pytest.raises(ValueError, match="kaputt"):
        env.execute("raise ValueError('kaputt')", context)
    with pytest.raises(ZeroDivisionError):
        env.execute("y = x / 0", context)
    assert "__builtins__" not in context


def test_syntax_error_stays_syntax_error(env):
    with pytest.raises(SyntaxError):
        env.execute("x = = 1", {})
    with pytest.raises(SyntaxError):
        env.evaluate("a >", {"a": 1})


def test_date_helpers(env):
    context = {"start": "2024-01-30"}
    env.execute("due = add_days(start, 3)\nn = days_between(start, due)\nt = today_iso()\nnow = now_iso()", context)
    assert context["due"] == "2024-02-02" and context["n"] == 3
    assert len(context["t"]) == 10 and "T" in context["now"]
    assert env.evaluate("days_between(start, '2024-02-29') > 28", context) is True


@pytest.mark.parametrize("expression,expected", [
    ("a > 3 and b == 'x'", True),
    ("a > 3 and b == 'y'", False),
    ("amount * 2", 84),
    ("'PT2S'", "PT2S"),
    ("i < 10000", True),
    ("[v * 2 for v in items if v > 1]", [4, 6]),
    ("{k: v for k, v in pairs}", {"a": 1}),
    ("{'n': len(items), 'top': max(items)}", {"n": 3, "top": 3}),
    ("name.strip().upper()", "MAX"),
    ("form['k'] == 1 and form.k == 1", True),
    ("'x' in b and sum(items) == 6", True),
    ("str(amount) + ' EUR'", "42 EUR"),
    ("round(amount / 4, 1)", 10.5),
    ("not items", False),
    ("None if a > 10 else 'klein'", "klein"),
])
def test_expressions(env, expression, expected):
    context = {"a": 5, "b": "x", "amount": 42, "i": 1, "items": [1, 2, 3], "pairs": [("a", 1)],
               "name": " max ", "form": {"k": 1}}
    assert env.evaluate(expression, context) == expected


def test_expression_sees_external_context_but_data_wins(env):
    assert env.evaluate("obj + x", {"x": 1}, external_context={"obj": 10, "x": 100}) == 11


def test_extra_functions():
    env = SandboxedEnvironment(functions={"euro": lambda v: f"{v:.2f} EUR"})
    context = {"amount": 3}
    env.execute("label = euro(amount)", context)
    assert context == {"amount": 3, "label": "3.00 EUR"}
    assert env.evaluate("euro(amount * 2)", context) == "6.00 EUR"


def test_unknown_name_in_expression(env):
    with pytest.raises(ScriptError, match="Unbekannter Name 'nope'"):
        env.evaluate("nope > 1", {})


def test_evaluate_does_not_modify_context(env):
    context = {"a": 1}
    env.evaluate("a + 1", context)
    assert context == {"a": 1}


def test_concurrent_threads_do_not_interfere():
    env = SandboxedEnvironment(time_limit=2.0)
    errors = []

    def work(n):
        try:
            for _ in range(200):
                ctx = {"i": n}
                env.execute("for k in range(10):\n    i = i + 1", ctx)
                assert ctx["i"] == n + 10
                assert env.evaluate("[x for x in range(i) if x > i - 3]", ctx) == [n + 8, n + 9]
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_cached_calls_are_fast(env):
    context = {"i": 0}
    env.execute("i = i + 1", context)
    env.evaluate("i < 10000", context)
    n = 20_000
    started = time.perf_counter()
    for _ in range(n):
        env.execute("i = i + 1", context)
        env.evaluate("i < 10000", context)
    per_pair = (time.perf_counter() - started) / n
    assert per_pair < 50e-6  # ~3 µs measured; generous for slow CI machines


# --------------------------------------------------------------------------
# End to end with SpiffWorkflow

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="init"/>
    <bpmn:scriptTask id="init">
      <bpmn:script>x = 0
log = []</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="init" targetRef="step"/>
    <bpmn:scriptTask id="step">
      <bpmn:script>x = x + 1
log.append(x)</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="step" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="done"/>
    <bpmn:sequenceFlow id="again" sourceRef="gw" targetRef="step">
      <bpmn:conditionExpression>x &lt; limit</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="done" sourceRef="gw" targetRef="finish"/>
    <bpmn:scriptTask id="finish">
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="finish" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _workflow(finish_script: str, limit: int = 5) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    xml = BPMN.replace("SCRIPT", finish_script.replace("&", "&amp;").replace("<", "&lt;"))
    parser.add_bpmn_str(xml.encode(), filename="loop.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("loop"), script_engine=make_script_engine())
    workflow.get_next_task(spec_name="start").data["limit"] = limit
    return workflow


def test_workflow_end_to_end():
    workflow = _workflow("result = 'fertig: ' + str(x)")
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.data["x"] == 5
    assert workflow.data["log"] == [1, 2, 3, 4, 5]
    assert workflow.data["result"] == "fertig: 5"


def test_workflow_with_escape_attempt_fails_without_side_effect(marker):
    workflow = _workflow(_fill(SUBCLASS_WALK, marker))
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert "nicht erlaubt" in str(info.value)
    assert not marker.exists()
    assert not workflow.is_completed()


def test_workflow_runtime_block_reports_script_line(marker):
    workflow = _workflow(f"y = 1\nopen('{marker}', 'w')")
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert "'open' ist in Skripten nicht erlaubt" in str(info.value)
    assert info.value.line_number == 2
    assert not marker.exists()
