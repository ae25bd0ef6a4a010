"""Citizen portal: apply (form, review, submit), follow the status, read the postbox, answer, choose
postbox or post."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from engine.errors import FormInvalid, InvalidState, NotFound, OptimisticLockingError
from engine.operations import InvalidRequest
from processes.cases import HAND_IN_FIELD, HAND_IN_TITLE_MAX_LENGTH, REPLY_MAX_LENGTH, Upload
from processes.catalog import UnknownService, service, services
from processes.municipalities import municipality
from tasks.portal import DELIVERIES

from .. import attachment_response, cases_of, pdf_response
from ..auth import require
from ..forms import answer_rows, edit, fields, files_not_kept, flatten, has_files, parse, uploads

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates")


@bp.context_processor
def _limits():
    return {"reply_max_length": REPLY_MAX_LENGTH, "hand_in_max_length": HAND_IN_TITLE_MAX_LENGTH,
            "hand_in_field": HAND_IN_FIELD}


@bp.get("/")
@require("citizen")
def home():
    offered = [s for s in services().values() if municipality(g.user.tenant).offers(s.key)]
    return render_template("portal/home.html", services=offered, cases=cases_of().my_cases(g.user),
                           delivery=DELIVERIES[cases_of().my_delivery(g.user)])


@bp.route("/zustellung", methods=["GET", "POST"])
@require("citizen")
def delivery():
    """Postbox or post: how the letters of all the citizen's cases reach them from now on."""
    cases, error = cases_of(), None
    if request.method == "POST":
        try:
            cases.choose_my_delivery(g.user, request.form.get("zustellung", ""))
        except InvalidRequest as err:
            error = str(err)
        else:
            flash("Gespeichert: Nachrichten und Bescheide erhalten Sie ab jetzt "
                  + ("in Ihr Postfach im Serviceportal." if request.form["zustellung"] == "postfach" else "per Post."))
            return redirect(url_for(".home"))
    return render_template("portal/delivery.html", choices=DELIVERIES, error=error,
                           chosen=cases.my_delivery(g.user)), (422 if error else 200)


@bp.route("/<service_key>/antrag", methods=["GET", "POST"])
@require("citizen")
def apply(service_key):
    svc, cases = _service(service_key), cases_of()
    if (step_up := _step_up(svc)) is not None:
        return step_up
    locked = svc.vouched(g.user.identity)  # what the service account vouched for: the citizen can't change it
    draft = flatten(cases.my_draft(g.user, service_key) or {})
    values, errors = {**draft, **locked}, {}
    if request.method == "POST":
        form = request.form.copy()
        for name, value in locked.items():
            form[name] = value
        kept = {name: value for name, value in draft.items() if isinstance(value, list)}  # the draft's files
        if (edited := edit(svc.form, form)) is not None:  # a person added or removed: the form again, as typed
            return render_template("portal/apply.html", service=svc, fields=fields(svc.form),
                                   values={**kept, **edited, **locked}, errors=files_not_kept(svc.form, request.files),
                                   locked=locked,
                                   uploads=has_files(svc.form))
        data = parse(svc.form, form)
        try:
            cleaned = cases.check_my_application(g.user, service_key, data, uploads(svc.form, request.files))
        except FormInvalid as err:
            values = {**kept, **flatten(data)}
            errors = {**files_not_kept(svc.form, request.files), **{e.field: e.message for e in err.errors}}
        else:
            cases.save_my_draft(g.user, service_key, cleaned)
            return redirect(url_for(".review", service_key=service_key))
    return render_template("portal/apply.html", service=svc, fields=fields(svc.form), values=values,
                           errors=errors, locked=locked, uploads=has_files(svc.form)), (422 if errors else 200)


@bp.route("/<service_key>/pruefen", methods=["GET", "POST"])
@require("citizen")
def review(service_key):
    svc, cases = _service(service_key), cases_of()
    if (step_up := _step_up(svc)) is not None:
        return step_up
    if request.method == "POST":
        if not _draft_keeps_identity(svc):
            flash("Einige Angaben Ihres Antrags weichen von Ihrem Servicekonto ab. Bitte prüfen Sie den Antrag erneut.")
            return redirect(url_for(".apply", service_key=service_key))
        try:
            case = cases.submit_my_draft(g.user, service_key)
        except NotFound as err:
            flash(str(err))
            return redirect(url_for(".home"))
        except FormInvalid as err:
            flash("Ihr Antrag wurde nicht abgeschickt. Bitte korrigieren Sie: " + " ".join(e.message for e in err.errors))
            return redirect(url_for(".apply", service_key=service_key))
        flash(f"Ihr Antrag ist eingegangen. Ihre Antragsnummer: {case.case_number}")
        return redirect(url_for(".case", case_number=case.case_number))
    data = cases.my_draft(g.user, service_key)
    if not data:
        return redirect(url_for(".apply", service_key=service_key))
    return render_template("portal/review.html", service=svc, rows=answer_rows(svc.form, data))


@bp.get("/antraege/<case_number>")
@require("citizen")
def case(case_number):
    return _case_page(case_number)


def _case_page(case_number, status=200, **extra):
    cases = cases_of()
    found, statuses, messages = cases.my_case(g.user, case_number)  # only the citizen's own
    page = {"error": None, "hand_in_errors": {}, **extra}
    return render_template("portal/case.html", case=found, statuses=statuses, messages=messages,
                           attachments=cases.my_attachments(g.user, case_number), **page), status


@bp.post("/antraege/<case_number>/nachreichen")
@require("citizen")
def hand_in(case_number):
    """A document handed in later, from the case page (multipart, no script needed)."""
    title, sent = request.form.get("bezeichnung", ""), request.files.get("datei")
    upload = Upload(sent.filename or "", sent.stream.read()) if sent is not None and sent.filename else None
    try:
        record = cases_of().hand_in(g.user, case_number, title, upload)
    except FormInvalid as err:
        return _case_page(case_number, 422, hand_in_errors={e.field: e.message for e in err.errors},
                          bezeichnung=title[:HAND_IN_TITLE_MAX_LENGTH])
    except (InvalidState, OptimisticLockingError):
        flash("Ihre Unterlage ist eingegangen, die Bearbeitung wird aber gerade nicht fortgesetzt. Wir melden uns.")
        return redirect(url_for(".case", case_number=case_number))
    flash(f"Vielen Dank, Ihre Unterlage „{record['name']}“ ist eingegangen.")
    return redirect(url_for(".case", case_number=case_number))


@bp.get("/antraege/<case_number>/anlagen/<attachment_id>")
@require("citizen")
def attachment(case_number, attachment_id):
    return attachment_response(cases_of().my_attachment(g.user, case_number, attachment_id))  # else NotFound


@bp.post("/antraege/<case_number>/antwort")
@require("citizen")
def reply(case_number):
    cases = cases_of()
    try:
        cases.my_reply(g.user, case_number, request.form.get("antwort", ""))
    except FormInvalid as err:
        return _case_page(case_number, 422, error=err.errors[0].message, antwort=request.form.get("antwort", ""))
    except (InvalidState, OptimisticLockingError):  # e.g. the case is on hold: the answer was not taken
        flash("Ihre Antwort konnte gerade nicht übernommen werden. Bitte versuchen Sie es später erneut.")
        return redirect(url_for(".case", case_number=case_number))
    flash("Vielen Dank, Ihre Antwort ist eingegangen.")
    return redirect(url_for(".case", case_number=case_number))


@bp.get("/antraege/<case_number>/dokumente/<document_id>")
@require("citizen")
def document(case_number, document_id):
    return pdf_response(*cases_of().my_document(g.user, case_number, document_id))  # else NotFound


def _step_up(svc):
    """A service that needs a stronger identity than the sign-in vouched for: sign in again, asking for more.
    In a demo without a SAML identity provider there is nobody to ask: the demo accounts pass."""
    if svc.admits(g.user.trust_level):
        return None
    settings = current_app.extensions["amtsweg"].installation.settings
    if settings.mode == "demo" and "saml" not in settings.identity_providers:
        return None
    return redirect(url_for("saml.login", kommune=g.user.tenant, niveau=svc.trust_level,
                            weiter=url_for(".apply", service_key=svc.key)))


def _draft_keeps_identity(svc) -> bool:
    """The draft about to be sent still carries what the service account vouched for."""
    draft = flatten(cases_of().my_draft(g.user, svc.key) or {})
    return all(str(draft.get(name, "")).casefold() == value.casefold()  # e-mail addresses are stored normalized
               for name, value in svc.vouched(g.user.identity).items())


def _service(key):
    try:
        found = service(key)
    except UnknownService as err:
        raise NotFound(str(err)) from None
    place = municipality(g.user.tenant)
    if not place.offers(key):
        raise NotFound(f"{place.name} bietet „{found.title}“ nicht online an.")
    return found
