"""PDF documents from HTML templates (WeasyPrint), filed in the e-file."""
from ..base import Plugin
from .render import render_html, render_pdf
from .system import Documents

PLUGIN = Plugin(
    "documents",
    lambda ctx: Documents(ctx.sessions, ctx.systems["efile"]),
    needs=("efile",),
)

__all__ = ["PLUGIN", "Documents", "render_html", "render_pdf"]
