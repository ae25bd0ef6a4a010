"""Operators: instances, incidents and their retry, figures."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine.errors import InvalidState

from .. import engine_of
from ..auth import require

bp = Blueprint("operator", __name__, url_prefix="/betrieb", template_folder="templates")


@bp.get("/")
@require("operator")
def overview():
    engine = engine_of()
    state = request.args.get("zustand") or None
    return render_template("operator/overview.html", figures=engine.management.figures(),
                           incidents=engine.management.incidents(), instances=engine.runtime.query(state=state),
                           state=state)


@bp.get("/vorgang/<instance_id>")
@require("operator")
def instance(instance_id):
    return render_template("operator/instance.html", view=engine_of().instance_view(instance_id),
                           jobs=engine_of().management.jobs(instance_id=instance_id))


@bp.post("/stoerung/<incident_id>/wiederholen")
@require("operator")
def retry(incident_id):
    try:
        engine_of().management.retry_incident(incident_id, user=g.user.id)
        flash("Die Störung wird erneut versucht.")
    except InvalidState as err:
        flash(str(err))
    return redirect(url_for(".overview"))
