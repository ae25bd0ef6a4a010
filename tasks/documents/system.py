"""Rendering a document and filing it in the case's e-file: processes get its id, never the PDF."""
from __future__ import annotations

import base64
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..base import ServiceCall, SpecialistSystem
from ..common import require
from ..efile import EFile
from ..efile.models import EfileDocument
from .render import render_pdf

# The e-file's document kind per template (a "kind" param overrides it).
KINDS = {
    "eingangsbestaetigung": "bestaetigung",
    "kostenbescheid": "bescheid",
    "urkunde": "urkunde",
    "anschreiben": "anschreiben",
    "mitteilung": "bescheid",
}


class Documents(SpecialistSystem):
    name = "documents"
    operations = ("render",)

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self.efile = EFile(sessions)

    def render(self, call: ServiceCall) -> dict:
        """params: template, data, municipality (see tasks.documents.contexts), file_number, title,
        kind? -> {"document_id", "title", "sha256"}. One document per key."""
        p = call.params
        require(p, "template", "file_number", "title")
        stored = self._stored(call)
        if stored is not None:
            return stored  # a retry: no second rendering
        data = p.get("data")
        if isinstance(data, dict):
            data = {"file_number": p["file_number"], **data}
        pdf = render_pdf(str(p["template"]), data, p.get("municipality"))
        title = str(p["title"])[:300]
        filed = self.efile.add_document(replace(call, operation="efile.add_document", params={
            "file_number": p["file_number"], "title": title, "kind": p.get("kind") or KINDS[p["template"]],
            "content_base64": base64.b64encode(pdf).decode(), "mime_type": "application/pdf",
        }))
        return {"document_id": filed["document_id"], "title": title, "sha256": filed["sha256"]}

    def _stored(self, call: ServiceCall) -> dict | None:
        with self.sessions() as session:
            row = session.scalar(select(EfileDocument).where(
                EfileDocument.tenant == call.tenant, EfileDocument.idempotency_key == call.idempotency_key))
            return {"document_id": row.id, "title": row.title, "sha256": row.sha256} if row else None
