"""Clerks: the worklist of their groups, a task with the application and register findings,
counter intake for citizens who come in person or write, the print outbox and the cashier."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from engine.errors import EngineError, FormInvalid, NotFound
from processes.catalog import UnknownService, service, service_of_process, services
from processes.municipalities import municipality
from tasks.documents.formatting import money

from .. import BERLIN, cases_of, engine_of
from ..auth import require
from ..forms import fields, flatten, parse

bp = Blueprint("worklist", __name__, url_prefix="/arbeit", template_folder="templates")


@bp.get("/")
@require("clerk")
def tasks():
    group = request.args.get("gruppe") or None
    show_all = request.args.get("alle") == "1"
    groups = [group] if group in g.user.groups else list(g.user.groups)
    now = engine_of().ctx.now()
    tasks = [t for gr in groups for t in engine_of().tasks.query(tenant=g.user.tenant, candidate_group=gr, per_page=500)
             if show_all or t.follow_up_at is None or t.follow_up_at <= now]
    tasks.sort(key=lambda t: (t.due_at is None, t.due_at or t.created_at, t.created_at))
    return render_template("worklist/tasks.html", tasks=tasks, group=group, groups=g.user.groups, show_all=show_all)


@bp.route("/<task_id>", methods=["GET", "POST"])
@require("clerk")
def task(task_id):
    engine = engine_of()
    task = _own_task(task_id)
    schema = engine.tasks.form(task_id) or {"type": "object", "properties": {}}
    errors, values = {}, {}
    if request.method == "POST":
        data = parse(schema, request.form)
        try:
            engine.tasks.complete(task_id, data, user=g.user.id)
        except FormInvalid as err:
            errors, values = {e.field: e.message for e in err.errors}, flatten(data)
        except EngineError as err:  # completed or claimed meanwhile, instance on hold …
            flash(str(err))
            return redirect(url_for(".tasks"))
        else:
            flash(f"Aufgabe „{task.name}“ erledigt.")
            return redirect(url_for(".tasks"))
    variables = engine.runtime.get(task.instance_id).variables
    application = _application(task.process_key, variables)
    svc = service_of_process(task.process_key)
    context = [(label, variables[name]) for name, label in (svc.clerk_context if svc else {}).items()
               if variables.get(name) not in (None, "", [], {})]
    return render_template("worklist/task.html", task=task, fields=fields(schema), schema=schema, errors=errors,
                           values=values, application=application, variables=variables, context=context,
                           berlin=BERLIN), (422 if errors else 200)


@bp.get("/schalter/")
@require("clerk")
def counter_services():
    place = municipality(g.user.tenant)
    offered = [s for s in services().values() if place.offers(s.key)]
    return render_template("worklist/counter_services.html", services=offered)


@bp.post("/<task_id>/wiedervorlage")
@require("clerk")
def follow_up(task_id):
    """Puts a task aside until a date (e.g. while waiting for a register extract by post)."""
    _own_task(task_id)
    raw = request.form.get("datum", "")
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        flash("Wiedervorlage: Bitte ein Datum (JJJJ-MM-TT) angeben.")
        return redirect(url_for(".task", task_id=task_id))
    at = datetime.combine(day, time(7, 0), tzinfo=BERLIN) if day else None
    try:
        engine_of().tasks.set_follow_up(task_id, at)
    except EngineError as err:
        flash(str(err))
        return redirect(url_for(".tasks"))
    flash(f"Wiedervorlage am {day.strftime('%d.%m.%Y')} gesetzt." if day else "Wiedervorlage entfernt.")
    return redirect(url_for(".tasks"))


@bp.route("/schalter/<service_key>", methods=["GET", "POST"])
@require("clerk")
def counter(service_key):
    """Counter intake: the clerk files the application on the citizen's behalf, same process."""
    try:
        svc = service(service_key)
    except UnknownService as err:
        raise NotFound(str(err)) from None
    errors, values = {}, {}
    if request.method == "POST":
        data = parse(svc.form, request.form)
        channel = "brief" if request.form.get("kanal") == "brief" else "schalter"
        try:
            case = cases_of().submit(service_key, g.user.tenant, data, channel=channel, clerk=g.user.id)
        except FormInvalid as err:
            errors, values = {e.field: e.message for e in err.errors}, flatten(data)
        else:
            flash(f"Antrag {case.case_number} erfasst.")
            return redirect(url_for(".counter", service_key=service_key))
    return render_template("worklist/counter.html", service=svc, fields=fields(svc.form), values=values,
                           errors=errors), (422 if errors else 200)


@bp.route("/postausgang", methods=["GET", "POST"])
@require("clerk")
def outbox():
    cases = cases_of()
    if request.method == "POST":
        job_ids = request.form.getlist("auftrag")
        if not job_ids:
            flash("Bitte wählen Sie mindestens eine Sendung.")
        else:
            try:
                batch, problems = cases.mark_posted(g.user.tenant, job_ids, g.user.id)
            except LookupError:
                flash("Nicht aufgegeben: Eine der Sendungen ist nicht mehr offen (schon aufgegeben?). "
                      "Bitte laden Sie die Seite neu und wählen Sie erneut.")
            else:
                flash(f"{len(job_ids)} Sendung(en) als aufgegeben vermerkt (Stapel {batch}).")
                for problem in problems:
                    flash(f"Aufgegeben, aber der Vorgang wurde nicht benachrichtigt – bitte den Betrieb informieren: {problem}")
        return redirect(url_for(".outbox"))
    return render_template("worklist/outbox.html", jobs=cases.open_print_jobs(g.user.tenant))


@bp.route("/kasse", methods=["GET", "POST"])
@require("clerk")
def cashier():
    """Demo cashier: books a payment; the finance interface does this in production."""
    if request.method == "POST":
        reference = request.form.get("kassenzeichen", "").strip()
        try:
            cents = round(float(request.form.get("betrag", "").replace(",", ".")) * 100)
            if cents <= 0:
                raise ValueError(cents)
            balance = cases_of().record_payment(g.user.tenant, reference, cents, user=g.user.id,
                                                booking_key=request.form.get("buchung") or None)
        except (ValueError, OverflowError):
            flash("Betrag: Bitte einen Betrag in Euro angeben, z. B. 15,00.")
        except LookupError:
            flash(f"Kassenzeichen „{reference}“ ist nicht bekannt. Bitte prüfen Sie die Eingabe (Form KZ-JJJJ-NNNNNN).")
        else:
            done = "war bereits gebucht" if balance["already_booked"] else "gebucht"
            flash(f"Zahlung {done}. Offen: {money(balance['open_cents'])}")
            if "problem" in balance:
                flash(f"Der Vorgang wurde nicht fortgesetzt – bitte den Betrieb informieren: {balance['problem']}")
        return redirect(url_for(".cashier"))
    # Each form carries its own booking key: sent twice, it books once.
    return render_template("worklist/cashier.html", booking_key=uuid.uuid4().hex)


def _own_task(task_id):
    """The task, if it belongs to the clerk's municipality and one of their groups."""
    task = engine_of().tasks.get(task_id)
    if task.tenant != g.user.tenant or task.candidate_group not in g.user.groups:
        abort(403)
    return task


def _application(process_key, variables) -> list[tuple[str, object]]:
    """The application's fields with their German labels, for the clerk's view."""
    svc = service_of_process(process_key)
    if svc is None or "antrag" not in variables:
        return []
    values = flatten(variables["antrag"])
    return [(f.label, (f.schema.get("enumTitles") or {}).get(values[f.name], values[f.name]))
            for f in fields(svc.form) if values.get(f.name) not in (None, "")]
