"""The studio over HTTP: designers load, check and deploy a model; versions with who deployed them and which
elements changed; access, size and CSRF rules."""
import re

import pytest

from engine.repository import read_paths
from tests.conftest import MODELS, login
from webui import create_app

KEY = "hundesteuer_anmeldung"
XML = {"Content-Type": "application/xml"}


@pytest.fixture
def app(installation):
    installation.engine.repository.deploy(read_paths([MODELS / "hundesteuer"]), name="hundesteuer")
    return create_app(installation, {"TESTING": True})


@pytest.fixture
def designer(app):
    return login(app, "gestaltung")


def model(client) -> str:
    response = client.get(f"/studio/{KEY}/modell.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return response.get_data(as_text=True)


def test_designer_sees_the_processes_and_loads_a_model(designer):
    page = designer.get("/studio/").get_data(as_text=True)
    assert "Anmeldung zur Hundesteuer" in page and f"/studio/{KEY}/" in page
    assert f'<bpmn:process id="{KEY}"' in model(designer)
    modeler = designer.get(f"/studio/{KEY}/").get_data(as_text=True)
    assert f'data-diagram-url="/studio/{KEY}/modell.bpmn"' in modeler and 'name="csrf-token"' in modeler


def test_the_panel_lists_come_from_the_registry_the_folder_and_the_directory(designer, installation):
    operations = {op["name"]: [p["name"] for p in op["parameters"]] for op in designer.get("/studio/operationen.json").json}
    assert set(operations) == installation.registry.operations()
    assert "case_number" in operations["portal.notify"]  # derived from the deployed models' usage
    assert operations["civil_register.lookup_entry"] == []  # no deployed model uses it yet
    lists = designer.get(f"/studio/{KEY}/listen.json").json
    assert "halteerlaubnis.schema.json" in lists["forms"] and "einstellungen.schema.json" not in lists["forms"]
    assert {"value": "steueramt", "label": "Steueramt"} in lists["groups"]


def test_check_locates_german_messages_on_the_broken_element(designer, installation):
    broken = model(designer).replace('id="portal.notify"', 'id="portal.notfy"', 1)
    response = designer.post(f"/studio/{KEY}/pruefen", data=broken.encode(), headers=XML)
    assert response.status_code == 422
    [problem] = response.json["problems"]
    assert problem["element_id"] == "notify_received" and problem["element_name"] == "Eingang mitteilen"
    assert "Unbekannte Operation 'portal.notfy'. Meinten Sie 'portal.notify'?" in problem["message"]
    assert [d.version for d in installation.engine.repository.list_definitions(KEY)] == [1]  # a dry run

    fine = designer.post(f"/studio/{KEY}/pruefen", data=model(designer).encode(), headers=XML)
    assert fine.status_code == 200 and fine.json == {"ok": True, "message": "Das Modell ist fehlerfrei.", "problems": []}


def test_deploy_creates_the_next_version_with_user_and_the_changed_element(designer, installation):
    changed = model(designer).replace('name="Eingang mitteilen"', 'name="Eingang bestätigen"', 1)
    response = designer.post(f"/studio/{KEY}/bereitstellen", data=changed.encode(), headers=XML)
    assert response.status_code == 200 and response.json["ok"]
    assert "Version 2 ist bereitgestellt" in response.json["message"]
    latest = installation.engine.repository.get_definition(KEY)
    assert latest.version == 2
    assert 'name="Eingang bestätigen"' in model(designer)

    history = designer.get(f"/studio/{KEY}/versionen").get_data(as_text=True)
    assert "Paula Grün (Prozessgestaltung)" in history and "bei der Einrichtung" in history
    assert "Serviceaufgabe „Eingang bestätigen“: geändert" in history
    assert history.count("<li>") == 1  # nothing else changed
    again = designer.post(f"/studio/{KEY}/bereitstellen", data=changed.encode(), headers=XML)
    assert again.json["message"] == "Keine Änderung: Version 2 bleibt in Kraft."


def test_a_municipalitys_designer_checks_but_only_the_installations_designer_deploys(app, installation):
    """Models are generic: a deployment changes the process for every municipality."""
    local = login(app, "pg.plauen")
    xml = model(local).replace('name="Eingang mitteilen"', 'name="Eingang bestätigen"', 1).encode()
    assert local.post(f"/studio/{KEY}/pruefen", data=xml, headers=XML).json["ok"]
    refused = local.post(f"/studio/{KEY}/bereitstellen", data=xml, headers=XML)
    assert refused.status_code == 403 and "nur die Prozessgestaltung der Installation" in refused.json["message"]
    assert installation.engine.repository.get_definition(KEY).version == 1


def test_a_model_cannot_carry_another_process_in_or_make_its_own_not_executable(designer, installation):
    xml = model(designer)
    smuggled = xml.replace("</bpmn:definitions>", '<bpmn:process id="gewerbe_statistik" isExecutable="true">'
                           '<bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>')
    response = designer.post(f"/studio/{KEY}/bereitstellen", data=smuggled.encode(), headers=XML)
    assert response.status_code == 422 and "genau die Prozesse behalten" in response.json["problems"][0]["message"]
    idle = xml.replace(f'id="{KEY}" ', f'id="{KEY}" isExecutable="false" ', 1).replace('isExecutable="true"', "", 1)
    response = designer.post(f"/studio/{KEY}/bereitstellen", data=idle.encode(), headers=XML)
    assert response.status_code == 422 and "ausführbaren Prozess" in response.json["problems"][0]["message"]
    assert installation.engine.repository.list_definitions("gewerbe_statistik") == []
    assert installation.engine.repository.get_definition(KEY).version == 1


def test_a_broken_model_is_not_deployed(designer, installation):
    broken = model(designer).replace('id="portal.notify"', 'id="portal.notfy"', 1)
    response = designer.post(f"/studio/{KEY}/bereitstellen", data=broken.encode(), headers=XML)
    assert response.status_code == 422 and response.json["problems"][0]["element_id"] == "notify_received"
    assert installation.engine.repository.get_definition(KEY).version == 1


@pytest.mark.parametrize("method,path", [
    ("get", "/studio/"), ("get", f"/studio/{KEY}/"), ("get", f"/studio/{KEY}/modell.bpmn"),
    ("get", "/studio/operationen.json"), ("get", f"/studio/{KEY}/listen.json"), ("get", f"/studio/{KEY}/versionen"),
    ("post", f"/studio/{KEY}/pruefen"), ("post", f"/studio/{KEY}/bereitstellen"),
])
def test_only_designers_may_use_the_studio(app, installation, method, path):
    assert getattr(login(app, "st.plauen"), method)(path, data=b"<x/>", headers=XML).status_code == 403
    assert getattr(login(app, "betrieb"), method)(path, data=b"<x/>", headers=XML).status_code == 403
    assert getattr(app.test_client(), method)(path).status_code == 302  # to the sign-in
    assert installation.engine.repository.get_definition(KEY).version == 1


@pytest.mark.parametrize("body,message", [
    (b"<bpmn:definitions" + b" " * (1024 * 1024) + b"/>", "Die Datei ist zu groß"),
    (b"<bpmn:definitions><bpmn:process", "Kein wohlgeformtes XML"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTD und Entitäten sind nicht erlaubt"),
    (b"", "Die Datei ist leer."),
    (b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="other"/></definitions>',
     "Das Modell enthält den ausführbaren Prozess „hundesteuer_anmeldung“ nicht mehr."),
])
@pytest.mark.parametrize("action", ["pruefen", "bereitstellen"])
def test_oversized_or_malformed_xml_gets_a_german_error(designer, installation, body, message, action):
    response = designer.post(f"/studio/{KEY}/{action}", data=body, headers=XML)
    assert response.status_code == 422 and not response.json["ok"]
    assert message in response.json["problems"][0]["message"]
    assert installation.engine.repository.get_definition(KEY).version == 1


def test_deploy_needs_the_csrf_token(installation):
    installation.engine.repository.deploy(read_paths([MODELS / "hundesteuer"]), name="hundesteuer")
    app = create_app(installation, {"TESTING": True, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    page = client.get("/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert client.post("/anmelden", data={"user": "gestaltung", "csrf_token": token}).status_code == 302
    xml = model(client)
    assert client.post(f"/studio/{KEY}/bereitstellen", data=xml.encode(), headers=XML).status_code == 400
    assert installation.engine.repository.get_definition(KEY).version == 1
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(f"/studio/{KEY}/").get_data(as_text=True))[1]
    changed = xml.replace('name="Eingang mitteilen"', 'name="Eingang bestätigen"', 1)
    response = client.post(f"/studio/{KEY}/bereitstellen", data=changed.encode(), headers={**XML, "X-CSRFToken": token})
    assert response.status_code == 200 and installation.engine.repository.get_definition(KEY).version == 2


def test_without_the_built_bundle_the_page_says_so(designer, monkeypatch, tmp_path):
    from webui.studio import views

    monkeypatch.setattr(views, "BUNDLE", tmp_path / "studio.js")
    page = designer.get(f"/studio/{KEY}/").get_data(as_text=True)
    assert "Der Modeler ist nicht gebaut" in page and "<script" not in page


BASE = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"><process id="p">{}</process></definitions>')
TASK = ('<userTask id="t" name="Prüfen"><extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="dueIn" value="P5D"/></spiffworkflow:properties></extensionElements></userTask>')


@pytest.mark.parametrize("new,expected", [
    (TASK, []),
    (TASK.replace("><", ">\n    <").replace('name="dueIn" value="P5D"', 'value="P5D" name="dueIn"'), []),
    (TASK.replace('name="Prüfen"', 'name="Genau prüfen"'), [("geändert", "Benutzeraufgabe", "Genau prüfen")]),
    (TASK.replace("P5D", "P10D"), [("geändert", "Benutzeraufgabe", "Prüfen")]),
    (TASK.replace("userTask", "manualTask"), [("geändert", "Manuelle Aufgabe", "Prüfen")]),
    (TASK + '<endEvent id="e"/>', [("neu", "Endereignis", "e")]),
    ("", [("entfernt", "Benutzeraufgabe", "Prüfen")]),
])
def test_changes_compare_id_type_name_and_extension_elements(new, expected):
    from webui.studio.models import changes

    found = changes(BASE.format(TASK).encode(), BASE.format(new).encode())
    assert [(c.kind, c.type, c.name) for c in found] == expected
