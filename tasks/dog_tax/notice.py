"""The Steuerbescheid (tax assessment notice) as PDF. It uses the letter layout of
``tasks/documents`` (letterhead, address field, info block, closing, Rechtsbehelfsbelehrung)
and adds its own template; like there, citizen data reaches the template only as values."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..common import parse_date
from ..documents.contexts import letter, mapping, municipality_context
from ..documents.formatting import date_de, money
from ..documents.render import TEMPLATE_DIR as LETTER_TEMPLATES
from ..documents.render import _no_fetching, _stylesheet
from .rules import RATE_LABELS

TEMPLATE_DIR = Path(__file__).parent / "templates"
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
EXEMPTION_KINDS = {
    "blindenfuehrhund": "Blindenführhund",
    "assistenzhund": "Assistenz- oder Behindertenbegleithund",
    "diensthund": "Diensthund (Rettungs-, Schutz- oder Sanitätsdienst)",
    "huetehund": "Hütehund für eine Herde",
    "jagdhund": "Jagdhund (Jagdschein vorhanden)",
}

_env = ImmutableSandboxedEnvironment(
    loader=ChoiceLoader([FileSystemLoader(TEMPLATE_DIR), FileSystemLoader(LETTER_TEMPLATES)]),
    autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


def notice_context(data: dict, municipality: dict) -> dict:
    m = municipality_context(mapping(municipality, "municipality"))
    ctx = letter(data, m, "Steuerbescheid über die Hundesteuer",
                 info=(("Kassenzeichen", data.get("cash_reference") or ""), ("Steuermarke", data["tag_number"])))
    dog = data["dog"]
    months = data["months"]
    period = (f"{MONTHS[data['first_month'] - 1]} bis Dezember {data['year']}" if months else "—")
    return {
        **ctx, "m": m, "year": data["year"], "tag_number": data["tag_number"],
        "cash_reference": data.get("cash_reference"),
        "dog": {"name": dog["name"], "breed": dog["breed"], "born_on": _day(dog.get("born_on")),
                "held_since": _day(dog["held_since"]), "chip_number": dog.get("chip_number") or "",
                "dangerous": dog.get("dangerous")},
        "rate_label": RATE_LABELS[data["rate_kind"]], "annual_rate": money(data["annual_rate_cents"]),
        "months": months, "period": period, "pro_rata": money(data["pro_rata_cents"]),
        "reduction_percent": data["reduction_percent"],
        "reduction": money(data["pro_rata_cents"] - data["amount_cents"]),
        "exemption_kind": EXEMPTION_KINDS.get(data.get("exemption_kind") or "", data.get("exemption_kind") or ""),
        "exemption_decision": data.get("exemption_decision"), "exemption_reason": data.get("exemption_reason") or "",
        "amount": money(data["amount_cents"]), "amount_cents": data["amount_cents"],
        "instalments": [{"due_date": _day(i["due_date"]), "amount": money(i["amount_cents"])}
                        for i in data["instalments"]],
        "mandate": data.get("mandate"), "creditor_id": data.get("creditor_id") or "",
        "back_years": [{"year": b["year"], "months": b["months"], "rate_label": RATE_LABELS[b["rate_kind"]],
                        "period": f"{MONTHS[b['first_month'] - 1]} bis Dezember {b['year']}",
                        "annual_rate": money(b["annual_rate_cents"]), "amount": money(b["amount_cents"]),
                        "cash_reference": b.get("cash_reference") or "",
                        "due_date": _day(b["instalments"][0]["due_date"]) if b["instalments"] else ""}
                       for b in data.get("back_years") or []],
        "back_total": money(sum(b["amount_cents"] for b in data.get("back_years") or [])),
        "legal_remedy": True, "fee_remedy_note": True,  # a tax: § 80 Abs. 2 Satz 1 Nr. 1 VwGO
    }


def _day(value) -> str:
    parsed = parse_date(value, "date") if value else None
    return date_de(parsed) if isinstance(parsed, date) else ""


def render_assessment_html(data: dict, municipality: dict) -> str:
    return _env.get_template("steuerbescheid.html").render(notice_context(data, municipality))


def render_assessment_pdf(data: dict, municipality: dict) -> bytes:
    from weasyprint import HTML

    html = render_assessment_html(data, municipality)
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf(stylesheets=[_stylesheet()],
                                                                  pdf_variant="pdf/ua-1")


END_REASONS = {"tod": "Tod des Hundes", "abgabe": "Abgabe an eine neue Halterin oder einen neuen Halter",
               "wegzug": "Wegzug aus der Gemeinde"}


def deregistration_context(data: dict, municipality: dict) -> dict:
    m = municipality_context(mapping(municipality, "municipality"))
    correction = data.get("correction")
    heading = ("Abmeldebestätigung und Änderungsbescheid über die Hundesteuer" if correction
               else "Abmeldebestätigung Hundesteuer")
    ctx = letter(data, m, heading, info=(("Kassenzeichen", (correction or {}).get("cash_reference") or ""),
                                         ("Steuermarke", data["tag_number"] or "")))
    dog = data["dog"]
    view = None
    if correction:
        first, last = correction["first_month"], correction["last_month"]
        view = {"year": correction["year"], "amount": money(correction["amount_cents"]),
                "corrected": money(correction["corrected_cents"]),
                "difference": money(correction["difference_cents"]), "months": correction["months"],
                "period": f"{MONTHS[first - 1]} bis {MONTHS[last - 1]} {correction['year']}" if last else "—",
                "annual_rate": money(correction["annual_rate_cents"]),
                "reduction_percent": correction["reduction_percent"],
                "instalments": [{"due_date": _day(i["due_date"]), "amount": money(i["amount_cents"])}
                                for i in correction["instalments"]]}
    return {
        **ctx, "m": m, "tag_number": data["tag_number"],
        "dog": {"name": dog["name"], "breed": dog["breed"], "held_since": _day(dog["held_since"]),
                "held_until": _day(dog["held_until"]), "reason": END_REASONS[dog["reason"]],
                "details": dog.get("details") or ""},
        "correction": view, "paid": money(data["paid_cents"]), "refund": money(data["refund_cents"]),
        "refund_cents": data["refund_cents"], "open": money(data["open_cents"]), "open_cents": data["open_cents"],
        "return_days": data["return_days"], "legal_remedy": bool(correction), "fee_remedy_note": bool(correction),
    }


def render_deregistration_pdf(data: dict, municipality: dict) -> bytes:
    from weasyprint import HTML

    html = _env.get_template("abmeldung.html").render(deregistration_context(data, municipality))
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf(stylesheets=[_stylesheet()],
                                                                  pdf_variant="pdf/ua-1")


def annual_context(data: dict, municipality: dict) -> dict:
    """One Steuerbescheid for all of a holder's dogs of a year (the yearly run)."""
    m = municipality_context(mapping(municipality, "municipality"))
    ctx = letter(data, m, f"Steuerbescheid über die Hundesteuer {data['year']}")
    dogs, payments = [], []
    for item in data["dogs"]:
        dog, months = item["dog"], item["months"]
        dogs.append({
            "name": dog["name"], "breed": dog["breed"], "dangerous": dog.get("dangerous"),
            "tag_number": item["tag_number"] or "", "cash_reference": item.get("cash_reference") or "",
            "rate_label": RATE_LABELS[item["rate_kind"]], "annual_rate": money(item["annual_rate_cents"]),
            "months": months, "period": (f"{MONTHS[item['first_month'] - 1]} bis Dezember {item['year']}"
                                         if months else "—"),
            "pro_rata": money(item["pro_rata_cents"]), "reduction_percent": item["reduction_percent"],
            "reduction": money(item["pro_rata_cents"] - item["amount_cents"]),
            "exemption_kind": EXEMPTION_KINDS.get(item.get("exemption_kind") or "", item.get("exemption_kind") or ""),
            "exemption_reason": item.get("exemption_reason") or "", "amount": money(item["amount_cents"]),
        })
        payments += [{"due": i["due_date"], "due_date": _day(i["due_date"]), "dog": dog["name"],
                      "cash_reference": item.get("cash_reference") or "", "amount": money(i["amount_cents"])}
                     for i in item["instalments"]]
    total = sum(item["amount_cents"] for item in data["dogs"])
    mandate = next((item["mandate"] for item in data["dogs"] if item.get("mandate")), None)
    return {**ctx, "m": m, "year": data["year"], "dogs": dogs, "total": money(total), "total_cents": total,
            "payments": sorted(payments, key=lambda p: p["due"]), "mandate": mandate,
            "creditor_id": data.get("creditor_id") or "",
            "cash_reference": ", ".join(d["cash_reference"] for d in dogs if d["cash_reference"]),
            "legal_remedy": True, "fee_remedy_note": True}


def render_annual_html(data: dict, municipality: dict) -> str:
    return _env.get_template("jahresbescheid.html").render(annual_context(data, municipality))


def render_annual_pdf(data: dict, municipality: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_annual_html(data, municipality), url_fetcher=_no_fetching()).write_pdf(
        stylesheets=[_stylesheet()], pdf_variant="pdf/ua-1")


# What a holder hands in to keep the exemption (the statute's conditions for it).
EVIDENCE = {
    "blindenfuehrhund": "ein aktueller Nachweis über die Blindheit (Schwerbehindertenausweis mit Merkzeichen Bl)",
    "assistenzhund": "ein aktueller Nachweis über die Behinderung und die Ausbildung des Assistenzhundes",
    "diensthund": "eine aktuelle Bescheinigung der Dienststelle oder Organisation über den Einsatz",
    "huetehund": "ein aktueller Nachweis über die Herde, die der Hund hütet",
    "jagdhund": "der gültige Jagdschein und die Bestätigung der Brauchbarkeitsprüfung",
}


def _exemption(data: dict) -> str:
    kind = EXEMPTION_KINDS.get(data.get("exemption_kind") or "", "")
    what = ("eine Steuerbefreiung" if data.get("exemption_percent") == 100
            else f"eine Steuerermäßigung um {data.get('exemption_percent')} %")
    return f"{what} ({kind})" if kind else what


def review_letter_context(data: dict, municipality: dict) -> dict:
    m = municipality_context(mapping(municipality, "municipality"))
    ctx = letter(data, m, "Ihre Hundesteuervergünstigung endet",
                 info=(("Steuermarke", data["tag_number"]),))
    end = parse_date(data["valid_until"], "valid_until")
    start = _month_after(end)  # taxed from the month after the end
    return {**ctx, "m": m, "name": data["name"], "tag_number": data["tag_number"], "exemption": _exemption(data),
            "valid_until": date_de(end), "taxed_from": date_de(start),
            "evidence": EVIDENCE.get(data.get("exemption_kind") or "", "")}


def render_review_letter_pdf(data: dict, municipality: dict) -> bytes:
    from weasyprint import HTML

    html = _env.get_template("vergunstigung_ende.html").render(review_letter_context(data, municipality))
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf(stylesheets=[_stylesheet()],
                                                                  pdf_variant="pdf/ua-1")


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def change_context(data: dict, municipality: dict) -> dict:
    m = municipality_context(mapping(municipality, "municipality"))
    references = [r for c in data["corrections"] for r in (c.get("cash_reference"), c.get("new_cash_reference")) if r]
    ctx = letter(data, m, "Änderungsbescheid über die Hundesteuer",
                 info=(("Kassenzeichen", ", ".join(references)), ("Steuermarke", data["tag_number"])))
    corrections = [{"year": c["year"], "cash_reference": c.get("cash_reference") or "",
                    "new_cash_reference": c.get("new_cash_reference") or "",
                    "amount": money(c["amount_cents"]), "corrected": money(c["corrected_cents"]),
                    "more": c["corrected_cents"] > c["amount_cents"],
                    "difference": money(abs(c["amount_cents"] - c["corrected_cents"])), "months": c["months"],
                    "covered": c["covered"], "annual_rate": money(c["annual_rate_cents"]),
                    "instalments": [{"due_date": _day(i["due_date"]), "amount": money(i["amount_cents"])}
                                    for i in c["instalments"]],
                    "extra_instalments": [{"due_date": _day(i["due_date"]), "amount": money(i["amount_cents"])}
                                          for i in c["extra_instalments"]]} for c in data["corrections"]]
    end = parse_date(data["new_valid_until"] or data["valid_until"], "valid_until")
    return {**ctx, "m": m, "name": data["name"], "tag_number": data["tag_number"], "exemption": _exemption(data),
            "percent": data.get("exemption_percent"), "extended": data["decision"] == "verlaengert",
            "valid_until": date_de(end), "taxed_from": date_de(_month_after(end)),
            "reason": data.get("reason") or "", "corrections": corrections,
            "legal_remedy": True, "fee_remedy_note": True}  # a tax notice: Widerspruch, § 80 Abs. 2 Nr. 1 VwGO


def render_change_pdf(data: dict, municipality: dict) -> bytes:
    from weasyprint import HTML

    html = _env.get_template("aenderungsbescheid.html").render(change_context(data, municipality))
    return HTML(string=html, url_fetcher=_no_fetching()).write_pdf(stylesheets=[_stylesheet()],
                                                                  pdf_variant="pdf/ua-1")
