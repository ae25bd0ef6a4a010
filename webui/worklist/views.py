"""Clerks: the worklist of their groups, a task with the application and register findings,
counter intake for citizens who come in person or write, the trade register information, the print
outbox and the cashier."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from engine.errors import FieldError, FormInvalid, InvalidState, NotFound, OptimisticLockingError
from engine.forms import check_text
from processes.access import Forbidden
from processes.cases import REPLY_CHANNELS, REPLY_MAX_LENGTH, QuestionNotOpen
from processes.catalog import service
from processes.findings import channel_label, clerk_findings, count, documents
from tasks.documents.formatting import money

from .. import BERLIN, attachment_response, cases_of, engine_of, pdf_response
from ..auth import require
from ..forms import application_rows, edit, fields, flatten, parse

bp = Blueprint("worklist", __name__, url_prefix="/arbeit", template_folder="templates")


PER_PAGE = 50
FOLLOW_UP_MAX_DAYS = 2 * 366  # a task is put aside for at most about two years


@bp.get("/")
@require("clerk")
def tasks():
    """One query for the clerk's groups (or the one chosen): tasks put aside until later only with
    "alle"; due first, then oldest; PER_PAGE to a page."""
    group = request.args.get("gruppe") if request.args.get("gruppe") in g.user.groups else None
    show_all = request.args.get("alle") == "1"
    page = max(request.args.get("seite", 1, type=int), 1)
    engine = engine_of()
    tasks = cases_of().worklist(g.user, group, follow_up_before=None if show_all else engine.ctx.now(), page=page,
                                per_page=PER_PAGE)
    return render_template("worklist/tasks.html", tasks=tasks, group=group, groups=sorted(g.user.groups), show_all=show_all,
                           page=page, more=len(tasks) == PER_PAGE, may_inform=may_inform(g.user))


@bp.get("/rueckfragen/")
@require("clerk")
def questions():
    """The cases of the clerk's offices whose question waits for the citizen's answer."""
    return render_template("worklist/questions.html", questions=cases_of().open_questions(g.user),
                           channel_label=channel_label)


@bp.route("/rueckfragen/<case_number>", methods=["GET", "POST"])
@require("clerk")
def answer(case_number):
    """Records an answer that came by letter or at the counter; the case goes on as after a portal answer."""
    cases = cases_of()
    errors, values = {}, {"kanal": "brief"}
    try:
        question = cases.open_question(g.user, case_number)  # else NotFound / Forbidden
        if request.method == "POST":
            values = {k: request.form.get(k, "") for k in ("antwort", "eingang", "kanal")}
            cases.record_reply(g.user, case_number, values["antwort"], values["eingang"], values["kanal"])
            flash(f"Antwort zu Antrag {question['case_number']} erfasst; der Antrag wird weiter bearbeitet.")
            return redirect(url_for(".questions"))
    except FormInvalid as err:
        errors = {e.field: e.message for e in err.errors}
    except QuestionNotOpen as err:  # answered already, deadline passed
        flash(str(err))
        return redirect(url_for(".questions"))
    except (InvalidState, OptimisticLockingError):  # on hold, or changed meanwhile: nothing was taken
        flash("Die Antwort konnte gerade nicht übernommen werden. Bitte versuchen Sie es gleich noch einmal.")
        return redirect(url_for(".answer", case_number=case_number))
    today = engine_of().ctx.now().astimezone(BERLIN).date()
    return render_template("worklist/answer.html", question=question, values=values, errors=errors,
                           channels=REPLY_CHANNELS, channel_label=channel_label, today=today,
                           max_length=REPLY_MAX_LENGTH), (422 if errors else 200)


@bp.route("/<task_id>", methods=["GET", "POST"])
@require("clerk")
def task(task_id):
    cases = cases_of()
    task = cases.task(g.user, task_id)  # else NotFound (another municipality) or Forbidden (another office)
    errors, values = {}, {}
    if request.method == "POST":
        schema = engine_of().tasks.form(task_id) or {"type": "object", "properties": {}}
        data = parse(schema, request.form)
        try:
            cases.complete_task(g.user, task_id, data)
        except FormInvalid as err:
            errors, values = {e.field: e.message for e in err.errors}, flatten(data)
        except (InvalidState, OptimisticLockingError) as err:  # completed or claimed meanwhile, on hold …
            flash(str(err))
            return redirect(url_for(".tasks"))
        else:
            flash(f"Aufgabe „{task.name}“ erledigt.")
            return redirect(url_for(".tasks"))
    task, schema, variables = cases.open_task(g.user, task_id)  # audited: the case's personal data
    schema = schema or {"type": "object", "properties": {}}
    return render_template("worklist/task.html", task=task, fields=fields(schema), schema=schema, errors=errors,
                           values=values, application=application_rows(task.process_key, variables),
                           channel=channel_label(variables.get("kanal")), documents=_documents(task, variables),
                           findings=clerk_findings(task.process_key, variables), berlin=BERLIN), (422 if errors else 200)


@bp.get("/<task_id>/antrag")
@require("clerk")
def case(task_id):
    """The case of a task as the citizen follows it: its course and its postbox."""
    cases = cases_of()
    task, _schema, variables = cases.open_task(g.user, task_id)  # audited: the case's personal data
    number = task.business_key
    if not number:
        raise NotFound(f"Zur Aufgabe „{task.name}“ gehört kein Antrag.")
    return render_template("worklist/case.html", task=task, case=cases.case(task.tenant, number),
                           statuses=cases.statuses(task.tenant, number), messages=cases.messages(task.tenant, number),
                           channel=channel_label(variables.get("kanal")), attachments=cases.task_attachments(g.user, task_id))


@bp.get("/<task_id>/anlagen/<attachment_id>")
@require("clerk")
def attachment(task_id, attachment_id):
    """An attachment of the task's case (images shown, PDFs downloaded), for the clerk of the task."""
    return attachment_response(cases_of().task_attachment(g.user, task_id, attachment_id))  # else NotFound


@bp.get("/<task_id>/dokumente/<document_id>")
@require("clerk")
def document(task_id, document_id):
    """A document the case's postbox holds, for the clerk of the task."""
    return pdf_response(*cases_of().task_document(g.user, task_id, document_id))  # else NotFound


def _documents(task, variables) -> list[dict]:
    """The case's documents; those in the citizen's postbox can be opened."""
    if not task.business_key:
        return []
    sent = {d["document_id"] for m in cases_of().messages(task.tenant, task.business_key) for d in m["documents"]}
    return [{**d, "sent": d["document_id"] in sent} for d in documents(variables)]


@bp.get("/schalter/")
@require("clerk")
def counter_services():
    return render_template("worklist/counter_services.html", services=cases_of().counter_services(g.user))


@bp.post("/<task_id>/wiedervorlage")
@require("clerk")
def follow_up(task_id):
    """Puts a task aside until a date (e.g. while waiting for a register extract by post)."""
    cases_of().task(g.user, task_id)
    raw = request.form.get("datum", "").strip()
    try:
        day = date.fromisoformat(raw) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw) else None
    except ValueError:
        day = None
    if raw and day is None:
        flash("Wiedervorlage: Bitte ein Datum (JJJJ-MM-TT) angeben.")
        return redirect(url_for(".task", task_id=task_id))
    today = engine_of().ctx.now().astimezone(BERLIN).date()
    if day is not None and not today <= day <= today + timedelta(days=FOLLOW_UP_MAX_DAYS):
        flash("Wiedervorlage: Das Datum darf nicht in der Vergangenheit liegen" if day < today else
              f"Wiedervorlage: Bitte ein Datum bis zum {today + timedelta(days=FOLLOW_UP_MAX_DAYS):%d.%m.%Y} angeben.")
        return redirect(url_for(".task", task_id=task_id))
    at = datetime.combine(day, time(7, 0), tzinfo=BERLIN) if day else None
    try:
        cases_of().set_follow_up(g.user, task_id, at)
    except InvalidState as err:  # completed meanwhile
        flash(str(err))
        return redirect(url_for(".tasks"))
    flash(f"Wiedervorlage am {day.strftime('%d.%m.%Y')} gesetzt." if day else "Wiedervorlage entfernt.")
    return redirect(url_for(".tasks"))


@bp.route("/schalter/<service_key>", methods=["GET", "POST"])
@require("clerk")
def counter(service_key):
    """Counter intake: the clerk files the application on the citizen's behalf, same process."""
    svc = cases_of().counter_service(g.user, service_key)  # only the office that runs the service
    errors, values = {}, {}
    if request.method == "POST" and (edited := edit(svc.form, request.form)) is not None:  # a person added/removed
        values = edited
    elif request.method == "POST":
        data = parse(svc.form, request.form)
        channel = "brief" if request.form.get("kanal") == "brief" else "schalter"
        try:
            case = cases_of().submit_at_counter(g.user, service_key, data, channel=channel)
        except FormInvalid as err:
            errors, values = {e.field: e.message for e in err.errors}, flatten(data)
        else:
            flash(f"Antrag {case.case_number} erfasst.")
            return redirect(url_for(".counter", service_key=service_key))
    channel = "brief" if request.form.get("kanal") == "brief" else "schalter"  # kept across a re-render
    return render_template("worklist/counter.html", service=svc, fields=fields(svc.form), values=values,
                           errors=errors, channel=channel), (422 if errors else 200)


# Registerauskunft (§ 14 Abs. 5 Satz 2 GewO): name, business address and activity to whoever asks;
# each retrieval logged with purpose and file number (§ 14 Abs. 11 GewO). (name, label, limit)
INFORMATION_FIELDS = (("betriebsnummer", "Nummer des Betriebs im Gewerberegister", 15),
                      ("anfragende_stelle", "Anfragende Stelle oder Person", 200), ("zweck", "Zweck der Auskunft", 300),
                      ("aktenzeichen", "Aktenzeichen der anfragenden Stelle", 100))
_REGISTER_NUMBER = re.compile(r"[0-9]{8}-[0-9]{6}")


@bp.route("/registerauskunft", methods=["GET", "POST"])
@require("clerk")
def register_information():
    """The trade office answers a request for register information; every answer is logged."""
    if not may_inform(g.user):
        raise Forbidden("Registerauskünfte aus dem Gewerberegister erteilt das Gewerbeamt.")
    errors, values, answer = {}, {}, None
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip()[:limit + 1] for name, _label, limit in INFORMATION_FIELDS}
        for name, label, limit in INFORMATION_FIELDS:
            try:
                values[name] = check_text(values[name], name, label, limit, multiline=False)
            except FormInvalid as err:
                errors.update({e.field: e.message for e in err.errors})
            else:
                if not values[name]:
                    errors[name] = f"{label}: Bitte ausfüllen."
        if "betriebsnummer" not in errors and not _REGISTER_NUMBER.fullmatch(values["betriebsnummer"]):
            errors["betriebsnummer"] = ("Nummer des Betriebs im Gewerberegister: Bitte so angeben, wie sie auf der "
                                        "Empfangsbescheinigung steht, z. B. 14523319-000001.")
        if not errors:
            trade = current_app.extensions["amtsweg"].installation.registry.system("trade")
            answer = trade.information(g.user.tenant, values["betriebsnummer"], values["anfragende_stelle"],
                                       values["zweck"], values["aktenzeichen"], g.user.name,
                                       at=engine_of().ctx.now())
    return render_template("worklist/register_information.html", fields=INFORMATION_FIELDS, values=values,
                           errors=errors, answer=answer), (422 if errors else 200)


def may_inform(user) -> bool:
    """Clerks of the office that runs the trade service (its clerk groups)."""
    return bool(set(service("gewerbe").clerk_groups) & user.groups)


@bp.route("/postausgang", methods=["GET", "POST"])
@require("post_room")
def outbox():
    cases = cases_of()
    if request.method == "POST":
        job_ids = request.form.getlist("auftrag")
        try:
            batch, problems = cases.post(g.user, job_ids)
        except FormInvalid as err:
            for error in err.errors:
                flash(error.message)
        except InvalidState as err:  # a job posted meanwhile: none is marked
            flash(str(err))
        else:
            flash(f"{count(len(job_ids), 'Sendung', 'Sendungen')} als aufgegeben vermerkt (Stapel {batch}).")
            for problem in problems:
                flash(f"Aufgegeben, aber der Vorgang wurde nicht benachrichtigt – bitte den Betrieb informieren: {problem}")
        return redirect(url_for(".outbox"))
    return render_template("worklist/outbox.html", jobs=cases.outbox(g.user))


@bp.route("/kasse", methods=["GET", "POST"])
@require("cashier")
def cashier():
    """Demo cashier: books a payment; the finance interface does this in production."""
    if request.method == "POST":
        reference = request.form.get("kassenzeichen", "").strip()
        try:
            balance = cases_of().book_payment(g.user, reference, _cents(request.form.get("betrag", "")),
                                              booking_key=request.form.get("buchung") or None)
        except FormInvalid as err:
            for error in err.errors:
                flash(error.message)
        except NotFound as err:  # unknown cash reference
            flash(str(err))
        else:
            done = "war bereits gebucht" if balance["already_booked"] else "gebucht"
            flash(f"Zahlung {done}. Offen: {money(balance['open_cents'])}")
            if "problem" in balance:
                flash(f"Der Vorgang wurde nicht fortgesetzt – bitte den Betrieb informieren: {balance['problem']}")
        return redirect(url_for(".cashier"))
    # Each form carries its own booking key: sent twice, it books once.
    return render_template("worklist/cashier.html", booking_key=uuid.uuid4().hex)


_EURO = re.compile(r"(\d{1,7})(?:[,.](\d{1,2}))?")


def _cents(raw: str) -> int:
    """Euro as the clerk types them ("15", "15,5", "15,00") in cents; anything else is FormInvalid."""
    found = _EURO.fullmatch((raw or "").strip())
    if found is None:
        raise FormInvalid([FieldError("betrag", "Betrag: Bitte einen Betrag in Euro angeben, z. B. 15,00.")])
    return int(found[1]) * 100 + int((found[2] or "0").ljust(2, "0"))
