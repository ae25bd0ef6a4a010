"""Clerks' worklist: the open tasks of a group, a task with its form, completing it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import FormInvalid, InvalidState

from .. import engine_of

bp = Blueprint("worklist", __name__, url_prefix="/arbeit", template_folder="templates")


@bp.get("/")
def tasks():
    group = request.args.get("gruppe") or None
    tenant = request.args.get("kommune") or None
    tasks = engine_of().tasks.query(candidate_group=group, tenant=tenant)
    return render_template("worklist/tasks.html", tasks=tasks, group=group, tenant=tenant)


@bp.route("/<task_id>", methods=["GET", "POST"])
def task(task_id):
    engine = engine_of()
    task = engine.tasks.get(task_id)
    schema = engine.tasks.form(task_id) or {"type": "object", "properties": {}}
    errors, values = {}, {}
    if request.method == "POST":
        values = form_data(schema, request.form)
        try:
            engine.tasks.complete(task_id, values, user=request.form.get("bearbeiter") or None)
        except FormInvalid as err:
            errors = {e.field: e.message for e in err.errors}
        except InvalidState as err:
            flash(str(err))
            return redirect(url_for(".tasks"))
        else:
            flash(f"Aufgabe „{task.name}“ erledigt.")
            return redirect(url_for(".tasks"))
    variables = engine.runtime.get(task.instance_id).variables
    return render_template("worklist/task.html", task=task, schema=schema, errors=errors, values=values,
                           variables=variables), (422 if errors else 200)


def form_data(schema: dict, form) -> dict:
    """Form fields typed as the schema says; empty fields are left out so 'required' can speak."""
    data = {}
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type")
        if kind == "boolean":
            data[name] = form.get(name) == "on"
            continue
        raw = form.get(name, "").strip()
        if raw == "":
            continue
        if kind in ("integer", "number"):
            try:
                data[name] = int(raw) if kind == "integer" else float(raw.replace(",", "."))
            except ValueError:
                data[name] = raw  # the schema check reports it as not a number
        else:
            data[name] = raw
    return data
