"""Tables of the citizen portal: a case's status history and the postbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant


class PortalStatus(Base):
    __tablename__ = "portal_status"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_portal_status_tenant_idempotency_key"),
        Index("ix_portal_status_case", "tenant", "case_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    case_number: Mapped[str] = mapped_column(BusinessKey)
    status: Mapped[str] = mapped_column(String(30))  # e.g. eingegangen, zahlung_offen, versandt
    label: Mapped[str] = mapped_column(String(200))  # German text shown to the citizen
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)


class PortalMessage(Base):
    __tablename__ = "portal_message"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_portal_message_tenant_idempotency_key"),
        Index("ix_portal_message_case", "tenant", "case_number"),
        Index("ix_portal_message_recipient", "tenant", "recipient"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    case_number: Mapped[str] = mapped_column(BusinessKey)
    recipient: Mapped[str | None] = mapped_column(String(200))  # citizen account; None for counter/letter cases
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    document_ids: Mapped[list] = mapped_column(JSON)  # e-file document ids
    delivery: Mapped[str] = mapped_column(String(10), server_default="postfach")  # postfach or post
    print_job_id: Mapped[int | None] = mapped_column(Integer)  # the letter in the print outbox, if one went by post
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)


class PortalDeliveryChoice(Base):
    """How a citizen with an account wants the letters of their cases: in the postbox or by post."""

    __tablename__ = "portal_delivery_choice"
    __table_args__ = (UniqueConstraint("tenant", "citizen", name="uq_portal_delivery_choice_tenant_citizen"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    citizen: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[str] = mapped_column(String(10))  # postfach or post
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PortalDraft(Base):
    """An application the citizen has filled in and not yet sent: kept on the server, so that
    personal data stays off the browser and a long form is not lost to a cookie's size limit."""

    __tablename__ = "portal_draft"
    __table_args__ = (UniqueConstraint("tenant", "citizen", "service_key", name="uq_portal_draft_tenant_citizen_service"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    citizen: Mapped[str] = mapped_column(String(200))
    service_key: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
