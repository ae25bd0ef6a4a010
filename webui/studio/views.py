"""Studio pages and the modeler's JSON routes, for designers only."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for

from engine.errors import ModelInvalid, NotFound, Problem
from processes.access import EVERY_MUNICIPALITY
from processes.findings import process_title

from .. import engine_of
from ..auth import require
from . import models

bp = Blueprint("studio", __name__, url_prefix="/studio", template_folder="templates")
BUNDLE = Path(__file__).parent.parent / "static" / "studio" / "studio.js"


def _ctx():
    return engine_of().ctx


def _version(key: str) -> models.Version:
    found = models.versions(_ctx(), key)
    if not found:
        raise NotFound("Diesen Prozess gibt es nicht.")
    return found[0]


def _title(version: models.Version) -> str:
    return version.name or process_title(version.key)


@bp.get("/")
@require("designer")
def definitions():
    rows = [(v, _title(v), process_title(v.key)) for v in models.latest_definitions(_ctx())]
    return render_template("studio/definitions.html", rows=rows)


@bp.get("/<key>/")
@require("designer")
def modeler(key):
    version = _version(key)
    return render_template("studio/modeler.html", version=version, title=_title(version), built=BUNDLE.is_file())


@bp.get("/<key>/modell.bpmn")
@require("designer")
def xml(key):
    return Response(models.bpmn_of(_ctx(), _version(key)), mimetype="application/xml")


@bp.get("/operationen.json")
@require("designer")
def operations():
    return jsonify(models.operations(_ctx()))


@bp.get("/<key>/listen.json")
@require("designer")
def lists(key):
    version = _version(key)
    files = models.resources(_ctx(), version.deployment_id)
    settings = current_app.extensions["amtsweg"].installation.settings
    return jsonify(forms=models.forms(files, version.resource_name), groups=models.groups(settings, g.user.tenant))


def _answer(problems, status: int, message: str | None = None):
    ids = {}
    if problems and request.data:
        try:
            ids = {el.get("id"): el.get("name") for el in models.parse_model(request.data).iter() if el.get("id")}
        except ModelInvalid:
            pass
    rows = [{"element_id": p.element_id, "element_name": ids.get(p.element_id), "message": p.message} for p in problems]
    text = message or f"Das Modell hat {len(rows)} Fehler. Bitte beheben Sie die markierten Stellen."
    return jsonify(ok=not rows, message=text, problems=rows), status


def _files(key: str) -> tuple[models.Version, dict[str, bytes]]:
    """The latest deployment's files with the uploaded model in place of the stored one."""
    version = _version(key)
    data = request.get_data(cache=True)
    if request.mimetype not in ("application/xml", "text/xml"):
        raise ModelInvalid([Problem("Modell", None, "Bitte senden Sie das Modell als BPMN-XML.")])
    files = models.resources(_ctx(), version.deployment_id)
    models.parse_upload(data, key, files[version.resource_name])
    files[version.resource_name] = data
    return version, files


@bp.post("/<key>/pruefen")
@require("designer")
def check(key):
    """A dry run of the deployment: the engine's validation, nothing stored."""
    try:
        _latest, files = _files(key)
    except ModelInvalid as err:
        return _answer(err.problems, 422)
    problems = engine_of().repository.validate(files)
    return _answer(problems, 422 if problems else 200, None if problems else "Das Modell ist fehlerfrei.")


@bp.post("/<key>/bereitstellen")
@require("designer")
def deploy(key):
    if g.user.tenant != EVERY_MUNICIPALITY:
        return jsonify(ok=False, problems=[], message="Ein Modell gilt für alle Kommunen der Installation: "
                       "bereitstellen darf es nur die Prozessgestaltung der Installation. Prüfen können Sie es."), 403
    try:
        version, files = _files(key)
        infos = engine_of().repository.deploy(files, name=f"studio:{key}", user=g.user.name[:100])
    except ModelInvalid as err:
        return _answer(err.problems, 422)
    new = next(i for i in infos if i.key == key)
    if new.version == version.version:
        return _answer([], 200, f"Keine Änderung: Version {new.version} bleibt in Kraft.")
    return _answer([], 200, f"Version {new.version} ist bereitgestellt und gilt für neue Anträge.")


@bp.get("/<key>/versionen")
@require("designer")
def history(key):
    ctx = _ctx()
    found = models.versions(ctx, key)
    if not found:
        raise NotFound("Diesen Prozess gibt es nicht.")
    xml = {v.version: models.bpmn_of(ctx, v) for v in found}
    rows = [(v, models.changes(xml[v.version - 1], xml[v.version]) if v.version - 1 in xml else None) for v in found]
    return render_template("studio/history.html", title=_title(found[0]), key=key, rows=rows,
                           modeler_url=url_for(".modeler", key=key))
