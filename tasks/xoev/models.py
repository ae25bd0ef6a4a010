"""Tables of the XÖV message hub: every outgoing XGewerbeanzeige message, its delivery log,
the built-in per-recipient mailbox, and the records waiting for the monthly statistics batch."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant


class XoevMessage(Base):
    """One message to one recipient (the outbox row). Its XML never changes once stored."""

    __tablename__ = "xoev_message"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", "recipient", name="uq_xoev_message_tenant_idempotency_key"),
        Index("ix_xoev_message_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    recipient: Mapped[str] = mapped_column(String(10))  # recipient code, see recipients.RECIPIENTS
    message_uuid: Mapped[str] = mapped_column(String(36))
    message_type: Mapped[str] = mapped_column(String(60))  # the root element, e.g. sta.gewerbemeldung.0100
    xml: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # pending, delivered
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class XoevDelivery(Base):
    """The delivery log: one row per attempt and recipient."""

    __tablename__ = "xoev_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    message_id: Mapped[int] = mapped_column(ForeignKey("xoev_message.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    transport: Mapped[str] = mapped_column(String(50))
    outcome: Mapped[str] = mapped_column(String(20))  # delivered, failed
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class XoevMailbox(Base):
    """What the built-in transport hands over: the recipient's inbox, fetched by its system."""

    __tablename__ = "xoev_mailbox"
    __table_args__ = (Index("ix_xoev_mailbox_recipient", "tenant", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    recipient: Mapped[str] = mapped_column(String(10))
    message_id: Mapped[int] = mapped_column(ForeignKey("xoev_message.id"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    xml: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class XoevStatBatch(Base):
    """The monthly delivery to the Statistisches Landesamt (GewAnzV §3(2), (5))."""

    __tablename__ = "xoev_stat_batch"
    __table_args__ = (UniqueConstraint("tenant", "month", name="uq_xoev_stat_batch_tenant_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    month: Mapped[str] = mapped_column(String(7))  # 2026-03
    message_id: Mapped[int | None] = mapped_column(ForeignKey("xoev_message.id"))
    records: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class XoevStatRecord(Base):
    """One notice waiting for its month's statistics batch; holds only what statistics may get."""

    __tablename__ = "xoev_stat_record"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_xoev_stat_record_tenant_idempotency_key"),
        Index("ix_xoev_stat_record_month", "tenant", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    month: Mapped[str] = mapped_column(String(7))
    record: Mapped[dict] = mapped_column(JSON)  # {"kind", "notice", "meta"}, notice already filtered
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("xoev_stat_batch.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
