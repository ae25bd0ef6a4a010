"""Tables of the civil-status register. Each row carries the registry office (tenant)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.db import Base

from ..common import BusinessKey, InstanceId, Tenant

KINDS = ("birth", "marriage", "partnership", "death")
ROLES = ("child", "mother", "father", "spouse1", "spouse2", "deceased")


def name_key(name: str) -> str:
    """Search form of a name: case-folded (ß matches ss), single spaces."""
    return " ".join(name.casefold().split())


class CivregEntry(Base):
    __tablename__ = "civreg_entry"
    __table_args__ = (
        UniqueConstraint("tenant", "register_number", name="uq_civreg_entry_tenant_register_number"),
        Index("ix_civreg_entry_search", "tenant", "kind", "event_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    kind: Mapped[str] = mapped_column(String(20))
    register_number: Mapped[str] = mapped_column(String(40))  # e.g. "G 412/1990"
    event_date: Mapped[date] = mapped_column(Date)
    event_place: Mapped[str] = mapped_column(String(200))
    adoption: Mapped[bool] = mapped_column(Boolean)  # §63 PStG: disclosure restricted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    persons: Mapped[list[CivregPerson]] = relationship(back_populates="entry", order_by="CivregPerson.id")
    blocking_notes: Mapped[list[CivregBlockingNote]] = relationship(back_populates="entry")


class CivregPerson(Base):
    __tablename__ = "civreg_person"
    __table_args__ = (
        Index("ix_civreg_person_family_name", "tenant", "family_name_key"),
        Index("ix_civreg_person_birth_name", "tenant", "birth_name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    entry_id: Mapped[int] = mapped_column(ForeignKey("civreg_entry.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    family_name: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(200))
    birth_name: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    # Lower-cased copies for case-insensitive search on both databases.
    family_name_key: Mapped[str] = mapped_column(String(200))
    birth_name_key: Mapped[str | None] = mapped_column(String(200))

    entry: Mapped[CivregEntry] = relationship(back_populates="persons")

    @validates("family_name", "birth_name")
    def _keep_keys(self, attribute: str, value: str | None) -> str | None:
        setattr(self, f"{attribute}_key", name_key(value) if value else None)
        return value


class CivregBlockingNote(Base):
    """Sperrvermerk (§64 PStG): while active, nothing is issued without the registrar."""

    __tablename__ = "civreg_blocking_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    entry_id: Mapped[int] = mapped_column(ForeignKey("civreg_entry.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)

    entry: Mapped[CivregEntry] = relationship(back_populates="blocking_notes")


class CivregRetrievalLog(Base):
    """Every automated retrieval, with purpose and case, for the data-protection audit."""

    __tablename__ = "civreg_retrieval_log"
    __table_args__ = (
        Index("ix_civreg_retrieval_log_tenant_at", "tenant", "at"),
        Index("ix_civreg_retrieval_log_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    operation: Mapped[str] = mapped_column(String(50))
    purpose: Mapped[str | None] = mapped_column(String(300))
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    query_summary: Mapped[str] = mapped_column(Text)
    result_status: Mapped[str] = mapped_column(String(20))
