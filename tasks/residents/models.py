"""Tables of the residents' register and the street directory. Each row carries its municipality."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant
from .addresses import name_key, street_key
from .outbox import ReportColumns

RESIDENCE_KINDS = ("main", "secondary")  # Hauptwohnung, Nebenwohnung (BMG §21)


class ResidentsPerson(Base):
    __tablename__ = "residents_person"
    __table_args__ = (Index("ix_residents_person_search", "tenant", "family_name_key", "date_of_birth"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    family_name: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    family_name_key: Mapped[str] = mapped_column(String(200))  # for case-insensitive search on both databases

    residences: Mapped[list[ResidentsResidence]] = relationship(back_populates="person", order_by="ResidentsResidence.id")

    @validates("family_name")
    def _keep_key(self, attribute: str, value: str) -> str:
        self.family_name_key = name_key(value)
        return value


class ResidentsResidence(Base):
    """A registered dwelling; ``moved_out`` is set when the person deregisters from it."""

    __tablename__ = "residents_residence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    person_id: Mapped[int] = mapped_column(ForeignKey("residents_person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    street: Mapped[str] = mapped_column(String(200))
    house_number: Mapped[str] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(200))
    flat: Mapped[str | None] = mapped_column(String(50))  # Lage der Wohnung, e.g. "2. OG links" (BMG § 3 Abs. 1 Nr. 12)
    moved_in: Mapped[date] = mapped_column(Date)
    moved_out: Mapped[date | None] = mapped_column(Date)

    person: Mapped[ResidentsPerson] = relationship(back_populates="residences")


class ResidentsZone(Base):
    """A resident parking zone (Bewohnerparkgebiet, StVO §45 Abs. 1b Nr. 2a)."""

    __tablename__ = "residents_zone"
    __table_args__ = (UniqueConstraint("tenant", "code", name="uq_residents_zone_tenant_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    code: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(200))


class ResidentsStreet(Base):
    """The street directory: a street or a house-number range of it, with its zone (none: outside
    every zone). A range without bounds covers the whole street."""

    __tablename__ = "residents_street"
    __table_args__ = (Index("ix_residents_street_key", "tenant", "street_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    street: Mapped[str] = mapped_column(String(200))
    street_key: Mapped[str] = mapped_column(String(200))
    number_from: Mapped[int | None] = mapped_column(Integer)
    number_to: Mapped[int | None] = mapped_column(Integer)
    zone_code: Mapped[str | None] = mapped_column(String(5))

    @validates("street")
    def _keep_key(self, attribute: str, value: str) -> str:
        self.street_key = street_key(value)
        return value


class ResidentsRetrieval(Base):
    """Every automated register retrieval with purpose and case (audit trail); also the stored
    answer, so a retried call gets the same answer and is logged once."""

    __tablename__ = "residents_retrieval"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_residents_retrieval_tenant_idempotency_key"),
        Index("ix_residents_retrieval_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(300))
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    query_summary: Mapped[str] = mapped_column(Text)
    result: Mapped[dict] = mapped_column(JSON)


class ResidentsReport(ReportColumns, Base):
    """The register's outbox: a move reported on to the permits (tasks.residents.outbox)."""

    __tablename__ = "residents_report"
    __table_args__ = (UniqueConstraint("tenant", "report_id", name="uq_residents_report_tenant_report_id"),
                      Index("ix_residents_report_due", "state", "due_at"))
