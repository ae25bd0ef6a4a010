"""The saved workflow state: SpiffWorkflow's own format (without the spec), written by a
faster converter. It must say exactly what SpiffWorkflow's converter says."""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timezone

import orjson
import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter

from engine import spiff

SUBPROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_nested"
  targetNamespace="http://amtsweg.de/test">
  <bpmn:process id="nested" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
    <bpmn:scriptTask id="prepare"><bpmn:script>items = [1, 2]
note = {"text": "Gr\xc3\xbc\xc3\x9fe", "ok": True}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="inner" />
    <bpmn:subProcess id="inner">
      <bpmn:startEvent id="inner_start" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner_start" targetRef="check" />
      <bpmn:userTask id="check" name="Pr\xc3\xbcfen" />
      <bpmn:sequenceFlow id="i2" sourceRef="check" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f3" sourceRef="inner" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


def _stock_to_dict(workflow) -> dict:
    config = deepcopy(SPIFF_CONFIG)
    config[spiff.AsyncServiceTask] = ServiceTaskConverter
    registry = BpmnWorkflowSerializer.configure(config)
    state = registry.convert_to_dict["BpmnWorkflow"](workflow)
    del state["spec"], state["subprocess_specs"], state["typename"]
    return state


def _ours(workflow) -> dict:
    state = orjson.loads(spiff.dump_state(workflow))
    del state["serializer_version"], state["typename"]
    return state


@pytest.fixture
def compiled(process_engine):
    def compile_model(name: str, content: bytes):
        definition = process_engine.repository.deploy({name: content}, name="test")[0]
        return process_engine.ctx.compiled(definition.id)

    return compile_model


def test_state_at_a_user_task_in_a_subprocess_is_what_spiffworkflow_writes(compiled):
    process = compiled("nested.bpmn", SUBPROCESS)
    workflow = spiff.new_workflow(process, {"applicant": "Erika", "when": "2026-11-25"})
    spiff.run_to_wait_state(workflow, spiff.StepLog())
    assert workflow.subprocesses, "the model must leave a live subprocess"
    assert _ours(workflow) == orjson.loads(orjson.dumps(_stock_to_dict(workflow)))


def test_state_survives_saves_of_the_same_workflow_and_a_reload(compiled):
    process = compiled("nested.bpmn", SUBPROCESS)
    workflow = spiff.new_workflow(process, {"applicant": "Erika"})
    spiff.run_to_wait_state(workflow, spiff.StepLog())
    first = spiff.dump_state(workflow)
    [task] = [t for t in workflow.get_tasks(state=spiff.TaskState.READY) if t.task_spec.manual]
    assert spiff.complete_user_task(workflow, str(task.id), {"ok": True}, spiff.StepLog())
    spiff.run_to_wait_state(workflow, spiff.StepLog())
    assert workflow.is_completed()
    # The ids remembered from the first save must not leak into the state of the second.
    assert _ours(workflow) == orjson.loads(orjson.dumps(_stock_to_dict(workflow)))

    expected = orjson.loads(first)
    del expected["serializer_version"], expected["typename"]
    assert _ours(spiff.load_state(first, process)) == expected


def test_values_spiffworkflow_converts_keep_their_type(compiled):
    process = compiled("nested.bpmn", SUBPROCESS)
    workflow = spiff.new_workflow(process)
    spiff.run_to_wait_state(workflow, spiff.StepLog())
    [task] = [t for t in workflow.get_tasks(state=spiff.TaskState.READY) if t.task_spec.manual]
    due = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    task.internal_data["reminder"] = {"due": due, "steps": [due]}
    reloaded = spiff.load_state(spiff.dump_state(workflow), process)
    assert reloaded.get_task_from_id(task.id).internal_data["reminder"] == {"due": due, "steps": [due]}
