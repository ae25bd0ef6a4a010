"""Issuing, replacing and checking resident parking permits."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import BusinessError, InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import (
    berlin_today,
    call_today,
    iso,
    next_counter,
    parse_date,
    require,
    run_once,
    utcnow,
)
from ..documents.filing import file_pdf
from ..vehicles.plates import normalise_plate
from .document import render_permit_pdf
from .models import REPORT_SOURCES, ParkingCounter, ParkingPermit, ParkingRegisterReport
from .rules import REPORT_KINDS, blocks_new_permit, change_outcome, valid_until


class Parking(SpecialistSystem):
    name = "parking"
    operations = ("check_permits", "issue_permit", "replace_permit", "permit_status", "render_permit", "assess_change",
                  "withdraw_permit")

    def __init__(self, sessions: sessionmaker[Session], efile):
        self.sessions = sessions
        self.efile = efile

    def check_permits(self, call: ServiceCall) -> dict:
        """The one-permit rule before anything is billed: one permit per resident (VwV-StVO zu § 45,
        Rn. 35: a Bewohnerparkausweis per resident; a new vehicle changes the plate on that permit).

        params: resident_key, plate, replace (bool), old_plate? (replace: the plate on the permit to
        replace, default plate), renewal_window_days? (default 0)
        -> {"rule": "ok" | "permit_exists" | "nothing_to_replace" | "new_vehicle", "existing" (the resident's
        valid permit, for any plate, or None), "to_replace" (or None), "valid_from" (ISO: start of a new
        permit)}. "new_vehicle": a new permit was asked for another car while the resident holds a valid
        one; it is a replacement of that permit's plate (at the replacement fee), ``to_replace`` says which."""
        p = call.params
        require(p, "resident_key", "plate")
        plate, today = normalise_plate(p["plate"]), call_today(call)
        window = int(p.get("renewal_window_days") or 0)
        with transaction(self.sessions) as session:
            existing = valid_permit(session, call.tenant, p["resident_key"], None, today)
            to_replace = None
            if p.get("replace"):
                to_replace = valid_permit(session, call.tenant, p["resident_key"],
                                          normalise_plate(p.get("old_plate") or plate), today)
                rule = ("nothing_to_replace" if to_replace is None
                        else "permit_exists" if existing is not None and existing.id != to_replace.id else "ok")
                start = today
            else:
                blocked = blocks_new_permit(existing and existing.valid_until, today, window)
                rule = ("ok" if not blocked else "permit_exists" if existing.plate == plate else "new_vehicle")
                if rule == "new_vehicle":
                    to_replace = existing
                start = max(today, existing.valid_until + timedelta(days=1)) if existing and not blocked else today
            return {"rule": rule, "existing": existing and permit_view(existing),
                    "to_replace": to_replace and permit_view(to_replace), "valid_from": iso(start)}

    def issue_permit(self, call: ServiceCall) -> dict:
        """params: resident_key, holder_name, plate, zone, validity_months, not_before? (ISO; the permit
        starts then or today, whichever is later) -> the permit (see permit_view). One permit per key;
        BusinessError "permit_exists" if the resident holds a permit (for any vehicle) in that period."""
        p = call.params
        require(p, "resident_key", "holder_name", "plate", "zone", "validity_months")
        plate, zone, months = normalise_plate(p["plate"]), zone_code(p["zone"]), int(p["validity_months"])
        today = call_today(call)
        start = max(today, parse_date(p.get("not_before"), "not_before") or today)
        until = valid_until(start, months)

        def create(session: Session):
            clash = valid_permit(session, call.tenant, p["resident_key"], None, start)
            if clash is not None:
                raise BusinessError("permit_exists", f"Es besteht bereits Ausweis {clash.permit_number} ({clash.plate}).",
                                    {"permit_number": clash.permit_number})
            row = self._new_permit(session, call, p, plate, zone, "new", start, until)
            return permit_view(row)

        return run_once(self.sessions, self._by_key(call), create)

    def replace_permit(self, call: ServiceCall) -> dict:
        """Replacement after a move (new zone) or for a new plate: the old permit becomes invalid, the
        new one runs from today to the old end date.

        params: resident_key, holder_name, old_plate, plate, zone -> the new permit, with "replaces"
        (the old permit number). BusinessError "no_permit_to_replace" if there is no valid permit."""
        p = call.params
        require(p, "resident_key", "holder_name", "old_plate", "plate", "zone")
        plate, old_plate, zone, today = normalise_plate(p["plate"]), normalise_plate(p["old_plate"]), zone_code(p["zone"]), call_today(call)

        def create(session: Session):
            old = valid_permit(session, call.tenant, p["resident_key"], old_plate, today, for_update=True)
            if old is None:
                raise BusinessError("no_permit_to_replace", f"Für {old_plate} gibt es keinen gültigen Ausweis.")
            old.status, old.replaced_at = "replaced", utcnow()
            row = self._new_permit(session, call, p, plate, zone, "replacement", today, old.valid_until)
            row.replaces_id = old.id
            session.flush()
            return permit_view(row, replaces=old.permit_number)

        return run_once(self.sessions, self._by_key(call), create)

    def permit_status(self, call: ServiceCall) -> dict:
        """params: permit_number -> {"permit_number", "status": "valid" | "replaced" | "withdrawn" | "expired",
        "valid_until"}."""
        require(call.params, "permit_number")
        with transaction(self.sessions) as session:
            row = self._permit(session, call.tenant, call.params["permit_number"])
            return {"permit_number": row.permit_number, "status": effective_status(row, call_today(call)),
                    "valid_until": iso(row.valid_until)}

    def render_permit(self, call: ServiceCall) -> dict:
        """The permit to put behind the windscreen, as PDF filed in the case's e-file.

        params: permit_number, file_number, municipality (letterhead), zone_name?, title?, decided_by? (the
        official who approved it, § 37 Abs. 3 VwVfG; without one it was approved by automatic equipment)
        -> {"document_id", "title", "sha256"}. One document per key; dated the engine's today."""
        p = call.params
        require(p, "permit_number", "file_number", "municipality")
        with self.sessions() as session:
            permit = permit_view(self._permit(session, call.tenant, p["permit_number"]))
        title = str(p.get("title") or f"Bewohnerparkausweis {permit['permit_number']}")[:300]
        return file_pdf(self.efile, call, file_number=p["file_number"], title=title, kind="ausweis",
                        render=lambda: render_permit_pdf(permit, p.get("zone_name"), p["municipality"], call.business_key,
                                                         issued_on=call_today(call), decided_by=p.get("decided_by")))

    def assess_change(self, call: ServiceCall) -> dict:
        """A register reported a change for the permit's holder (see rules.change_outcome).

        params: permit_number, kind ("umzug" | "halterwechsel"), new_zone? (zone of the new address,
        None outside every zone), replacement_plate? -> {"outcome", "permit", "reason" (German, for the
        notice)}. A permit that is no longer valid (replaced, withdrawn, expired) needs nothing: "none"."""
        p = call.params
        require(p, "permit_number", "kind")
        if p["kind"] not in REPORT_KINDS:
            raise InvalidRequest(f"Unbekannte Registermeldung {p['kind']!r} (erwartet: {', '.join(REPORT_KINDS)}).")
        new_zone = zone_code(p["new_zone"]) if p.get("new_zone") else None
        replacement = normalise_plate(p["replacement_plate"]) if p.get("replacement_plate") else None
        with transaction(self.sessions) as session:
            row = self._permit(session, call.tenant, p["permit_number"])
            permit = permit_view(row)
            if effective_status(row, call_today(call)) != "valid":
                return {"outcome": "none", "permit": permit, "reason": None}
        zone, plate = permit["zone"], permit["plate"]
        outcome = change_outcome(p["kind"], zone, new_zone, replacement)
        reason = {
            ("umzug", "withdraw"): f"Laut Melderegister wohnen Sie nicht mehr in der Bewohnerparkzone {zone}; Ihre "
                                   "neue Hauptwohnung liegt in keinem Bewohnerparkgebiet.",
            ("umzug", "move"): f"Laut Melderegister liegt Ihre neue Hauptwohnung in der Bewohnerparkzone {new_zone}, "
                               f"der Ausweis gilt aber für die Zone {zone}.",
            ("halterwechsel", "withdraw"): f"Laut Fahrzeugregister sind Sie nicht mehr Halterin oder Halter des "
                                           f"Fahrzeugs {plate}.",
            ("halterwechsel", "new_plate"): f"Laut Fahrzeugregister ersetzt das Fahrzeug {replacement} Ihr bisheriges "
                                            f"Fahrzeug {plate}.",
        }.get((p["kind"], outcome))
        return {"outcome": outcome, "permit": permit, "reason": reason}

    def withdraw_permit(self, call: ServiceCall) -> dict:
        """Widerruf (§ 49 Abs. 2 Satz 1 Nr. 3 VwVfG): the permit is invalid from today on.

        params: permit_number, reason -> the permit, with "withdrawn_on". Withdrawing it again returns
        the first withdrawal; BusinessError "permit_not_valid" for a replaced or expired permit."""
        p = call.params
        require(p, "permit_number", "reason")
        today = call_today(call)

        def withdraw(session: Session):
            row = self._permit(session, call.tenant, p["permit_number"])
            if row.status != "withdrawn":
                if effective_status(row, today) != "valid":
                    raise BusinessError("permit_not_valid",
                                        f"Bewohnerparkausweis {row.permit_number} ist nicht mehr gültig.")
                row.status, row.withdrawn_on, row.withdrawal_reason = "withdrawn", today, str(p["reason"])[:300]
                session.flush()
            return permit_view(row)

        return run_once(self.sessions, lambda session: None, withdraw)

    # Plain methods for the web UI and tests.

    def permits(self, tenant: str, resident_key: str | None = None) -> list[dict]:
        with transaction(self.sessions) as session:
            stmt = select(ParkingPermit).where(ParkingPermit.tenant == tenant)
            if resident_key is not None:
                stmt = stmt.where(ParkingPermit.resident_key == resident_key)
            today = berlin_today()
            return [{**permit_view(r), "status": effective_status(r, today)}
                    for r in session.scalars(stmt.order_by(ParkingPermit.id))]

    def affected_permits(self, tenant: str, report: dict) -> list[dict]:
        """The valid permits a register report concerns: the resident's for a move, the vehicle's for a new
        holder (tasks.residents.record_move, tasks.vehicles.report_holder_change)."""
        if report.get("art") == "umzug":
            return [p for p in self.permits(tenant, str(report["person_key"])) if p["status"] == "valid"]
        if report.get("art") == "halterwechsel":
            plate = normalise_plate(str(report["kennzeichen"]))
            return [p for p in self.permits(tenant) if p["plate"] == plate and p["status"] == "valid"]
        raise InvalidRequest(f"Unbekannte Registermeldung: {str(report.get('art'))[:40]!r}.")

    def claim_report(self, conn, tenant: str, source: str, report_id: str, permit_number: str,
                     business_key: str) -> bool:
        """Notes that this report starts the permit's report process, in ``conn``'s transaction (the one
        that starts it); False if it already did. A concurrent second delivery fails on the unique key."""
        if source not in REPORT_SOURCES:
            raise InvalidRequest(f"Unbekannte Quelle einer Registermeldung: {source[:40]!r}.")
        table = ParkingRegisterReport.__table__
        seen = conn.execute(select(table.c.id).where(
            table.c.tenant == tenant, table.c.source == source, table.c.report_id == report_id,
            table.c.permit_number == permit_number)).first()
        if seen is not None:
            return False
        conn.execute(table.insert().values(tenant=tenant, source=source, report_id=report_id,
                                           permit_number=permit_number, business_key=business_key,
                                           received_at=utcnow()))
        return True

    def register_reports(self, tenant: str) -> list[dict]:
        """The register reports taken in, newest first (operators)."""
        with transaction(self.sessions) as session:
            rows = session.scalars(select(ParkingRegisterReport).where(ParkingRegisterReport.tenant == tenant)
                                   .order_by(ParkingRegisterReport.id.desc()))
            return [{"source": r.source, "report_id": r.report_id, "permit_number": r.permit_number,
                     "business_key": r.business_key, "received_at": r.received_at} for r in rows]

    def _by_key(self, call: ServiceCall):
        def find(session: Session):
            row = session.scalar(select(ParkingPermit).where(
                ParkingPermit.tenant == call.tenant, ParkingPermit.idempotency_key == call.idempotency_key))
            if row is None:
                return None
            replaced = row.replaces_id and session.get(ParkingPermit, row.replaces_id)
            return permit_view(row, replaces=replaced.permit_number if replaced else None)
        return find

    def _new_permit(self, session, call, p, plate, zone, kind, start, until) -> ParkingPermit:
        number = next_counter(session, ParkingCounter, call.tenant, str(start.year))
        row = ParkingPermit(
            tenant=call.tenant, permit_number=f"{zone}-{start.year}-{number:05d}", resident_key=str(p["resident_key"]),
            holder_name=str(p["holder_name"])[:300], plate=plate, zone=zone, kind=kind, valid_from=start,
            valid_until=until, status="valid", business_key=call.business_key, instance_id=call.instance_id,
            idempotency_key=call.idempotency_key, created_at=utcnow())
        session.add(row)
        session.flush()
        return row

    def _permit(self, session: Session, tenant: str, permit_number: str) -> ParkingPermit:
        row = session.scalar(select(ParkingPermit).where(
            ParkingPermit.tenant == tenant, ParkingPermit.permit_number == str(permit_number).strip()))
        if row is None:
            raise InvalidRequest(f"Bewohnerparkausweis {permit_number} gibt es nicht.")
        return row


def valid_permit(session: Session, tenant: str, resident_key: str, plate: str | None, on: date,
                 for_update: bool = False) -> ParkingPermit | None:
    """The resident's permit valid on ``on`` or later (the latest one): for that vehicle, or with
    ``plate`` None for any (one permit per resident)."""
    stmt = (select(ParkingPermit)
            .where(ParkingPermit.tenant == tenant, ParkingPermit.resident_key == str(resident_key),
                   ParkingPermit.status == "valid", ParkingPermit.valid_until >= on)
            .order_by(ParkingPermit.valid_until.desc()))
    if plate is not None:
        stmt = stmt.where(ParkingPermit.plate == plate)
    return session.scalars(stmt.with_for_update() if for_update else stmt).first()


def effective_status(row: ParkingPermit, today: date) -> str:
    return "expired" if row.status == "valid" and row.valid_until < today else row.status


def zone_code(value) -> str:
    code = str(value or "").strip().upper()
    if not code.isalnum() or len(code) > 5:
        raise InvalidRequest(f"Ungültige Parkzone {value!r}.")
    return code


def permit_view(row: ParkingPermit, replaces: str | None = None) -> dict:
    return {"permit_number": row.permit_number, "plate": row.plate, "zone": row.zone, "holder_name": row.holder_name,
            "kind": row.kind, "valid_from": iso(row.valid_from), "valid_until": iso(row.valid_until),
            "status": row.status, "replaces": replaces, "withdrawn_on": iso(row.withdrawn_on),
            "case_number": row.business_key}
