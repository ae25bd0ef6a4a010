"""Everything that touches SpiffWorkflow internals lives here (pinned to 3.2.0).

- service tasks wait as STARTED instead of calling out inline, so the job executor can call
  the adapter outside any transaction;
- workflow state is stored without its spec (specs are cached per definition);
- finished parts of the task tree are spliced out while the workflow runs, which keeps the
  tree shallow: long loops neither stall at SpiffWorkflow's depth limit nor grow quadratic.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import timebounds
from .isolation import IsolatedEnvironment


class AsyncServiceTask(ServiceTask):
    """Evaluates its parameters and then waits (STARTED) for the job executor."""

    def _run_hook(self, my_task):
        my_task.internal_data["request"] = {
            "operation": self.operation_name,
            "params": {name: p["value"] for name, p in self.evaluate_params(my_task).items()},
        }
        return None


class AmtswegWorkflow(BpmnWorkflow):
    """Without subprocesses the compacted task tree is small and flat: scanning the task dict
    finds waiting tasks for less than SpiffWorkflow's walk of the tree after every step."""

    def update_waiting_tasks(self):
        if self.subprocesses:
            return super().update_waiting_tasks()
        for task in [t for t in self.tasks.values() if t._state == TaskState.WAITING]:
            task.task_spec._update(task)


# --- bounded timers ------------------------------------------------------------------------
# SpiffWorkflow evaluates a timer's expression when the timer starts waiting and does its own
# calendar arithmetic on the result, which loops for hours on "P99999999999M" and never catches
# up with "R/PT0S" (see engine/timebounds.py). These subclasses evaluate the expression
# themselves, bound the value and store it in SpiffWorkflow's own format (internal_data
# 'event_value'), so SpiffWorkflow only ever compares and adds bounded values. A value out of
# bounds raises, which the engine parks as an incident on that instance.


def _timer_value(definition, my_task, kind: str):
    value = my_task.workflow.script_engine.evaluate(my_task, definition.expression)
    now = datetime.now(timezone.utc)  # SpiffWorkflow's timers run on the wall clock
    try:
        if kind == "timeDuration":
            return timebounds.due_after(value, now).isoformat()
        if kind == "timeDate":
            return timebounds.parse_date(value, now).isoformat()
        cycle = timebounds.parse_cycle(value, now)
        return {"cycles": cycle.repetitions, "next": cycle.start.isoformat(),
                "duration": cycle.interval.total_seconds()}
    except timebounds.TimeBoundError as exc:
        raise TimerOutOfBounds(f"{timebounds.KIND_LABELS[kind]} {exc}. Prüfen Sie den Ausdruck "
                               f"'{definition.expression.strip()[:80]}' und die Daten, aus denen er berechnet wird.",
                               my_task) from None


class TimerOutOfBounds(timebounds.TimeBoundError):
    def __init__(self, message: str, task):
        super().__init__(message)
        self.task = task  # describe_error names the activity


class BoundedDurationTimer(DurationTimerEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            my_task._set_internal_data(event_value=_timer_value(self, my_task, "timeDuration"))
        return super().has_fired(my_task)


class BoundedDateTimer(TimeDateEventDefinition):
    def has_fired(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            my_task._set_internal_data(event_value=_timer_value(self, my_task, "timeDate"))
        return super().has_fired(my_task)


class BoundedCycleTimer(CycleTimerEventDefinition):
    def cycle_complete(self, my_task):
        if my_task._get_internal_data("event_value") is None:
            my_task._set_internal_data(event_value=_timer_value(self, my_task, "timeCycle"))
        ready = super().cycle_complete(my_task)
        value = my_task._get_internal_data("event_value")
        if ready and isinstance(value, dict) and value["cycles"] != 0:
            # SpiffWorkflow fires once per refresh while 'next' is past: a first occurrence far
            # in the past would replay every missed one. Fold them into this firing.
            interval = timedelta(seconds=value["duration"])
            scheduled = datetime.fromisoformat(value["next"]) - interval
            value["next"] = timebounds.next_occurrence(scheduled, interval, datetime.now(timezone.utc)).isoformat()
        return ready


_BOUNDED_TIMERS = {DurationTimerEventDefinition: BoundedDurationTimer, TimeDateEventDefinition: BoundedDateTimer,
                   CycleTimerEventDefinition: BoundedCycleTimer}


class _BoundedTimerParsing:
    def parse_timer_event(self, event):
        definition = super().parse_timer_event(event)
        bounded = _BOUNDED_TIMERS.get(type(definition))
        if bounded is None:
            return definition
        return bounded(definition.name, definition.expression, description=definition.description)


class _StartEventParser(_BoundedTimerParsing, SpiffStartEventParser):
    pass


class _IntermediateCatchEventParser(_BoundedTimerParsing, SpiffIntermediateCatchEventParser):
    pass


class _BoundaryEventParser(_BoundedTimerParsing, SpiffBoundaryEventParser):
    pass


def _with_parser(tag: str, parser_class) -> tuple:
    return parser_class, SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag(tag)][1]


class AmtswegParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, AsyncServiceTask),
        full_tag("startEvent"): _with_parser("startEvent", _StartEventParser),
        full_tag("intermediateCatchEvent"): _with_parser("intermediateCatchEvent", _IntermediateCatchEventParser),
        full_tag("boundaryEvent"): _with_parser("boundaryEvent", _BoundaryEventParser),
    }


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out: specs are cached per definition, and converting them on every
    save would cost more than the instance itself."""

    def to_dict(self, workflow):
        # Task ids as text, kept on the workflow for its next save: str(UUID) is slow.
        known = getattr(workflow, "_id_texts", {})
        ids = workflow._id_texts = {uid: known.get(uid) or str(uid) for uid in workflow.tasks}
        task_to_dict = self.registry.convert_to_dict["Task"]
        last = workflow.last_task
        return {
            "data": self.registry.convert(self.registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": (ids.get(last.id) or str(last.id)) if last is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": {ids[uid]: task_to_dict(task, ids=ids) for uid, task in workflow.tasks.items()},
            "root": ids[workflow.task_tree.id],
            "subprocesses": self.mapping_to_dict(workflow.subprocesses),
            "bpmn_events": self.registry.convert(workflow.bpmn_events),
        }

    def from_dict(self, dct):
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs"), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_JSON_SCALARS = frozenset((str, int, float, bool, type(None)))


class LeanTaskConverter(TaskConverter):
    """SpiffWorkflow's task format, built without sending every value through the
    converter registry: only values that are not plain JSON go there. A save is
    mostly this method, once per task."""

    def to_dict(self, task, ids=None):
        ids = ids or {}
        parent = task.workflow.tasks.get(task._parent) if task._parent is not None else None
        if parent is None:
            data, delta = task.data, {}
        else:
            before, after = parent.data, task.data
            data, delta = {}, {
                "updates": {k: v for k, v in after.items() if k not in before or before[k] != v},
                "deletions": [k for k in before if k not in after],
            }
        return {
            "id": ids.get(task.id) or str(task.id),
            "parent": (ids.get(task._parent) or str(task._parent)) if parent is not None else None,
            "children": [ids.get(child) or str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self._plain(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def _plain(self, value):
        kind = type(value)
        if kind in _JSON_SCALARS:
            return value
        if kind is dict:  # like the registry's clean(): callables and modules are left out
            return {k: self._plain(v) for k, v in value.items() if not callable(v) and not isinstance(v, ModuleType)}
        if kind is list:
            return [self._plain(v) for v in value]
        return self.registry.convert(value)


_config = deepcopy(SPIFF_CONFIG)
_config[Task] = LeanTaskConverter
_config[AsyncServiceTask] = ServiceTaskConverter
for _bounded in _BOUNDED_TIMERS.values():
    _config[_bounded] = TimerConditionalEventDefinitionConverter
del _config[BpmnWorkflow]
_config[AmtswegWorkflow] = SpeclessWorkflowConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))
SCRIPT_ENGINE = PythonScriptEngine(environment=IsolatedEnvironment())


@dataclass
class CompiledProcess:
    """A parsed process definition, shared by all its instances."""

    spec: Any
    subprocess_specs: dict


def new_workflow(compiled: CompiledProcess, variables: dict | None = None) -> BpmnWorkflow:
    """A new workflow whose start holds ``variables``."""
    workflow = AmtswegWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=SCRIPT_ENGINE)
    for task in workflow.tasks.values():  # only the start is READY; a scan costs less than a tree walk
        if task._state == TaskState.READY:
            task.data.update(variables or {})
    return workflow


def dump_state(workflow: BpmnWorkflow) -> bytes:
    state = SERIALIZER.to_dict(workflow)
    state["serializer_version"] = SERIALIZER_VERSION
    return orjson.dumps(state)


def load_state(blob: bytes, compiled: CompiledProcess) -> BpmnWorkflow:
    state = orjson.loads(blob)
    if state.pop("serializer_version", None) != SERIALIZER_VERSION:
        raise RuntimeError("Der gespeicherte Prozesszustand stammt von einer anderen SpiffWorkflow-Version.")
    state["spec"] = compiled.spec
    state["subprocess_specs"] = compiled.subprocess_specs
    workflow = SERIALIZER.from_dict(state)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


# --- running -------------------------------------------------------------------------------

KEEP_ANCESTORS = 2
COMPACT_ABOVE = 24  # tasks; smaller trees are cheaper to keep than to splice
_INTERNAL_SPECS = {"Start", "End", "Root"}


@dataclass
class StepLog:
    """What one run completed, for the audit trail."""

    entries: list[dict] = field(default_factory=list)

    def record(self, task) -> None:
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        if bpmn_id is None or spec.name in _INTERNAL_SPECS:
            return
        self.entries.append(
            {
                "activity_id": bpmn_id,
                "activity_name": getattr(spec, "bpmn_name", None),
                "changes": _data_changes(task),
            }
        )


def _data_changes(task) -> dict | None:
    parent = task.parent
    before = parent.data if parent is not None else {}
    changed = {k: v for k, v in task.data.items() if k not in before or before[k] != v}
    removed = [k for k in before if k not in task.data]
    if not changed and not removed:
        return None
    return {"set": changed, "removed": removed} if removed else {"set": changed}


# Deploy-time validation rejects call activities that call their own process; this catches
# definitions deployed before that check, which would otherwise nest subprocesses without end.
MAX_SUBPROCESS_DEPTH = 50


class RecursionLimit(RuntimeError):
    def __init__(self, message: str, task):
        super().__init__(message)
        self.task = task


def run_to_wait_state(workflow: BpmnWorkflow, log: StepLog) -> None:
    """Runs every READY engine task until the workflow waits.

    SpiffWorkflow's own loop walks the whole task tree before each step; without
    subprocesses a scan of the (compacted, flat) task dict finds the same tasks for less.
    Once a subprocess exists, the stock loop takes over: it orders subprocess work."""
    _run_ready(workflow, log)
    _check_due_in(workflow)


def _check_due_in(workflow: BpmnWorkflow) -> None:
    """A user task's dueIn out of bounds fails the run (an incident) instead of the save."""
    if workflow.subprocesses:
        waiting = workflow.get_tasks(state=TaskState.READY, manual=True)
    else:
        waiting = [t for t in workflow.tasks.values() if t._state == TaskState.READY and t.task_spec.manual]
    for task in waiting:
        value = task_properties(task).get("dueIn")
        if value:
            try:
                timebounds.due_after(value, datetime.now(timezone.utc))
            except timebounds.TimeBoundError as exc:
                raise TimerOutOfBounds(f"{timebounds.KIND_LABELS['dueIn']} {exc}. Korrigieren Sie die Eigenschaft "
                                       "dueIn der Aufgabe im Modell (z. B. 'P5D') und stellen Sie es neu bereit.",
                                       task) from None


def _run_ready(workflow: BpmnWorkflow, log: StepLog) -> None:
    """An error that does not say where it happened gets the running task (``err.task``)."""
    current = [None]

    def will_run(task):
        current[0] = task

    def did_complete(task):
        if getattr(task.workflow, "depth", 0) > MAX_SUBPROCESS_DEPTH:
            raise RecursionLimit(f"Aufrufaktivitäten und Teilprozesse sind mehr als {MAX_SUBPROCESS_DEPTH} Ebenen tief "
                                 "verschachtelt: vermutlich ruft ein Prozess sich selbst auf. Entfernen Sie die "
                                 "Rekursion im Modell und stellen Sie es neu bereit.", task)
        log.record(task)
        compact(task)

    try:
        while not workflow.subprocesses:
            ready = [t for t in workflow.tasks.values() if t._state == TaskState.READY and not t.task_spec.manual]
            if not ready:
                current[0] = None
                workflow.refresh_timers()
                if not any(t._state == TaskState.READY and not t.task_spec.manual for t in workflow.tasks.values()):
                    return
                continue
            for task in ready:
                if task._state == TaskState.READY:
                    current[0] = task
                    task.run()
                    did_complete(task)
        workflow.do_engine_steps(will_complete_task=will_run, did_complete_task=did_complete)
    except Exception as err:
        locate(err, current[0])
        raise


def locate(err: BaseException, task) -> None:
    """Name the task an error happened in, unless the error already does."""
    if task is not None and getattr(err, "task", None) is None and getattr(err, "task_spec", None) is None:
        try:
            err.task = task
        except AttributeError:  # an exception type with __slots__
            pass


def after_external_completion(workflow: BpmnWorkflow, task, log: StepLog) -> None:
    """Bookkeeping for a task completed from outside the engine loop (user, service)."""
    log.record(task)
    compact(task)


def compact(task) -> None:
    """Splice finished ancestors out of the task tree.

    Walking up from a completed task, an ancestor is removed when it is COMPLETED, owns no
    subprocess and its other children are finished leaves. The nearest ancestors and the
    root stay, so joins and boundary events still find what they look for.
    """
    workflow = task.workflow
    if len(workflow.tasks) <= COMPACT_ABOVE:
        return
    chain = []
    node = task.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    # chain[0] is the parent, chain[-1] the root; keep both ends.
    for ancestor in chain[KEEP_ANCESTORS:-1]:
        _splice(workflow, ancestor)


def _splice(workflow, ancestor) -> None:
    if ancestor.state != TaskState.COMPLETED or ancestor.id in workflow.top_workflow.subprocesses:
        return
    children = ancestor.children
    alive = [c for c in children if c._children or not c.has_state(TaskState.FINISHED_MASK)]
    if len(alive) != 1:
        return
    keep = alive[0]
    parent = ancestor.parent
    if parent is None:
        return
    parent._children = [keep.id if c == ancestor.id else c for c in parent._children]
    keep._parent = parent.id
    for child in children:
        if child is not keep:
            workflow.tasks.pop(child.id, None)
    workflow.tasks.pop(ancestor.id, None)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = keep


# --- wait points ---------------------------------------------------------------------------


@dataclass
class WaitPoints:
    user_tasks: list = field(default_factory=list)
    service_tasks: list = field(default_factory=list)
    timers: list = field(default_factory=list)  # (task, due datetime)
    messages: list = field(default_factory=list)  # (task, message name, correlation dict)


def wait_points(workflow: BpmnWorkflow) -> WaitPoints:
    points = WaitPoints()
    if workflow.subprocesses:
        points.user_tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
        points.service_tasks = workflow.get_tasks(state=TaskState.STARTED, spec_class=AsyncServiceTask)
    else:  # the compacted tree is small and flat: a scan beats a tree walk
        tasks = workflow.tasks.values()
        points.user_tasks = [t for t in tasks if t._state == TaskState.READY and t.task_spec.manual]
        points.service_tasks = [t for t in tasks if t._state == TaskState.STARTED and isinstance(t.task_spec, AsyncServiceTask)]
    for task in workflow.event_manager.tasks.values():
        for definition in _event_definitions(task):
            if isinstance(definition, TimerEventDefinition):
                due = timer_due(task, definition)
                if due is not None:
                    points.timers.append((task, due))
            elif isinstance(definition, MessageEventDefinition):
                points.messages.append((task, definition.name, message_correlation(task, definition)))
    return points


def _event_definitions(task) -> list:
    """What a waiting task waits for; an event-based gateway waits for several things at once."""
    definition = task.task_spec.event_definition
    return definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]


def subscription_id(task_id, message_name: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"{task_id}/{message_name}"))


def timer_due(task, definition) -> datetime | None:
    value = definition.details(task).value
    if value is None:
        return None
    return TimerEventDefinition.get_datetime(value) if isinstance(value, str) else None


def message_correlation(task, definition) -> dict:
    keys = {}
    for prop in definition.correlation_properties:
        try:
            keys[prop.name] = SCRIPT_ENGINE.environment.evaluate(prop.retrieval_expression, dict(task.data))
        except Exception:
            keys[prop.name] = None
    return keys


def fire_timer(workflow: BpmnWorkflow, task_id: str) -> bool:
    """Make a waiting timer due now, whatever the wall clock says (the job says it is due)."""
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.WAITING:
        return False
    definition = task.task_spec.event_definition
    if isinstance(definition, CycleTimerEventDefinition):
        value = task.internal_data.get("event_value")
        if isinstance(value, dict) and value["cycles"] != 0:
            scheduled = datetime.fromisoformat(value["next"])
            value["next"] = datetime(1970, 1, 1, tzinfo=timezone.utc).isoformat()  # due now
            workflow.refresh_timers()
            value = task.internal_data.get("event_value")
            if isinstance(value, dict) and value["cycles"] != 0:
                # SpiffWorkflow moved 'next' on from 1970, which the next refresh would fire
                # again and again: keep the cycle's own schedule instead.
                interval = timedelta(seconds=value["duration"])
                value["next"] = timebounds.next_occurrence(scheduled, interval, datetime.now(timezone.utc)).isoformat()
            return True
    else:
        task.internal_data["event_fired"] = True
    workflow.refresh_timers()
    return True


def deliver_message(workflow: BpmnWorkflow, task_id: str, message_name: str, payload: dict) -> bool:
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.WAITING or not isinstance(task.task_spec, CatchingEvent):
        return False
    definition = next((d for d in _event_definitions(task)
                       if isinstance(d, MessageEventDefinition) and d.name == message_name), None)
    if definition is None:
        return False
    task.data.update(payload)  # the payload becomes process data, with or without a messageVariable
    try:
        task.task_spec.catch(task, BpmnEvent(definition, payload))
        task.task_spec._update(task)
    except Exception as err:
        locate(err, task)
        raise
    return True


def complete_service_task(workflow: BpmnWorkflow, task_id: str, result: dict, log: StepLog) -> bool:
    task = workflow.get_task_from_id(UUID(task_id))
    # A boundary event may have cancelled it while the adapter was working.
    if task is None or task.state != TaskState.STARTED:
        return False
    task.data[task.task_spec.result_variable] = result
    try:
        task.complete()
    except Exception as err:
        locate(err, task)
        raise
    after_external_completion(workflow, task, log)
    return True


def throw_service_error(workflow: BpmnWorkflow, task_id: str, code: str, payload: dict) -> bool:
    """Raise a BPMN error from a service task. Returns False when nothing catches it."""
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.STARTED:
        return False
    event = BpmnEvent(ErrorEventDefinition(code, code=code), payload, target=task.workflow)
    targets = [task.workflow, workflow]
    if not any(wf.get_tasks(catches_event=event, state=TaskState.NOT_FINISHED_MASK) for wf in targets):
        return False
    workflow.catch(event)
    return True


def complete_user_task(workflow: BpmnWorkflow, task_id: str, data: dict, log: StepLog) -> bool:
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        return False
    task.data.update(data)
    try:
        task.run()
    except Exception as err:
        locate(err, task)
        raise
    after_external_completion(workflow, task, log)
    return True


_ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING


def workflow_variables(workflow: BpmnWorkflow) -> dict:
    """The process variables as the outside sees them: the data of the latest completed task,
    overlaid with what the tasks that wait now inherited (a boundary event may have moved on)."""
    data = dict(workflow.data)
    data.update((workflow.last_task or workflow.task_tree).data)
    if not workflow.subprocesses:
        for task in workflow.tasks.values():
            if task._state & _ACTIVE:
                data.update(task.data)
    data.pop("data_objects", None)
    return data


def task_properties(task) -> dict:
    extensions = getattr(task.task_spec, "extensions", None) or {}
    return extensions.get("properties", {}) or {}

