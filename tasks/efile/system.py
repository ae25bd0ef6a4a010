"""Opening case files and filing documents into them."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import iso, next_counter, require, run_once, utcnow
from .models import EfileAttachment, EfileCounter, EfileDocument, EfileFile, EfilePlanEntry


class EFile(SpecialistSystem):
    name = "efile"
    operations = ("open_file", "add_document")

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def open_file(self, call: ServiceCall) -> dict:
        """params: plan_code, subject, business_key? (default: the call's) -> {"file_number"}.
        One file per case: the same key or the same business key returns the existing file."""
        p = call.params
        require(p, "plan_code", "subject")
        business_key = p.get("business_key") or call.business_key

        def find(session: Session):
            match = EfileFile.idempotency_key == call.idempotency_key
            if business_key:
                match = or_(match, EfileFile.business_key == business_key)
            row = session.scalars(select(EfileFile).where(EfileFile.tenant == call.tenant, match)).first()
            return {"file_number": row.file_number} if row else None

        def create(session: Session):
            plan = session.scalar(
                select(EfilePlanEntry).where(EfilePlanEntry.tenant == call.tenant, EfilePlanEntry.code == p["plan_code"])
            )
            if plan is None:
                raise InvalidRequest(f"Aktenplanposition {p['plan_code']} ist im Aktenplan nicht vorhanden.")
            now = utcnow()
            number = next_counter(session, EfileCounter, call.tenant, f"{plan.code}-{now.year}")
            row = EfileFile(
                tenant=call.tenant, file_number=f"{plan.code}-{now.year}/{number:05d}", plan_code=plan.code,
                subject=str(p["subject"])[:300], business_key=business_key, instance_id=call.instance_id,
                idempotency_key=call.idempotency_key, created_at=now,
            )
            session.add(row)
            session.flush()
            _file_attachments(session, row)  # what came with the application goes into the new file
            return {"file_number": row.file_number}

        return run_once(self.sessions, find, create)

    def add_document(self, call: ServiceCall) -> dict:
        """params: file_number, title, kind, content_base64 | json_content, mime_type?,
        supersedes? (document_id of the previous version) -> {"document_id", "sha256"}."""
        p = call.params
        require(p, "file_number", "title", "kind")
        content, json_content, mime_type = document_content(p)
        digest_source = content if content is not None else canonical_json(json_content)

        def find(session: Session):
            row = session.scalar(
                select(EfileDocument).where(
                    EfileDocument.tenant == call.tenant, EfileDocument.idempotency_key == call.idempotency_key
                )
            )
            return {"document_id": row.id, "sha256": row.sha256} if row else None

        def create(session: Session):
            file = self._file(session, call.tenant, p["file_number"])
            version, supersedes = 1, None
            if p.get("supersedes") is not None:
                previous = session.get(EfileDocument, int(p["supersedes"]))
                if previous is None or previous.file_id != file.id:
                    raise InvalidRequest(f"Dokument {p['supersedes']} liegt nicht in Akte {file.file_number}.")
                version, supersedes = previous.version + 1, previous.id
            row = EfileDocument(
                tenant=call.tenant, file_id=file.id, title=str(p["title"])[:300], kind=str(p["kind"])[:50],
                mime_type=mime_type, content=content, json_content=json_content,
                sha256=hashlib.sha256(digest_source).hexdigest(), size=len(digest_source), version=version,
                supersedes_id=supersedes, idempotency_key=call.idempotency_key, instance_id=call.instance_id,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return {"document_id": row.id, "sha256": row.sha256}

        return run_once(self.sessions, find, create)

    # Plain methods for the other systems and the web UI: a replacement e-file offers them too.

    def document_for_key(self, tenant: str, idempotency_key: str) -> dict | None:
        """The document an operation with this key already filed: {"document_id", "title", "sha256"}."""
        with self.sessions() as session:
            row = session.scalar(select(EfileDocument).where(
                EfileDocument.tenant == tenant, EfileDocument.idempotency_key == idempotency_key))
            return {"document_id": row.id, "title": row.title, "sha256": row.sha256} if row else None

    def documents_by_id(self, tenant: str, ids: list[int], case_number: str | None = None) -> dict[int, dict]:
        """Metadata of the tenant's documents with these ids (only those in the case's file, if given)."""
        if not ids:
            return {}
        query = select(EfileDocument).where(EfileDocument.tenant == tenant, EfileDocument.id.in_(ids))
        if case_number is not None:
            query = query.join(EfileFile, EfileDocument.file_id == EfileFile.id).where(
                EfileFile.tenant == tenant, EfileFile.business_key == case_number)
        with self.sessions() as session:
            return {row.id: document_view(row) for row in session.scalars(query)}

    def file_for_case(self, tenant: str, business_key: str) -> dict | None:
        with self.sessions() as session:
            row = session.scalar(select(EfileFile).where(EfileFile.tenant == tenant, EfileFile.business_key == business_key))
            return file_view(row) if row else None

    def documents(self, tenant: str, file_number: str) -> list[dict]:
        """Metadata of every document in the file, oldest first (content via ``document``)."""
        with self.sessions() as session:
            file = self._file(session, tenant, file_number)
            rows = session.scalars(select(EfileDocument).where(EfileDocument.file_id == file.id).order_by(EfileDocument.id))
            return [document_view(r) for r in rows]

    def document(self, tenant: str, document_id: int) -> dict:
        with self.sessions() as session:
            row = session.scalar(
                select(EfileDocument).where(EfileDocument.tenant == tenant, EfileDocument.id == int(document_id))
            )
            if row is None:
                raise LookupError(document_id)
            return {**document_view(row), "content": row.content, "json_content": row.json_content}

    # Attachments (see EfileAttachment): checked by the caller (type by content, size, malware scan).

    def stage_attachment(self, tenant: str, owner: str, field: str, title: str, name: str, mime_type: str,
                         content: bytes) -> dict:
        """Keeps a file for an application not yet sent; returns its record for the form's data."""
        with transaction(self.sessions) as session:
            row = _attachment(tenant, owner, field, title, name, mime_type, content, None, later=False)
            session.add(row)
            session.flush()
            return attachment_record(row)

    def delete_unclaimed(self, staged_before: datetime) -> int:
        """Deletes the files staged before ``staged_before`` that no application claimed (abandoned drafts)
        -> how many. One statement: a claim committed meanwhile makes the file a case's, and it stays."""
        with transaction(self.sessions) as session:
            return session.execute(delete(EfileAttachment).where(
                EfileAttachment.business_key.is_(None), EfileAttachment.created_at < staged_before)).rowcount

    def claim_attachments(self, conn, tenant: str, owner: str, ids: list[int], business_key: str) -> bool:
        """In the transaction of ``conn`` (the one that starts the case): the staged files ``ids`` of
        ``owner`` now belong to the case. False (and nothing claimed) unless every one was still staged."""
        ids = sorted(set(ids))
        if not ids:
            return True
        claimed = conn.execute(update(EfileAttachment).where(
            EfileAttachment.tenant == tenant, EfileAttachment.owner == owner, EfileAttachment.id.in_(ids),
            EfileAttachment.business_key.is_(None)).values(business_key=business_key))
        return claimed.rowcount == len(ids)

    def add_attachment(self, tenant: str, owner: str, business_key: str, title: str, name: str, mime_type: str,
                       content: bytes) -> dict:
        """A file handed in later for a case: filed at once if the case has its file, else when it is opened.
        The same content handed in again for the case (a second click) is the first one."""
        digest = hashlib.sha256(content).hexdigest()
        with transaction(self.sessions) as session:
            same = session.scalar(select(EfileAttachment).where(
                EfileAttachment.tenant == tenant, EfileAttachment.business_key == business_key,
                EfileAttachment.later.is_(True), EfileAttachment.sha256 == digest))
            if same is not None:
                return attachment_record(same)
            row = _attachment(tenant, owner, "nachreichung", title, name, mime_type, content, business_key, later=True)
            session.add(row)
            session.flush()
            record = attachment_record(row)
        self.file_pending(tenant, business_key)
        return record

    def file_pending(self, tenant: str, business_key: str) -> None:
        """Files the case's attachments not yet filed, if its file exists (heals a hand-in that raced the
        opening of the file). A document per attachment, once: the document's idempotency key is the
        attachment's."""
        try:
            with transaction(self.sessions) as session:
                file = session.scalar(select(EfileFile).where(EfileFile.tenant == tenant,
                                                              EfileFile.business_key == business_key))
                if file is not None:
                    _file_attachments(session, file)
        except IntegrityError:
            pass  # filed meanwhile by a concurrent call

    def attachments(self, tenant: str, business_key: str) -> list[dict]:
        """The case's attachments, oldest first, each with its filing state."""
        self.file_pending(tenant, business_key)
        with self.sessions() as session:
            rows = session.scalars(select(EfileAttachment).where(
                EfileAttachment.tenant == tenant, EfileAttachment.business_key == business_key)
                .order_by(EfileAttachment.id))
            return [attachment_view(r) for r in rows]

    def attachment(self, tenant: str, business_key: str, attachment_id: int) -> dict:
        """One attachment of the case with its content; LookupError if the case has no such attachment."""
        with self.sessions() as session:
            row = session.scalar(select(EfileAttachment).where(
                EfileAttachment.tenant == tenant, EfileAttachment.business_key == business_key,
                EfileAttachment.id == int(attachment_id)))
            if row is None:
                raise LookupError(attachment_id)
            content = row.content
            if row.document_id is not None:
                content = session.get(EfileDocument, row.document_id).content
            return {**attachment_view(row), "content": content}

    def _file(self, session: Session, tenant: str, file_number: str) -> EfileFile:
        row = session.scalar(select(EfileFile).where(EfileFile.tenant == tenant, EfileFile.file_number == file_number))
        if row is None:
            raise InvalidRequest(f"Akte {file_number} ist nicht vorhanden.")
        return row


def _attachment(tenant, owner, field, title, name, mime_type, content, business_key, later) -> EfileAttachment:
    return EfileAttachment(tenant=tenant, owner=str(owner)[:200], field=str(field)[:200], title=str(title)[:300],
                           name=str(name)[:200], mime_type=mime_type, size=len(content),
                           sha256=hashlib.sha256(content).hexdigest(), content=content, business_key=business_key,
                           later=later, created_at=utcnow())


def _file_attachments(session: Session, file: EfileFile) -> None:
    pending = session.scalars(select(EfileAttachment).where(
        EfileAttachment.tenant == file.tenant, EfileAttachment.business_key == file.business_key,
        EfileAttachment.document_id.is_(None)).order_by(EfileAttachment.id).with_for_update())
    for row in pending:
        document = EfileDocument(
            tenant=file.tenant, file_id=file.id, title=f"Anlage: {row.title} ({row.name})"[:300],
            kind="nachreichung" if row.later else "anlage", mime_type=row.mime_type, content=row.content,
            json_content=None, sha256=row.sha256, size=row.size, version=1, supersedes_id=None,
            idempotency_key=f"anlage-{row.id}", instance_id=file.instance_id, created_at=utcnow())
        session.add(document)
        session.flush()
        row.document_id, row.content = document.id, None
    session.flush()


def attachment_record(row: EfileAttachment) -> dict:
    """What a form's data holds of a file (engine.forms.FILE_KEYS)."""
    return {"anlage": row.id, "name": row.name, "typ": row.mime_type, "bytes": row.size}


def attachment_view(row: EfileAttachment) -> dict:
    return {**attachment_record(row), "title": row.title, "field": row.field, "later": row.later,
            "filed": row.document_id is not None, "document_id": row.document_id, "sha256": row.sha256,
            "created_at": iso(row.created_at)}


def document_content(p: dict) -> tuple[bytes | None, object, str]:
    if (p.get("content_base64") is None) == (p.get("json_content") is None):
        raise InvalidRequest("Genau eines von content_base64 und json_content angeben.")
    if p.get("json_content") is not None:
        return None, p["json_content"], p.get("mime_type") or "application/json"
    try:
        content = base64.b64decode(p["content_base64"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidRequest("content_base64 ist kein gültiges Base64.") from None
    default_type = "application/pdf" if content.startswith(b"%PDF") else "application/octet-stream"
    return content, None, p.get("mime_type") or default_type


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def file_view(row: EfileFile) -> dict:
    return {"file_number": row.file_number, "plan_code": row.plan_code, "subject": row.subject,
            "business_key": row.business_key, "created_at": iso(row.created_at)}


def document_view(row: EfileDocument) -> dict:
    return {"document_id": row.id, "title": row.title, "kind": row.kind, "mime_type": row.mime_type,
            "sha256": row.sha256, "size": row.size, "version": row.version, "supersedes": row.supersedes_id,
            "created_at": iso(row.created_at)}
