"""Trade-law checks of a notice and the statistics calendar, as process operations."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import require
from . import calendar, form, rules


class Trade(SpecialistSystem):
    name = "trade"
    operations = ("check_notice", "receipt_form", "statistics_due")

    def __init__(self, sessions: sessionmaker[Session] | None = None):
        self.sessions = sessions  # no tables: pure rules

    def check_notice(self, call: ServiceCall) -> dict:
        """params: notice (the application) -> {"findings": [{"code", "text"}], "needs_clerk": bool}."""
        require(call.params, "notice")
        notice = call.params["notice"]
        if not isinstance(notice, dict) or not isinstance(notice.get("betrieb"), dict):
            raise InvalidRequest("notice muss eine Gewerbeanzeige (Antrag) sein.")
        findings = rules.check(notice)
        return {"findings": findings, "needs_clerk": bool(findings)}

    def receipt_form(self, call: ServiceCall) -> dict:
        """params: notice -> {"form", "title", "sections"}: the completed GewA form for the receipt (§ 15 GewO)."""
        require(call.params, "notice")
        notice = call.params["notice"]
        if not isinstance(notice, dict) or notice.get("meldungsart") not in form.FORMS \
                or not isinstance(notice.get("betrieb"), dict) or not isinstance(notice.get("person"), dict):
            raise InvalidRequest("notice muss eine Gewerbeanzeige (Antrag) sein.")
        return form.receipt_form(notice)

    def statistics_due(self, call: ServiceCall) -> dict:
        """params: month ("2026-03") -> {"month", "due_at" (ISO, UTC), "next_month"}."""
        require(call.params, "month")
        month = str(call.params["month"])
        try:
            datetime.strptime(month, "%Y-%m")
        except ValueError:
            raise InvalidRequest(f"month muss die Form JJJJ-MM haben, nicht {month!r}.") from None
        due = calendar.statistics_due(month).astimezone(timezone.utc)
        year, number = int(month[:4]), int(month[5:7])
        return {"month": month, "due_at": due.isoformat(), "next_month": f"{year + number // 12}-{number % 12 + 1:02d}"}
