"""Reports of the residents and vehicle registers reach the permits they concern.

The residents register reports a move (``tasks.residents.record_move``), the vehicle register a sale or
new holder (``tasks.vehicles.report_holder_change``). For each valid resident parking permit the report
concerns, one report process (``bewohnerparken_meldung``) starts under the permit's case: it judges the
report and withdraws the permit with a notice, asks for a move to another zone or vehicle, or leaves it.
A register may deliver a report again (a retry after a lost answer): the start is claimed per report and
permit in the start's own transaction, so a second delivery starts nothing. The instances run as the
registers ("melderegister", "fahrzeugregister") and appear in the operators' overview like every case."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from engine.errors import NotFound
from engine.facade import ProcessEngine
from engine.operations import InvalidRequest
from tasks.registry import Registry

PROCESS_KEY = "bewohnerparken_meldung"
SOURCES = {"umzug": "melderegister", "halterwechsel": "fahrzeugregister"}
# What the report process needs of the permit's case: its notices and e-file are the case's.
CASE_CONTEXT = ("fall", "konto", "antragsteller", "anschrift", "person", "akte", "kommune")
MAX_REPORT_ID = 80  # parking_register_report.report_id


class RegisterReports:
    def __init__(self, engine: ProcessEngine, registry: Registry):
        self.engine, self.parking = engine, registry.system("parking")

    def deliver(self, tenant: str, report: dict) -> list[str]:
        """Takes a register's report in -> the ids of the report processes it started (none when no valid
        permit is concerned or the report was delivered before). Each runs under the business key
        "<case number>-<report id>"."""
        source = SOURCES.get(str(report.get("art")))
        report_id = str(report.get("meldung_id") or "").strip()
        if source is None or not report_id or len(report_id) > MAX_REPORT_ID:
            raise InvalidRequest("Die Registermeldung braucht eine bekannte Art und eine Meldungsnummer "
                                 f"(höchstens {MAX_REPORT_ID} Zeichen).")
        started = []
        for permit in self.parking.affected_permits(tenant, report):
            business_key = f"{permit['case_number']}-{report_id}"[:200]
            instance_id = self._start(tenant, source, report_id, permit, business_key, report)
            if instance_id is not None:
                started.append(instance_id)
        return started

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
