"""Tables of the e-file. Documents are append-only: a new version is a new row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

from ..common import BusinessKey, IdempotencyKey, InstanceId, Tenant


class AppendOnlyViolation(RuntimeError):
    pass


class EfilePlanEntry(Base):
    """One position of the tenant's filing plan (Aktenplan), e.g. 341.21 Personenstandsurkunden."""

    __tablename__ = "efile_plan_entry"
    __table_args__ = (UniqueConstraint("tenant", "code", name="uq_efile_plan_entry_tenant_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    code: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))


class EfileCounter(Base):
    """Per-tenant running numbers, scope "<plan code>-<year>"."""

    __tablename__ = "efile_counter"

    tenant: Mapped[str] = mapped_column(Tenant, primary_key=True)
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class EfileFile(Base):
    __tablename__ = "efile_file"
    __table_args__ = (
        UniqueConstraint("tenant", "file_number", name="uq_efile_file_tenant_file_number"),
        UniqueConstraint("tenant", "idempotency_key", name="uq_efile_file_tenant_idempotency_key"),
        UniqueConstraint("tenant", "business_key", name="uq_efile_file_tenant_business_key"),  # one file per case
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    file_number: Mapped[str] = mapped_column(String(60))  # e.g. "341.21-2026/00012"
    plan_code: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    business_key: Mapped[str | None] = mapped_column(BusinessKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EfileDocument(Base):
    __tablename__ = "efile_document"
    __table_args__ = (UniqueConstraint("tenant", "idempotency_key", name="uq_efile_document_tenant_idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    file_id: Mapped[int] = mapped_column(ForeignKey("efile_file.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))  # e.g. antrag, bescheid, urkunde, vermerk
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    json_content: Mapped[dict | list | None] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("efile_document.id"))
    idempotency_key: Mapped[str] = mapped_column(IdempotencyKey)
    instance_id: Mapped[str | None] = mapped_column(InstanceId)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@event.listens_for(EfileDocument, "before_update")
@event.listens_for(EfileDocument, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise AppendOnlyViolation("Dokumente der e-Akte werden nicht geändert oder gelöscht; eine neue Version anlegen.")


class EfileAttachment(Base):
    """A file a citizen or clerk attached (PDF, JPEG, PNG; checked before it is stored). Staged while
    its application is a draft (no business key), claimed by the case when the application is sent,
    and filed as a document of the case's file once the file exists (``document_id``; the content then
    lives in the document only)."""

    __tablename__ = "efile_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant: Mapped[str] = mapped_column(Tenant)
    owner: Mapped[str] = mapped_column(String(200))  # the account that uploaded it
    field: Mapped[str] = mapped_column(String(200))  # the form field, or "nachreichung"
    title: Mapped[str] = mapped_column(String(300))  # what the document is (the field's label)
    name: Mapped[str] = mapped_column(String(200))  # the file name as the uploader called it
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    business_key: Mapped[str | None] = mapped_column(BusinessKey, index=True)
    later: Mapped[bool] = mapped_column(Boolean)  # handed in after the application (nachgereicht)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("efile_document.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
