"""Repository service: validate and deploy BPMN/DMN files with their form schemas; list and
get definitions. A deployment that changes nothing creates no new versions."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import bindparam, select

from . import spiff
from .db import transaction
from .errors import ModelInvalid, NotFound, Problem
from .models import Deployment, DeploymentResource, ProcessDefinition
from .validation import BPMN_SUFFIXES, load_parser, validate
from .xmlsafe import parse_xml

MODEL_SUFFIXES = (".bpmn", ".bpmn20.xml", ".dmn", ".json")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class DefinitionInfo:
    id: str
    key: str
    version: int
    name: str | None
    deployment_id: str
    resource_name: str


def read_paths(paths) -> dict[str, bytes]:
    """Model files from files and folders, named relative to the folder given."""
    files: dict[str, bytes] = {}
    for path in map(Path, paths):
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.name.lower().endswith(MODEL_SUFFIXES) and file.is_file():
                    files[file.relative_to(path).as_posix()] = file.read_bytes()
        elif path.is_file():
            files[path.name] = path.read_bytes()
        else:
            raise ModelInvalid([Problem(str(path), None, "Datei oder Ordner nicht gefunden.")])
    return files


LATEST_TTL_SECONDS = 2.0  # how soon another process's deployment is used for new instances


class RepositoryService:
    def __init__(self, ctx):
        self.ctx = ctx
        self._forms: dict[tuple[str, str], dict] = {}
        self._latest: dict[str, tuple[float, DefinitionInfo]] = {}

    def validate(self, files: dict[str, bytes]) -> list[Problem]:
        return validate(files, self.ctx.registry.operations(), parser_factory=spiff.AmtswegParser)

    def deploy(self, files: dict[str, bytes], name: str = "deployment", user: str | None = None) -> list[DefinitionInfo]:
        problems = self.validate(files)
        if problems:
            raise ModelInvalid(problems)
        processes = _executable_processes(files)
        with transaction(self.ctx.sessions) as session:
            latest = {key: session.execute(_DEFINITION_LATEST, {"key": key}).first() for key in processes}
            unchanged = [self._unchanged(session, latest[key], files) for key in processes]
            if all(unchanged) and unchanged:
                return unchanged
            deployment_id = str(uuid.uuid4())
            now = self.ctx.now()
            session.add(Deployment(id=deployment_id, name=name, created_at=now, created_by=user))
            session.flush()
            for resource_name, content in files.items():
                session.add(DeploymentResource(deployment_id=deployment_id, name=resource_name, content=content))
            infos = []
            self._latest.clear()
            for key, (resource, title) in processes.items():
                version = latest[key].version + 1 if latest[key] is not None else 1
                definition = ProcessDefinition(id=str(uuid.uuid4()), key=key, version=version, name=title,
                                               deployment_id=deployment_id, resource_name=resource, created_at=now)
                session.add(definition)
                infos.append(_info(definition))
            return infos

    @staticmethod
    def _unchanged(session, latest, files) -> DefinitionInfo | None:
        """The latest definition, if it was deployed from exactly these files."""
        if latest is None:
            return None
        stored = dict(session.execute(
            select(DeploymentResource.name, DeploymentResource.content).where(DeploymentResource.deployment_id == latest.deployment_id)
        ).all())
        return _info(latest) if stored == files else None

    def list_definitions(self, key: str | None = None) -> list[DefinitionInfo]:
        with self.ctx.sessions() as session:
            query = select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version)
            if key:
                query = query.where(ProcessDefinition.key == key)
            return [_info(d) for d in session.scalars(query)]

    def get_definition(self, key: str, version: int | None = None) -> DefinitionInfo:
        with self.ctx.db.connect() as conn:
            return self.find_definition(conn, key, version)

    def find_definition(self, conn, key: str, version: int | None = None) -> DefinitionInfo:
        """The given version of ``key``, else the latest (cached briefly: every start asks)."""
        if version:
            row = conn.execute(_DEFINITION_VERSION, {"key": key, "version": version}).first()
        else:
            cached = self._latest.get(key)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            row = conn.execute(_DEFINITION_LATEST, {"key": key}).first()
        if row is None:
            raise NotFound(f"Prozessdefinition '{key}' ist nicht bereitgestellt.")
        info = _info(row)
        if not version:
            self._latest[key] = (time.monotonic() + LATEST_TTL_SECONDS, info)
        return info

    def get_form(self, definition_id: str, form_key: str) -> dict:
        """The JSON Schema of a user task's form, looked up beside the BPMN file first.
        Deployments never change, so forms are cached."""
        cached = self._forms.get((definition_id, form_key))
        if cached is None:
            cached = self._forms[(definition_id, form_key)] = self._load_form(definition_id, form_key)
        return cached

    def _load_form(self, definition_id: str, form_key: str) -> dict:
        with self.ctx.sessions() as session:
            definition = session.get(ProcessDefinition, definition_id)
            folder = str(Path(definition.resource_name).parent)
            candidates = [form_key] if folder == "." else [f"{folder}/{form_key}", form_key]
            for name in candidates:
                content = session.scalar(select(DeploymentResource.content).where(
                    DeploymentResource.deployment_id == definition.deployment_id, DeploymentResource.name == name))
                if content is not None:
                    return orjson.loads(content)
        raise NotFound(f"Formular '{form_key}' fehlt in der Bereitstellung.")


_DEFINITIONS = ProcessDefinition.__table__
_DEFINITION_LATEST = (select(*_DEFINITIONS.c).where(_DEFINITIONS.c.key == bindparam("key"))
                      .order_by(_DEFINITIONS.c.version.desc()).limit(1))
_DEFINITION_VERSION = select(*_DEFINITIONS.c).where(_DEFINITIONS.c.key == bindparam("key"),
                                                    _DEFINITIONS.c.version == bindparam("version"))


def _info(d: ProcessDefinition) -> DefinitionInfo:
    return DefinitionInfo(d.id, d.key, d.version, d.name, d.deployment_id, d.resource_name)


def _executable_processes(files: dict[str, bytes]) -> dict[str, tuple[str, str | None]]:
    processes = {}
    for name, content in files.items():
        if not name.lower().endswith(BPMN_SUFFIXES):  # as validation reads them: .bpmn20.xml too
            continue
        for process in parse_xml(content, name).getroot().iter(f"{{{BPMN_NS}}}process"):
            if process.get("isExecutable", "true") != "false":
                processes[process.get("id")] = (name, process.get("name"))
    return processes


def compile_definition(ctx, definition_id: str) -> spiff.CompiledProcess:
    """Builds the spec of a stored definition. Only validated files are ever stored: validation
    also guards against inputs on which SpiffWorkflow's parser would loop forever."""
    with ctx.sessions() as session:
        definition = session.get(ProcessDefinition, definition_id)
        if definition is None:
            raise NotFound(f"Prozessdefinition {definition_id} nicht gefunden.")
        files = dict(session.execute(
            select(DeploymentResource.name, DeploymentResource.content).where(DeploymentResource.deployment_id == definition.deployment_id)
        ).all())
    parser = spiff.AmtswegParser()
    load_parser(files, parser)
    return spiff.CompiledProcess(parser.get_spec(definition.key), parser.get_subprocess_specs(definition.key))


__all__ = ["RepositoryService", "DefinitionInfo", "read_paths"]
