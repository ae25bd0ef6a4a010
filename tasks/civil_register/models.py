"""Tables of the civil-status register. Each row carries the registry office (tenant)."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.db import Base

from ..common import BusinessKey, InstanceId, Tenant

KINDS = ("birth", "marriage", "partnership", "death")
ROLES = ("child", "mother", "father", "spouse1", "spouse2", "deceased")
# § 22 Abs. 3 PStG: a child that is neither female nor male is entered "ohne eine solche Angabe oder mit
# der Angabe ‚divers'".
SEXES = ("female", "male", "diverse", "unspecified")
# Familienstand of a deceased person (§ 31 Abs. 1 Nr. 2 PStG).
MARITAL_STATUSES = ("single", "married", "widowed", "divorced", "partnered", "partner_deceased", "partnership_dissolved")


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
    # § 31 Abs. 1 Nr. 4 PStG: a death is recorded with "Tag, Stunde und Minute".
    event_time: Mapped[time | None] = mapped_column(Time)
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
    place_of_birth: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(20))
    # A deceased person's "letzter Wohnsitz und Familienstand" (§ 31 Abs. 1 Nr. 2 PStG).
    last_residence: Mapped[str | None] = mapped_column(String(200))
    marital_status: Mapped[str | None] = mapped_column(String(30))
    # Hinweis on the death of a person in a birth, marriage or partnership entry (the office that records
    # the death tells the offices holding these entries, § 60 PStV); § 62 Abs. 3 PStG counts from it.
    date_of_death: Mapped[date | None] = mapped_column(Date)
    # Lower-cased copies for case-insensitive search on both databases.
    family_name_key: Mapped[str] = mapped_column(String(200))
    birth_name_key: Mapped[str | None] = mapped_column(String(200))

    entry: Mapped[CivregEntry] = relationship(back_populates="persons")

    @validates("family_name", "birth_name")
    def _keep_keys(self, attribute: str, value: str | None) -> str | None:
        setattr(self, f"{attribute}_key", name_key(value) if value else None)
        return value

    @validates("sex", "marital_status")
    def _known_code(self, attribute: str, value: str | None) -> str | None:
        allowed = SEXES if attribute == "sex" else MARITAL_STATUSES
        if value is not None and value not in allowed:
            raise ValueError(f"{attribute} must be one of {', '.join(allowed)}, not {value!r}")
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
