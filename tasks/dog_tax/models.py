"""Tables of the dog tax system (Hundesteuer). Amounts are integer cents."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant

DOG_STATUSES = ("beantragt", "angemeldet", "abgelehnt", "abgemeldet")
END_REASONS = ("tod", "abgabe", "wegzug")
REPLACEMENT_REASONS = ("verloren", "beschaedigt")
REVIEW_DECISIONS = ("verlaengert", "beendet")


class DogTaxCounter(Base):
    """Per-tenant number ranges: scope "marke" for tax tags, "mandat" for SEPA mandate references."""

    __tablename__ = "dog_tax_counter"

    tenant: Mapped[str] = mapped_column(Tenant, primary_key=True)
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class DogTaxHousehold(Base):
    """The dogs of one household set the rate: the people living in the same flat of their main residence in
    the residents' register (see ``rules.household_key``)."""

    __tablename__ = "dog_tax_household"
    __table_args__ = (UniqueConstraint("tenant", "household_key", name="uq_dog_tax_household_tenant_household_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    household_key: Mapped[str] = mapped_column(String(400))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DogTaxHolder(Base):
    __tablename__ = "dog_tax_holder"
    __table_args__ = (
        UniqueConstraint("tenant", "household_id", "name_key", name="uq_dog_tax_holder_tenant_household_id_name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    household_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_household.id"), index=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    account: Mapped[str | None] = mapped_column(String(200))  # the portal account, for the annual notice
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    household: Mapped[DogTaxHousehold] = relationship()


class DogTaxDog(Base):
    __tablename__ = "dog_tax_dog"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_dog_tenant_idempotency_key"),
        Index("ix_dog_tax_dog_household", "tenant", "household_id", "status"),
        Index("ix_dog_tax_dog_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    holder_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_holder.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_household.id"))
    name: Mapped[str] = mapped_column(String(100))
    breed: Mapped[str] = mapped_column(String(100))
    born_on: Mapped[date | None] = mapped_column(Date)  # Wurftag
    held_since: Mapped[date] = mapped_column(Date)
    chip_number: Mapped[str | None] = mapped_column(String(20))
    insurer: Mapped[str | None] = mapped_column(String(200))
    previous_holder: Mapped[str | None] = mapped_column(String(300))
    previous_address: Mapped[str | None] = mapped_column(String(300))
    listed_breed: Mapped[str | None] = mapped_column(String(100))  # the list entry the breed matched
    dangerous: Mapped[bool] = mapped_column(Boolean)
    permit_number: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # DOG_STATUSES
    status_reason: Mapped[str | None] = mapped_column(Text)
    held_until: Mapped[date | None] = mapped_column(Date)  # the day keeping ended (Abmeldung)
    end_reason: Mapped[str | None] = mapped_column(String(20))  # END_REASONS
    end_details: Mapped[str | None] = mapped_column(Text)  # new holder and address, or the new address
    # The exemption or reduction granted, for the following years: until the end of valid_until (none: open).
    exemption_kind: Mapped[str | None] = mapped_column(String(30))
    exemption_percent: Mapped[int | None] = mapped_column(Integer)
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    exemption_valid_until: Mapped[date | None] = mapped_column(Date)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    holder: Mapped[DogTaxHolder] = relationship()
    tags: Mapped[list[DogTaxTag]] = relationship(back_populates="dog", order_by="DogTaxTag.id")


class DogTaxTag(Base):
    """Steuermarke. A replacement tag is a new row for the same dog."""

    __tablename__ = "dog_tax_tag"
    __table_args__ = (
        UniqueConstraint("tenant", "number", name="uq_dog_tax_tag_tenant_number"),
        UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_tag_tenant_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    dog_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_dog.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[date] = mapped_column(Date)
    invalid_since: Mapped[date | None] = mapped_column(Date)  # replaced by an Ersatzmarke
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)

    dog: Mapped[DogTaxDog] = relationship(back_populates="tags")


class DogTaxMandate(Base):
    """SEPA direct-debit mandate (Lastschriftmandat) of a holder."""

    __tablename__ = "dog_tax_mandate"
    __table_args__ = (
        UniqueConstraint("tenant", "reference", name="uq_dog_tax_mandate_tenant_reference"),
        UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_mandate_tenant_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    holder_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_holder.id"), index=True)
    reference: Mapped[str] = mapped_column(String(35))  # Mandatsreferenz
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    bank_name: Mapped[str | None] = mapped_column(String(200))
    account_holder: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DogTaxAssessment(Base):
    """Steuerfestsetzung for one dog and year, pro rata by month, with its instalments."""

    __tablename__ = "dog_tax_assessment"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key", name="uq_dog_tax_assessment_tenant_idempotency_key"),
        Index("ix_dog_tax_assessment_case", "tenant", "business_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    dog_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_dog.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[int | None] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
    rate_kind: Mapped[str] = mapped_column(String(30))
    annual_rate_cents: Mapped[int] = mapped_column(Integer)
    pro_rata_cents: Mapped[int] = mapped_column(Integer)  # before any reduction
    reduction_percent: Mapped[int] = mapped_column(Integer)
    exemption_kind: Mapped[str | None] = mapped_column(String(30))
    exemption_decision: Mapped[str | None] = mapped_column(String(20))  # befreiung, ermaessigung, abgelehnt
    exemption_reason: Mapped[str | None] = mapped_column(Text)
    amount_cents: Mapped[int] = mapped_column(Integer)
    last_month: Mapped[int | None] = mapped_column(Integer)  # set when the dog was deregistered in the year
    corrected_cents: Mapped[int | None] = mapped_column(Integer)  # the amount after the deregistration
    instalments: Mapped[list] = mapped_column(JSON)  # [{"due_date", "amount_cents"}]
    mandate_id: Mapped[int | None] = mapped_column(ForeignKey("dog_tax_mandate.id"))
    cash_reference: Mapped[str | None] = mapped_column(String(40))
    notice_document_id: Mapped[int | None] = mapped_column(Integer)  # the annual notice it was sent with
    assessed_on: Mapped[date] = mapped_column(Date)
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    dog: Mapped[DogTaxDog] = relationship()
    mandate: Mapped[DogTaxMandate | None] = relationship()


class DogTaxExemptionReview(Base):
    """The review of a limited exemption before it ends: one per dog and end date (an extension gives a new end
    date and so, later, a new review)."""

    __tablename__ = "dog_tax_exemption_review"
    __table_args__ = (
        UniqueConstraint("tenant", "dog_id", "valid_until", name="uq_dog_tax_exemption_review_tenant_dog_id_valid_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    dog_id: Mapped[int] = mapped_column(ForeignKey("dog_tax_dog.id"), index=True)
    valid_until: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[str | None] = mapped_column(String(20))  # REVIEW_DECISIONS
    new_valid_until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[date | None] = mapped_column(Date)
    corrections: Mapped[list | None] = mapped_column(JSON)  # the assessments changed by the decision
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    dog: Mapped[DogTaxDog] = relationship()
