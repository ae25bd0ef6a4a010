"""Tables of the parking permit system."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant

STATUSES = ("valid", "replaced", "withdrawn")  # expiry needs no status: valid_until says it
REPORT_SOURCES = ("melderegister", "fahrzeugregister")


class ParkingCounter(Base):
    """Per-tenant number ranges, scope "2026" for the permits issued in 2026."""

    __tablename__ = "parking_counter"

    tenant: Mapped[str] = mapped_column(Tenant, primary_key=True)
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class ParkingPermit(Base):
    __tablename__ = "parking_permit"
    __table_args__ = (
        UniqueConstraint("tenant", "permit_number", name="uq_parking_permit_tenant_permit_number"),
        UniqueConstraint("tenant", "idempotency_key", name="uq_parking_permit_tenant_idempotency_key"),
        Index("ix_parking_permit_resident", "tenant", "resident_key", "plate"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    permit_number: Mapped[str] = mapped_column(String(30))
    resident_key: Mapped[str] = mapped_column(String(300))  # see tasks.residents.addresses.person_key
    holder_name: Mapped[str] = mapped_column(String(300))  # the resident, printed on the permit
    plate: Mapped[str] = mapped_column(String(12))
    zone: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(20))  # new, replacement
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("parking_permit.id"))
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)  # Widerruf (§ 49 VwVfG), effective from that day
    withdrawal_reason: Mapped[str | None] = mapped_column(String(300))
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ParkingRegisterReport(Base):
    """A report of the residents or vehicle register that started a permit's report process: once per
    report and permit, however often the register delivers it."""

    __tablename__ = "parking_register_report"
    __table_args__ = (
        UniqueConstraint("tenant", "source", "report_id", "permit_number", name="uq_parking_register_report_once"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    source: Mapped[str] = mapped_column(String(20))  # REPORT_SOURCES
    report_id: Mapped[str] = mapped_column(String(80))  # the register's id of the report
    permit_number: Mapped[str] = mapped_column(String(30))
    business_key: Mapped[str] = mapped_column(BusinessKey)  # of the report process it started
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
