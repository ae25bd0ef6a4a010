"""Sandboxed script and expression evaluation for SpiffWorkflow.

Expressions (gateway conditions, timers, service-task parameters, loop
conditions) run in simpleeval; scripts (script tasks, pre/post scripts) are
compiled with RestrictedPython. Both only see task data (JSON values) and a
few pure helpers; no modules, no dunder attributes, no frames.

Time limit: instead of a ``sys.settrace`` tracer we inject a deadline check
(``_tick_``) into every loop body, function body, lambda and comprehension at
compile time. A tracer is switched off by CPython for the whole thread as soon
as it raises, so ``while True: try: ... except BaseException: pass`` would
swallow the timeout once and then loop forever. The injected check fires
again on every iteration, works in any thread and costs ~0.1 µs per iteration.

Residual risks (documented, not solved here):
- A single long-running C call cannot be interrupted (``sorted`` of huge
  data, ``'x'.ljust(10**9)``, ``str.replace`` blow-ups). Operators ``+ * **
  <<``, ``pow`` and ``range`` are size-capped (ints to 65,536 bits, which
  also keeps ``//`` and ``%`` cheap); string and list methods are not.
- No memory limit (RLIMIT_AS) and no process isolation: a determined author
  can still allocate a few hundred MB before a cap or the deadline hits.
  Scripts are written by process modellers, not by citizens; for untrusted
  authors run scripts in a worker process with ``RLIMIT_AS`` and a timeout.
- Non-data values nested inside containers (``l = [lambda: 1]``) are not
  removed from task data; only top-level names are swept.
"""
from __future__ import annotations

import ast
import copy
import math
import operator
import re
import threading
import types
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from time import monotonic

from RestrictedPython import compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations
from simpleeval import (
    DEFAULT_OPERATORS,
    EvalWithCompoundTypes,
    FeatureNotAvailable,
    FunctionNotDefined,
    InvalidExpression,
    IterableTooLong,
    NameNotDefined,
    NumberTooHigh,
    SimpleEval,
    safe_mult,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

__all__ = ["ScriptError", "ScriptTimeout", "SandboxedEnvironment", "make_script_engine"]

DEFAULT_TIME_LIMIT = 2.0
MAX_SEQUENCE_LENGTH = 10_000_000  # chars/items produced by + and * in scripts
# Ints from * ** << (~19,700 digits). Also keeps // and % cheap: CPython
# divides big ints in quadratic time (35 s for two 4M-bit numbers measured).
MAX_INT_BITS = 65_536
MAX_MODPOW_BITS = 4_096  # pow(a, b, m): b and m; one multiplication per exponent bit
MAX_RANGE = 1_000_000  # RestrictedPython's limited range (1,000) is too small for real loops

# Attributes that lead to frames, code, formatters or the MRO without an underscore.
BLOCKED_ATTRIBUTES = frozenset(INSPECT_ATTRIBUTES | {"format", "format_map", "mro"})
# Names whose absence would only produce a bare NameError; we say why instead.
FORBIDDEN_NAMES = frozenset({
    "__import__", "breakpoint", "compile", "delattr", "dir", "eval", "exec", "exit",
    "getattr", "globals", "hasattr", "help", "input", "locals", "memoryview", "object",
    "open", "quit", "setattr", "super", "type", "vars",
})


class ScriptError(Exception):
    """A script or expression did something the sandbox does not allow."""


class ScriptTimeout(ScriptError):
    """A script or expression ran past its time limit."""


def _blocked(name: str, where: str = "Skripten") -> ScriptError:
    return ScriptError(f"Zugriff auf '{name}' ist in {where} nicht erlaubt")


def _forbidden(name: str, where: str = "Skripten") -> ScriptError:
    return ScriptError(f"'{name}' ist in {where} nicht erlaubt")


# --------------------------------------------------------------------------
# Deadline (per thread, so concurrent workflows do not share it)

class _State(threading.local):
    deadline = 0.0  # fail closed: sandboxed code called outside a run times out
    limit = 0.0
    budget = None  # items ``+`` may still produce in this run, where a budget is set


class BudgetExceeded(ScriptError):
    """A script produced more data than its in-process budget allows (see ``sequence_budget``)."""


class sequence_budget:
    """Caps the items all ``+`` of a script produce together, for scripts the caller runs in-process."""

    def __init__(self, items: int):
        self.items = items

    def __enter__(self):
        self.outer, _state.budget = _state.budget, self.items

    def __exit__(self, *exc):
        _state.budget = self.outer


_state = _State()


def _tick() -> bool:
    if monotonic() > _state.deadline:
        raise ScriptTimeout(f"Zeitlimit von {_state.limit:g} s überschritten, Skript abgebrochen")
    return True


# --------------------------------------------------------------------------
# Helpers visible to scripts and expressions (pure, JSON in, JSON out)

def _range(*args):
    r = range(*args)
    try:
        n = len(r)
    except OverflowError:
        n = MAX_RANGE + 1
    if n > MAX_RANGE:
        raise ScriptError(f"range() mit mehr als {MAX_RANGE} Elementen ist nicht erlaubt")
    return r


def _parse_day(value: str) -> date:
    return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)


def today_iso() -> str:
    """Today's date as 'YYYY-MM-DD'."""
    return date.today().isoformat()


def now_iso() -> str:
    """Local time with offset, e.g. '2024-05-01T12:00:00+02:00'."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def add_days(value: str, days: int) -> str:
    """ISO date or datetime plus ``days``, same format back."""
    if "T" in value:
        return (datetime.fromisoformat(value) + timedelta(days=days)).isoformat()
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()


def days_between(start: str, end: str) -> int:
    """Whole days from ``start`` to ``end`` (ISO dates or datetimes)."""
    return (_parse_day(end) - _parse_day(start)).days


HELPERS = {
    "len": len, "min": min, "max": max, "sum": sum, "abs": abs, "round": round,
    "sorted": sorted, "reversed": reversed, "any": any, "all": all,
    "str": str, "int": int, "float": float, "bool": bool,
    "list": list, "dict": dict, "set": set, "tuple": tuple,
    "range": _range, "enumerate": enumerate, "zip": zip,
    "today_iso": today_iso, "now_iso": now_iso, "add_days": add_days, "days_between": days_between,
}


# --------------------------------------------------------------------------
# Script guards

_SEQUENCES = (str, bytes, list, tuple)


def _check_len(value):
    if isinstance(value, _SEQUENCES) and len(value) > MAX_SEQUENCE_LENGTH:
        raise ScriptError(f"Ergebnis mit mehr als {MAX_SEQUENCE_LENGTH} Elementen ist nicht erlaubt")
    return value


def _check_bits(bits):
    if bits > MAX_INT_BITS:
        raise ScriptError(f"Zahl mit mehr als {MAX_INT_BITS} Bit ist nicht erlaubt")


def _add(a, b):
    r = a + b
    if type(r) is int or type(r) is float:  # fast path: i = i + 1
        return r
    if _state.budget is not None and isinstance(r, _SEQUENCES):
        _state.budget -= len(r)
        if _state.budget < 0:
            raise BudgetExceeded("Das Skript erzeugt zu viele Daten für die Ausführung im Engine-Prozess")
    return _check_len(r)


def _iadd(a, b):
    return _check_len(operator.iadd(a, b))  # keeps list += in place


def _mul_check(a, b):
    if isinstance(a, int) and isinstance(b, int):
        _check_bits(a.bit_length() + b.bit_length())
    elif isinstance(b, int) and isinstance(a, _SEQUENCES):
        _check_len_product(len(a), b)
    elif isinstance(a, int) and isinstance(b, _SEQUENCES):
        _check_len_product(len(b), a)


def _check_len_product(length, times):
    if length * times > MAX_SEQUENCE_LENGTH:
        raise ScriptError(f"Ergebnis mit mehr als {MAX_SEQUENCE_LENGTH} Elementen ist nicht erlaubt")


def _mul(a, b):
    _mul_check(a, b)
    return a * b


def _imul(a, b):
    _mul_check(a, b)
    return operator.imul(a, b)


def _pow(a, b, mod=None):
    if mod is not None:
        if max(abs(b).bit_length(), abs(mod).bit_length()) > MAX_MODPOW_BITS:
            raise ScriptError(f"pow() mit Zahlen über {MAX_MODPOW_BITS} Bit ist nicht erlaubt")
        return pow(a, b, mod)
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _check_bits(b * math.log2(abs(a)))
    return a ** b


def _lshift(a, b):
    if isinstance(a, int) and isinstance(b, int):
        _check_bits(a.bit_length() + b)
    return a << b


_INPLACE = {
    "+=": _iadd, "-=": operator.isub, "*=": _imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": _pow, "<<=": _lshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
}


def _inplacevar(op, x, y):
    try:
        fn = _INPLACE[op]
    except KeyError:
        raise ScriptError(f"Operator '{op}' ist in Skripten nicht erlaubt") from None
    return fn(x, y)


_UNSAFE_VALUES = (types.ModuleType, types.FrameType, types.CodeType, types.TracebackType)


def _getattr(obj, name):
    if name.startswith("_") or name in BLOCKED_ATTRIBUTES:
        raise _blocked(name)
    if type(obj) is types.ModuleType:  # should never be in task data; refuse anyway
        raise ScriptError("Zugriff auf Module ist in Skripten nicht erlaubt")
    value = getattr(obj, name)
    if isinstance(value, _UNSAFE_VALUES):
        raise _blocked(name)
    return value


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


_BINOP_GUARDS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_"}

# Guards live in the builtins dict: user code cannot name them (leading "_")
# and they need not be inserted into / removed from task data on every run.
# Not offered: classes (__build_class__), attribute writers, RestrictedPython's
# own getattr, and exceptions outside ``Exception`` (a script raising
# SystemExit would pass SpiffWorkflow's ``except Exception`` and stop a worker).
_NOT_OFFERED = {"__build_class__", "_getattr_", "setattr", "delattr",
                "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
SCRIPT_BUILTINS = {
    **{k: v for k, v in safe_builtins.items() if k not in _NOT_OFFERED},
    **HELPERS,
    "isinstance": isinstance,
    "pow": _pow,
    "_getattr_": _getattr,
    "_getitem_": operator.getitem,
    "_getiter_": iter,
    "_write_": full_write_guard,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_print_": PrintCollector,  # print() output is collected and dropped
    "_tick_": _tick,
    "_add_": _add,
    "_mul_": _mul,
    "_pow_": _pow,
    "_lshift_": _lshift,
}


# --------------------------------------------------------------------------
# Compile-time policy for scripts

_TRANSLATIONS = [
    (re.compile(r'"(.+?)" is an invalid attribute name'), "Zugriff auf '{0}' ist in Skripten nicht erlaubt"),
    (re.compile(r'"(.+?)" is a restricted name'), "Zugriff auf '{0}' ist in Skripten nicht erlaubt"),
    (re.compile(r'"(.+?)" is an invalid variable name'), "Der Name '{0}' ist in Skripten nicht erlaubt"),
    (re.compile(r'"(.+?)" is a reserved name'), "Der Name '{0}' ist in Skripten nicht erlaubt"),
    (re.compile(r"(Exec|Eval) calls are not allowed"), "'{0}' ist in Skripten nicht erlaubt"),
    (re.compile(r"(\w+) statements are not allowed"), "Die Anweisung '{0}' ist in Skripten nicht erlaubt"),
    (re.compile(r"Augmented assignment of (attributes|object items)"),
     "'+=' usw. nur auf Variablen und name[schlüssel] erlaubt, bitte 'a = a + b' schreiben"),
]


def _translate(info: str) -> str:
    for pattern, template in _TRANSLATIONS:
        m = pattern.search(info)
        if m:
            return template.format(m.group(1).lower() if m.group(1) in ("Exec", "Eval") else m.group(1))
    return f"Nicht erlaubt: {info}"


def _plain_subscript(node) -> bool:
    if isinstance(node, ast.Name):
        return True
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, (ast.Name, ast.Constant))
            and _plain_subscript(node.value))


def _tick_call(node) -> ast.Call:
    call = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])
    copy_locations(call, node)
    return call


class _ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus deadline checks, size guards on
    ``+ * ** <<``, ``d[k] += v`` support and German messages."""

    def error(self, node, info):
        self.errors.append(f"Zeile {getattr(node, 'lineno', '?')}: {_translate(info)}")

    def visit_Module(self, node):
        node = super().visit_Module(node)
        return ast.fix_missing_locations(node)

    def visit_Import(self, node):
        self.errors.append(f"Zeile {node.lineno}: 'import' ist in Skripten nicht erlaubt")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node):
        self.errors.append(f"Zeile {node.lineno}: Klassendefinitionen sind in Skripten nicht erlaubt")
        return node

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_AugAssign(self, node):
        # RestrictedPython rejects ``d[k] += v``; rewrite the side-effect free
        # form (names and constants only, so evaluating it twice is harmless)
        # to ``d[k] = d[k] + v``. Also covers ``d['a'][i] += v``.
        t = node.target
        if isinstance(t, ast.Subscript) and _plain_subscript(t):
            load = copy.deepcopy(t)
            load.ctx = ast.Load()
            assign = ast.Assign(targets=[t], value=ast.BinOp(left=load, op=node.op, right=node.value))
            ast.copy_location(assign, node)
            ast.fix_missing_locations(assign)
            return self.visit(assign)
        return super().visit_AugAssign(node)

    def _tick_first(self, node):
        stmt = ast.Expr(_tick_call(node))
        copy_locations(stmt, node)
        node.body.insert(0, stmt)
        return node

    def visit_While(self, node):
        return self._tick_first(super().visit_While(node))

    def visit_For(self, node):
        return self._tick_first(super().visit_For(node))

    def visit_FunctionDef(self, node):
        return self._tick_first(super().visit_FunctionDef(node))

    def visit_Lambda(self, node):
        node = super().visit_Lambda(node)
        node.body = ast.BoolOp(op=ast.And(), values=[_tick_call(node), node.body])
        copy_locations(node.body, node)
        return node

    def visit_comprehension(self, node):
        node = super().visit_comprehension(node)
        node.ifs.insert(0, _tick_call(node.iter))
        return node


@lru_cache(maxsize=2048)
def compile_script(script: str) -> types.CodeType:
    """Compile a script with the sandbox policy (cached per script text).

    Raises SyntaxError for broken Python and ScriptError for forbidden code.
    Filename '<string>' lets SpiffWorkflow report the failing line.
    """
    tree = ast.parse(script, "<string>", "exec")
    result = compile_restricted_exec(tree, "<string>", policy=_ScriptPolicy)
    if result.errors:
        raise ScriptError("; ".join(dict.fromkeys(result.errors)))
    return result.code


# --------------------------------------------------------------------------
# Expressions

def _check_expression(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr in BLOCKED_ATTRIBUTES):
            raise _blocked(node.attr, "Ausdrücken")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise _blocked(node.id, "Ausdrücken")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_NAMES:
            raise _forbidden(node.func.id, "Ausdrücken")


@lru_cache(maxsize=4096)
def parse_expression(expression: str) -> ast.AST:
    """Parse and vet an expression once (cached per expression text)."""
    tree = ast.parse(expression.strip(), "<expression>", "eval")
    _check_expression(tree)
    return tree.body


class _Evaluator(EvalWithCompoundTypes):
    """simpleeval with a deadline check on every node. simpleeval's caps on
    string repetition, literal length and comprehension size stay; ``*`` and
    ``**`` additionally get the script caps (see EXPRESSION_OPERATORS)."""

    deadline = 0.0
    limit = 0.0

    def _eval(self, node):
        if monotonic() > self.deadline:
            raise ScriptTimeout(f"Zeitlimit von {self.limit:g} s überschritten, Ausdruck abgebrochen")
        return SimpleEval._eval(self, node)


EXPRESSION_FUNCTIONS = {**HELPERS, "pow": _pow}  # isinstance is refused by simpleeval


def _expression_mul(a, b):
    _mul_check(a, b)  # simpleeval caps sequences (100,000), not big ints
    return safe_mult(a, b)


# simpleeval's own caps let 9**4000000 through (1.4 s) and do not limit
# int * int or // (a 4M-bit floor division took 35 s): use the script caps.
EXPRESSION_OPERATORS = {**DEFAULT_OPERATORS, ast.Mult: _expression_mul, ast.Pow: _pow}


# --------------------------------------------------------------------------
# Environment

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), list, dict, tuple})
_NON_DATA = (types.ModuleType, Iterator, range)


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):
    """Drop-in for SpiffWorkflow's TaskDataEnvironment with sandboxing."""

    def __init__(self, time_limit: float = DEFAULT_TIME_LIMIT, functions: dict | None = None):
        """``functions``: extra helpers for scripts and expressions. They must be
        pure, take and return JSON values and never expose modules or objects."""
        super().__init__({})
        self.time_limit = time_limit
        self.functions = {**EXPRESSION_FUNCTIONS, **(functions or {})}
        self._builtins = {**SCRIPT_BUILTINS, **(functions or {})}
        self._local = threading.local()  # simpleeval instances carry per-call state

    def _evaluator(self) -> _Evaluator:
        try:
            return self._local.evaluator
        except AttributeError:
            ev = self._local.evaluator = _Evaluator(
                operators=EXPRESSION_OPERATORS, functions=dict(self.functions), names={})
            return ev

    def evaluate(self, expression, context, external_context=None):
        node = parse_expression(expression)
        ev = self._evaluator()
        ev.names = {**external_context, **context} if external_context else context
        ev.deadline = monotonic() + self.time_limit
        ev.limit = self.time_limit
        try:
            return ev.eval(expression, node)
        except NameNotDefined as exc:
            raise ScriptError(f"Unbekannter Name '{exc.name}' im Ausdruck '{expression}'") from None
        except FunctionNotDefined as exc:
            raise ScriptError(f"Unbekannte Funktion '{exc.func_name}' im Ausdruck '{expression}'") from None
        except (IterableTooLong, NumberTooHigh) as exc:
            raise ScriptError(f"Ausdruck '{expression}' überschreitet eine Größengrenze: {exc}") from None
        except FeatureNotAvailable as exc:
            raise ScriptError(f"Im Ausdruck '{expression}' nicht erlaubt: {exc}") from None
        except InvalidExpression as exc:
            raise ScriptError(f"Ungültiger Ausdruck '{expression}': {exc}") from None
        finally:
            ev.names = {}  # do not keep task data alive between calls

    def execute(self, script, context, external_context=None):
        code = compile_script(script)
        if external_context:
            clash = set(external_context).intersection(context)
            if clash:
                raise ScriptError(f"Prozessdaten überdecken Datenobjekte: {sorted(clash)}")
            context.update(external_context)
        context["__builtins__"] = self._builtins
        outer = _state.deadline, _state.limit
        deadline = _state.deadline = monotonic() + self.time_limit
        _state.limit = self.time_limit
        try:
            exec(code, context)
        except ScriptTimeout:
            raise
        except Exception as exc:
            if monotonic() > deadline:  # the script caught the timeout and failed otherwise
                raise self._timeout() from exc
            if isinstance(exc, NameError) and exc.name in FORBIDDEN_NAMES:
                # keep the traceback so SpiffWorkflow can report the script line
                raise _forbidden(exc.name).with_traceback(exc.__traceback__) from None
            raise
        finally:
            _state.deadline, _state.limit = outer
            self._sweep(context, external_context)
        if monotonic() > deadline:  # e.g. the script swallowed the timeout
            raise self._timeout()
        return True

    def _timeout(self) -> ScriptTimeout:
        return ScriptTimeout(f"Zeitlimit von {self.time_limit:g} s überschritten, Skript abgebrochen")

    @staticmethod
    def _sweep(context, external_context):
        """Leave only data behind: no builtins, functions, modules, iterators."""
        context.pop("__builtins__", None)
        drop = [k for k, v in context.items()
                if type(v) not in _PLAIN_TYPES and (callable(v) or isinstance(v, _NON_DATA))]
        if external_context:
            drop.extend(k for k in external_context if k in context)
        for k in drop:
            context.pop(k, None)


def make_script_engine(time_limit: float = DEFAULT_TIME_LIMIT, functions: dict | None = None) -> PythonScriptEngine:
    """A SpiffWorkflow script engine that runs everything in the sandbox."""
    return PythonScriptEngine(environment=SandboxedEnvironment(time_limit=time_limit, functions=functions))
