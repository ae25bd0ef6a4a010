"""Who may get a civil-status certificate without a registrar's judgement (§§ 62–64 PStG).

§ 62 Abs. 1 PStG: certificates are issued to the persons the entry refers to and to their spouses,
partners, ancestors and descendants (Satz 1); others must show a legal interest (rechtliches
Interesse); a sibling of the child or of the deceased needs only a justified interest (berechtigtes
Interesse) for the birth and the death register (Satz 2), for the marriage and partnership register a
legal interest like anyone else; applicants must be over 16 (Satz 3).
§ 62 Abs. 3 PStG: "Vor Ablauf der für die Führung der Personenstandsregister festgelegten Fristen ist die
Benutzung [...] bereits bei Glaubhaftmachung eines berechtigten Interesses zuzulassen, wenn seit dem Tod
des zuletzt verstorbenen Beteiligten 30 Jahre vergangen sind" (participants: parents and child, the
spouses, the partners). The register counts from the deaths noted on the entry; the registrar still
judges the interest shown.
The relation in Satz 1 must be shown: the register shows it when the login's vouched-for identity fits
(tasks.civil_register.identity); otherwise the registrar checks the proof the applicant brings.
§ 5 Abs. 5 PStG keeping periods (births 110, marriages and partnerships 80, deaths 30 years): after
them the entry goes to the archive (§ 7 Abs. 3 PStG); such a request goes to the registrar."""
from __future__ import annotations

from datetime import date

from .identity import MATCHED, NOT_MATCHED, PROVABLE, UNVERIFIED

ENTITLED = {
    "self": "Der Eintrag betrifft die antragstellende Person selbst (§ 62 Abs. 1 Satz 1 PStG).",
    "spouse": "Ehegatten der Person, auf die sich der Eintrag bezieht, sind berechtigt (§ 62 Abs. 1 Satz 1 PStG).",
    "partner": "Lebenspartner der Person, auf die sich der Eintrag bezieht, sind berechtigt (§ 62 Abs. 1 Satz 1 PStG).",
    "parent": "Eltern sind als Vorfahren berechtigt (§ 62 Abs. 1 Satz 1 PStG).",
    "grandparent": "Großeltern sind als Vorfahren berechtigt (§ 62 Abs. 1 Satz 1 PStG).",
    "child": "Kinder sind als Abkömmlinge berechtigt (§ 62 Abs. 1 Satz 1 PStG).",
    "grandchild": "Enkelkinder sind als Abkömmlinge berechtigt (§ 62 Abs. 1 Satz 1 PStG).",
}
SIBLING_JUSTIFIED = ("Geschwister benötigen beim Geburten- und Sterberegister ein berechtigtes Interesse "
                     "(§ 62 Abs. 1 Satz 2 PStG); das Standesamt prüft die Angaben.")
LEGAL_INTEREST = ("{who} müssen ein rechtliches Interesse glaubhaft machen (§ 62 Abs. 1 Satz 2 PStG); "
                  "das Standesamt prüft die Angaben.")
NEEDS_INTEREST = {
    "sibling": SIBLING_JUSTIFIED,
    "other": LEGAL_INTEREST.format(who="Andere Personen"),
}
RELATIONS = tuple(ENTITLED) + tuple(NEEDS_INTEREST)
PROVEN = " Das Verhältnis ergibt sich aus dem Register (Abgleich mit der bei der Anmeldung bestätigten Identität)."
UNPROVEN = {
    UNVERIFIED: ("Name und Geburtsdatum der antragstellenden Person sind nicht durch die Anmeldung bestätigt "
                 "(Servicekonto mit Vertrauensniveau „substanziell“ oder „hoch“); das Standesamt prüft den Nachweis "
                 "des Verhältnisses zur Person."),
    NOT_MATCHED: ("Das angegebene Verhältnis zur Person ergibt sich nicht aus dem Register: Die bestätigten Angaben der "
                  "antragstellenden Person passen zu keiner Person, die der Eintrag oder ein verbundener Eintrag nennt; "
                  "das Standesamt prüft den Nachweis."),
}
NOT_IN_ONE_ENTRY = ("Großeltern und Enkelkinder weisen die Abstammung nach, sie ergibt sich nicht aus einem Eintrag "
                    "allein; das Standesamt prüft den Nachweis.")
PARTICIPANTS_DEAD_YEARS = 30  # § 62 Abs. 3 PStG
AFTER_PARTICIPANTS_DEATH = ("Seit dem Tod des zuletzt verstorbenen Beteiligten ({died}) sind 30 Jahre "
                            "vergangen: ein berechtigtes Interesse genügt (§ 62 Abs. 3 PStG); das Standesamt prüft "
                            "die Angaben.")
MINIMUM_AGE = 16  # § 62 Abs. 1 Satz 3 PStG: "über 16 Jahre alte Personen"
KEEPING_YEARS = {"birth": 110, "marriage": 80, "partnership": 80, "death": 30}  # § 5 Abs. 5 PStG


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def interest_rule(relation: str, kind: str | None, last_participant_death: date | None, today: date) -> str:
    if (kind in ("birth", "marriage", "partnership") and last_participant_death is not None
            and age_on(last_participant_death, today) >= PARTICIPANTS_DEAD_YEARS):
        return AFTER_PARTICIPANTS_DEATH.format(died=f"{last_participant_death:%d.%m.%Y}")
    if relation == "sibling" and kind in ("marriage", "partnership"):
        return LEGAL_INTEREST.format(who="Geschwister (beim Ehe- und Lebenspartnerschaftsregister)")
    return NEEDS_INTEREST[relation]


def decide(relation: str, legal_interest: str | None, blocked: bool, adoption: bool, applicant_age=None,
           kind: str | None = None, applicant_birth_date: date | None = None, event_date: date | None = None,
           last_participant_death: date | None = None, today: date | None = None,
           identity: str = UNVERIFIED) -> dict:
    """``entitled`` only when every rule allows it; otherwise ``needs_clerk`` with all reasons.
    ``identity``: whether the register proves the claimed relation (tasks.civil_register.identity)."""
    relation = str(relation).strip().lower()
    today = today or date.today()
    reasons = []
    if relation in NEEDS_INTEREST:
        reasons.append(interest_rule(relation, kind, last_participant_death, today))
        if not (legal_interest or "").strip():
            reasons.append("Ein Interesse wurde im Antrag nicht dargelegt.")
    elif relation not in ENTITLED:
        reasons.append(f"Das angegebene Verhältnis zur Person ({relation or 'keine Angabe'}) ist unbekannt.")
    elif relation not in PROVABLE:
        reasons.append(NOT_IN_ONE_ENTRY)
    elif identity != MATCHED:
        reasons.append(UNPROVEN.get(identity, UNPROVEN[UNVERIFIED]))
    if applicant_birth_date is not None:
        applicant_age = age_on(applicant_birth_date, today)
    if applicant_age not in (None, "") and int(applicant_age) < MINIMUM_AGE:
        reasons.append("Die antragstellende Person hat das 16. Lebensjahr noch nicht vollendet; antragsbefugt sind "
                       "über 16 Jahre alte Personen (§ 62 Abs. 1 Satz 3 PStG).")
    if kind in KEEPING_YEARS and event_date is not None and age_on(event_date, today) >= KEEPING_YEARS[kind]:
        reasons.append(f"Die Fortführungsfrist des Registers ({KEEPING_YEARS[kind]} Jahre, § 5 Abs. 5 PStG) ist "
                       "abgelaufen; der Eintrag ist an das Archiv abzugeben (§ 7 Abs. 3 PStG).")
    if blocked:
        reasons.append("Für den Eintrag ist ein Sperrvermerk eingetragen (§ 64 PStG).")
    if adoption:
        reasons.append("Der Eintrag betrifft eine Annahme als Kind; die Auskunft ist beschränkt (§ 63 PStG).")
    if reasons:
        return {"decision": "needs_clerk", "reason": " ".join(reasons)}
    return {"decision": "entitled", "reason": ENTITLED[relation] + PROVEN}
