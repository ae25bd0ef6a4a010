"""The permit as PDF: our own template, the documents system's letterhead, stylesheet and
closed URL fetching (see tasks.documents.render)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..documents.contexts import mapping, municipality_context
from ..documents.formatting import date_de
from ..documents.render import TEMPLATE_DIR, _no_fetching, _stylesheet

_env = ImmutableSandboxedEnvironment(
    loader=ChoiceLoader([FileSystemLoader(Path(__file__).parent / "templates"), FileSystemLoader(TEMPLATE_DIR)]),
    autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


def permit_html(permit: dict, zone_name: str | None, municipality: dict, case_number: str | None,
                issued_on: date, decided_by: str | None = None) -> str:
    m = municipality_context(mapping(municipality, "municipality"))
    return _env.get_template("ausweis.html").render(
        m=m, doc_title=f"Bewohnerparkausweis {permit['permit_number']}", permit=permit,
        zone_name=zone_name or "", case_number=case_number or "",
        valid_from=date_de(date.fromisoformat(permit["valid_from"])),
        valid_until=date_de(date.fromisoformat(permit["valid_until"])),
        issued_on=date_de(issued_on), decided_by=str(decided_by or "").strip())


def render_permit_pdf(permit: dict, zone_name: str | None, municipality: dict, case_number: str | None,
                      issued_on: date, decided_by: str | None = None) -> bytes:
    from weasyprint import HTML

    html = permit_html(permit, zone_name, municipality, case_number, issued_on, decided_by)
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf(stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1")
