"""Long loops: SpiffWorkflow alone stalls at about 333 gateway-loop iterations."""
from engine import spiff
from tests.conftest import deploy_test_models


def test_gateway_loop_of_10000_iterations_runs_to_its_end(process_engine):
    deploy_test_models(process_engine, "engine/loop.bpmn")
    instance_id = process_engine.runtime.start("loop", tenant="plauen", variables={"n": 10_000})
    info = process_engine.runtime.get(instance_id)
    assert info.state == "completed"
    assert info.variables["i"] == 10_000
    assert info.variables["total"] == 10_000 * 10_001 // 2


def test_compaction_keeps_the_task_tree_small(process_engine):
    deploy_test_models(process_engine, "engine/loop.bpmn")
    definition = process_engine.repository.get_definition("loop")
    workflow = spiff.new_workflow(process_engine.ctx.compiled(definition.id), {"n": 1000})
    spiff.run_to_wait_state(workflow, spiff.StepLog())
    assert workflow.is_completed()
    assert workflow.last_task.data["i"] == 1000
    assert len(workflow.tasks) < 30
