"""Start → service task → user task → complete → service task → end, through the facade."""
import pytest

from engine.errors import FormInvalid, InvalidState, TaskAlreadyClaimed
from tasks import testing
from tests.conftest import deploy_test_models


@pytest.fixture
def deployed(process_engine):
    deploy_test_models(process_engine, "engine/lifecycle.bpmn", "engine/review.schema.json")
    return process_engine


def test_lifecycle_runs_through_jobs_and_human_task(deployed, db):
    engine = deployed
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", business_key="A-1", variables={"applicant": "Erika"}, user="citizen")
    assert engine.runtime.get(instance_id).state == "waiting"
    assert [j.operation for j in engine.management.jobs(instance_id=instance_id)] == ["testing.echo"]
    assert engine.tasks.query(instance_id=instance_id) == []

    assert engine.executor().run_due() == 1
    [task] = engine.tasks.query(tenant="plauen", candidate_group="sachbearbeitung")
    assert task.name == "Antrag prüfen" and task.due_at is not None
    assert engine.runtime.get(instance_id).variables["fetched"] == {"applicant": "Erika"}

    engine.tasks.claim(task.id, "clerk1")
    with pytest.raises(TaskAlreadyClaimed):
        engine.tasks.claim(task.id, "clerk2")
    engine.tasks.complete(task.id, {"decision": "approve", "reason": "Alles korrekt"}, user="clerk1")
    assert engine.executor().run_due() == 1

    info = engine.runtime.get(instance_id)
    assert info.state == "completed"
    assert info.variables["decision"] == "approve"
    assert [e.label for e in testing.effects(db.sessions)] == ["approve"]
    actions = [(a.action, a.activity_id, a.actor) for a in engine.history.audit(instance_id=instance_id)]
    assert ("task_completed", "review", "clerk1") in actions
    assert actions[0] == ("instance_started", None, "citizen")
    assert actions[-1][0] == "instance_completed"
    completed = [a for a in engine.history.audit(instance_id=instance_id) if a.action == "task_completed"][0]
    assert completed.changes["set"]["reason"] == "Alles korrekt"


def test_invalid_form_data_is_rejected_per_field_and_stores_nothing(deployed):
    engine = deployed
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "Erika"})
    engine.executor().run_due()
    [task] = engine.tasks.query(instance_id=instance_id)
    before = engine.instance_view(instance_id)

    with pytest.raises(FormInvalid) as err:
        engine.tasks.complete(task.id, {"decision": "maybe", "reason": "x", "follow_up": "morgen"})
    messages = {e.field: e.message for e in err.value.errors}
    assert messages == {
        "decision": "Entscheidung: Bitte einen der angebotenen Werte wählen.",
        "reason": "Begründung: Mindestens 3 Zeichen.",
        "follow_up": "Wiedervorlage: Bitte ein Datum (JJJJ-MM-TT) angeben.",
    }
    with pytest.raises(FormInvalid) as err:
        engine.tasks.complete(task.id, {})
    assert {e.field for e in err.value.errors} == {"decision", "reason"}
    assert engine.instance_view(instance_id) == before


def test_completed_task_cannot_be_completed_again(deployed):
    engine = deployed
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "Erika"})
    engine.executor().run_due()
    [task] = engine.tasks.query(instance_id=instance_id)
    engine.tasks.complete(task.id, {"decision": "reject", "reason": "Unvollständig"})
    with pytest.raises(InvalidState):
        engine.tasks.complete(task.id, {"decision": "approve", "reason": "Doch gut"})


def test_running_instances_stay_on_their_version(deployed):
    engine = deployed
    old = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "A"})
    changed = (deploy_models_dir() / "lifecycle.bpmn").read_text().replace("Antrag prüfen", "Antrag sorgfältig prüfen")
    [v2] = engine.repository.deploy({"lifecycle.bpmn": changed.encode(),
                                     "review.schema.json": (deploy_models_dir() / "review.schema.json").read_bytes()})
    assert v2.version == 2
    new = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "B"})
    engine.executor().run_due()
    names = {t.instance_id: t.name for t in engine.tasks.query()}
    assert names == {old: "Antrag prüfen", new: "Antrag sorgfältig prüfen"}


def test_deploying_the_same_files_again_creates_no_version(deployed):
    again = deploy_test_models(deployed, "engine/lifecycle.bpmn", "engine/review.schema.json")
    assert [(d.key, d.version) for d in again] == [("lifecycle", 1)]


def test_tenants_only_see_their_own_tasks(deployed):
    engine = deployed
    engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "A"})
    engine.runtime.start("lifecycle", tenant="musterstadt", variables={"applicant": "B"})
    engine.executor().run_due()
    assert len(engine.tasks.query(tenant="plauen")) == 1
    assert len(engine.tasks.query(tenant="musterstadt")) == 1


def deploy_models_dir():
    from tests.conftest import TEST_MODELS

    return TEST_MODELS / "engine"


def test_unclaim_gives_the_task_back_to_the_group(deployed):
    engine = deployed
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "Erika"})
    engine.executor().run_due()
    [task] = engine.tasks.query(instance_id=instance_id)
    engine.tasks.claim(task.id, "clerk1")
    with pytest.raises(TaskAlreadyClaimed):
        engine.tasks.unclaim(task.id, "clerk2")  # only its holder (or an operator, without a user) gives it back
    assert engine.tasks.query(assignee="clerk1")[0].id == task.id

    engine.tasks.unclaim(task.id, "clerk1")
    assert engine.tasks.get(task.id).assignee is None
    engine.tasks.claim(task.id, "clerk2")
    engine.tasks.unclaim(task.id)
    assert engine.tasks.get(task.id).assignee is None

    engine.tasks.complete(task.id, {"decision": "approve", "reason": "Alles korrekt"}, user="clerk2")
    with pytest.raises(InvalidState):
        engine.tasks.unclaim(task.id, "clerk2")
