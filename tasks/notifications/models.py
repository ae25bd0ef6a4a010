"""The mail outbox: one row per idempotency key."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant


class NotifyMail(Base):
    __tablename__ = "notify_mail"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_notify_mail_tenant_idempotency_key"),
        Index("ix_notify_mail_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    message_id: Mapped[str] = mapped_column(String(250))  # fixed before the first attempt
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
