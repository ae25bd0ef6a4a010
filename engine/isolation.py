"""Model code runs in child processes under limits the operating system enforces.

The in-process sandbox (``engine.sandbox``) decides what model code may do; it cannot stop a
single long C call (``sum`` of huge lists, ``str.ljust(10**9)``), a memory bomb, or a crash of
the interpreter (``hash`` of a tuple nested a million deep). So scripts and every expression
that could be costly run in a child process with RLIMIT_AS (memory) and RLIMIT_CPU (CPU time),
watched by a wall-clock timeout; a child that dies or exceeds a limit is replaced, and the
caller gets a ``ScriptError`` with a German message. Only the task's data crosses the boundary,
pickled; what comes back is unpickled with a whitelist of plain types.

Code that is provably cheap stays in-process, because a round trip costs 12–70 µs depending on
the machine's load: expressions of comparisons, boolean logic, names, literals and subscripts
(linear in the size of the data: most gateway conditions), and straight-line scripts that only
assign such values, joined with ``+``, to names (most of the services' scripts). Those cannot
loop, recurse or call anything costly; what ``+`` produces is capped for the whole script
(``sandbox.sequence_budget``), and a script that hits the cap runs again in a child.
"""
from __future__ import annotations

import ast
import builtins
import io
import math
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import traceback
from functools import lru_cache
from pathlib import Path

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .sandbox import (
    DEFAULT_TIME_LIMIT,
    BudgetExceeded,
    SandboxedEnvironment,
    ScriptError,
    ScriptTimeout,
    compile_script,
    parse_expression,
    sequence_budget,
)

MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
MAX_RESULT_BYTES = 16 * 1024 * 1024  # task data a script may hand back
MAX_IDLE_CHILDREN = 4
IN_PROCESS_BUDGET = 100_000  # items all ``+`` of an in-process script may produce, and its new values hold
MAX_RESULT_ITEMS = 1_000_000  # items (and 100-character string chunks) of the task data a script leaves
_ROOT = Path(__file__).resolve().parents[1]
_LENGTH = struct.Struct("!I")


class ScriptMemoryExceeded(ScriptError):
    pass


class ScriptCrashed(ScriptError):
    pass


def _send(stream, payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)) + payload)
    stream.flush()


def _receive(stream) -> bytes:
    """One message; EOFError when the other side is gone."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    payload = stream.read(_LENGTH.unpack(header)[0])
    if len(payload) < _LENGTH.unpack(header)[0]:
        raise EOFError
    return payload


# --------------------------------------------------------------------------
# Child side: ``main()`` with arguments ROOT TIME_LIMIT MEMORY_BYTES, talking over stdin/stdout

def _serve(time_limit: float, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a child ends
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies on the reply channel
    env = SandboxedEnvironment(time_limit=time_limit)
    while True:
        try:
            op, code, context, external = pickle.loads(_receive(requests))
        except EOFError:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_limit = math.ceil(usage.ru_utime + usage.ru_stime + time_limit)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, resource.RLIM_INFINITY))  # SIGXCPU ends this child
        try:
            if op == "evaluate":
                reply = ("ok", env.evaluate(code, context, external))
            else:
                env.execute(code, context, external)
                if not holds_at_most(context.values(), MAX_RESULT_ITEMS):
                    raise ScriptError(f"Das Skript hinterlässt mehr als {MAX_RESULT_ITEMS:,} Datenelemente "
                                      "(auch mehrfach verwendete Teile zählen einzeln).".replace(",", "."))
                reply = ("ok", context)
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
            if len(payload) > MAX_RESULT_BYTES:
                payload = pickle.dumps(("error", ("ScriptError", "Das Skript hinterlässt mehr als "
                                                  f"{MAX_RESULT_BYTES // 2**20} MB Prozessdaten.", 0)))
        except MemoryError:
            _send(replies, pickle.dumps(("memory", None)))
            return  # a process that ran out of memory is not trusted with the next script
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
            payload = pickle.dumps(("error", _describe(err)))
        _send(replies, payload)


def holds_at_most(values, limit: int) -> bool:
    """Whether ``values``, written out as JSON would write them (a part referenced twice is written
    twice), have at most ``limit`` items; stops counting as soon as they have more."""
    stack, count = list(values), 0
    while stack:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            count += len(value)
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set)):
            stack.extend(value)
        elif isinstance(value, (str, bytes)):
            count += len(value) // 100
        if count > limit:
            return False
    return True


def _describe(err: BaseException) -> tuple[str, str, int]:
    """Class name, message and script line of an error, for the parent to raise again."""
    lineno = (err.lineno or 0) if isinstance(err, SyntaxError) else 0
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == "<string>":
            lineno = frame.lineno
    return type(err).__name__, str(err), lineno


# --------------------------------------------------------------------------
# Parent side

_PLAIN_CLASSES = {("datetime", n) for n in ("date", "datetime", "time", "timedelta", "timezone")}
_PLAIN_CLASSES |= {("decimal", "Decimal"), ("collections", "OrderedDict")}


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles task data only: a child that was broken into cannot send objects that run code."""

    def find_class(self, module, name):
        if (module, name) in _PLAIN_CLASSES:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


class _Child:
    """A fresh interpreter (not a fork: nothing of the parent's state or threads comes along)."""

    def __init__(self, time_limit: float, memory_bytes: int):
        # This checkout's engine first on the path, whatever is installed.
        bootstrap = "import sys; sys.path.insert(0, sys.argv[1]); from engine.isolation import main; main()"
        self.process = subprocess.Popen([sys.executable, "-c", bootstrap, str(_ROOT), str(time_limit), str(memory_bytes)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        close_fds=True)
        self._replies = self.process.stdout.fileno()

    def call(self, request: bytes, wall_seconds: float):
        try:
            _send(self.process.stdin, request)
        except (BrokenPipeError, OSError):
            raise self._death() from None
        ready, _, _ = select.select([self._replies], [], [], wall_seconds)
        if not ready:
            self.stop()
            raise ScriptTimeout(f"Zeitlimit von {wall_seconds:g} s überschritten, Skript abgebrochen")
        try:
            return _PlainUnpickler(io.BytesIO(_receive(self.process.stdout))).load()
        except EOFError:
            raise self._death() from None

    def _death(self) -> ScriptError:
        try:
            code = self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.stop()
            code = self.process.returncode
        if code == -signal.SIGXCPU:
            return ScriptTimeout("Skript hat das Rechenzeitlimit überschritten und wurde abgebrochen")
        if code == -signal.SIGKILL:
            return ScriptMemoryExceeded("Skript hat das Speicherlimit überschritten und wurde abgebrochen")
        return ScriptCrashed(f"Skript hat den Sandbox-Prozess zum Absturz gebracht (Exitcode {code}); "
                             "bitte das Skript prüfen")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


class SandboxPool:
    """Idle children, one per concurrent caller at most; a child serves one call at a time."""

    def __init__(self, time_limit: float = DEFAULT_TIME_LIMIT, memory_bytes: int = MEMORY_LIMIT_BYTES):
        self.time_limit = time_limit
        self.memory_bytes = memory_bytes
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def run(self, op: str, code: str, context: dict, external: dict | None):
        try:
            request = pickle.dumps((op, code, context, external), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, RecursionError) as err:
            raise ScriptError(f"Prozessdaten lassen sich nicht an die Sandbox übergeben: {err}") from None
        with self._lock:
            child = self._idle.pop() if self._idle else None
        child = child or _Child(self.time_limit, self.memory_bytes)
        try:
            # Twice the limit: the child's own deadline fires first unless a C call blocks it.
            status, value = child.call(request, 2 * self.time_limit + 1)
        except BaseException:
            child.stop()
            raise
        if status == "memory":
            child.stop()
            raise ScriptMemoryExceeded("Skript hat das Speicherlimit überschritten und wurde abgebrochen")
        with self._lock:
            if len(self._idle) < MAX_IDLE_CHILDREN:
                self._idle.append(child)
                child = None
        if child is not None:
            child.stop()
        if status == "error":
            _raise_again(*value)
        return value


def _raise_again(name: str, message: str, lineno: int):
    known = {"ScriptError": ScriptError, "ScriptTimeout": ScriptTimeout}
    cls = known.get(name) or getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls, message = ScriptError, f"{name}: {message}"
    err = cls(message)
    if lineno > 0:
        # Raised from line ``lineno`` of "<string>", so SpiffWorkflow reports the script line
        # exactly as it does for an error raised in-process.
        exec(compile("\n" * (lineno - 1) + "raise err", "<string>", "exec"), {"err": err})
    raise err


# --------------------------------------------------------------------------
# The environment SpiffWorkflow calls

_CHEAP_NODES = (ast.Expression, ast.Name, ast.Constant, ast.Load, ast.Compare, ast.BoolOp, ast.And, ast.Or,
                ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
                ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.Attribute, ast.Subscript, ast.Slice, ast.IfExp,
                ast.Tuple, ast.List, ast.Dict)
# Scripts may also assign to names, branch, join with + and - and call these (linear, no callbacks).
_CHEAP_SCRIPT_NODES = _CHEAP_NODES + (ast.Module, ast.Assign, ast.Store, ast.If, ast.Pass, ast.BinOp, ast.Add,
                                      ast.Sub, ast.Call)
_CHEAP_CALLS = frozenset({"get", "upper", "lower", "strip", "startswith", "endswith", "len", "add_days",
                          "days_between", "today_iso", "now_iso"})


@lru_cache(maxsize=4096)
def is_cheap(expression: str) -> bool:
    """No calls, no arithmetic, no comprehensions: evaluation is linear in the data's size."""
    try:
        tree = parse_expression(expression)
    except Exception:  # noqa: BLE001 - the sandbox reports the error itself
        return True
    return all(isinstance(node, _CHEAP_NODES) for node in ast.walk(tree))


@lru_cache(maxsize=2048)
def is_cheap_script(script: str) -> bool:
    """Straight-line assignments to names of cheap values (see the module's docstring)."""
    try:
        tree = ast.parse(script, "<string>", "exec")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, _CHEAP_SCRIPT_NODES):
            return False
        if isinstance(node, ast.Assign) and not all(isinstance(t, ast.Name) for t in node.targets):
            return False  # subscript targets would change data that a rerun in a child could not undo
        if isinstance(node, ast.Call) and (node.keywords or _called_name(node.func) not in _CHEAP_CALLS):
            return False
    return True


def _called_name(func: ast.expr) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


class IsolatedEnvironment(BasePythonScriptEngineEnvironment):
    """Drop-in for SpiffWorkflow's TaskDataEnvironment: sandbox rules, OS limits."""

    def __init__(self, pool: SandboxPool | None = None):
        super().__init__({})
        self.pool = pool or SandboxPool()
        self.local = SandboxedEnvironment(time_limit=self.pool.time_limit)

    def evaluate(self, expression, context, external_context=None):
        if is_cheap(expression):
            return self.local.evaluate(expression, context, external_context)
        return self.pool.run("evaluate", expression, context, external_context)

    def execute(self, script, context, external_context=None):
        compile_script(script)  # policy and syntax errors without a round trip
        if is_cheap_script(script):
            before = dict(context)  # only names are assigned: a shallow copy restores the data
            try:
                with sequence_budget(IN_PROCESS_BUDGET):
                    self.local.execute(script, context, external_context)
                if holds_at_most([v for k, v in context.items() if before.get(k) is not v], IN_PROCESS_BUDGET):
                    return True
            except BudgetExceeded:
                pass
            context.clear()  # too big for this process: run it again where the limits hold
            context.update(before)
        result = self.pool.run("execute", script, context, external_context)
        context.clear()
        context.update(result)
        return True


def main() -> None:
    _serve(float(sys.argv[2]), int(sys.argv[3]))
