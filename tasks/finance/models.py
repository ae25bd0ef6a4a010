"""Tables of the finance system. Amounts are integer cents."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant


class FinanceCounter(Base):
    """Per-tenant number ranges, e.g. scope "KZ-2026" for the cash references of 2026."""

    __tablename__ = "finance_counter"

    tenant: Mapped[str] = mapped_column(Tenant, primary_key=True)
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class FinanceReceivable(Base):
    __tablename__ = "finance_receivable"
    __table_args__ = (
        UniqueConstraint("tenant", "cash_reference", name="uq_finance_receivable_tenant_cash_reference"),
        UniqueConstraint("tenant", "idempotency_key", name="uq_finance_receivable_tenant_idempotency_key"),
        Index("ix_finance_receivable_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    cash_reference: Mapped[str] = mapped_column(String(40))  # Kassenzeichen
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    amount_cents: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(300))
    debtor_name: Mapped[str] = mapped_column(String(300))
    debtor_address: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when the case closed without payment: the receivable is no longer claimed.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    payments: Mapped[list[FinancePayment]] = relationship(back_populates="receivable", order_by="FinancePayment.id")


class FinancePayment(Base):
    __tablename__ = "finance_payment"
    # One booking per key: a form sent twice (a double click) books once.
    __table_args__ = (Index("uq_finance_payment_booking_key", "tenant", "booking_key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    receivable_id: Mapped[int] = mapped_column(ForeignKey("finance_receivable.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reference: Mapped[str | None] = mapped_column(String(300))  # e.g. the bank statement line
    booking_key: Mapped[str | None] = mapped_column(IdempotencyKey)

    receivable: Mapped[FinanceReceivable] = relationship(back_populates="payments")
