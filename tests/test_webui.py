"""The web UI over HTTP: clerk worklist with German form errors, operator retry, access rules."""
from datetime import timedelta

import pytest

from tests.conftest import TEST_MODELS, login
from webui import create_app


@pytest.fixture
def app(installation, process_engine):
    lifecycle = (TEST_MODELS / "engine/lifecycle.bpmn").read_text().replace('name="sachbearbeitung"', 'name="standesamt"')
    process_engine.repository.deploy({"lifecycle.bpmn": lifecycle.encode(),
                                      "review.schema.json": (TEST_MODELS / "engine/review.schema.json").read_bytes(),
                                      "failing.bpmn": (TEST_MODELS / "engine/failing.bpmn").read_bytes()})
    return create_app(installation, {"TESTING": True})


def test_clerk_completes_task_after_fixing_field_errors(app, process_engine):
    engine = process_engine
    instance_id = engine.runtime.start("lifecycle", tenant="plauen", business_key="ST-1", variables={"applicant": "Erika"})
    engine.executor().run_due()
    client = login(app, "sb.plauen")
    page = client.get("/arbeit/").get_data(as_text=True)
    assert "Antrag prüfen" in page and "ST-1" in page
    [task] = engine.tasks.query(instance_id=instance_id)

    response = client.post(f"/arbeit/{task.id}", data={"decision": "", "reason": "ok"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Entscheidung: Bitte ausfüllen." in text and "Begründung: Mindestens 3 Zeichen." in text
    assert engine.tasks.get(task.id).state == "open"

    response = client.post(f"/arbeit/{task.id}", data={"decision": "approve", "reason": "geprüft"})
    assert response.status_code == 302
    assert engine.tasks.get(task.id).state == "completed"
    assert engine.tasks.get(task.id).completed_by == "sb.plauen"


def test_clerk_of_another_municipality_cannot_open_the_task(app, process_engine):
    instance_id = process_engine.runtime.start("lifecycle", tenant="plauen", variables={"applicant": "Erika"})
    process_engine.executor().run_due()
    [task] = process_engine.tasks.query(instance_id=instance_id)
    client = login(app, "sb.musterstadt")
    assert "Antrag prüfen" not in client.get("/arbeit/").get_data(as_text=True)
    assert client.get(f"/arbeit/{task.id}").status_code == 404  # another municipality's task does not exist for them


def test_operator_sees_incident_and_retries_it(app, process_engine):
    engine = process_engine
    instance_id = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 0})
    engine.executor().run_due()
    [incident] = engine.management.incidents()
    client = login(app, "betrieb")
    page = client.get("/betrieb/").get_data(as_text=True)
    assert "Offene Störungen: <strong>1</strong>" in page and incident.message in page
    assert client.post(f"/betrieb/stoerung/{incident.id}/wiederholen").status_code == 302
    assert engine.management.incidents() == []
    assert "Verlauf" in client.get(f"/betrieb/vorgang/{instance_id}").get_data(as_text=True)


def test_pages_need_the_right_login(app):
    client = app.test_client()
    assert client.get("/arbeit/").status_code == 302
    assert login(app, "erika").get("/betrieb/").status_code == 403


def test_unknown_task_gives_404_in_german(app):
    response = login(app, "sb.plauen").get("/arbeit/gibt-es-nicht")
    assert response.status_code == 404 and "nicht gefunden" in response.get_data(as_text=True)


def test_follow_up_date_puts_a_task_aside_until_then(app, process_engine, clock):
    instance_id = process_engine.runtime.start("lifecycle", tenant="plauen", business_key="ST-9", variables={"applicant": "E"})
    process_engine.executor().run_due()
    [task] = process_engine.tasks.query(instance_id=instance_id)
    client = login(app, "sb.plauen")
    assert client.post(f"/arbeit/{task.id}/wiedervorlage", data={"datum": "03.12."}).status_code == 302
    assert process_engine.tasks.get(task.id).follow_up_at is None
    day = (clock.now() + timedelta(days=7)).date().isoformat()
    client.post(f"/arbeit/{task.id}/wiedervorlage", data={"datum": day})
    assert "ST-9" not in client.get("/arbeit/").get_data(as_text=True)
    assert "ST-9" in client.get("/arbeit/?alle=1").get_data(as_text=True)
    clock.advance(days=8)
    client = login(app, "sb.plauen")  # a week later the session has long ended
    assert "ST-9" in client.get("/arbeit/").get_data(as_text=True)


def test_posts_without_csrf_token_are_refused(installation):
    client = create_app(installation, {"TESTING": True, "WTF_CSRF_ENABLED": True}).test_client()
    refused = client.post("/anmelden", data={"user": "erika"})
    assert refused.status_code == 400 and "Formular abgelaufen" in refused.get_data(as_text=True)
    page = client.get("/anmelden").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/anmelden", data={"user": "erika", "csrf_token": token}).status_code == 302


@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "/\t/evil.example", "https://evil.example"])
def test_login_never_redirects_to_another_site(app, target):
    response = app.test_client().post("/anmelden?weiter=" + target, data={"user": "erika"})
    assert response.headers["Location"] == "/portal/"


def test_cashier_explains_unknown_reference_and_bad_amount(app):
    client = login(app, "sb.plauen")
    page = client.post("/arbeit/kasse", data={"kassenzeichen": "KZ-0", "betrag": "15,00"}, follow_redirects=True)
    assert "ist nicht bekannt" in page.get_data(as_text=True)
    page = client.post("/arbeit/kasse", data={"kassenzeichen": "KZ-0", "betrag": "1e400"}, follow_redirects=True)
    assert "Bitte einen Betrag in Euro angeben" in page.get_data(as_text=True)


def test_operator_pages_name_states_in_german(app, process_engine):
    instance_id = process_engine.runtime.start("lifecycle", tenant="plauen", business_key="ST-7",
                                               variables={"applicant": "Erika"})
    process_engine.executor().run_due()
    client = login(app, "betrieb")
    for page in (client.get("/betrieb/"), client.get(f"/betrieb/vorgang/{instance_id}")):
        text = page.get_data(as_text=True)
        assert "wartet" in text
        assert not any(english in text for english in (">waiting<", "waiting:", " ready ", "_completed", "_started"))


def test_operators_see_a_standing_process_by_its_purpose_not_its_internal_key(installation):
    from tests.processes.conftest import Office

    Office(installation).deploy("gewerbe")
    [started, *_] = installation.start_standing_processes()
    key = installation.engine.runtime.get(started).business_key
    client = login(create_app(installation, {"TESTING": True}), "betrieb")
    for page in (client.get("/betrieb/"), client.get(f"/betrieb/vorgang/{started}")):
        text = page.get_data(as_text=True)
        assert "Monatliche Lieferung an das Statistische Landesamt" in text or "Löschung der Protokolle" in text
        assert key not in text and "gewerbe_statistik" not in text
