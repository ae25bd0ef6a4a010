"""Holder check: is the applicant the registered holder of the vehicle?"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import berlin_today, parse_date, require
from ..residents.addresses import name_key
from ..residents.outbox import Outbox
from .models import VehiclesReport, VehiclesVehicle
from .plates import normalise_plate


class Vehicles(SpecialistSystem):
    name = "vehicles"
    operations = ("check_holder",)

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self.outbox = Outbox(sessions, VehiclesReport)  # the new holders reported on, until delivered

    def check_holder(self, call: ServiceCall) -> dict:
        """params: plate, family_name, given_names, date_of_birth
        -> {"plate" (normalised), "registered", "holder_is_applicant", "holder_name", "company", "description"}.
        Read-only, so naturally idempotent."""
        p = call.params
        require(p, "plate", "family_name", "given_names", "date_of_birth")
        plate = normalise_plate(p["plate"])
        born = parse_date(p["date_of_birth"], "date_of_birth")
        with transaction(self.sessions) as session:
            row = session.scalar(select(VehiclesVehicle).where(
                VehiclesVehicle.tenant == call.tenant, VehiclesVehicle.plate == plate))
            if row is None:
                return {"plate": plate, "registered": False, "holder_is_applicant": False, "holder_name": None,
                        "company": False, "description": None}
            return {"plate": plate, "registered": True, "holder_is_applicant": is_holder(row, p, born),
                    "holder_name": row.holder_name, "company": row.holder_family_name is None,
                    "description": row.description}

    def report_holder_change(self, tenant: str, plate: str, replacement_plate: str | None = None) -> dict:
        """The vehicle was sold or has a new holder (plain method: the register's change, reported on to
        the processes) -> {"art": "halterwechsel", "meldung_id", "kennzeichen", "ersatzkennzeichen" (the vehicle that
        replaces it, if the holder named one)}, also written to the register's outbox (once per vehicle and day:
        a second change that day returns the first report). InvalidRequest for a plate the register does not hold."""
        plate = normalise_plate(plate)
        replacement = normalise_plate(replacement_plate) if replacement_plate else None
        with transaction(self.sessions) as session:
            known = session.scalar(select(VehiclesVehicle.id).where(
                VehiclesVehicle.tenant == tenant, VehiclesVehicle.plate == plate))
            if known is None:
                raise InvalidRequest(f"Das Kennzeichen {plate} ist im Fahrzeugregister nicht verzeichnet.")
            # The register reports one change of holder per vehicle and day.
            report_id = f"halterwechsel-{plate.replace(' ', '')}-{berlin_today().isoformat()}"
            return self.outbox.add(session, tenant, {"art": "halterwechsel", "meldung_id": report_id,
                                                     "kennzeichen": plate, "ersatzkennzeichen": replacement})


def is_holder(row: VehiclesVehicle, p: dict, born) -> bool:
    if row.holder_family_name is None or row.holder_date_of_birth != born:
        return False
    given = set(name_key(p["given_names"]).split())
    return name_key(row.holder_family_name) == name_key(p["family_name"]) and given <= set(name_key(row.holder_name).split())
