"""Deploy-time validation: every rejected construct names file and element; the corpora
never make the validator raise."""
from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.errors import ModelInvalid, Problem
from engine.validation import check, load_parser, validate

MODELS = Path(__file__).resolve().parents[1] / "models" / "validation"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "bpmn"
OPERATIONS = {"mail.send", "register.lookup"}


def _load(*names: str, folder: str = "") -> dict[str, bytes]:
    return {f"{folder}{name}": (MODELS / name).read_bytes() for name in names}


def _valid_deployment(folder: str = "standesamt/") -> dict[str, bytes]:
    return _load("valid_deployment.bpmn", "valid_deployment_child.bpmn", "valid_deployment.dmn",
                 "valid_deployment.schema.json", folder=folder)


def _found(problems: list[Problem], element_id: str | None, fragment: str) -> bool:
    return any(p.element_id == element_id and fragment in p.message for p in problems)


def test_valid_deployment_passes():
    assert validate(_valid_deployment(), OPERATIONS) == []
    check(_valid_deployment(), OPERATIONS)  # does not raise


def test_load_parser_builds_runnable_specs():
    parser = SpiffBpmnParser()
    load_parser(_valid_deployment(), parser)
    workflow = BpmnWorkflow(parser.get_spec("antrag"), parser.get_subprocess_specs("antrag"))
    workflow.do_engine_steps()
    assert [t.task_spec.name for t in workflow.get_tasks(manual=True)] == ["formular"]


def test_load_parser_rejects_unsafe_xml():
    files = _valid_deployment() | {"evil.bpmn": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'}
    with pytest.raises(ModelInvalid) as info:
        load_parser(files, SpiffBpmnParser())
    assert [p.file for p in info.value.problems] == ["evil.bpmn"]


def test_form_schema_found_at_top_level():
    files = _valid_deployment()
    files["valid_deployment.schema.json"] = files.pop("standesamt/valid_deployment.schema.json")
    assert validate(files, OPERATIONS) == []


def test_parser_factory_is_used():
    built = []

    class Parser(SpiffBpmnParser):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            built.append(self)

    assert validate(_valid_deployment(), OPERATIONS, parser_factory=Parser) == [] and built


@pytest.mark.parametrize("model, expected", [
    ("link_event.bpmn", [("link_throw", "Link-Ereignisse"), ("link_catch", "Link-Ereignisse")]),
    ("compensation.bpmn", [("kompensation_grenze", "Kompensation"), ("stornieren", "Kompensation"),
                           ("kompensieren", "Kompensation")]),
    ("complex_gateway.bpmn", [("komplex", "Komplexe Gateways")]),
    ("implicit_split.bpmn", [("verteilen", "paralleles oder exklusives Gateway")]),
    ("conditional_flow_on_task.bpmn", [("bedingt", "kein Gateway")]),
    ("gateway_flow_without_condition.bpmn", [("ohne_bedingung", "ohne Bedingung"),
                                             ("standard", "Standardfluss darf keine Bedingung")]),
    ("undefined_refs.bpmn", [("start", "messageRef='fehlende_nachricht'"),
                             ("fehler_grenze", "errorRef='fehlender_fehler'"),
                             ("signal_werfen", "signalRef='fehlendes_signal'"),
                             ("eskalation_ende", "escalationRef='fehlende_eskalation'")]),
    ("business_rule_without_decision.bpmn", [("ohne_entscheidung", "spiffworkflow:calledDecisionId"),
                                             ("unbekannte_entscheidung", "'gibt_es_nicht'")]),
    ("service_task_operations.bpmn", [("ohne_operation", "spiffworkflow:serviceTaskOperator"),
                                      ("vertippt", "Unbekannte Operation 'mail.sendd'. Meinten Sie 'mail.send'?"),
                                      ("vertippt", "Parameter 'an': kein gültiger Python-Ausdruck")]),
    ("code_syntax.bpmn", [("skript", "Skript: kein gültiges Python-Skript"),
                          ("vorskript", "preScript: kein gültiges Python-Skript"),
                          ("kaputte_bedingung", "Bedingung: kein gültiger Python-Ausdruck"),
                          ("frist", "Timer-Ausdruck: kein gültiger Python-Ausdruck"),
                          ("iso_frist", "Anführungszeichen: 'PT2H'")]),
    ("foreign_languages.bpmn", [("groovy", "Skriptsprache 'groovy'"), ("juel", "JUEL"),
                                ("xpath", "Ausdruckssprache 'http://www.w3.org/1999/XPath'")]),
    ("non_executable.bpmn", [("entwurf", "nicht ausführbar")]),
    ("no_process.bpmn", [(None, "keinen Prozess")]),
    ("unknown_call_activity.bpmn", [("aufruf", "'gibt_es_nicht' ist nicht bereitgestellt")]),
    ("error_start_event.bpmn", [("fehler_start", "Grenzereignis")]),
    ("broken_references.bpmn", [("ins_leere", "targetRef='gibt_es_nicht'"), ("selbst", "dasselbe Element"),
                                ("p", "keine ID und würde ignoriert"), ("doppelt", "2-mal"),
                                ("lose_grenze", "keiner Aktivität")]),
    # SpiffWorkflow's parser loops forever on this one: the check must catch it first.
    ("data_object_scope.bpmn", [("t", "Das Datenobjekt 'gibt_es_nicht' (Verweis 'ref1')")]),
    ("spiff_rejects.bpmn", [("ohne_start", "SpiffWorkflow lehnt das Modell ab: No start event found")]),
])
def test_rejected_construct(model, expected):
    problems = validate(_load(model, folder="amt/"), OPERATIONS)
    for element_id, fragment in expected:
        assert _found(problems, element_id, fragment), (element_id, fragment, [str(p) for p in problems])
    assert {p.file for p in problems} == {f"amt/{model}"}


def test_form_files():
    files = _load("form_files.bpmn", "form_files_invalid.schema.json", "form_files_broken.schema.json")
    problems = validate(files, OPERATIONS)
    assert _found(problems, "fehlendes_formular", "'gibt_es_nicht.schema.json' (formJsonSchemaFilename) fehlt")
    assert any(p.file == "form_files_invalid.schema.json" and "properties/plz/type" in p.message for p in problems)
    assert any(p.file == "form_files_broken.schema.json" and "Kein gültiges JSON" in p.message for p in problems)


def test_comment_in_script():
    # Plain lxml keeps the comment and SpiffWorkflow's parser then fails; parse_xml drops it.
    stock = SpiffBpmnParser()
    stock.add_bpmn_file(str(MODELS / "comment_in_script.bpmn"))
    with pytest.raises(Exception):
        stock.get_spec("p")
    assert validate(_load("comment_in_script.bpmn"), set()) == []


def test_unsafe_and_malformed_files_are_problems_not_exceptions():
    files = {"a.bpmn": b"<!DOCTYPE a><a/>", "b.dmn": b"<oops", "notes.txt": b"ignored"}
    problems = validate(files, set())
    assert [p.file for p in problems] == ["a.bpmn", "b.dmn"]


def test_deployment_level_checks():
    child = (MODELS / "valid_deployment_child.bpmn").read_bytes()
    problems = validate({"a.bpmn": child, "b.bpmn": child}, set())
    assert _found(problems, "pruefung", "Prozess-ID kommt mehrfach vor")
    assert _found(validate({"x.dmn": (MODELS / "valid_deployment.dmn").read_bytes()}, set()), None,
                  "Keine BPMN-Datei")
    dmn = (MODELS / "valid_deployment.dmn").read_bytes()
    two = dmn.replace(b"</definitions>", b'<decision id="zweite"/></definitions>')
    assert _found(validate(_valid_deployment(folder="") | {"valid_deployment.dmn": two}, OPERATIONS), "zweite",
                  "nur eine Entscheidung")


# --- external corpora -------------------------------------------------------------------------

CORPUS_FILES = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
                      if p.name.endswith((".bpmn", ".bpmn20.xml"))) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason="shared BPMN corpora not available")


def _corpus(*names: str) -> dict[str, bytes]:
    return {name: (CORPUS / name).read_bytes() for name in names}


@needs_corpus
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_file_never_raises(name):
    problems = validate(_corpus(name), set())
    assert isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)
    assert all(p.file == name and p.message for p in problems)


@needs_corpus
@pytest.mark.parametrize("name, element_id, fragment", [
    ("miwg/B.2.0.bpmn", "_4f5e6e50-d9d0-4f97-959a-d1b8e1e32788", "Link-Ereignisse"),
    ("miwg/C.6.0.bpmn", "_3a2f133c-3ae1-4e21-94b5-6e8cf51acd74", "Kompensation"),
    ("flowable/api/event/ActivityEventsTest.testActivityCompensationEvents.bpmn20.xml", "compensate",
     "Kompensation"),
    ("activiti/bpmn/gateway/ExclusiveGatewayTest.testMergingExclusiveGateway.bpmn20.xml", "theStart",
     "implizite Verzweigung"),
    ("flowable/bpmn/gateway/InclusiveGatewayTest.testNoIdOnSequenceFlow.bpmn20.xml",
     "inclusiveNoIdOnSequenceFlow", "keine ID und würde ignoriert"),
    ("spiffworkflow/bpmn/data/Invalid-Workflows/No-Start-Event.bpmn20.xml", "sid-669ddebf-4196-41ee-8b04-bcc90bc5f983",
     "No start event found"),
    ("spiffworkflow/bpmn/data/Invalid-Workflows/non-executable-process.bpmn", "Process_14di7kj", "nicht ausführbar"),
])
def test_corpus_known_bad(name, element_id, fragment):
    problems = validate(_corpus(name), set())
    assert _found(problems, element_id, fragment), [str(p) for p in problems]


@needs_corpus
@pytest.mark.parametrize("names, operations", [
    (["spiffworkflow/bpmn/data/event-gateway.bpmn"], set()),  # eventBasedGateway is supported
    (["spiffworkflow/spiff/data/business_rule_task.bpmn", "spiffworkflow/spiff/data/dmn/business_rules.dmn"], set()),
    (["spiffworkflow/spiff/data/service_task.bpmn"], {"bamboohr/GetPayRate", "weather/CurrentTemp"}),
    (["spiffworkflow/spiff/data/prescript_postscript_parent.bpmn",
      "spiffworkflow/spiff/data/prescript_postscript_call_activity.bpmn"], set()),
])
def test_corpus_known_good(names, operations):
    assert validate(_corpus(*names), operations) == []
