"""The web UI over HTTP: worklist with form errors in German, operator retry."""
import pytest

from tests.conftest import deploy_test_models
from webui import create_app


@pytest.fixture
def client(process_engine):
    deploy_test_models(process_engine, "engine/lifecycle.bpmn", "engine/review.schema.json", "engine/failing.bpmn")
    return create_app(process_engine, {"TESTING": True}).test_client()


def test_clerk_completes_task_after_fixing_field_errors(client, process_engine):
    engine = process_engine
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", business_key="ST-1", variables={"applicant": "Erika"})
    engine.executor().run_due()
    page = client.get("/arbeit/?gruppe=sachbearbeitung").get_data(as_text=True)
    assert "Antrag prüfen" in page and "ST-1" in page
    [task] = engine.tasks.query(instance_id=instance_id)

    response = client.post(f"/arbeit/{task.id}", data={"decision": "", "reason": "ok"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Entscheidung: Bitte ausfüllen." in text and "Begründung: Mindestens 3 Zeichen." in text
    assert engine.tasks.get(task.id).state == "open"

    response = client.post(f"/arbeit/{task.id}", data={"decision": "approve", "reason": "geprüft", "bearbeiter": "sb1"})
    assert response.status_code == 302
    assert engine.tasks.get(task.id).state == "completed"
    assert engine.tasks.get(task.id).completed_by == "sb1"


def test_operator_sees_incident_and_retries_it(client, process_engine, clock):
    engine = process_engine
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 0})
    engine.executor().run_due()
    [incident] = engine.management.incidents()
    page = client.get("/betrieb/").get_data(as_text=True)
    assert "Offene Störungen: <strong>1</strong>" in page and incident.message in page
    assert client.post(f"/betrieb/stoerung/{incident.id}/wiederholen").status_code == 302
    assert engine.management.incidents() == []
    assert "Verlauf" in client.get(f"/betrieb/vorgang/{instance_id}").get_data(as_text=True)


def test_unknown_task_gives_404_in_german(client):
    response = client.get("/arbeit/gibt-es-nicht")
    assert response.status_code == 404 and "nicht gefunden" in response.get_data(as_text=True)
