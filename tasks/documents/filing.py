"""Rendering a PDF and filing it in the case's e-file, once per idempotency key."""
from __future__ import annotations

import base64
from dataclasses import replace
from typing import Callable

from engine.operations import ServiceCall


def file_pdf(efile, call: ServiceCall, *, file_number: str, title: str, kind: str,
             render: Callable[[], bytes]) -> dict:
    """-> {"document_id", "title", "sha256"}. A retry finds the filed document and renders nothing."""
    stored = efile.document_for_key(call.tenant, call.idempotency_key)
    if stored is not None:
        return stored
    filed = efile.add_document(replace(call, operation="efile.add_document", params={
        "file_number": file_number, "title": title, "kind": kind,
        "content_base64": base64.b64encode(render()).decode(), "mime_type": "application/pdf"}))
    return {"document_id": filed["document_id"], "title": title, "sha256": filed["sha256"]}
