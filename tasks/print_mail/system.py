"""Queueing letters for print and mail, and the clerk's "posted" confirmation."""
from __future__ import annotations

import base64
import binascii
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import address_lines, iso, require, run_once, utcnow
from .models import PrintMailDocument, PrintMailJob


class JobsNotOpen(LookupError):
    """Some job ids are unknown to the tenant or already posted."""

    def __init__(self, job_ids: list[int]):
        super().__init__(f"Druckaufträge nicht offen: {', '.join(map(str, job_ids))}")
        self.job_ids = job_ids


class PrintMail(SpecialistSystem):
    name = "print_mail"
    operations = ("enqueue",)

    def __init__(self, sessions: sessionmaker[Session], efile):
        self.sessions = sessions
        self.efile = efile

    def enqueue(self, call: ServiceCall) -> dict:
        """params: address {"name", "addition"?, "street", "postal_code", "city", "country"?},
        documents [{"title", "pdf_base64"}] and/or document_ids [e-file document ids, printed after
        the documents, in the given order], business_key? -> {"print_job_id"}."""
        p = call.params
        require(p, "address")
        lines = address_lines(p["address"])
        inline, document_ids = p.get("documents") or [], p.get("document_ids") or []
        if not isinstance(inline, list) or not isinstance(document_ids, list) or not (inline or document_ids):
            raise InvalidRequest("Ein Druckauftrag braucht mindestens ein Dokument.")
        documents = [(str(d.get("title") or "Dokument")[:300], decode_pdf(d.get("pdf_base64"))) for d in inline]
        documents += efile_pdfs(self.efile, call.tenant, document_ids)

        def find(session: Session):
            job_id = session.scalar(
                select(PrintMailJob.id).where(
                    PrintMailJob.tenant == call.tenant, PrintMailJob.idempotency_key == call.idempotency_key
                )
            )
            return {"print_job_id": job_id} if job_id is not None else None

        def create(session: Session):
            job = PrintMailJob(
                tenant=call.tenant, business_key=p.get("business_key") or call.business_key,
                instance_id=call.instance_id, idempotency_key=call.idempotency_key, address=p["address"],
                address_block=lines, status="queued", created_at=utcnow(),
            )
            job.documents = [
                PrintMailDocument(tenant=call.tenant, position=i, title=title, pdf=pdf)
                for i, (title, pdf) in enumerate(documents)
            ]
            session.add(job)
            session.flush()
            return {"print_job_id": job.id}

        return run_once(self.sessions, find, create)

    # Plain methods for the clerk UI.

    def open_jobs(self, tenant: str) -> list[dict]:
        """Queued jobs, oldest first, without the PDF bytes."""
        return self._jobs(tenant, PrintMailJob.status == "queued")

    def jobs_in_batch(self, tenant: str, batch_id: str) -> list[dict]:
        return self._jobs(tenant, PrintMailJob.batch_id == batch_id)

    def job_documents(self, tenant: str, job_id: int) -> list[tuple[str, bytes]]:
        with transaction(self.sessions) as session:
            job = session.scalar(select(PrintMailJob).where(PrintMailJob.tenant == tenant, PrintMailJob.id == job_id))
            if job is None:
                raise JobsNotOpen([job_id])
            return [(d.title, d.pdf) for d in job.documents]

    def mark_batch_posted(self, tenant: str, job_ids: list[int], user: str) -> str:
        """Confirm that the letters went out; all jobs get one batch id, or none if any is not open."""
        wanted = sorted({int(i) for i in job_ids})
        if not wanted:
            raise InvalidRequest("Keine Druckaufträge ausgewählt.")
        batch_id = f"PB-{utcnow():%Y%m%d}-{uuid.uuid4().hex[:8]}"
        with transaction(self.sessions) as session:
            jobs = session.scalars(
                select(PrintMailJob)
                .where(PrintMailJob.tenant == tenant, PrintMailJob.id.in_(wanted), PrintMailJob.status == "queued")
                .with_for_update()
            ).all()
            missing = sorted(set(wanted) - {j.id for j in jobs})
            if missing:
                raise JobsNotOpen(missing)
            now = utcnow()
            for job in jobs:
                job.status, job.batch_id, job.posted_at, job.posted_by = "posted", batch_id, now, user
        return batch_id

    def _jobs(self, tenant: str, condition) -> list[dict]:
        with transaction(self.sessions) as session:
            rows = session.scalars(
                select(PrintMailJob)
                .where(PrintMailJob.tenant == tenant, condition)
                .options(selectinload(PrintMailJob.documents).load_only(PrintMailDocument.id, PrintMailDocument.title))
                .order_by(PrintMailJob.id)
            )
            return [job_view(j) for j in rows]


def decode_pdf(value) -> bytes:
    try:
        pdf = base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidRequest("pdf_base64 ist kein gültiges Base64.") from None
    if not pdf.startswith(b"%PDF"):
        raise InvalidRequest("Das Dokument ist kein PDF.")
    return pdf


def efile_pdfs(efile, tenant: str, document_ids: list) -> list[tuple[str, bytes]]:
    """Title and PDF of e-file documents of the same tenant, in the order asked for."""
    try:
        ids = [int(i) for i in document_ids]
    except (TypeError, ValueError):
        raise InvalidRequest("document_ids muss eine Liste von Dokumentnummern der e-Akte sein.") from None
    missing = [i for i in ids if i not in efile.documents_by_id(tenant, ids)]
    if missing:
        raise InvalidRequest(f"Dokumente {missing} sind in der e-Akte nicht vorhanden.")
    found = [efile.document(tenant, i) for i in ids]
    not_pdf = [i for i, d in zip(ids, found) if not (d["content"] or b"").startswith(b"%PDF")]
    if not_pdf:
        raise InvalidRequest(f"Dokumente {not_pdf} sind keine PDF-Dateien.")
    return [(d["title"][:300], d["content"]) for d in found]


def job_view(job: PrintMailJob) -> dict:
    return {
        "id": job.id,
        "business_key": job.business_key,
        "address_block": list(job.address_block),
        "documents": [{"id": d.id, "title": d.title} for d in job.documents],
        "status": job.status,
        "batch_id": job.batch_id,
        "created_at": iso(job.created_at),
        "posted_at": iso(job.posted_at),
        "posted_by": job.posted_by,
    }
