"""PDF documents from HTML templates (WeasyPrint), filed in the e-file."""
from .render import render_html, render_pdf
from .system import Documents

__all__ = ["Documents", "render_html", "render_pdf"]
