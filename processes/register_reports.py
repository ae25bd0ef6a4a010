"""Reports of the residents and vehicle registers reach the permits they concern.

The residents register reports a move (``tasks.residents.record_move``), the vehicle register a sale or
new holder (``tasks.vehicles.report_holder_change``). For each valid resident parking permit the report
concerns, one report process (``bewohnerparken_meldung``) starts under the permit's case: it judges the
report and withdraws the permit with a notice, asks for a move to another zone or vehicle, or leaves it.
A register may deliver a report again (a retry after a lost answer): the start is claimed per report and
permit in the start's own transaction, so a second delivery starts nothing. The instances run as the
registers ("melderegister", "fahrzeugregister") and appear in the operators' overview like every case.

The registers keep their reports in an outbox (tasks.residents.outbox); the worker's periodic pass (``drain``,
see processes.bootstrap) delivers them: each report once, retried with backoff when its delivery fails, and
shown to the operators (``troubled``) while it is being retried and once the attempts are used up."""
from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from engine.errors import EngineError, NotFound
from engine.facade import ProcessEngine
from engine.operations import InvalidRequest
from tasks.registry import Registry

from .access import EVERY_MUNICIPALITY, Principal, require_role

log = logging.getLogger(__name__)

PROCESS_KEY = "bewohnerparken_meldung"
SOURCES = {"umzug": "melderegister", "halterwechsel": "fahrzeugregister"}
# What the report process needs of the permit's case: its notices and e-file are the case's.
CASE_CONTEXT = ("fall", "konto", "antragsteller", "anschrift", "person", "akte", "kommune")
MAX_REPORT_ID = 80  # parking_register_report.report_id
REGISTERS = {"residents": "Melderegister", "vehicles": "Fahrzeugregister"}  # the systems with an outbox
UNEXPLAINED = "Technischer Fehler bei der Zustellung; Einzelheiten stehen im Protokoll des Workers."


class RegisterReports:
    def __init__(self, engine: ProcessEngine, registry: Registry, lock_seconds: int = 300):
        self.engine, self.parking, self.lock_seconds = engine, registry.system("parking"), lock_seconds
        self.outboxes = {name: registry.system(name).outbox for name in REGISTERS}

    def drain(self, limit: int = 50) -> int:
        """One pass of the intake: delivers the registers' due reports -> how many were delivered. A report
        another worker holds is left to it; a failed delivery is noted with its reason and tried again later."""
        done = 0
        for outbox in self.outboxes.values():
            for row in outbox.due(self.engine.ctx.now(), limit):
                lease = outbox.take(row["id"], self.engine.ctx.now(), self.lock_seconds)
                if lease is None:
                    continue
                started: list[str] = []
                try:
                    self._deliver(row["tenant"], row["report"], started)
                except Exception as err:  # every failure is kept for a retry, none skipped
                    log.warning("Registermeldung %s nicht zugestellt", row["id"], exc_info=True)
                    outbox.failed(row["id"], lease, started, problem_text(err), self.engine.ctx.now())
                else:
                    outbox.delivered(row["id"], lease, started, self.engine.ctx.now())
                    done += 1
        return done

    def troubled(self, principal: Principal) -> list[dict]:
        """The reports the operator may see that did not reach the permits at the first attempt, each with
        "register" (its German name) besides the outbox's fields."""
        tenant = _scope(principal)
        return [{**row, "register": REGISTERS[name], "system": name}
                for name, outbox in self.outboxes.items() for row in outbox.troubled(tenant)]

    def retry(self, principal: Principal, system: str, row_id: int) -> bool:
        """The operator's retry of a report whose attempts are used up; False if there is no such report."""
        outbox = self.outboxes.get(system)
        return outbox is not None and outbox.retry(_scope(principal), row_id)

    def deliver(self, tenant: str, report: dict) -> list[str]:
        """Takes a register's report in -> the ids of the report processes it started (none when no valid
        permit is concerned or the report was delivered before). Each runs under the business key
        "<case number>-<report id>"."""
        started: list[str] = []
        self._deliver(tenant, report, started)
        return started

    def _deliver(self, tenant: str, report: dict, started: list[str]) -> None:
        """As ``deliver``, into ``started``: when a later permit fails, the earlier starts are known."""
        source = SOURCES.get(str(report.get("art")))
        report_id = str(report.get("meldung_id") or "").strip()
        if source is None or not report_id or len(report_id) > MAX_REPORT_ID:
            raise InvalidRequest("Die Registermeldung braucht eine bekannte Art und eine Meldungsnummer "
                                 f"(höchstens {MAX_REPORT_ID} Zeichen).")
        for permit in self.parking.affected_permits(tenant, report):
            business_key = f"{permit['case_number']}-{report_id}"[:200]
            instance_id = self._start(tenant, source, report_id, permit, business_key, report)
            if instance_id is not None:
                started.append(instance_id)

    def _start(self, tenant, source, report_id, permit, business_key, report) -> str | None:
        cases = self.engine.runtime.query(tenant=tenant, business_key=permit["case_number"])
        case = next((c for c in cases if all(k in c.variables for k in CASE_CONTEXT)), None)
        if case is None:
            raise NotFound(f"Zum Bewohnerparkausweis {permit['permit_number']} gibt es keinen Vorgang.")

        def claim(conn) -> bool:
            return self.parking.claim_report(conn, tenant, source, report_id, permit["permit_number"], business_key)

        variables = {**{k: case.variables[k] for k in CASE_CONTEXT}, "ausweisnummer": permit["permit_number"],
                     "meldung": report}
        try:
            return self.engine.runtime.start(PROCESS_KEY, tenant=tenant, business_key=business_key,
                                             variables=variables, user=source, claim=claim)
        except IntegrityError:  # the same report delivered twice at once: the other delivery started it
            return None


def problem_text(err: Exception) -> str:
    """What operators read about a failed delivery: our own errors speak German, anything else is summarised."""
    return str(err) if isinstance(err, (EngineError, InvalidRequest)) and str(err) else UNEXPLAINED


def _scope(principal: Principal) -> str | None:
    require_role(principal, "operator")
    return None if principal.tenant == EVERY_MUNICIPALITY else principal.tenant
