"""Operators: instances, incidents and their retry, figures."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from engine.errors import InvalidState

from ..auth import require

bp = Blueprint("operator", __name__, url_prefix="/betrieb", template_folder="templates")


@bp.get("/")
@require("operator")
def overview():
    state = request.args.get("zustand") or None
    return render_template("operator/overview.html", state=state, **_oversight().overview(g.user, state=state))


@bp.get("/vorgang/<instance_id>")
@require("operator")
def instance(instance_id):
    view, jobs = _oversight().instance(g.user, instance_id)  # personal data masked; the access is audited
    return render_template("operator/instance.html", view=view, jobs=jobs)


@bp.post("/stoerung/<incident_id>/wiederholen")
@require("operator")
def retry(incident_id):
    try:
        _oversight().retry_incident(g.user, incident_id)
        flash("Die Störung wird erneut versucht.")
    except InvalidState as err:
        flash(str(err))
    return redirect(url_for(".overview"))


def _oversight():
    return current_app.extensions["amtsweg"].installation.oversight
