"""HTML from the templates, PDF from the HTML.

Citizen data only ever reaches the templates as context values: autoescaped, and the
environment is sandboxed in case a template itself goes wrong. No string from the data is
ever compiled as a template."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .contexts import build_context

TEMPLATE_DIR = Path(__file__).parent / "templates"

_env = ImmutableSandboxedEnvironment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,  # a typo in a template fails loudly instead of printing nothing
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(template: str, data: dict, municipality: dict) -> str:
    context = build_context(template, data, municipality)  # also rejects unknown template names
    return _env.get_template(f"{template}.html").render(context)


def render_pdf(template: str, data: dict, municipality: dict) -> bytes:
    """The document as PDF/UA (tagged, so screen readers can follow it)."""
    from weasyprint import HTML

    html = render_html(template, data, municipality)
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf(
        stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1"
    )


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(filename=str(TEMPLATE_DIR / "document.css"), url_fetcher=_no_fetching())


def _no_fetching():
    """Documents use no external resources; refusing all keeps rendering offline and closed."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())
