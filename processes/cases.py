"""Cases as citizens and clerks see them: filing an application (online or at the counter),
status, postbox, replies, payments and posted letters; and instances as operators see them.
Built on the engine facade and the specialist systems; nothing here knows BPMN.

Who may do what is decided here, with the ``Principal`` (processes.access), not in the views:
the methods that take a principal first check role × municipality × office. Another
municipality's object is NotFound (it does not exist for this person); an object of the own
municipality that belongs to another office, or an action without the role, is Forbidden.
Every staff access to a case's personal data is written to the audit trail."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from engine import forms
from engine.errors import EngineError, FieldError, FormInvalid, InvalidState, MessageNotCorrelated, NotFound
from tasks.finance import UnknownCashReference
from tasks.portal import DocumentNotFound
from tasks.print_mail import JobsNotOpen

from .access import EVERY_MUNICIPALITY, Forbidden, Principal, require_office, require_role
from .attachments import BuiltinScanner, check_upload
from .catalog import UnknownService, service, service_of_process, services
from .municipalities import municipality

CHANNELS = ("portal", "schalter", "brief")
REPLY_MAX_LENGTH = 5000  # a citizen's answer to a question (Rückfrage)
# A process that asks the citizen something sets ``rueckfrage_offen`` (True while it waits), ``frage``,
# ``rueckfrage_am`` and ``antwort_bis`` (ISO days) and waits for REPLY_MESSAGE, correlated by ``fall``.
REPLY_MESSAGE = "buergerantwort"
REPLY_CHANNELS = {"brief": "Brief", "schalter": "persönlich am Schalter"}  # answers a clerk records
BERLIN = ZoneInfo("Europe/Berlin")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: case numbers are read aloud


HAND_IN_FIELD = {"type": "array", "maxItems": 1, "x-file": {}}  # a document handed in later: PDF, JPEG, PNG
HAND_IN_TITLE_MAX_LENGTH = 200
HAND_IN_MAX_FILES = 20  # per case


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it."""
    name: str
    content: bytes


class QuestionNotOpen(NotFound):
    """No question of this case waits for an answer (answered already, deadline passed, none asked)."""


@dataclass(frozen=True)
class Case:
    case_number: str
    instance_id: str
    service: str
    tenant: str
    state: str
    started_at: datetime
    status: str | None = None
    status_label: str | None = None


class CaseService:
    def __init__(self, engine, portal, finance, print_mail, checks=None, efile=None, scanner=None,
                 max_file_bytes: int = 10 * 1024 * 1024, max_total_bytes: int = 20 * 1024 * 1024):
        """The systems are the installation's (``processes.bootstrap``), so a replaced one is used here too.
        ``checks``: service key -> callable(tenant, data) -> [FieldError], the plausibility checks a form
        schema cannot make (see ``processes.checks``). ``scanner``: the malware scanner every attachment
        passes (processes.attachments); the limits are per file and per application."""
        self.checks = dict(checks or {})
        self.efile = efile
        self.scanner = scanner or BuiltinScanner()
        self.max_file_bytes, self.max_total_bytes = max_file_bytes, max_total_bytes
        self.engine = engine
        self.portal = portal
        self.finance = finance
        self.print_mail = print_mail

    def submit(self, service_key: str, tenant: str, data: dict, channel: str = "portal",
               citizen: str | None = None, clerk: str | None = None, claim=None, identity: dict | None = None) -> Case:
        """Validates the application and starts its process. On any form error nothing is stored.
        ``claim`` (see ``RuntimeService.start``) runs in the start's transaction; when it returns
        False nothing is started and the result is NotFound. ``identity`` (``login_identity``): what
        the citizen's sign-in vouched for, as the process variable ``identitaet``."""
        svc, place = service(service_key), municipality(tenant)
        if not place.offers(service_key):
            raise NotFound(f"{place.name} bietet „{svc.title}“ nicht online an.")
        if channel not in CHANNELS:
            raise ValueError(f"Unbekannter Eingangskanal '{channel}'.")
        now = self.engine.ctx.now().astimezone(BERLIN)  # the citizen's date, not UTC's
        data = self.check_application(service_key, data, tenant=tenant, paper=channel != "portal")
        case_number = f"{svc.case_prefix}-{now.year}-{_code()}"
        claim = self._claiming_attachments(svc, tenant, data, citizen or clerk, case_number, claim)
        variables = {
            "antrag": data,
            "fall": case_number,
            "kanal": channel,
            "konto": citizen,
            "eingang": now.date().isoformat(),
            "kommune": place.letterhead(service_key),
            "einstellungen": place.settings(service_key),
            "identitaet": identity,
        }
        started = self.engine.runtime.start(svc.process_key, tenant=tenant, business_key=case_number,
                                            variables=variables, user=clerk or citizen, claim=claim)
        if started is None:
            raise _no_draft()
        return self.case(tenant, case_number)

    def _claiming_attachments(self, svc, tenant: str, data: dict, owner: str | None, case_number: str, claim):
        """``claim`` plus: the application's staged files become the case's, in the start's transaction."""
        records = forms.file_records(svc.form, data)
        if not records:
            return claim

        def claim_all(conn) -> bool:
            if claim is not None and not claim(conn):
                return False
            if owner is None or not self.efile.claim_attachments(conn, tenant, owner, [r["anlage"] for _, r in records],
                                                                 case_number):
                field = records[0][0]
                raise FormInvalid([FieldError(field, f"{forms.field_label(svc.form, field)}: Die Datei liegt "
                                                     "nicht mehr vor. Bitte laden Sie sie erneut hoch.")])
            return True

        return claim_all

    def check_application(self, service_key: str, data: dict, tenant: str | None = None, paper: bool = False) -> dict:
        """The application as it may be stored (see ``engine.forms.clean``), then the service's own
        plausibility checks against the tenant's data; FormInvalid if it cannot. ``paper``: taken at the
        counter or by letter, its documents are seen in the original, so no file is required."""
        schema = service(service_key).form
        data, errors = forms.clean(forms.without_files(schema) if paper else schema, data,
                                   today=forms.local_date(self.engine.ctx.now()))
        if not errors and tenant is not None and service_key in self.checks:
            errors = list(self.checks[service_key](tenant, data))
        if errors:
            raise FormInvalid(errors)
        return data

    def check_with_files(self, service_key: str, tenant: str, owner: str, data: dict, uploads: dict,
                         previous: dict | None = None) -> dict:
        """The application with its files (``uploads``: field error key -> [Upload]): each file checked
        (size, malware scan, type by content), all of them together within the limit per application,
        then the application as ``check_application``. A field without a new file keeps the files of
        ``previous`` (the draft). Only when nothing is wrong are the new files kept (staged for the case
        that the application becomes); FormInvalid names every problem on its field."""
        schema = service(service_key).form
        data, accepted, errors = _copy(data), {}, []
        for key, node in forms.file_fields(schema):
            new = [u for u in uploads.get(key, []) if u.name or u.content]
            if not new:
                kept = _at(previous or {}, key)
                if isinstance(kept, list) and kept:
                    _put(data, key, kept)
                continue
            label = forms.field_label(schema, key)
            if len(new) > forms.file_max_count(node):
                errors.append(FieldError(key, f"{label}: Höchstens {forms.file_max_count(node)} Dateien."))
                continue
            checked = []
            for upload in new:
                kind, problem = check_upload(node, upload.content, self.scanner, self.max_file_bytes)
                if problem:
                    errors.append(FieldError(key, f"{label}: {_file_name(upload.name)}: {problem}"))
                    break
                checked.append((upload, kind))
            else:
                accepted[key] = checked
                _put(data, key, [{"anlage": 0, "name": _file_name(u.name), "typ": kind, "bytes": len(u.content)}
                                 for u, kind in checked])
        total = sum(r["bytes"] for _, r in forms.file_records(schema, data))
        if not errors and total > self.max_total_bytes:
            key = next(iter(accepted), None) or forms.file_fields(schema)[0][0]
            errors.append(FieldError(key, f"{forms.field_label(schema, key)}: Alle Anlagen zusammen sind "
                                          f"{forms.size_text(total, up=True)} groß; je Antrag sind höchstens "
                                          f"{forms.size_text(self.max_total_bytes)} möglich. Bitte verkleinern Sie "
                                          "die Dateien."))
        try:
            data = self.check_application(service_key, data, tenant=tenant)
        except FormInvalid as err:
            refused = {e.field for e in errors}
            errors += [e for e in err.errors if e.field not in refused]
        if errors:
            raise FormInvalid(errors)
        for key, checked in accepted.items():
            _put(data, key, [self.efile.stage_attachment(tenant, owner, key, forms.field_label(schema, key),
                                                         _file_name(u.name), kind, u.content) for u, kind in checked])
        return data

    def check_my_application(self, principal: Principal, service_key: str, data: dict, uploads: dict) -> dict:
        require_role(principal, "citizen")
        return self.check_with_files(service_key, principal.tenant, principal.id, data, uploads,
                                     previous=self.draft(principal.tenant, principal.id, service_key))

    def draft(self, tenant: str, citizen: str, service_key: str) -> dict | None:
        return self.portal.draft(tenant, citizen, service_key)

    def save_draft(self, tenant: str, citizen: str, service_key: str, data: dict) -> None:
        self.portal.save_draft(tenant, citizen, service_key, data)

    def submit_draft(self, service_key: str, tenant: str, citizen: str, identity: dict | None = None) -> Case:
        """Sends the citizen's draft. The draft is taken in the transaction that starts the
        process, so the application is either sent and the draft gone, or (a form error, the
        database went away, even a commit whose answer was lost) nothing happened and the draft
        is still there. A double click sends one application: the second finds no draft."""
        data = self.portal.draft(tenant, citizen, service_key)
        if not data:
            raise _no_draft()

        def take_draft(conn) -> bool:
            return self.portal.discard_draft(tenant, citizen, service_key, conn=conn)

        return self.submit(service_key, tenant, data, channel="portal", citizen=citizen, claim=take_draft,
                           identity=identity)

    def cases(self, tenant: str, citizen: str) -> list[Case]:
        infos = self.engine.runtime.query(tenant=tenant, started_by=citizen)
        return [self._case(info) for info in infos]

    def case(self, tenant: str, case_number: str, citizen: str | None = None) -> Case:
        [info] = self._instances(tenant, case_number, citizen)
        return self._case(info)

    def statuses(self, tenant: str, case_number: str, citizen: str | None = None):
        self._instances(tenant, case_number, citizen)
        return self.portal.statuses(tenant, case_number)

    def messages(self, tenant: str, case_number: str, citizen: str | None = None):
        self._instances(tenant, case_number, citizen)
        return self.portal.messages(tenant, case_number=case_number)

    def document(self, tenant: str, case_number: str, document_id, citizen: str | None = None):
        self._instances(tenant, case_number, citizen)
        try:
            return self.portal.document(tenant, case_number, document_id)
        except DocumentNotFound:
            raise NotFound("Dokument nicht gefunden. Bitte öffnen Sie es über das Postfach des Antrags.") from None

    def reply(self, tenant: str, case_number: str, text: str, citizen: str | None = None) -> None:
        """The citizen's answer to a question (Rückfrage) in the portal, received today. On FormInvalid
        nothing is stored; QuestionNotOpen says why no answer can be taken."""
        [info] = self._instances(tenant, case_number, citizen)
        text, errors = _reply_text(text)
        if errors:
            raise FormInvalid(errors)
        self._answer(info, text, forms.local_date(self.engine.ctx.now()), "portal", user=citizen)

    def _answer(self, info, text: str, received_on: date, channel: str, user: str | None,
                recorded_by: str | None = None) -> None:
        """The one way an answer reaches the process: the portal's, or a letter's recorded by a clerk."""
        question = info.variables
        if question.get("rueckfrage_offen") and received_on.isoformat() > question.get("antwort_bis", "9999"):
            raise QuestionNotOpen(_deadline_passed(info))
        payload = {"antwort": text, "antwort_eingang": received_on.isoformat(), "antwort_kanal": channel,
                   "antwort_erfasst_von": recorded_by}
        try:
            self.engine.runtime.correlate(REPLY_MESSAGE, {"fall": info.business_key}, payload, tenant=info.tenant,
                                          user=user)
        except MessageNotCorrelated:
            raise QuestionNotOpen(self._why_not_open(info)) from None

    def _why_not_open(self, info) -> str:
        now = self.engine.runtime.get(info.id)
        statuses = self.portal.statuses(info.tenant, info.business_key)
        if statuses and statuses[-1]["status"] == "eingestellt" and now.variables.get("antwort_bis"):
            return _deadline_passed(now)
        if now.variables.get("antwort_eingang"):
            return (f"Die Rückfrage zu Antrag {info.business_key} ist bereits beantwortet (Antwort eingegangen am "
                    f"{_german(now.variables['antwort_eingang'])}). Eine zweite Antwort wird nicht erfasst; bitte "
                    "legen Sie das Schreiben zur Akte.")
        return f"Zu Antrag {info.business_key} ist keine Rückfrage offen."

    def record_payment(self, tenant: str, cash_reference: str, amount_cents: int, user: str | None = None,
                       booking_key: str | None = None) -> dict:
        """A payment booked in the finance system reaches the case that waits for it. Sent again
        with the same ``booking_key``, it is not booked twice, but the case is told again (in
        case the first attempt stopped between booking and telling). An unknown cash reference is
        NotFound, a missing reference or amount FormInvalid."""
        cash_reference = (cash_reference or "").strip()
        if not cash_reference:
            raise FormInvalid([FieldError("kassenzeichen", "Kassenzeichen: Bitte angeben (Form KZ-JJJJ-NNNNNN).")])
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
            raise FormInvalid([FieldError("betrag", "Betrag: Bitte einen Betrag über 0 Euro angeben, z. B. 15,00.")])
        try:
            balance = self.finance.record_payment(tenant, cash_reference, amount_cents, booking_key=booking_key)
        except UnknownCashReference:
            raise NotFound(f"Kassenzeichen „{cash_reference}“ ist nicht bekannt. Bitte prüfen Sie die Eingabe "
                           "(Form KZ-JJJJ-NNNNNN).") from None
        if balance["paid"]:
            try:
                self.engine.runtime.correlate("zahlung_eingegangen", {"kassenzeichen": cash_reference},
                                              {"zahlung": balance}, tenant=tenant, user=user)
            except MessageNotCorrelated:
                pass  # pay-later cases do not wait for the payment; the balance is booked all the same
            except EngineError as err:
                balance = {**balance, "problem": str(err)}
        return balance

    def open_print_jobs(self, tenant: str):
        return self.print_mail.open_jobs(tenant)

    def mark_posted(self, tenant: str, job_ids: list, user: str) -> tuple[str, list[str]]:
        """Marks a print batch posted and tells each case that waits for it that its letter is on
        its way. Returns the batch id and the problems of cases that could not be told. No job
        chosen is FormInvalid; a job that is not open (posted meanwhile, unknown) InvalidState,
        and then none is marked."""
        try:
            ids = sorted({int(j) for j in job_ids})
        except (TypeError, ValueError):
            ids = None
        if not ids:
            raise FormInvalid([FieldError("auftrag", "Bitte wählen Sie mindestens eine Sendung aus der Liste.")])
        try:
            batch_id = self.print_mail.mark_batch_posted(tenant, ids, user)
        except JobsNotOpen as err:
            raise InvalidState(f"Nicht aufgegeben: Sendung {', '.join(map(str, err.job_ids))} ist nicht mehr offen "
                               "(schon aufgegeben?). Bitte laden Sie die Seite neu und wählen Sie erneut.") from None
        problems = []
        for job_id in ids:
            try:
                self.engine.runtime.correlate("druck_versandt", {"druckauftrag": str(job_id)},
                                              {"postausgang": batch_id}, tenant=tenant, user=user)
            except MessageNotCorrelated:
                pass  # not every process waits for its letter to be posted
            except EngineError as err:
                problems.append(f"Sendung {job_id}: {err}")
        return batch_id, problems

    # --- citizens: only their own cases, in their own municipality -------------------------------

    def my_cases(self, principal: Principal) -> list[Case]:
        require_role(principal, "citizen")
        return self.cases(principal.tenant, principal.id)

    def my_case(self, principal: Principal, case_number: str) -> tuple[Case, list, list]:
        """The case, its statuses and its postbox, if the citizen filed it."""
        require_role(principal, "citizen")
        found = self.case(principal.tenant, case_number, citizen=principal.id)
        return (found, self.portal.statuses(principal.tenant, case_number),
                self.portal.messages(principal.tenant, case_number=case_number))

    def my_document(self, principal: Principal, case_number: str, document_id):
        require_role(principal, "citizen")
        return self.document(principal.tenant, case_number, document_id, citizen=principal.id)

    def my_attachments(self, principal: Principal, case_number: str) -> list[dict]:
        require_role(principal, "citizen")
        self._instances(principal.tenant, case_number, principal.id)
        return self.efile.attachments(principal.tenant, case_number)

    def my_attachment(self, principal: Principal, case_number: str, attachment_id) -> dict:
        """One of the case's attachments with its content, for the citizen who filed the case."""
        require_role(principal, "citizen")
        self._instances(principal.tenant, case_number, principal.id)
        return self._attachment(principal.tenant, case_number, attachment_id)

    def hand_in(self, principal: Principal, case_number: str, title: str, upload: Upload | None) -> dict:
        """A document the citizen hands in later ("nachreichen"): checked like every attachment, filed in
        the case's e-file (the clerk sees it with the case). A question (Rückfrage) waiting for the citizen
        is answered with it, so the process goes on. On FormInvalid nothing is stored."""
        require_role(principal, "citizen")
        [info] = self._instances(principal.tenant, case_number, principal.id)
        if info.state in ("completed", "cancelled"):
            raise FormInvalid([FieldError("datei", "Datei: Der Antrag ist abgeschlossen; Unterlagen lassen sich "
                                                   "nicht mehr nachreichen. Bitte stellen Sie einen neuen Antrag.")])
        errors, kind = [], None
        if not (title or "").strip():
            errors.append(FieldError("bezeichnung", "Bezeichnung: Bitte geben Sie an, was Sie nachreichen "
                                                    "(z. B. „Vollmacht“)."))
        else:
            try:
                title = forms.check_text(title, "bezeichnung", "Bezeichnung", HAND_IN_TITLE_MAX_LENGTH, multiline=False)
            except FormInvalid as err:
                errors += err.errors
        if upload is None or not (upload.name or upload.content):
            errors.append(FieldError("datei", "Datei: Bitte wählen Sie die Datei aus."))
        else:
            kind, problem = check_upload(HAND_IN_FIELD, upload.content, self.scanner, self.max_file_bytes)
            if problem:
                errors.append(FieldError("datei", f"Datei: {_file_name(upload.name)}: {problem}"))
            else:
                errors += self._hand_in_budget(principal.tenant, case_number, upload.content)
        if errors:
            raise FormInvalid(errors)
        record = self.efile.add_attachment(principal.tenant, principal.id, case_number, title, _file_name(upload.name),
                                           kind, upload.content)
        if info.variables.get("rueckfrage_offen"):
            try:
                self._answer(info, f"Unterlage nachgereicht: {title} ({record['name']})",
                             forms.local_date(self.engine.ctx.now()), "portal", user=principal.id)
            except QuestionNotOpen:
                pass  # answered or past its deadline: the document is in the file all the same
        return record

    def _hand_in_budget(self, tenant: str, case_number: str, content: bytes) -> list[FieldError]:
        """Documents handed in later share one application's limit, so the case's e-file stays bounded."""
        later = [a for a in self.efile.attachments(tenant, case_number) if a["later"]]
        if any(a["sha256"] == hashlib.sha256(content).hexdigest() for a in later):
            return []  # handed in before: filed once, costs nothing
        if len(later) >= HAND_IN_MAX_FILES:
            return [FieldError("datei", f"Datei: Zu diesem Antrag sind bereits {len(later)} Unterlagen nachgereicht. "
                                        "Bitte wenden Sie sich für weitere an die Behörde.")]
        total = sum(a["bytes"] for a in later) + len(content)
        if total > self.max_total_bytes:
            return [FieldError("datei", f"Datei: Alle nachgereichten Unterlagen zusammen wären "
                                        f"{forms.size_text(total, up=True)} groß; je Antrag sind höchstens "
                                        f"{forms.size_text(self.max_total_bytes)} möglich. Bitte verkleinern Sie "
                                        "die Datei.")]
        return []

    def _attachment(self, tenant: str, case_number: str, attachment_id) -> dict:
        try:
            return self.efile.attachment(tenant, case_number, int(attachment_id))
        except (LookupError, ValueError):
            raise NotFound("Anlage nicht gefunden. Bitte öffnen Sie sie über die Seite des Antrags.") from None

    def my_delivery(self, principal: Principal) -> str:
        """"postfach" or "post": how the citizen's letters reach them."""
        require_role(principal, "citizen")
        return self.portal.delivery_choice(principal.tenant, principal.id)

    def choose_my_delivery(self, principal: Principal, delivery: str) -> None:
        """From now on, for all the citizen's cases; InvalidRequest for anything but the two choices."""
        require_role(principal, "citizen")
        self.portal.choose_delivery(principal.tenant, principal.id, delivery)

    def my_reply(self, principal: Principal, case_number: str, text: str) -> None:
        require_role(principal, "citizen")
        self.reply(principal.tenant, case_number, text, citizen=principal.id)

    def my_draft(self, principal: Principal, service_key: str) -> dict | None:
        require_role(principal, "citizen")
        return self.draft(principal.tenant, principal.id, service_key)

    def save_my_draft(self, principal: Principal, service_key: str, data: dict) -> None:
        require_role(principal, "citizen")
        self.save_draft(principal.tenant, principal.id, service_key, data)

    def submit_my_draft(self, principal: Principal, service_key: str) -> Case:
        require_role(principal, "citizen")
        return self.submit_draft(service_key, principal.tenant, principal.id, identity=login_identity(principal))

    # --- staff: their municipality, their offices, their roles ----------------------------------

    def counter_services(self, principal: Principal) -> list:
        """The services this clerk may file at the counter: offered by the municipality and run by
        one of the clerk's offices (the service's ``clerk_groups``)."""
        _staff(principal, "clerk")
        place = municipality(principal.tenant)
        return [s for s in services().values() if place.offers(s.key) and set(s.clerk_groups) & principal.groups]

    def counter_service(self, principal: Principal, service_key: str):
        _staff(principal, "clerk")
        try:
            svc = service(service_key)
        except UnknownService as err:
            raise NotFound(str(err)) from None
        place = municipality(principal.tenant)
        if not place.offers(service_key):
            raise NotFound(f"{place.name} bietet „{svc.title}“ nicht an.")
        if not set(svc.clerk_groups) & principal.groups:
            raise Forbidden(f"„{svc.title}“ nimmt ein anderes Amt entgegen. Bitte wenden Sie sich an das "
                            "zuständige Amt.")
        return svc

    def submit_at_counter(self, principal: Principal, service_key: str, data: dict, channel: str = "schalter") -> Case:
        self.counter_service(principal, service_key)
        return self.submit(service_key, principal.tenant, data, channel=channel, clerk=principal.id)

    def worklist(self, principal: Principal, group: str | None = None, follow_up_before=None, page: int = 1,
                 per_page: int = 50):
        _staff(principal, "clerk")
        groups = [group] if group in principal.groups else sorted(principal.groups)
        return self.engine.tasks.query(tenant=principal.tenant, candidate_groups=groups,
                                       follow_up_before=follow_up_before, page=page, per_page=per_page)

    def task(self, principal: Principal, task_id: str):
        """The task, if it belongs to the clerk's municipality and one of their offices."""
        _staff(principal, "clerk")
        task = self.engine.tasks.get(task_id)
        if task.tenant != principal.tenant:
            raise NotFound(f"Aufgabe {task_id} nicht gefunden.")
        require_office(principal, [task.candidate_group] if task.candidate_group else [])
        return task

    def open_task(self, principal: Principal, task_id: str):
        """The task with its form and the case's data (an access to personal data: audited)."""
        task = self.task(principal, task_id)
        schema = self.engine.tasks.form(task_id)
        variables = self.engine.runtime.get(task.instance_id).variables
        self.engine.history.record_access(task.instance_id, principal.id, "data_viewed",
                                          {"ansicht": "aufgabe", "aufgabe": task.activity_id})
        return task, schema, variables

    def task_document(self, principal: Principal, task_id: str, document_id):
        """A document of the task's case in the citizen's postbox, for the clerk of the task (audited)."""
        task = self.task(principal, task_id)
        found = self.document(task.tenant, task.business_key, document_id)  # else NotFound
        self.engine.history.record_access(task.instance_id, principal.id, "data_viewed",
                                          {"ansicht": "dokument", "dokument": str(document_id)[:40]})
        return found

    def task_attachments(self, principal: Principal, task_id: str) -> list[dict]:
        """The attachments of the task's case (with those handed in later), for the clerk of the task."""
        task = self.task(principal, task_id)
        return self.efile.attachments(task.tenant, task.business_key) if task.business_key else []

    def task_attachment(self, principal: Principal, task_id: str, attachment_id) -> dict:
        """One attachment of the task's case with its content, for the clerk of the task (audited)."""
        task = self.task(principal, task_id)
        if not task.business_key:
            raise NotFound("Anlage nicht gefunden.")
        found = self._attachment(task.tenant, task.business_key, attachment_id)
        self.engine.history.record_access(task.instance_id, principal.id, "data_viewed",
                                          {"ansicht": "anhang", "anhang": found["anlage"]})
        return found

    def complete_task(self, principal: Principal, task_id: str, data: dict) -> None:
        self.task(principal, task_id)
        self.engine.tasks.complete(task_id, data, user=principal.id)

    def set_follow_up(self, principal: Principal, task_id: str, at) -> None:
        self.task(principal, task_id)
        self.engine.tasks.set_follow_up(task_id, at)

    def open_questions(self, principal: Principal) -> list[dict]:
        """The cases of the clerk's offices whose question waits for the citizen's answer, oldest first."""
        _staff(principal, "clerk")
        place = municipality(principal.tenant)
        found = []
        for svc in services().values():
            if not (place.offers(svc.key) and set(svc.clerk_groups) & principal.groups):
                continue
            page = 1
            while infos := self.engine.runtime.query(tenant=principal.tenant, process_key=svc.process_key,
                                                     state="waiting", page=page, per_page=200):
                found += [_question(svc, info) for info in infos if info.variables.get("rueckfrage_offen")]
                page += 1
        return sorted(found, key=lambda q: (q["rueckfrage_am"] or "", q["case_number"]))

    def open_question(self, principal: Principal, case_number: str) -> dict:
        """The case's open question, for the clerk who records the answer (an access to personal data:
        audited). Another municipality's case is NotFound, another office's Forbidden."""
        info = self._case_of_office(principal, case_number)
        if not info.variables.get("rueckfrage_offen"):
            raise QuestionNotOpen(self._why_not_open(info))
        self.engine.history.record_access(info.id, principal.id, "data_viewed", {"ansicht": "rueckfrage"})
        return _question(service_of_process(info.process_key), info)

    def record_reply(self, principal: Principal, case_number: str, text: str, received_on: str,
                     channel: str = "brief") -> None:
        """The answer that came by letter or at the counter, as the portal's would: the same checks on the
        text, the day it arrived (not in the future, not before the question, not after the deadline), the
        audit trail naming the clerk. On FormInvalid nothing is stored."""
        info = self._case_of_office(principal, case_number)
        text, errors = _reply_text(text)
        if channel not in REPLY_CHANNELS:
            errors.append(FieldError("kanal", "Eingang: Bitte „Brief“ oder „persönlich am Schalter“ wählen."))
        day, problem = _received_on(received_on, info.variables, forms.local_date(self.engine.ctx.now()))
        if problem:
            errors.append(FieldError("eingang", problem))
        if errors:
            raise FormInvalid(errors)
        self._answer(info, text, day, channel, user=principal.id, recorded_by=principal.id)

    def _case_of_office(self, principal: Principal, case_number: str):
        _staff(principal, "clerk")
        [info] = self._instances(principal.tenant, (case_number or "").strip().upper(), None)
        svc = service_of_process(info.process_key)
        if svc is None or not set(svc.clerk_groups) & principal.groups:
            raise Forbidden(f"Antrag {info.business_key} bearbeitet ein anderes Amt. Bitte geben Sie das Schreiben "
                            "an das zuständige Amt weiter.")
        return info

    def book_payment(self, principal: Principal, cash_reference: str, amount_cents: int,
                     booking_key: str | None = None) -> dict:
        """The cashier books on the own municipality's cash references only (others are unknown)."""
        _staff(principal, "cashier")
        return self.record_payment(principal.tenant, cash_reference, amount_cents, user=principal.id,
                                   booking_key=booking_key)

    def outbox(self, principal: Principal):
        _staff(principal, "post_room")
        return self.open_print_jobs(principal.tenant)

    def post(self, principal: Principal, job_ids: list) -> tuple[str, list[str]]:
        _staff(principal, "post_room")
        return self.mark_posted(principal.tenant, job_ids, principal.id)

    def _instances(self, tenant, case_number, citizen):
        infos = self.engine.runtime.query(tenant=tenant, business_key=case_number) if case_number else []
        if not infos or (citizen is not None and infos[0].started_by != citizen):
            raise NotFound(f"Antrag {case_number} nicht gefunden. Bitte prüfen Sie die Antragsnummer "
                           "oder öffnen Sie den Antrag über „Meine Anträge“.")
        return infos

    def _case(self, info) -> Case:
        statuses = self.portal.statuses(info.tenant, info.business_key)
        last = statuses[-1] if statuses else None
        return Case(info.business_key, info.id, _service_of(info.process_key), info.tenant, info.state,
                    info.started_at, last and last["status"], last and last["label"])


IDENTITY_CLAIMS = ("given_name", "family_name", "birth_name", "birth_date")


def login_identity(principal: Principal) -> dict:
    """The person the sign-in vouched for, and how strongly (a process decides what that level proves)."""
    return {"trust_level": principal.trust_level,
            **{k: str(principal.identity[k])[:200] for k in IDENTITY_CLAIMS if principal.identity.get(k)}}


def _service_of(process_key: str) -> str:
    found = service_of_process(process_key)
    return found.key if found else process_key


def _file_name(name: str) -> str:
    """The file's own name without any folder the browser sent, shortened, without control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable())[:120].strip()
    return base or "Datei"


def _copy(data: dict) -> dict:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in (data or {}).items()}


def _at(data: dict, key: str):
    for part in key.split("/"):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _put(data: dict, key: str, value) -> None:
    *parents, leaf = key.split("/")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = value


def _code(length: int = 8) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def _reply_text(text: str) -> tuple[str, list[FieldError]]:
    """An answer: at most REPLY_MAX_LENGTH characters, several lines allowed, no control characters."""
    if not (text or "").strip():
        return "", [FieldError("antwort", "Antwort: Bitte geben Sie die Antwort ein.")]
    try:
        text = forms.check_text(text, "antwort", "Antwort", REPLY_MAX_LENGTH, multiline=True)
    except FormInvalid as err:
        return "", list(err.errors)
    if len(text) < 3:
        return "", [FieldError("antwort", "Antwort: Bitte geben Sie die Antwort ein (mindestens 3 Zeichen).")]
    return text, []


_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")


def _received_on(raw: str, question: dict, today: date) -> tuple[date | None, str | None]:
    """The day an answer arrived, as typed (JJJJ-MM-TT or TT.MM.JJJJ), or the German problem with it."""
    found = _DAY.fullmatch((raw or "").strip())
    try:
        day = found and (date(int(found[1]), int(found[2]), int(found[3])) if found[1] else
                         date(int(found[6]), int(found[5]), int(found[4])))
    except ValueError:
        day = None
    if not day:
        return None, "Eingangsdatum: Bitte den Tag angeben, an dem die Antwort einging (TT.MM.JJJJ)."
    if day > today:
        return None, f"Eingangsdatum: Der {day:%d.%m.%Y} liegt in der Zukunft. Bitte den Tag des Eingangs angeben."
    if day.isoformat() < question.get("rueckfrage_am", ""):
        return None, (f"Eingangsdatum: Die Rückfrage wurde erst am {_german(question['rueckfrage_am'])} gestellt. "
                      "Bitte prüfen Sie das Datum.")
    if day.isoformat() > question.get("antwort_bis", "9999"):
        return None, (f"Eingangsdatum: Die Antwortfrist endete am {_german(question['antwort_bis'])}; eine später "
                      "eingegangene Antwort kann nicht mehr erfasst werden.")
    return day, None


def _question(svc, info) -> dict:
    v = info.variables
    return {"case_number": info.business_key, "service": svc.title, "frage": v.get("frage"),
            "rueckfrage_am": v.get("rueckfrage_am"), "antwort_bis": v.get("antwort_bis"), "kanal": v.get("kanal")}


def _deadline_passed(info) -> str:
    return (f"Die Antwortfrist zu Antrag {info.business_key} endete am {_german(info.variables['antwort_bis'])}; "
            "das Verfahren wird eingestellt. Eine Antwort kann nicht mehr erfasst werden.")


def _german(iso_day: str) -> str:
    return date.fromisoformat(iso_day).strftime("%d.%m.%Y")


def _no_draft() -> NotFound:
    return NotFound("Zu diesem Antrag liegt kein Entwurf mehr vor: Er ist bereits abgeschickt (siehe „Meine "
                    "Anträge“) oder muss neu ausgefüllt werden.")


def _staff(principal: Principal, role: str) -> None:
    """Staff of one municipality with the role (the installation's operators are not clerks)."""
    require_role(principal, role)
    if principal.tenant == EVERY_MUNICIPALITY or principal.has("citizen"):
        raise Forbidden("Diese Seite ist für Ihr Konto nicht freigegeben.")


# Personal data an operator sees only masked: by the variable's name, at any depth.
PERSONAL_KEYS = frozenset({
    "iban", "bic", "kontoinhaber", "geburtsdatum", "geburtsort", "geburtsname", "geburtsland", "anschrift",
    "adresse", "strasse", "street", "hausnummer", "plz", "ort", "wohnort", "email", "telefon",
    "address", "postal_code", "city", "phone", "birth_date", "date_of_birth", "recipient_email", "geburtstag",
    "ereignisdatum", "event_date",  # of a birth certificate: the birth date
    "identitaet",  # what the citizen's sign-in vouched for (login_identity)
})
MASK = "•••• (verborgen)"


def mask_personal_data(value, key: str | None = None):
    """A copy of ``value`` with IBANs, birth dates, addresses and contact data masked."""
    if key is not None and key.lower() in PERSONAL_KEYS:
        if key.lower() == "iban" and isinstance(value, str) and len(value) > 8:
            return f"{value[:4]} •••• {value[-2:]}"
        return MASK if value not in (None, "") else value
    if isinstance(value, dict):
        return {k: mask_personal_data(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_personal_data(v) for v in value]
    return value


class Oversight:
    """Operators: instances, incidents and their retry. An operator of the installation
    (EVERY_MUNICIPALITY) sees every municipality, one of a municipality only its own; personal
    data is masked unless the role ``operator_pii`` allows it; opening an instance is audited."""

    def __init__(self, engine):
        self.engine = engine

    def overview(self, principal: Principal, state: str | None = None) -> dict:
        tenant = self._scope(principal)
        management = self.engine.management
        return {"figures": management.figures(tenant=tenant), "incidents": management.incidents(tenant=tenant),
                "instances": self.engine.runtime.query(state=state, tenant=tenant)}

    def instance(self, principal: Principal, instance_id: str) -> tuple[dict, list]:
        tenant = self._scope(principal)
        info = self.engine.runtime.get(instance_id)
        if tenant is not None and info.tenant != tenant:
            raise NotFound(f"Vorgang {instance_id} nicht gefunden.")
        view = self.engine.instance_view(instance_id)
        if not principal.has("operator_pii"):
            view = {**view, "variables": mask_personal_data(view["variables"]),
                    "audit": [{**a, "changes": mask_personal_data(a["changes"])} for a in view["audit"]]}
        self.engine.history.record_access(instance_id, principal.id, "data_viewed",
                                          {"ansicht": "betrieb", "unmaskiert": principal.has("operator_pii")})
        return view, self.engine.management.jobs(instance_id=instance_id)

    def retry_incident(self, principal: Principal, incident_id: str) -> None:
        tenant = self._scope(principal)
        incident = self.engine.management.incident(incident_id)
        if tenant is not None and incident.tenant != tenant:
            raise NotFound(f"Störung {incident_id} nicht gefunden.")
        self.engine.management.retry_incident(incident_id, user=principal.id)

    @staticmethod
    def _scope(principal: Principal) -> str | None:
        """The municipality the operator may see; None: all."""
        require_role(principal, "operator")
        return None if principal.tenant == EVERY_MUNICIPALITY else principal.tenant
