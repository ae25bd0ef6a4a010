"""What the studio reads of the engine's repository: definitions with their deployments and files, the
lists the properties panel offers, and which elements changed between two versions of a model."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import select

from engine.errors import ModelInvalid, Problem
from engine.models import Deployment, DeploymentResource, ProcessDefinition
from engine.xmlsafe import parse_xml
from processes.access import EVERY_MUNICIPALITY
from processes.findings import GROUP_LABELS
from processes.staff import group_map

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_XML_BYTES = 1024 * 1024  # the largest model today is ~40 KB; the request limit (2 MB) must stay above
SETTINGS_SCHEMA = "einstellungen.schema.json"  # the municipality settings' schema, not a task form
TYPE_LABELS = {"userTask": "Benutzeraufgabe", "serviceTask": "Serviceaufgabe", "scriptTask": "Skriptaufgabe",
               "manualTask": "Manuelle Aufgabe", "businessRuleTask": "Geschäftsregelaufgabe", "task": "Aufgabe",
               "sendTask": "Sendeaufgabe", "receiveTask": "Empfangsaufgabe", "callActivity": "Aufrufaktivität",
               "subProcess": "Teilprozess", "startEvent": "Startereignis", "endEvent": "Endereignis",
               "intermediateCatchEvent": "Zwischenereignis", "intermediateThrowEvent": "Zwischenereignis",
               "boundaryEvent": "Grenzereignis", "exclusiveGateway": "Exklusives Gateway",
               "parallelGateway": "Paralleles Gateway", "inclusiveGateway": "Inklusives Gateway",
               "eventBasedGateway": "Ereignisbasiertes Gateway", "sequenceFlow": "Sequenzfluss", "lane": "Lane",
               "laneSet": "Lane-Gruppe", "process": "Prozess", "message": "Nachricht", "signal": "Signal",
               "error": "Fehler", "escalation": "Eskalation", "dataObject": "Datenobjekt"}


@dataclass(frozen=True)
class Version:
    id: str
    key: str
    version: int
    name: str | None
    resource_name: str
    deployment_id: str
    deployed_at: datetime
    deployed_by: str | None


def versions(ctx, key: str) -> list[Version]:
    """Every version of ``key``, the newest first, with who deployed it and when."""
    with ctx.sessions() as session:
        rows = session.execute(
            select(ProcessDefinition, Deployment.created_at, Deployment.created_by)
            .join(Deployment, Deployment.id == ProcessDefinition.deployment_id)
            .where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc())).all()
    return [Version(d.id, d.key, d.version, d.name, d.resource_name, d.deployment_id, at, by) for d, at, by in rows]


def latest_definitions(ctx) -> list[Version]:
    with ctx.sessions() as session:
        keys = session.scalars(select(ProcessDefinition.key).distinct()).all()
    return [versions(ctx, key)[0] for key in sorted(keys)]


def resources(ctx, deployment_id: str) -> dict[str, bytes]:
    with ctx.sessions() as session:
        return dict(session.execute(select(DeploymentResource.name, DeploymentResource.content)
                                    .where(DeploymentResource.deployment_id == deployment_id)).all())


def bpmn_of(ctx, version: Version) -> bytes:
    return resources(ctx, version.deployment_id)[version.resource_name]


def forms(files: dict[str, bytes], resource_name: str) -> list[str]:
    """The form schemas beside the model (the names a user task's formJsonSchemaFilename refers to)."""
    folder = posixpath.dirname(resource_name)
    return sorted(posixpath.relpath(name, folder or ".") for name in files
                  if name.endswith(".schema.json") and posixpath.dirname(name) == folder
                  and posixpath.basename(name) != SETTINGS_SCHEMA)


def groups(settings, tenant: str) -> list[dict]:
    """The offices (candidate groups) the directory gives the municipality's staff, with German names; for
    an installation-wide designer (tenant ``*``) those of every municipality."""
    names = {g for grant in group_map(settings.oidc_group_map).grants.values()
             if tenant in (grant.tenant, EVERY_MUNICIPALITY) for g in grant.groups}
    return [{"value": g, "label": GROUP_LABELS.get(g, g)} for g in sorted(names)]


def operations(ctx) -> list[dict]:
    """The registry's operations with their parameter names. Operations declare no parameters, so the names
    (and types) are those the latest deployed models pass to each operation."""
    used: dict[str, dict[str, str | None]] = {}
    for version in latest_definitions(ctx):
        root = parse_xml(bpmn_of(ctx, version), version.resource_name).getroot()
        for operator in root.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
            params = used.setdefault(operator.get("id"), {})
            for param in operator.iter(f"{{{SPIFF_NS}}}parameter"):
                params.setdefault(param.get("id"), param.get("type"))
    return [{"name": name, "parameters": [{"name": p, "type": t} for p, t in used.get(name, {}).items()]}
            for name in sorted(ctx.registry.operations())]


def parse_model(data: bytes) -> etree._Element:
    """An uploaded model, parsed safely (no DTD, no entities, no network) and bounded."""
    return parse_xml(data, "Modell", max_bytes=MAX_XML_BYTES).getroot()


def parse_upload(data: bytes, key: str, stored: bytes) -> etree._Element:
    """The uploaded model in place of ``stored``: the same processes (none smuggled in for another key),
    the process ``key`` still executable."""
    root = parse_model(data)
    if not root.xpath("bpmn:process[@id=$key][not(@isExecutable='false')]", namespaces={"bpmn": BPMN_NS}, key=key):
        raise ModelInvalid([Problem("Modell", None, f"Das Modell enthält den ausführbaren Prozess „{key}“ nicht "
                                                    "mehr. Die Prozess-ID darf im Studio nicht geändert werden.")])
    had, has = _process_ids(parse_model(stored)), _process_ids(root)
    if has != had:
        raise ModelInvalid([Problem("Modell", None, "Die Datei muss genau die Prozesse behalten, die sie hatte ("
                                                    + ", ".join(sorted(had)) + "); Prozesse hinzufügen oder "
                                                    "entfernen geht im Studio nicht.")])
    return root


def _process_ids(root) -> set[str]:
    return set(root.xpath("bpmn:process/@id", namespaces={"bpmn": BPMN_NS}))


def _elements(xml: bytes) -> dict[str, tuple[str, str | None, tuple]]:
    """id → (type, name, extension elements) of every BPMN element with an id (the diagram's DI left out)."""
    root = parse_xml(xml, "Modell").getroot()
    found = {}
    for el in root.iter(f"{{{BPMN_NS}}}*"):
        if el.get("id") and el.tag != f"{{{BPMN_NS}}}definitions":
            ext = el.find(f"{{{BPMN_NS}}}extensionElements")
            found[el.get("id")] = (etree.QName(el).localname, el.get("name"), _canonical(ext) if ext is not None else ())
    return found


def _canonical(el) -> tuple:
    """An element as data: a modeler's re-serialisation (indentation, attribute order, prefixes) is no change."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_canonical(child) for child in el if isinstance(child.tag, str)))


@dataclass(frozen=True)
class Change:
    kind: str  # German: "neu", "geändert", "entfernt"
    type: str
    name: str


def changes(old: bytes, new: bytes) -> list[Change]:
    """The elements that were added, removed or changed (type, name or extension elements) from old to new."""
    before, after = _elements(old), _elements(new)
    found = []
    for id_ in sorted(before.keys() | after.keys()):
        if before.get(id_) == after.get(id_):
            continue
        kind = "neu" if id_ not in before else "entfernt" if id_ not in after else "geändert"
        type_, name, _ext = after.get(id_) or before[id_]
        found.append(Change(kind, TYPE_LABELS.get(type_, type_), name or id_))
    return found
