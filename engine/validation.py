"""Deploy-time validation of BPMN/DMN models for SpiffWorkflow 3.2.0.

SpiffWorkflow silently ignores several BPMN constructs (link and compensation events, error
start events, conditions on task flows, sequence flows without id) and crashes on others.
``validate`` rejects them on the lxml tree first; only a deployment without such problems is
handed to SpiffWorkflow's own parser, which then builds every executable process. Each problem
names the file and the element id and says, in German, what to do instead.
"""
from __future__ import annotations

import ast
import json
import posixpath
import re
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from difflib import get_close_matches
from typing import Callable

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import forms, timebounds
from .errors import ModelInvalid, Problem
from .xmlsafe import MAX_BYTES, parse_xml

__all__ = ["Problem", "ModelInvalid", "validate", "check", "load_parser", "resolve_file"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")
# SpiffWorkflow's DMN 1.2 XSD does not load (missing DMNDI import): skip XSD checks for DMN 1.2.
DMN_SCHEMAS = {ns: path for ns, path in SCHEMAS.items() if "20180521" not in ns}
DMN_SUFFIXES = (".dmn",)

PYTHON_LANGUAGES = {"", "python", "python3", "text/x-python", "text/python", "application/x-python"}
JUEL = re.compile(r"[$#]\{.*\}", re.DOTALL)  # a whole expression; '${' inside a Python string is fine
ISO_TIME = re.compile(r"R\d*/.*|P(?=.*[YMWDHS])[\dYMWDTHS.,]+|\d{4}-\d\d-\d\d.*")
ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
              "businessRuleTask", "subProcess", "transaction", "callActivity", "adHocSubProcess"}
CONTAINERS = {"definitions", "process", "subProcess", "transaction", "adHocSubProcess"}

# Event definitions SpiffWorkflow 3.2.0 reads per event type; it drops any other without a word
# (an error start event, for instance, becomes a none start event that fires at once).
SUPPORTED_EVENTS = {
    "startEvent": {"message", "signal", "timer", "conditional"},
    "endEvent": {"message", "cancel", "error", "escalation", "terminate"},
    "intermediateCatchEvent": {"message", "signal", "timer", "conditional"},
    "intermediateThrowEvent": {"message", "signal", "escalation"},
    "boundaryEvent": {"cancel", "error", "escalation", "message", "signal", "timer", "conditional"},
}
EVENT_ADVICE = {
    "link": "Link-Ereignisse werden nicht unterstützt (die Engine würde sie ignorieren). "
            "Verbinden Sie die Elemente direkt mit Sequenzflüssen.",
    "compensate": "Kompensation wird nicht unterstützt. Modellieren Sie die Rückabwicklung ausdrücklich, "
                  "z. B. mit einem Fehler-Grenzereignis und eigenen Korrekturaufgaben.",
}
REF_KINDS = {"errorRef": "error", "escalationRef": "escalation", "messageRef": "message", "signalRef": "signal"}
REF_LABELS = {"error": "den Fehler", "escalation": "die Eskalation", "message": "die Nachricht", "signal": "das Signal"}

# (xpath, label, is_script): code that SpiffWorkflow evaluates (eval) or executes (exec).
CODE_PATHS = [
    (".//bpmn:sequenceFlow/bpmn:conditionExpression", "Bedingung", False),
    (".//bpmn:timerEventDefinition/*", "Timer-Ausdruck", False),
    (".//bpmn:conditionalEventDefinition/bpmn:condition", "Bedingung des Ereignisses", False),
    (".//bpmn:loopCondition", "Schleifenbedingung", False),
    (".//bpmn:loopCardinality", "Anzahl der Instanzen", False),
    (".//bpmn:completionCondition", "Abschlussbedingung", False),
    (".//bpmn:correlationPropertyRetrievalExpression/*", "Korrelationsausdruck", False),
    (".//spiffworkflow:processVariableCorrelation/spiffworkflow:expression", "Korrelationsausdruck", False),
    (".//spiffworkflow:messagePayload", "Nachrichteninhalt", False),
    (".//spiffworkflow:payloadExpression", "Ereignisinhalt", False),
    (".//bpmn:scriptTask/bpmn:script", "Skript", True),
    (".//spiffworkflow:preScript", "preScript", True),
    (".//spiffworkflow:postScript", "postScript", True),
]


def _local(el) -> str:
    return etree.QName(el).localname


def _is_bpmn(name: str) -> bool:
    return name.lower().endswith(BPMN_SUFFIXES)


def _is_dmn(name: str) -> bool:
    return name.lower().endswith(DMN_SUFFIXES)


def _owner(el) -> str | None:
    """Id of the flow element or root element (task, flow, message …) that contains el."""
    node = el
    while node is not None:
        parent = node.getparent()
        if parent is not None and node.get("id") and _local(parent) in CONTAINERS \
                and etree.QName(node).namespace == BPMN_NS:
            return node.get("id")
        node = parent
    return None


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _extension(el, name: str):
    found = el.xpath(f"./bpmn:extensionElements/spiffworkflow:{name}", namespaces=NS)
    return found[0] if found else None


def resolve_file(names, bpmn_file: str, ref: str) -> str | None:
    """Find a file referenced from a model: next to the BPMN file first, then at top level."""
    for candidate in (posixpath.join(posixpath.dirname(bpmn_file), ref), ref):
        candidate = posixpath.normpath(candidate)
        if candidate in names:
            return candidate
    return None


def _syntax_error(code: str, mode: str) -> str | None:
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" would go to stderr
            warnings.simplefilter("ignore", SyntaxWarning)
            ast.parse(code, mode=mode)
    except SyntaxError as exc:
        return f"Zeile {exc.lineno}: {exc.msg}" if exc.lineno else exc.msg
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return str(exc) or type(exc).__name__
    return None


@dataclass
class _Deployment:
    files: dict[str, bytes]
    known_operations: set[str]
    processes: dict[str, bool] = field(default_factory=dict)  # process id -> executable
    decisions: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    checked_json: set[str] = field(default_factory=set)

    def report(self, file: str, element, message: str) -> None:
        element_id = element if isinstance(element, str) or element is None else _owner(element)
        self.problems.append(Problem(file, element_id, message))


class _File:
    """Checks of one BPMN document."""

    def __init__(self, dep: _Deployment, name: str, root):
        self.dep, self.name, self.root = dep, name, root
        self.ids: dict[str, object] = {}
        for el in root.iter(etree.Element):
            if el.get("id") and etree.QName(el).namespace == BPMN_NS:
                self.ids.setdefault(el.get("id"), el)

    def report(self, element, message: str) -> None:
        self.dep.report(self.name, element, message)

    def xpath(self, path: str, node=None):
        return (self.root if node is None else node).xpath(path, namespaces=NS)

    def run(self) -> None:
        self.check_processes()
        self.check_ids()
        self.check_unsupported()
        self.check_events()
        self.check_flows()
        self.check_data_references()
        self.check_tasks()
        self.check_code()

    def check_processes(self) -> None:
        processes = self.xpath("./bpmn:process")
        if not processes:
            self.report(None, "Die Datei enthält keinen Prozess (bpmn:process).")
        for proc in processes:
            has_nodes = any(_local(c) in ACTIVITIES or _local(c).endswith(("Event", "Gateway")) for c in proc)
            if proc.get("isExecutable", "true") != "true" and has_nodes:  # an empty pool is harmless
                self.report(proc.get("id"), 'Der Prozess ist nicht ausführbar (isExecutable="false"). '
                                            'Setzen Sie isExecutable="true" oder entfernen Sie den Prozess.')

    def check_ids(self) -> None:
        counts = Counter(el.get("id") for el in self.root.iter(etree.Element)
                         if el.get("id") and etree.QName(el).namespace == BPMN_NS)
        for element_id, n in counts.items():
            if n > 1:
                self.report(element_id, f"Die ID kommt {n}-mal vor. Jede ID muss in der Datei eindeutig sein.")

    def check_unsupported(self) -> None:
        for gw in self.xpath(".//bpmn:complexGateway"):
            self.report(gw, "Komplexe Gateways werden nicht unterstützt. Verwenden Sie ein inklusives, "
                            "exklusives oder paralleles Gateway.")
        for el in self.xpath(".//bpmn:*[@isForCompensation='true']"):
            self.report(el, EVENT_ADVICE["compensate"])

    def check_events(self) -> None:
        defined = {kind: {el.get("id") for el in self.xpath(f".//bpmn:{kind}")} for kind in REF_LABELS}
        for kind, supported in SUPPORTED_EVENTS.items():
            for event in self.xpath(f".//bpmn:{kind}"):
                for definition in event:
                    local = _local(definition)
                    if local == "eventDefinitionRef":
                        self.report(event, "Verweise auf globale Ereignisdefinitionen (eventDefinitionRef) werden "
                                           "nicht unterstützt. Legen Sie die Ereignisdefinition im Ereignis an.")
                    elif local.endswith("EventDefinition") and local[:-15] not in supported:
                        short = local[:-15]
                        self.report(event, EVENT_ADVICE.get(short) or
                                    f"'{local}' wird an einem {kind} nicht unterstützt; die Engine würde es "
                                    "ignorieren. " + self._event_hint(kind, short))
        refs = self.xpath(".//bpmn:*[@errorRef or @escalationRef or @messageRef or @signalRef]")
        for el in refs:
            if _local(el) == "correlationPropertyRetrievalExpression" or _local(el) == "messageFlow":
                continue
            for attr, kind in REF_KINDS.items():
                ref = el.get(attr)
                if ref is not None and ref not in defined[kind]:
                    self.report(el, f"{attr}='{ref}' verweist auf kein bpmn:{kind}-Element dieser Datei. "
                                    f"Definieren Sie {REF_LABELS[kind]} in derselben Datei oder "
                                    "entfernen Sie den Verweis.")
        for boundary in self.xpath(".//bpmn:boundaryEvent"):
            target = self.ids.get(boundary.get("attachedToRef"))
            if target is None or _local(target) not in ACTIVITIES:
                self.report(boundary, f"Das Grenzereignis hängt an keiner Aktivität "
                                      f"(attachedToRef='{boundary.get('attachedToRef')}').")

    @staticmethod
    def _event_hint(kind: str, short: str) -> str:
        if kind == "startEvent" and short in ("error", "escalation"):
            return "Fangen Sie Fehler und Eskalationen mit einem Grenzereignis an der Aktivität ab."
        return "Verwenden Sie eine unterstützte Ereignisart."

    def check_flows(self) -> None:
        outgoing = defaultdict(list)
        for flow in self.xpath(".//bpmn:sequenceFlow"):
            src, tgt = flow.get("sourceRef"), flow.get("targetRef")
            if not flow.get("id"):  # SpiffWorkflow only indexes elements with an id
                self.report(flow, f"Der Sequenzfluss von '{src}' nach '{tgt}' hat keine ID und würde ignoriert. "
                                  "Vergeben Sie eine ID.")
            for attr, ref in (("sourceRef", src), ("targetRef", tgt)):
                if ref not in self.ids:
                    self.report(flow, f"{attr}='{ref}' verweist auf kein Element dieser Datei.")
            if src == tgt:
                self.report(flow, "Der Sequenzfluss führt auf dasselbe Element zurück. Modellieren Sie "
                                  "Wiederholungen mit einem exklusiven Gateway oder als Schleifenaktivität.")
            if src in self.ids:
                outgoing[src].append(flow)
        for src, flows in outgoing.items():
            node, kind = self.ids[src], _local(self.ids[src])
            conditional = [f for f in flows if _text(self._condition(f))]
            if kind in ("exclusiveGateway", "inclusiveGateway"):
                self._check_gateway(node, flows)
            elif kind.endswith("Gateway"):
                for flow in conditional:
                    self.report(flow, "Bedingungen nach einem parallelen oder ereignisbasierten Gateway werden "
                                      "ignoriert. Verwenden Sie ein exklusives oder inklusives Gateway.")
            else:
                if len(flows) > 1:
                    self.report(node, f"Das Element hat {len(flows)} ausgehende Sequenzflüsse (implizite "
                                      "Verzweigung). Verwenden Sie ein paralleles oder exklusives Gateway.")
                for flow in conditional:
                    self.report(flow, "Bedingter Sequenzfluss an einem Element, das kein Gateway ist; die Bedingung "
                                      "würde ignoriert. Verwenden Sie ein exklusives oder inklusives Gateway.")

    def _condition(self, flow):
        found = self.xpath("./bpmn:conditionExpression", flow)
        return found[0] if found else None

    def _check_gateway(self, gateway, flows) -> None:
        default = gateway.get("default")
        if default and default not in {f.get("id") for f in flows}:
            self.report(gateway, f"Der Standardfluss '{default}' ist kein ausgehender Sequenzfluss dieses Gateways.")
        if len(flows) < 2:
            return
        for flow in flows:
            has_condition = bool(_text(self._condition(flow)))
            is_default = default is not None and flow.get("id") == default
            if is_default and has_condition:
                self.report(flow, "Der Standardfluss darf keine Bedingung haben (sie würde ignoriert). "
                                  "Entfernen Sie die Bedingung.")
            elif not is_default and not has_condition:
                self.report(flow, f"Ausgehender Sequenzfluss des Gateways '{gateway.get('id')}' ohne Bedingung. "
                                  "Geben Sie eine Bedingung an (z. B. True) oder markieren Sie ihn als Standardfluss.")

    def check_data_references(self) -> None:
        for ref in self.xpath(".//bpmn:dataInputAssociation/bpmn:sourceRef | "
                              ".//bpmn:dataOutputAssociation/bpmn:targetRef"):
            node, target = ref.getparent().getparent(), self.ids.get(_text(ref))
            container = node.getparent()
            if target is None or _local(target) not in ("dataObjectReference", "dataStoreReference"):
                self.report(node, f"Die Datenzuordnung verweist auf '{_text(ref)}', das kein Datenobjekt- oder "
                                  "Datenspeicher-Verweis dieser Datei ist.")
            elif _local(target) == "dataObjectReference":
                # SpiffWorkflow looks in the element's own (sub)process and its direct parent only,
                # and loops forever inside a subprocess when the object is not there.
                name = target.get("dataObjectRef") or ""
                scopes = [s for s in (container, container.getparent()) if s is not None]
                if not any(s.xpath("./bpmn:dataObject[@id=$name]", name=name, namespaces=NS) for s in scopes):
                    self.report(node, f"Das Datenobjekt '{name}' (Verweis '{target.get('id')}') ist weder in diesem "
                                      "(Teil-)Prozess noch im direkt umgebenden Prozess definiert. Legen Sie das "
                                      "bpmn:dataObject dort an.")

    def check_tasks(self) -> None:
        for task in self.xpath(".//bpmn:businessRuleTask"):
            self._check_business_rule(task)
        for task in self.xpath(".//bpmn:serviceTask"):
            self._check_service(task)
        for task in self.xpath(".//bpmn:userTask"):
            self._check_user_task(task)
        for prop in self.xpath(".//spiffworkflow:property[@name='dueIn']"):
            if prop.get("value") is not None:
                self._check_time(prop, "dueIn", prop.get("value"))
        for adhoc in self.xpath(".//bpmn:adHocSubProcess"):
            if not _text(next(iter(self.xpath("./bpmn:completionCondition", adhoc)), None)):
                self.report(adhoc, "Der Ad-hoc-Teilprozess hat keine Abschlussbedingung und würde nie enden. "
                                   "Geben Sie eine bpmn:completionCondition an (z. B. alle_erledigt == True).")
        for call in self.xpath(".//bpmn:callActivity"):
            called = call.get("calledElement")
            if not called:
                self.report(call, "Die Aufrufaktivität nennt keinen Prozess (calledElement fehlt).")
            elif called not in self.dep.processes:
                known = ", ".join(sorted(self.dep.processes)) or "keine"
                self.report(call, f"Der aufgerufene Prozess '{called}' ist nicht bereitgestellt. "
                                  f"Bereitgestellte Prozesse: {known}.")
            elif not self.dep.processes[called]:
                self.report(call, f"Der aufgerufene Prozess '{called}' ist nicht ausführbar.")
        for task in self.xpath(".//bpmn:scriptTask"):
            fmt = (task.get("scriptFormat") or "").strip().lower()
            if fmt not in PYTHON_LANGUAGES:
                self.report(task, f"Skriptsprache '{task.get('scriptFormat')}' wird nicht unterstützt. "
                                  "Schreiben Sie das Skript in Python (scriptFormat=\"python\").")
            if not _text(next(iter(self.xpath("./bpmn:script", task)), None)):
                self.report(task, "Die Skriptaufgabe enthält kein Skript.")

    def _check_business_rule(self, task) -> None:
        decision = _text(_extension(task, "calledDecisionId"))
        if not decision:
            self.report(task, "Die Geschäftsregelaufgabe nennt keine Entscheidung. Tragen Sie die DMN-Entscheidung "
                              "als spiffworkflow:calledDecisionId ein.")
        elif decision not in self.dep.decisions:
            known = ", ".join(sorted(self.dep.decisions)) or "keine"
            self.report(task, f"Die Entscheidung '{decision}' ist in keiner bereitgestellten DMN-Datei definiert. "
                              f"Vorhandene Entscheidungen: {known}.")

    def _check_service(self, task) -> None:
        operator = _extension(task, "serviceTaskOperator")
        if operator is None or not operator.get("id"):
            self.report(task, "Die Serviceaufgabe nennt keine Operation. Tragen Sie sie als "
                              "spiffworkflow:serviceTaskOperator mit dem Attribut id ein.")
            return
        name = operator.get("id")
        if name not in self.dep.known_operations:
            known = sorted(self.dep.known_operations)
            close = get_close_matches(name, known, n=1)
            hint = f" Meinten Sie '{close[0]}'?" if close else ""
            self.report(task, f"Unbekannte Operation '{name}'.{hint} Bekannte Operationen: "
                              f"{', '.join(known) or 'keine'}.")
        for param in self.xpath(".//spiffworkflow:parameter", operator):
            if not param.get("id") or (param.get("value") is not None and not param.get("type")):
                self.report(task, "Jeder Parameter der Serviceaufgabe braucht die Attribute id und type.")
            elif param.get("value") is not None:
                self._check_code(task, param.get("value"), f"Parameter '{param.get('id')}'", False)
        for retry in self.xpath(".//spiffworkflow:retry", operator):
            for attr in ("retries", "backoff_base"):
                if retry.get(attr) is not None and not retry.get(attr).strip().isdigit():
                    self.report(task, f"retry/@{attr} muss eine ganze Zahl sein.")

    def _check_user_task(self, task) -> None:
        for prop in self.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", task):
            name, value = prop.get("name"), prop.get("value")
            if name is None or value is None:
                self.report(task, "Jede spiffworkflow:property braucht die Attribute name und value.")
            elif name in ("formJsonSchemaFilename", "formUiSchemaFilename"):
                path = resolve_file(self.dep.files, self.name, value)
                if path is None:
                    self.report(task, f"Die Formulardatei '{value}' ({name}) fehlt. Legen Sie sie neben die "
                                      "BPMN-Datei oder korrigieren Sie den Namen.")
                else:
                    _check_json(self.dep, path, schema=name == "formJsonSchemaFilename")

    def check_code(self) -> None:
        for el in self.root.iter(etree.Element):
            language = el.get("language")
            if language is not None and etree.QName(el).namespace == BPMN_NS \
                    and language.strip().lower() not in PYTHON_LANGUAGES:
                self.report(el, f"Ausdruckssprache '{language}' wird nicht unterstützt. Schreiben Sie den "
                                "Ausdruck in Python und entfernen Sie das Attribut language.")
        for path, label, is_script in CODE_PATHS:
            for el in self.xpath(path):
                if el.text and el.text.strip():
                    self._check_code(el, el.text, label, is_script)
                elif label == "Timer-Ausdruck":
                    self.report(el, "Der Timer-Ausdruck ist leer.")

    def _check_code(self, el, code: str, label: str, is_script: bool) -> None:
        # Expressions are stripped (the evaluators do so too); scripts run exactly as written.
        if not is_script:
            code = code.strip()
            if JUEL.fullmatch(code):
                self.report(el, f"{label}: JUEL-Ausdrücke wie '{code[:60]}' werden nicht unterstützt. "
                                "Schreiben Sie einen Python-Ausdruck, z. B. betrag > 100.")
                return
            if label == "Timer-Ausdruck" and ISO_TIME.fullmatch(code):
                self.report(el, f"{label}: {code} ist kein Python-Ausdruck. Timer-Ausdrücke sind Python; "
                                f"setzen Sie den Text in Anführungszeichen: '{code}'.")
                return
        error = _syntax_error(code, "exec" if is_script else "eval")
        if error:
            kind = "kein gültiges Python-Skript" if is_script else "kein gültiger Python-Ausdruck"
            self.report(el, f"{label}: {kind} ({error}).")
        elif label == "Timer-Ausdruck" and _local(el) in timebounds.KIND_LABELS:
            # A literal is checked now; a computed value when the timer starts (an incident then).
            literal = timebounds.string_literal(code)
            if literal is not None:
                self._check_time(el, _local(el), literal)

    def _check_time(self, el, kind: str, value: str) -> None:
        try:
            timebounds.check(kind, value, datetime.now(timezone.utc))
        except timebounds.TimeBoundError as exc:
            self.report(el, f"{timebounds.KIND_LABELS[kind]} {exc}.")


def _check_json(dep: _Deployment, path: str, schema: bool) -> None:
    if path in dep.checked_json:
        return
    dep.checked_json.add(path)
    data = dep.files[path]
    if len(data) > MAX_BYTES:
        dep.report(path, None, "Die Formulardatei ist zu groß.")
        return
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:
        dep.report(path, None, f"Kein gültiges JSON ({exc}).")
        return
    if not schema:
        return
    if not isinstance(value, dict):
        dep.report(path, None, "Ein Formularschema muss ein JSON-Objekt sein.")
        return
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(Wurzel)"
        dep.report(path, None, f"Kein gültiges JSON Schema (Draft 2020-12) an {where}: {exc.message}")
    except RecursionError:
        dep.report(path, None, "Das JSON Schema ist zu tief verschachtelt.")
    else:
        _check_form_input_bounds(dep, path, value)


def _check_form_input_bounds(dep: _Deployment, path: str, schema: dict) -> None:
    """Patterns RE2 can run, bounded lengths, well-formed date bounds (engine/forms.py)."""
    for problem in forms.schema_problems(schema):
        dep.report(path, None, f"Formularschema: {problem}")
    for source in sorted(forms.choice_sources(schema) - dep.known_operations):
        dep.report(path, None, f"Formularschema: x-choices nennt die Operation „{source}“, die nicht registriert ist.")


def _parse_all(files: dict[str, bytes]) -> tuple[dict, dict, list[Problem]]:
    bpmn, dmn, problems = {}, {}, []
    for name in sorted(files):
        if not (_is_bpmn(name) or _is_dmn(name)):
            continue
        try:
            tree = parse_xml(files[name], name)
        except ModelInvalid as exc:
            problems.extend(exc.problems)
            continue
        (bpmn if _is_bpmn(name) else dmn)[name] = tree
    return bpmn, dmn, problems


def _from_exception(exc: BaseException, file: str) -> Problem:
    if isinstance(exc, ValidationException):
        text = exc.args[0] if exc.args else str(exc)
        line = f" (Zeile {exc.line_number})" if exc.line_number else ""
        return Problem(exc.file_name or file, exc.id or None, f"SpiffWorkflow lehnt das Modell ab{line}: {text}")
    if isinstance(exc, RecursionError):
        return Problem(file, None, "Das Modell ist zu tief verschachtelt oder zu lang für die Engine. "
                                   "Teilen Sie es mit Aufrufaktivitäten auf.")
    return Problem(file, None, f"SpiffWorkflow kann das Modell nicht verarbeiten ({type(exc).__name__}: {exc}).")


def _add_all(parser, bpmn: dict, dmn: dict) -> tuple[set[str], list[Problem]]:
    added, problems = set(), []
    for name, tree in dmn.items():
        try:
            parser.add_dmn_xml(tree.getroot(), filename=name)
            added.add(name)
        except Exception as exc:
            problems.append(_from_exception(exc, name))
    for name, tree in bpmn.items():
        try:
            parser.add_bpmn_xml(tree, filename=name)
            added.add(name)
        except Exception as exc:
            problems.append(_from_exception(exc, name))
    return added, problems


def load_parser(files: dict[str, bytes], parser) -> None:
    """Add every .bpmn/.dmn file, parsed safely, to a SpiffWorkflow parser.

    Raises ModelInvalid if a file is unsafe, malformed or refused by the parser."""
    bpmn, dmn, problems = _parse_all(files)
    problems += _add_all(parser, bpmn, dmn)[1]
    if problems:
        raise ModelInvalid(problems)


def _index_processes(dep: _Deployment, bpmn: dict) -> dict[str, str]:
    """Register process ids; return {process id: file}."""
    owners: dict[str, list[str]] = defaultdict(list)
    for name, tree in bpmn.items():
        root = tree.getroot()
        if etree.QName(root).namespace != BPMN_NS or _local(root) != "definitions":
            dep.report(name, None, "Die Datei ist kein BPMN-2.0-Dokument (bpmn:definitions erwartet).")
            continue
        for proc in root.xpath("./bpmn:process", namespaces=NS):
            owners[proc.get("id")].append(name)
            dep.processes[proc.get("id")] = proc.get("isExecutable", "true") == "true"
    for pid, names in owners.items():
        if len(names) > 1:
            dep.report(names[-1], pid, f"Die Prozess-ID kommt mehrfach vor ({', '.join(names)}). "
                                       "Vergeben Sie eindeutige Prozess-IDs.")
    return {pid: names[0] for pid, names in owners.items()}


def _index_decisions(dep: _Deployment, dmn: dict) -> None:
    """Register the decision id of each DMN file."""
    owners: dict[str, str] = {}
    for name, tree in dmn.items():
        root = tree.getroot()
        # SpiffWorkflow looks for decisions in the default namespace, else under the prefix 'dmn',
        # and reads exactly one decision per file.
        ns = root.nsmap.get(None, root.nsmap.get("dmn"))
        decisions = root.findall(f"{{{ns}}}decision") if ns else []
        if not decisions:
            dep.report(name, None, "Die DMN-Datei enthält keine Entscheidung, die die Engine findet. Erwartet wird "
                                   "DMN 1.1–1.3 mit dem DMN-Namensraum als Standard-Namensraum oder Präfix 'dmn'.")
            continue
        first = decisions[0].get("id")
        if len(decisions) > 1:
            dep.report(name, decisions[1].get("id"), "Je DMN-Datei ist nur eine Entscheidung erlaubt. "
                                                     "Legen Sie weitere Entscheidungen in eigene Dateien.")
        if first in owners:
            dep.report(name, first, f"Die Entscheidungs-ID kommt auch in {owners[first]} vor. "
                                    "Vergeben Sie eindeutige IDs.")
        owners.setdefault(first, name)
        dep.decisions.add(first)


def _check_recursion(dep: _Deployment, bpmn: dict, processes: dict[str, str]) -> None:
    """Call activities that, directly or through other processes of this deployment, call the
    process they belong to: SpiffWorkflow would start subprocesses without end. Called elements
    resolve within one deployment only (compile_definition loads only its files), so earlier
    deployments cannot close a cycle."""
    calls: dict[str, list[tuple[str, object]]] = defaultdict(list)  # process id -> [(called id, element)]
    for name, tree in bpmn.items():
        for proc in tree.getroot().xpath("./bpmn:process", namespaces=NS):
            if processes.get(proc.get("id")) != name:
                continue
            for call in proc.xpath(".//bpmn:callActivity[@calledElement]", namespaces=NS):
                calls[proc.get("id")].append((call.get("calledElement"), call))

    def path_back(start: str, goal: str) -> list[str] | None:
        """Processes from start to goal along call activities (breadth first), or None."""
        seen, queue = {start}, [[start]]
        while queue:
            path = queue.pop(0)
            if path[-1] == goal:
                return path
            for called, _ in calls.get(path[-1], []):
                if called not in seen:
                    seen.add(called)
                    queue.append(path + [called])
        return None

    for pid, targets in calls.items():
        for called, call in targets:
            path = path_back(called, pid)
            if path is None:
                continue
            if called == pid:
                how = f"ruft ihren eigenen Prozess '{pid}' auf"
            else:
                how = f"ruft '{called}' auf, und über {' → '.join(path)} wird '{pid}' wieder aufgerufen"
            dep.report(processes[pid], call, f"Die Aufrufaktivität {how}: eine endlose Rekursion. Rufen Sie den "
                                             "Prozess nicht aus sich selbst auf; modellieren Sie Wiederholungen "
                                             "mit einem Gateway oder als Schleifenaktivität.")


def _check_with_spiff(dep: _Deployment, parser, bpmn: dict, dmn: dict, processes: dict[str, str]) -> None:
    added, problems = _add_all(parser, bpmn, dmn)
    dep.problems += problems
    for dmn_parser in list(parser.dmn_parsers.values()):
        try:
            dmn_parser.parse()
        except Exception as exc:
            dep.problems.append(_from_exception(exc, dmn_parser.filename))
    for pid, name in processes.items():
        if name in added and dep.processes[pid]:
            try:
                parser.get_spec(pid)
                parser.get_subprocess_specs(pid)
            except Exception as exc:
                dep.problems.append(_from_exception(exc, name))


def validate(files: dict[str, bytes], known_operations: set[str],
             parser_factory: Callable[..., SpiffBpmnParser] = SpiffBpmnParser) -> list[Problem]:
    """Return every problem of a deployment (empty list: deployable). Never raises on bad input.

    parser_factory builds the SpiffWorkflow parser (e.g. a subclass with custom task specs);
    it is called with validator=... (BPMN XSD check)."""
    dep = _Deployment(files, set(known_operations))
    bpmn, dmn, dep.problems = _parse_all(files)
    if not bpmn and not dep.problems:
        dep.report("(Bereitstellung)", None, "Keine BPMN-Datei gefunden (.bpmn oder .bpmn20.xml).")
    processes = _index_processes(dep, bpmn)
    _index_decisions(dep, dmn)
    for name, tree in bpmn.items():
        root = tree.getroot()
        if etree.QName(root).namespace == BPMN_NS and _local(root) == "definitions":
            try:
                _File(dep, name, root).run()
            except Exception as exc:  # a bug here must not hide the model's other problems
                dep.report(name, None, f"Interner Prüffehler ({type(exc).__name__}: {exc}).")
    _check_recursion(dep, bpmn, processes)
    # SpiffWorkflow crashes or reports confusingly on some of the faults above: it only sees
    # deployments that passed them.
    if not dep.problems:
        parser = parser_factory(validator=VALIDATOR)
        parser.dmn_schemas = DMN_SCHEMAS
        _check_with_spiff(dep, parser, bpmn, dmn, processes)
    return list(dict.fromkeys(dep.problems))


def check(files: dict[str, bytes], known_operations: set[str], **kwargs) -> None:
    """Like validate, but raise ModelInvalid if there is any problem."""
    problems = validate(files, known_operations, **kwargs)
    if problems:
        raise ModelInvalid(problems)
