"""Table of the vehicle register excerpt."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import Tenant
from ..residents.outbox import ReportColumns


class VehiclesVehicle(Base):
    """A registered vehicle and its holder (Halter): a person with date of birth, or a company."""

    __tablename__ = "vehicles_vehicle"
    __table_args__ = (UniqueConstraint("tenant", "plate", name="uq_vehicles_vehicle_tenant_plate"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    plate: Mapped[str] = mapped_column(String(12))  # normalised, "PL-EB 1990"
    description: Mapped[str] = mapped_column(String(100))  # make and model
    holder_name: Mapped[str] = mapped_column(String(300))  # as registered: "Erika Maria Beispiel", "Vogtland Logistik GmbH"
    holder_family_name: Mapped[str | None] = mapped_column(String(200))  # None for companies
    holder_date_of_birth: Mapped[date | None] = mapped_column(Date)


class VehiclesReport(ReportColumns, Base):
    """The register's outbox: a new holder reported on to the permits (tasks.residents.outbox)."""

    __tablename__ = "vehicles_report"
    __table_args__ = (UniqueConstraint("tenant", "report_id", name="uq_vehicles_report_tenant_report_id"),
                      Index("ix_vehicles_report_due", "state", "due_at"))
