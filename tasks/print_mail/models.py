"""Tables of the print and mail outbox."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant


class PrintMailJob(Base):
    __tablename__ = "print_mail_job"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_print_mail_job_tenant_idempotency_key"),
        Index("ix_print_mail_job_open", "tenant", "status"),
        Index("ix_print_mail_job_batch", "tenant", "batch_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    address: Mapped[dict] = mapped_column(JSON)  # as given by the process
    address_block: Mapped[list] = mapped_column(JSON)  # the printed lines
    status: Mapped[str] = mapped_column(String(20))  # queued, posted
    batch_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    posted_by: Mapped[str | None] = mapped_column(String(100))

    documents: Mapped[list[PrintMailDocument]] = relationship(order_by="PrintMailDocument.position")


class PrintMailDocument(Base):
    __tablename__ = "print_mail_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    job_id: Mapped[int] = mapped_column(ForeignKey("print_mail_job.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
