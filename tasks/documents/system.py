"""Rendering a document and filing it in the case's e-file: processes get its id, never the PDF."""
from __future__ import annotations

from engine.operations import ServiceCall

from ..base import SpecialistSystem
from ..common import call_today, require
from .filing import file_pdf
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

    def __init__(self, sessions, efile):
        self.sessions = sessions
        self.efile = efile

    def render(self, call: ServiceCall) -> dict:
        """params: template, data, municipality (see tasks.documents.contexts), file_number, title,
        kind? -> {"document_id", "title", "sha256"}. One document per key."""
        p = call.params
        require(p, "template", "file_number", "title")
        data = p.get("data")
        if isinstance(data, dict):
            # A letter without its own date is dated the day it is issued, by the engine's clock.
            data = {"file_number": p["file_number"], "date": call_today(call).isoformat(), **data}
        return file_pdf(self.efile, call, file_number=p["file_number"], title=str(p["title"])[:300],
                        kind=p.get("kind") or KINDS[p["template"]],
                        render=lambda: render_pdf(str(p["template"]), data, p.get("municipality")))
