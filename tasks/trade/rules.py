"""What the trade office looks at before it certifies receipt (GewO §§14, 15): whether the
activity is a trade at all, whether it needs a permit, whether it is a craft that needs a
Handwerkskarte. Rules match the WZ 2008 code by prefix and the activity text by keyword; a
match never decides, it puts the notice before a clerk."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    wz_prefixes: tuple[str, ...]
    keywords: tuple[str, ...]
    text: str


LIBERAL_PROFESSION = Rule(
    "freier_beruf",
    ("691", "692", "711", "7430", "862", "8690", "9003"),
    ("rechtsanwalt", "steuerberat", "wirtschaftsprüf", "architekt", "arzt", "ärztin", "heilpraktik",
     "psychotherap", "journalist", "künstler", "schriftsteller", "übersetz", "dolmetsch"),
    "Möglicherweise freier Beruf (§ 18 EStG): keine Gewerbeanzeige erforderlich – bitte prüfen.",
)
PERMIT = Rule(
    "erlaubnispflichtig",
    ("561", "563", "4932", "6492", "6619", "6622", "6831", "801", "92", "782"),
    ("gaststätte", "restaurant", "bar ", "kneipe", "taxi", "makler", "bewachung", "spielhalle", "pfandleih",
     "versicherungsvermittl", "finanzanlagenvermittl", "arbeitnehmerüberlassung", "bewacher"),
    "Erlaubnispflichtige Tätigkeit (z. B. §§ 33c–34i GewO, GastG, PBefG): Erlaubnis prüfen, Hinweis an die "
    "anzeigende Person.",
)
CRAFT = Rule(
    "handwerk",
    ("1013", "1071", "2361", "325", "412", "432", "4331", "4332", "4333", "4334", "4391", "452", "9602"),
    ("friseur", "bäcker", "fleischer", "metzger", "elektro", "installateur", "dachdecker", "maurer", "tischler",
     "maler", "kfz", "zahntechnik", "klempner"),
    "Zulassungspflichtiges Handwerk (Anlage A HwO): Eintragung in die Handwerksrolle / Handwerkskarte fehlt.",
)

PERSONS = Rule(
    "personen",
    (),
    (),
    "Die angegebene Zahl der Gesellschafter / gesetzlichen Vertreter stimmt nicht mit den eingetragenen Personen "
    "überein: fehlende Angaben nachfordern.",
)


def matches(rule: Rule, wz: str, texts: list[str]) -> bool:
    text = " ".join(texts).lower() + " "
    return str(wz).startswith(rule.wz_prefixes) or any(k in text for k in rule.keywords)


def check(notice: dict) -> list[dict]:
    """Findings for a clerk, [] when the notice can be certified right away. Closures need no check."""
    if notice["meldungsart"] == "abmeldung":
        return []
    wz = str(notice.get("wz") or "")
    texts = [str(notice.get("taetigkeit") or ""), str(notice.get("weitere_taetigkeiten") or "")]
    findings = [rule for rule in (LIBERAL_PROFESSION, PERMIT) if matches(rule, wz, texts)]
    if matches(CRAFT, wz, texts) and not notice["betrieb"].get("handwerkskarte"):
        findings.append(CRAFT)
    if notice.get("anzahl_personen") and notice["anzahl_personen"] != 1 + len(notice.get("weitere_personen") or []):
        findings.append(PERSONS)
    return [{"code": r.code, "text": r.text} for r in findings]
