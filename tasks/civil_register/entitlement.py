"""Who may get a civil-status certificate without a registrar's judgement (§§62–64 PStG)."""
from __future__ import annotations

ENTITLED = {
    "self": "Der Eintrag betrifft die antragstellende Person selbst (§ 62 Abs. 1 PStG).",
    "spouse": "Ehegatten der Person, auf die sich der Eintrag bezieht, sind berechtigt (§ 62 Abs. 1 PStG).",
    "partner": "Lebenspartner der Person, auf die sich der Eintrag bezieht, sind berechtigt (§ 62 Abs. 1 PStG).",
    "parent": "Eltern sind als Vorfahren berechtigt (§ 62 Abs. 1 PStG).",
    "grandparent": "Großeltern sind als Vorfahren berechtigt (§ 62 Abs. 1 PStG).",
    "child": "Kinder sind als Abkömmlinge berechtigt (§ 62 Abs. 1 PStG).",
    "grandchild": "Enkelkinder sind als Abkömmlinge berechtigt (§ 62 Abs. 1 PStG).",
}
NEEDS_INTEREST = {
    "sibling": "Geschwister benötigen ein berechtigtes Interesse (§ 62 Abs. 1 PStG); "
    "das Standesamt prüft die Angaben.",
    "other": "Andere Personen müssen ein rechtliches Interesse glaubhaft machen (§ 62 Abs. 1 PStG); "
    "das Standesamt prüft die Angaben.",
}
RELATIONS = tuple(ENTITLED) + tuple(NEEDS_INTEREST)
MINIMUM_AGE = 16


def decide(relation: str, legal_interest: str | None, blocked: bool, adoption: bool, applicant_age=None) -> dict:
    """``entitled`` only when every rule allows it; otherwise ``needs_clerk`` with all reasons."""
    relation = str(relation).strip().lower()
    reasons = []
    if relation in NEEDS_INTEREST:
        reasons.append(NEEDS_INTEREST[relation])
        if not (legal_interest or "").strip():
            reasons.append("Ein Interesse wurde im Antrag nicht dargelegt.")
    elif relation not in ENTITLED:
        reasons.append(f"Das angegebene Verhältnis zur Person ({relation or 'keine Angabe'}) ist unbekannt.")
    if applicant_age not in (None, "") and int(applicant_age) < MINIMUM_AGE:
        reasons.append("Die antragstellende Person hat das 16. Lebensjahr noch nicht vollendet.")
    if blocked:
        reasons.append("Für den Eintrag ist ein Sperrvermerk eingetragen (§ 64 PStG).")
    if adoption:
        reasons.append("Der Eintrag betrifft eine Annahme als Kind; die Auskunft ist beschränkt (§ 63 PStG).")
    if reasons:
        return {"decision": "needs_clerk", "reason": " ".join(reasons)}
    return {"decision": "entitled", "reason": ENTITLED[relation]}
