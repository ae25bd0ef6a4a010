"""Tables of the trade register (Gewerberegister): one entry per business (Betrieb) with its
persons and its history of changes and closure, and the log of register retrievals by third
parties (§ 14 Abs. 11 GewO)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, Tenant

STATES = ("aktiv", "abgemeldet")


class TradeCounter(Base):
    """Per-tenant number range of the register numbers (scope "betrieb")."""

    __tablename__ = "trade_counter"

    tenant: Mapped[str] = mapped_column(Tenant, primary_key=True)
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class TradeBusiness(Base):
    """One business entry, created by its registration (GewA 1) and kept current by changes
    (GewA 2) and the closure (GewA 3). ``number`` carries the municipality key (AGS), so a number
    of another municipality is recognised as such."""

    __tablename__ = "trade_business"
    __table_args__ = (
        UniqueConstraint("tenant", "number", name="uq_trade_business_tenant_number"),
        UniqueConstraint("tenant", "idempotency_key", name="uq_trade_business_tenant_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    number: Mapped[str] = mapped_column(String(20))  # 14523319-000001
    case_number: Mapped[str] = mapped_column(BusinessKey)  # of the registration
    registered_on: Mapped[date] = mapped_column(Date)  # day the registration was received
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(30))
    register_entry: Mapped[dict] = mapped_column(JSON)  # {"registerart", "registernummer", "registergericht"}
    street: Mapped[str] = mapped_column(String(100))
    house_number: Mapped[str] = mapped_column(String(10))
    postal_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    activity: Mapped[str] = mapped_column(String(300))
    wz: Mapped[str] = mapped_column(String(5))
    other_activities: Mapped[str | None] = mapped_column(Text)
    persons_count: Mapped[int] = mapped_column(Integer)  # managing persons / partners as the form states
    valid_from: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))  # STATES
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(2))  # GewA 3 field "Grund der Abmeldung"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TradePerson(Base):
    """A person of the business: the owner, or each partner / managing director with own data."""

    __tablename__ = "trade_person"
    __table_args__ = (UniqueConstraint("business_id", "position", name="uq_trade_person_business_id_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    business_id: Mapped[int] = mapped_column(ForeignKey("trade_business.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1: the notifying person
    family_name: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(JSON)  # the person's section of the form as given


class TradeChange(Base):
    """A change or the closure of a business entry, with what it was before (GewA 2: previous
    address and activity)."""

    __tablename__ = "trade_change"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_trade_change_tenant_idempotency_key"),
        Index("ix_trade_change_business", "business_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    business_id: Mapped[int] = mapped_column(ForeignKey("trade_business.id"))
    case_number: Mapped[str] = mapped_column(BusinessKey)
    kind: Mapped[str] = mapped_column(String(20))  # ummeldung, abmeldung
    reason: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[date] = mapped_column(Date)
    previous: Mapped[dict] = mapped_column(JSON)  # {"name", "anschrift", "taetigkeit", "wz", "weitere_taetigkeiten"}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TradeRetrieval(Base):
    """One register retrieval by a third party (Registerauskunft, § 14 Abs. 5 to 7 GewO), logged
    with purpose, file number and the persons responsible as § 14 Abs. 11 GewO requires; deleted
    after six months."""

    __tablename__ = "trade_retrieval"
    __table_args__ = (Index("ix_trade_retrieval_at", "tenant", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    number: Mapped[str] = mapped_column(String(20))  # the register number asked for
    requester: Mapped[str] = mapped_column(String(200))  # who asked (body or person)
    purpose: Mapped[str] = mapped_column(String(300))
    file_number: Mapped[str] = mapped_column(String(100))  # the requester's file number (Aktenzeichen)
    official: Mapped[str] = mapped_column(String(200))  # who answered
    found: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
