"""Cases as citizens and clerks see them: filing an application (online or at the counter),
status, postbox, replies, payments and posted letters. Built on the engine facade and the
specialist systems; nothing here knows BPMN."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from engine import forms
from engine.errors import EngineError, FieldError, FormInvalid, InvalidState, MessageNotCorrelated, NotFound
from tasks.finance import UnknownCashReference
from tasks.portal import DocumentNotFound
from tasks.print_mail import JobsNotOpen

from .catalog import service, service_of_process
from .municipalities import municipality

CHANNELS = ("portal", "schalter", "brief")
REPLY_MAX_LENGTH = 5000  # a citizen's answer to a question (Rückfrage)
BERLIN = ZoneInfo("Europe/Berlin")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: case numbers are read aloud


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
    def __init__(self, engine, portal, finance, print_mail, checks=None):
        """The systems are the installation's (``processes.bootstrap``), so a replaced one is used here too.
        ``checks``: service key -> callable(tenant, data) -> [FieldError], the plausibility checks a form
        schema cannot make (see ``processes.checks``)."""
        self.checks = dict(checks or {})
        self.engine = engine
        self.portal = portal
        self.finance = finance
        self.print_mail = print_mail

    def submit(self, service_key: str, tenant: str, data: dict, channel: str = "portal",
               citizen: str | None = None, clerk: str | None = None, claim=None) -> Case:
        """Validates the application and starts its process. On any form error nothing is stored.
        ``claim`` (see ``RuntimeService.start``) runs in the start's transaction; when it returns
        False nothing is started and the result is NotFound."""
        svc, place = service(service_key), municipality(tenant)
        if not place.offers(service_key):
            raise NotFound(f"{place.name} bietet „{svc.title}“ nicht online an.")
        if channel not in CHANNELS:
            raise ValueError(f"Unbekannter Eingangskanal '{channel}'.")
        now = self.engine.ctx.now().astimezone(BERLIN)  # the citizen's date, not UTC's
        data = self.check_application(service_key, data, tenant=tenant)
        case_number = f"{svc.case_prefix}-{now.year}-{_code()}"
        variables = {
            "antrag": data,
            "fall": case_number,
            "kanal": channel,
            "konto": citizen,
            "eingang": now.date().isoformat(),
            "kommune": place.letterhead(service_key),
            "einstellungen": place.settings(service_key),
        }
        started = self.engine.runtime.start(svc.process_key, tenant=tenant, business_key=case_number,
                                            variables=variables, user=clerk or citizen, claim=claim)
        if started is None:
            raise _no_draft()
        return self.case(tenant, case_number)

    def check_application(self, service_key: str, data: dict, tenant: str | None = None) -> dict:
        """The application as it may be stored (see ``engine.forms.clean``), then the service's own
        plausibility checks against the tenant's data; FormInvalid if it cannot."""
        data, errors = forms.clean(service(service_key).form, data, today=forms.local_date(self.engine.ctx.now()))
        if not errors and tenant is not None and service_key in self.checks:
            errors = list(self.checks[service_key](tenant, data))
        if errors:
            raise FormInvalid(errors)
        return data

    def draft(self, tenant: str, citizen: str, service_key: str) -> dict | None:
        return self.portal.draft(tenant, citizen, service_key)

    def save_draft(self, tenant: str, citizen: str, service_key: str, data: dict) -> None:
        self.portal.save_draft(tenant, citizen, service_key, data)

    def submit_draft(self, service_key: str, tenant: str, citizen: str) -> Case:
        """Sends the citizen's draft. The draft is taken in the transaction that starts the
        process, so the application is either sent and the draft gone, or (a form error, the
        database went away, even a commit whose answer was lost) nothing happened and the draft
        is still there. A double click sends one application: the second finds no draft."""
        data = self.portal.draft(tenant, citizen, service_key)
        if not data:
            raise _no_draft()

        def take_draft(conn) -> bool:
            return self.portal.discard_draft(tenant, citizen, service_key, conn=conn)

        return self.submit(service_key, tenant, data, channel="portal", citizen=citizen, claim=take_draft)

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
        """The citizen's answer to a question (Rückfrage): at most REPLY_MAX_LENGTH characters, several
        lines allowed, no control characters. On FormInvalid nothing is stored."""
        self._instances(tenant, case_number, citizen)
        if not (text or "").strip():
            raise FormInvalid([forms.FieldError("antwort", "Antwort: Bitte geben Sie Ihre Antwort ein.")])
        text = forms.check_text(text, "antwort", "Antwort", REPLY_MAX_LENGTH, multiline=True)
        if len(text) < 3:
            raise FormInvalid([forms.FieldError("antwort", "Antwort: Bitte geben Sie Ihre Antwort ein "
                                                           "(mindestens 3 Zeichen).")])
        try:
            self.engine.runtime.correlate("buergerantwort", {"fall": case_number}, {"antwort": text},
                                          tenant=tenant, user=citizen)
        except MessageNotCorrelated:
            raise NotFound("Zu diesem Antrag ist keine Rückfrage offen.") from None

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

    def _instances(self, tenant, case_number, citizen):
        infos = self.engine.runtime.query(tenant=tenant, business_key=case_number)
        if not infos or (citizen is not None and infos[0].started_by != citizen):
            raise NotFound(f"Antrag {case_number} nicht gefunden. Bitte prüfen Sie die Antragsnummer "
                           "oder öffnen Sie den Antrag über „Meine Anträge“.")
        return infos

    def _case(self, info) -> Case:
        statuses = self.portal.statuses(info.tenant, info.business_key)
        last = statuses[-1] if statuses else None
        return Case(info.business_key, info.id, _service_of(info.process_key), info.tenant, info.state,
                    info.started_at, last and last["status"], last and last["label"])


def _service_of(process_key: str) -> str:
    found = service_of_process(process_key)
    return found.key if found else process_key


def _code(length: int = 8) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def _no_draft() -> NotFound:
    return NotFound("Zu diesem Antrag liegt kein Entwurf mehr vor: Er ist bereits abgeschickt (siehe „Meine "
                    "Anträge“) oder muss neu ausgefüllt werden.")
