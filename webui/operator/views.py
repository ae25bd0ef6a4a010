"""Operators: instances, incidents and their retry, figures."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for

from engine.errors import InvalidState
from processes.findings import case_rows, changes_text, clerk_findings, documents

from .. import engine_of, vorgang
from ..auth import require
from ..forms import application_rows

bp = Blueprint("operator", __name__, url_prefix="/betrieb", template_folder="templates")
REPORT_KINDS = {"umzug": "Umzug", "halterwechsel": "Halterwechsel"}


@bp.get("/")
@require("operator")
def overview():
    state = request.args.get("zustand") or None
    found = _oversight().overview(g.user, state=state)
    runtime = engine_of().runtime
    cases = {i.id: vorgang(info.business_key, info.process_key)
             for i in found["incidents"] for info in [runtime.get(i.instance_id)]}
    steps = {i.id: _activity_names(i.instance_id).get(i.activity_id) for i in found["incidents"]}
    reports = current_app.extensions["amtsweg"].installation.register_reports.troubled(g.user)
    return render_template("operator/overview.html", state=state, cases=cases, steps=steps, reports=reports,
                           report_kinds=REPORT_KINDS, **found)


@bp.get("/vorgang/<instance_id>")
@require("operator")
def instance(instance_id):
    view, jobs = _oversight().instance(g.user, instance_id)  # personal data masked; the access is audited
    key, variables = view["process_key"], view["variables"]
    names = _activity_names(instance_id)
    audit = [{**a, "step": a["activity_name"] or names.get(a["activity_id"]),
              "details": changes_text(key, a["changes"], variables)} for a in view["audit"]]
    return render_template("operator/instance.html", view=view, jobs=jobs, names=names, audit=audit,
                           case=case_rows(variables), application=application_rows(key, variables),
                           findings=clerk_findings(key, variables), documents=documents(variables))


@bp.get("/vorgang/<instance_id>/daten.json")
@require("operator")
def instance_data(instance_id):
    """The instance's data as the engine holds it (masked as on the page), for a technical analysis."""
    view, _jobs = _oversight().instance(g.user, instance_id)
    body = json.dumps(view["variables"], ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="vorgang-{instance_id}.json"'})


@bp.post("/stoerung/<incident_id>/wiederholen")
@require("operator")
def retry(incident_id):
    try:
        _oversight().retry_incident(g.user, incident_id)
        flash("Die Störung wird erneut versucht.")
    except InvalidState as err:
        flash(str(err))
    return redirect(url_for(".overview"))


@bp.post("/registermeldung/<system>/<int:report_id>/wiederholen")
@require("operator")
def retry_report(system, report_id):
    if current_app.extensions["amtsweg"].installation.register_reports.retry(g.user, system, report_id):
        flash("Die Registermeldung wird erneut zugestellt.")
    else:
        flash("Diese Registermeldung wartet nicht auf eine Wiederholung.")
    return redirect(url_for(".overview"))


def _activity_names(instance_id: str) -> dict[str, str]:
    """The names the model gives its steps (the ids are the model's, not the reader's)."""
    engine = engine_of()
    compiled = engine.ctx.compiled(engine.runtime.get(instance_id).definition_id)
    return {s.bpmn_id: s.bpmn_name for spec in (compiled.spec, *compiled.subprocess_specs.values())
            for s in spec.task_specs.values() if getattr(s, "bpmn_id", None) and getattr(s, "bpmn_name", None)}


def _oversight():
    return current_app.extensions["amtsweg"].installation.oversight
