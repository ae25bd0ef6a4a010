"""Dog tax (Hundesteuer): households and holders, dogs, SEPA mandates, assessments and tax tags.

The process passes the municipality's values (rates, breed list, due dates, pro-rata rule);
this system applies them to what it has registered, so the count of dogs in a household
always comes from its own tables."""
from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.operations import InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import BERLIN, call_today, iso, next_counter, parse_date, require, run_once, utcnow
from ..documents.filing import file_pdf
from . import rules
from .models import (
    END_REASONS,
    REPLACEMENT_REASONS,
    REVIEW_DECISIONS,
    DogTaxAssessment,
    DogTaxCounter,
    DogTaxDog,
    DogTaxExemptionReview,
    DogTaxHolder,
    DogTaxHousehold,
    DogTaxMandate,
    DogTaxTag,
)
from .notice import (
    render_annual_pdf,
    render_assessment_pdf,
    render_change_pdf,
    render_deregistration_pdf,
    render_review_letter_pdf,
)


class DogTax(SpecialistSystem):
    name = "dog_tax"
    operations = ("register_dog", "record_mandate", "assess", "issue_tag", "render_notice", "reject_registration",
                  "deregister_dog", "correct_assessment", "render_deregistration", "replace_tag",
                  "annual_run_due", "annual_holders", "assess_year", "record_receivables", "render_annual_notice",
                  "exemption_review_due", "open_exemption_review", "render_exemption_letter", "settle_exemption",
                  "render_exemption_notice", "change_dog_data")

    def __init__(self, sessions: sessionmaker[Session], efile):
        self.sessions = sessions
        self.efile = efile

    def register_dog(self, call: ServiceCall) -> dict:
        """params: holder {given_name, family_name, street, postal_code, city, email?, account? (portal)},
        dog {name, breed, held_since, born_on?, chip_number?, insurer?, previous_holder?, previous_address?},
        declared_dangerous?, permit_number?, dangerous_breeds [the municipality's list], main_residence?
        (from residents.main_residence: {found, street, postal_code, city, flat}; sets the household)
        -> {"dog_id", "holder_id", "household_id", "listed_breed", "dangerous", "registered_dogs"}.
        The dog is "beantragt" until ``issue_tag``; it does not count for the household before."""
        p = call.params
        require(p, "holder", "dog")
        holder, dog = p["holder"], p["dog"]
        require(holder, "given_name", "family_name", "street", "postal_code", "city")
        require(dog, "name", "breed", "held_since")
        held_since = parse_date(dog["held_since"], "dog.held_since")
        listed = rules.listed_breed(dog["breed"], p.get("dangerous_breeds") or [])

        def find(session: Session):
            row = session.scalar(select(DogTaxDog).where(
                DogTaxDog.tenant == call.tenant, DogTaxDog.idempotency_key == call.idempotency_key))
            return self._registered(session, row) if row else None

        def create(session: Session):
            residence = p.get("main_residence") or {}
            owner = self._holder(session, call.tenant, holder, residence if residence.get("found") else None)
            row = DogTaxDog(
                tenant=call.tenant, holder_id=owner.id, household_id=owner.household_id, name=str(dog["name"])[:100],
                breed=str(dog["breed"])[:100], born_on=parse_date(dog.get("born_on"), "dog.born_on"),
                held_since=held_since, chip_number=_opt(dog.get("chip_number"), 20),
                insurer=_opt(dog.get("insurer"), 200), previous_holder=_opt(dog.get("previous_holder"), 300),
                previous_address=_opt(dog.get("previous_address"), 300), listed_breed=listed,
                dangerous=bool(listed or p.get("declared_dangerous")), permit_number=_opt(p.get("permit_number"), 100),
                status="beantragt", business_key=call.business_key, instance_id=call.instance_id,
                idempotency_key=call.idempotency_key, created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return self._registered(session, row)

        return run_once(self.sessions, find, create)

    def record_mandate(self, call: ServiceCall) -> dict:
        """params: holder_id, iban, account_holder, signed_on -> {"valid", "message", "reference", "iban_masked",
        "bic", "bank_name"}. An invalid IBAN stores nothing and says why, in German."""
        p = call.params
        require(p, "holder_id", "account_holder", "signed_on")
        checked = rules.check_iban(p.get("iban"))
        if not checked.valid:
            return {"valid": False, "message": checked.message, "reference": None, "iban_masked": None,
                    "bic": None, "bank_name": None}
        signed_on = parse_date(p["signed_on"], "signed_on")

        def find(session: Session):
            row = session.scalar(select(DogTaxMandate).where(
                DogTaxMandate.tenant == call.tenant, DogTaxMandate.idempotency_key == call.idempotency_key))
            return mandate_view(row) if row else None

        def create(session: Session):
            holder = session.get(DogTaxHolder, int(p["holder_id"]))
            if holder is None or holder.tenant != call.tenant:
                raise InvalidRequest(f"Halter/in {p['holder_id']} ist nicht erfasst.")
            number = next_counter(session, DogTaxCounter, call.tenant, "mandat")
            row = DogTaxMandate(
                tenant=call.tenant, holder_id=holder.id, reference=f"HUNDESTEUER-{number:06d}", iban=checked.iban,
                bic=checked.bic, bank_name=(checked.bank_name or None) and checked.bank_name[:200],
                account_holder=str(p["account_holder"])[:200], signed_on=signed_on,
                idempotency_key=call.idempotency_key, created_at=utcnow(),
            )
            session.add(row)
            return mandate_view(row)

        return run_once(self.sessions, find, create)

    def assess(self, call: ServiceCall) -> dict:
        """params: dog_id, dangerous (after the permit check), permit_number?, rates {first, second, further,
        dangerous_first, dangerous_further} (cents a year), pro_rata (ab_monat | ab_folgemonat), due_dates
        ["MM-TT"], back_due_period (ISO duration after the Bekanntgabe for amounts already due), on? (the
        day the notice is issued; default: the engine's today), exemption? {kind, decision, percent, reason,
        valid_until?}, mandate_reference?, min_age_months? (puppy rule) -> the assessment (see
        ``assessment_view``), exempt_dogs_count? (default true; false: dogs exempt for the year do not count
        for the rate, as the statute says). A granted exemption stays with the dog for the following years."""
        p = call.params
        require(p, "dog_id", "rates", "pro_rata", "due_dates", "back_due_period")
        on = parse_date(p.get("on"), "on") or call_today(call)
        exemption = p.get("exemption") or {}
        decision = exemption.get("decision")
        if decision is not None and decision not in rules.EXEMPTION_DECISIONS:
            raise InvalidRequest(f"Unbekannte Entscheidung über die Ermäßigung: {decision!r}.")
        percent = {"befreiung": 100, "ermaessigung": exemption.get("percent"), None: 0, "abgelehnt": 0}[decision]

        def find(session: Session):
            row = session.scalar(select(DogTaxAssessment).where(
                DogTaxAssessment.tenant == call.tenant, DogTaxAssessment.idempotency_key == call.idempotency_key))
            return self._with_back_years(session, row) if row else None

        def create(session: Session):
            dog = self._dog(session, call.tenant, p["dog_id"])
            dog.dangerous = bool(p.get("dangerous"))
            dog.permit_number = _opt(p.get("permit_number"), 100) or dog.permit_number
            dogs, dangerous_dogs = self._registered_counts(session, dog, on.year,
                                                           p.get("exempt_dogs_count", True) is not False)
            kind = rules.rate_kind(dog.dangerous, dogs, dangerous_dogs)
            annual = rules.annual_rate(p["rates"], kind)
            first_month, months = rules.liable_months(dog.held_since, on.year, p["pro_rata"], dog.born_on,
                                                      int(p.get("min_age_months") or 0))
            share = rules.pro_rata(annual, months)
            if decision in ("befreiung", "ermaessigung"):
                dog.exemption_kind, dog.exemption_percent = _opt(exemption.get("kind"), 30), percent
                dog.exemption_reason = _opt(exemption.get("reason"), 2000)
                dog.exemption_valid_until = parse_date(exemption.get("valid_until"), "exemption.valid_until")
            amount = rules.reduced(share, percent)
            mandate = None
            if p.get("mandate_reference"):
                mandate = session.scalar(select(DogTaxMandate).where(
                    DogTaxMandate.tenant == call.tenant, DogTaxMandate.reference == p["mandate_reference"]))
            row = DogTaxAssessment(
                tenant=call.tenant, dog_id=dog.id, year=on.year, first_month=first_month, months=months,
                rate_kind=kind, annual_rate_cents=annual, pro_rata_cents=share, reduction_percent=percent,
                exemption_kind=_opt(exemption.get("kind"), 30), exemption_decision=decision,
                exemption_reason=_opt(exemption.get("reason"), 2000), amount_cents=amount,
                instalments=rules.instalments(amount, on, p["due_dates"], p["back_due_period"], first_month),
                mandate_id=mandate.id if mandate else None, assessed_on=on, business_key=call.business_key,
                instance_id=call.instance_id, idempotency_key=call.idempotency_key, created_at=utcnow(),
            )
            row.dog, row.mandate = dog, mandate
            session.add(row)
            # Late registration: the earlier years of keeping are assessed back, on the same notice.
            for year in range(max(dog.held_since.year, rules.earliest_assessable_year(on)), on.year):
                first, count = rules.liable_months(dog.held_since, year, p["pro_rata"], dog.born_on,
                                                   int(p.get("min_age_months") or 0))
                if not count:
                    continue
                kept = self._kept_counts(session, dog, year)
                back_kind = rules.rate_kind(dog.dangerous, *kept)
                back_annual = rules.annual_rate(p["rates"], back_kind)
                back_share = rules.pro_rata(back_annual, count)
                back_amount = rules.reduced(back_share, percent)
                session.add(DogTaxAssessment(
                    tenant=call.tenant, dog=dog, year=year, first_month=first, months=count, rate_kind=back_kind,
                    annual_rate_cents=back_annual, pro_rata_cents=back_share, reduction_percent=percent,
                    exemption_kind=row.exemption_kind, exemption_decision=decision,
                    exemption_reason=row.exemption_reason, amount_cents=back_amount,
                    instalments=rules.instalments(back_amount, on, p["due_dates"], p["back_due_period"], first, year),
                    mandate=mandate, assessed_on=on, business_key=call.business_key, instance_id=call.instance_id,
                    idempotency_key=annual_key(dog, year), created_at=utcnow()))
            session.flush()
            return self._with_back_years(session, row)

        return run_once(self.sessions, find, create)

    def _back_years(self, session: Session, row: DogTaxAssessment) -> list[DogTaxAssessment]:
        """The earlier years assessed back with a registration's assessment."""
        return [r for r in session.scalars(select(DogTaxAssessment).where(
            DogTaxAssessment.tenant == row.tenant, DogTaxAssessment.dog_id == row.dog_id,
            DogTaxAssessment.year < row.year).order_by(DogTaxAssessment.year))
            if r.idempotency_key == annual_key(r.dog, r.year) and r.assessed_on == row.assessed_on
            and r.business_key == row.business_key]

    def _with_back_years(self, session: Session, row: DogTaxAssessment) -> dict:
        back = [assessment_view(r) for r in self._back_years(session, row)]
        purpose = f"Hundesteuer {{year}} {row.dog.name} (nachveranlagt, {row.business_key or 'Anmeldung'})"
        holder = row.dog.holder
        debtor = {"name": f"{holder.given_name} {holder.family_name}", "street": holder.household.street,
                  "postal_code": holder.household.postal_code, "city": holder.household.city}
        return {**assessment_view(row), "back_years": back,
                "back_cents": sum(b["amount_cents"] for b in back),
                "back_bookings": [{"key": annual_key(row.dog, b["year"]), "amount_cents": b["amount_cents"],
                                   "purpose": purpose.format(year=b["year"]), "debtor": debtor,
                                   "due_date": b["first_due_date"]}
                                  for b in back if b["amount_cents"] > 0 and not b["cash_reference"]]}

    def _kept_counts(self, session: Session, dog: DogTaxDog, year: int) -> tuple[int, int]:
        """The other dogs the household kept in ``year`` that came before this one (all, dangerous ones)."""
        others = [d for d in session.scalars(select(DogTaxDog).where(
            DogTaxDog.tenant == dog.tenant, DogTaxDog.household_id == dog.household_id, DogTaxDog.id != dog.id,
            DogTaxDog.status.in_(("angemeldet", "abgemeldet")), DogTaxDog.held_since <= date(year, 12, 31)))
            if (d.held_until is None or d.held_until >= date(year, 1, 1))
            and (d.held_since, d.id) < (dog.held_since, dog.id)]
        return len(others), sum(1 for d in others if d.dangerous)

    def issue_tag(self, call: ServiceCall) -> dict:
        """params: assessment_id, cash_reference? -> {"tag_number", "dog_id"}. Registers the dog (it counts
        for the household from now on) and gives it the next tag number of the tenant."""
        p = call.params
        require(p, "assessment_id")

        def find(session: Session):
            row = session.scalar(select(DogTaxTag).where(
                DogTaxTag.tenant == call.tenant, DogTaxTag.idempotency_key == call.idempotency_key))
            return {"tag_number": row.number, "dog_id": row.dog_id} if row else None

        def create(session: Session):
            assessment = self._assessment(session, call.tenant, p["assessment_id"])
            assessment.cash_reference = _opt(p.get("cash_reference"), 40)
            tag = new_tag(session, assessment.dog, call.idempotency_key, assessment.assessed_on)
            assessment.dog.status = "angemeldet"
            return {"tag_number": tag.number, "dog_id": assessment.dog_id}

        return run_once(self.sessions, find, create)

    def render_notice(self, call: ServiceCall) -> dict:
        """params: assessment_id, file_number, case_number, applicant (address), municipality (letterhead),
        creditor_id? (for the SEPA note), decided_by? (the official who decided the permit or the exemption,
        § 37 Abs. 3 VwVfG; without one the notice was made by automatic equipment)
        -> {"document_id", "title", "sha256"}: the Steuerbescheid as PDF, filed in the case's e-file.
        One document per key."""
        p = call.params
        require(p, "assessment_id", "file_number", "case_number", "applicant", "municipality")
        with self.sessions() as session:
            assessment = self._assessment(session, call.tenant, p["assessment_id"])
            data = {**notice_data(assessment), "back_years": [notice_data(r) for r in self._back_years(
                        session, assessment)], "case_number": p["case_number"], "applicant": p["applicant"],
                    "file_number": p["file_number"], "creditor_id": p.get("creditor_id"),
                    "decided_by": p.get("decided_by"),
                    # A notice is dated the day it is issued: the engine's today at rendering.
                    "date": call_today(call).isoformat()}
        title = f"Steuerbescheid Hundesteuer {data['year']} – Steuermarke Nr. {data['tag_number']}"
        return file_pdf(self.efile, call, file_number=p["file_number"], title=title, kind="bescheid",
                        render=lambda: render_assessment_pdf(data, p["municipality"]))

    def reject_registration(self, call: ServiceCall) -> dict:
        """params: dog_id, reason -> {"dog_id", "status"}. The dog no longer counts for anything."""
        require(call.params, "dog_id", "reason")
        with transaction(self.sessions) as session:
            dog = self._dog(session, call.tenant, call.params["dog_id"])
            if dog.status == "beantragt":
                dog.status, dog.status_reason = "abgelehnt", str(call.params["reason"])[:2000]
            return {"dog_id": dog.id, "status": dog.status}

    def deregister_dog(self, call: ServiceCall) -> dict:
        """params: tag_number, holder {given_name, family_name, street, postal_code}, held_until, reason
        (END_REASONS), details? (new holder and address, or the new address) -> {"dog_id", "name",
        "held_until", "reason"}. Liability ends with keeping; the tag is to be returned."""
        p = call.params
        require(p, "tag_number", "holder", "held_until", "reason")
        if p["reason"] not in END_REASONS:
            raise InvalidRequest(f"Unbekannter Grund der Abmeldung: {p['reason']!r} ({', '.join(END_REASONS)}).")
        held_until = parse_date(p["held_until"], "held_until")
        with transaction(self.sessions) as session:
            dog = self._holders_dog(session, call.tenant, p["tag_number"], p["holder"])
            if dog is not None and dog.status == "abgemeldet" and dog.held_until == held_until:
                return deregistered_view(dog)  # delivered again
            problem = deregistration_problem(dog, held_until, call_today(call))
            if problem:
                raise InvalidRequest(problem[1])
            dog.status, dog.held_until, dog.end_reason = "abgemeldet", held_until, p["reason"]
            dog.end_details = _opt(p.get("details"), 2000)
            return deregistered_view(dog)

    def correct_assessment(self, call: ServiceCall) -> dict:
        """params: dog_id, end_rule (END_RULES) -> {"assessment_id", "year", "cash_reference", "amount_cents",
        "corrected_cents", "difference_cents", "last_month", "months"} for the assessment of the year keeping
        ended, corrected pro rata by month; {"assessment_id": None, ...} if there is none for that year."""
        p = call.params
        require(p, "dog_id", "end_rule")
        with transaction(self.sessions) as session:
            dog = self._dog(session, call.tenant, p["dog_id"])
            if dog.status != "abgemeldet" or dog.held_until is None:
                raise InvalidRequest(f"Hund {dog.id} ist nicht abgemeldet.")
            year = dog.held_until.year
            row = session.scalar(select(DogTaxAssessment).where(
                DogTaxAssessment.tenant == call.tenant, DogTaxAssessment.dog_id == dog.id,
                DogTaxAssessment.year == year).order_by(DogTaxAssessment.id.desc()))
            if row is None:
                return {"assessment_id": None, "year": year, "cash_reference": None, "amount_cents": 0,
                        "corrected_cents": 0, "difference_cents": 0, "last_month": None, "months": 0}
            if row.corrected_cents is None:  # corrected once: a repeated call returns the same
                row.last_month, months = rules.months_until(row.first_month, row.months, year, dog.held_until,
                                                            p["end_rule"])
                row.corrected_cents = rules.reduced(rules.pro_rata(row.annual_rate_cents, months),
                                                    row.reduction_percent)
            return correction_view(row)

    def render_deregistration(self, call: ServiceCall) -> dict:
        """params: dog_id, file_number, case_number, applicant (address), municipality (letterhead),
        return_days (for the tag), paid_cents?, refund_cents?, open_cents? (from finance), decided_by?
        -> {"document_id", "title", "sha256"}: the Abmeldebestätigung, with the Änderungsbescheid if an
        assessment was corrected, filed in the case's e-file."""
        p = call.params
        require(p, "dog_id", "file_number", "case_number", "applicant", "municipality", "return_days")
        with self.sessions() as session:
            dog = self._dog(session, call.tenant, p["dog_id"])
            if dog.status != "abgemeldet":
                raise InvalidRequest(f"Hund {dog.id} ist nicht abgemeldet.")
            assessment = session.scalar(select(DogTaxAssessment).where(
                DogTaxAssessment.tenant == call.tenant, DogTaxAssessment.dog_id == dog.id,
                DogTaxAssessment.corrected_cents.is_not(None)).order_by(DogTaxAssessment.id.desc()))
            data = {"dog": {"name": dog.name, "breed": dog.breed, "held_since": dog.held_since,
                            "held_until": dog.held_until, "reason": dog.end_reason, "details": dog.end_details},
                    "tag_number": dog.tags[-1].number if dog.tags else None,
                    "correction": None if assessment is None else {
                        **correction_view(assessment), "first_month": assessment.first_month,
                        "annual_rate_cents": assessment.annual_rate_cents,
                        "reduction_percent": assessment.reduction_percent,
                        "instalments": rules.open_instalments(
                            assessment.instalments, assessment.amount_cents - assessment.corrected_cents,
                            int(p.get("paid_cents") or 0))},
                    "paid_cents": int(p.get("paid_cents") or 0), "refund_cents": int(p.get("refund_cents") or 0),
                    "open_cents": int(p.get("open_cents") or 0), "return_days": int(p["return_days"]),
                    "case_number": p["case_number"], "applicant": p["applicant"], "file_number": p["file_number"],
                    "decided_by": p.get("decided_by"), "date": call_today(call).isoformat()}
        title = f"Abmeldung des Hundes {data['dog']['name']} – Steuermarke Nr. {data['tag_number']}"
        return file_pdf(self.efile, call, file_number=p["file_number"], title=title, kind="bescheid",
                        render=lambda: render_deregistration_pdf(data, p["municipality"]))

    def replace_tag(self, call: ServiceCall) -> dict:
        """params: tag_number, holder {given_name, family_name, street, postal_code}, reason (REPLACEMENT_REASONS)
        -> {"dog_id", "name", "old_tag", "tag_number"}: an Ersatzmarke with the next number; the old tag is
        invalid from today."""
        p = call.params
        require(p, "tag_number", "holder", "reason")
        if p["reason"] not in REPLACEMENT_REASONS:
            raise InvalidRequest(f"Unbekannter Grund für die Ersatzmarke: {p['reason']!r}.")

        def find(session: Session):
            row = session.scalar(select(DogTaxTag).where(
                DogTaxTag.tenant == call.tenant, DogTaxTag.idempotency_key == call.idempotency_key))
            return replaced_view(row.dog, row.dog.tags[row.dog.tags.index(row) - 1], row) if row else None

        def create(session: Session):
            dog = self._holders_dog(session, call.tenant, p["tag_number"], p["holder"])
            if (problem := replacement_problem(dog)) is not None:
                raise InvalidRequest(problem[1])
            today = call_today(call)
            old = dog.tags[-1]
            old.invalid_since = today
            tag = new_tag(session, dog, call.idempotency_key, today)
            session.refresh(dog, ["tags"])
            return replaced_view(dog, old, tag)

        return run_once(self.sessions, find, create)

    # The yearly assessment run (Jahreslauf).

    def annual_run_due(self, call: ServiceCall) -> dict:
        """params: month ("2026-11", where the run stands), run_date ("12-01", the statute's day)
        -> {"due_at" (ISO, UTC: 6 o'clock in Germany on the next run day from that month on), "year" (the
        year assessed: the following one for a run in the second half of the year, else the same),
        "catch_up_at" (2 January of that year, for the dogs registered after the run for their year of
        registration only; None if the run is in the year it assesses), "next_month" (where the run stands
        after it), "running_year" (the year of the month when that run does not assess it, else None: a run
        started for the first time assesses it at once, or its dogs would never be assessed for it)}."""
        require(call.params, "month", "run_date")
        month, text = str(call.params["month"]), str(call.params["run_date"])
        if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", month):
            raise InvalidRequest(f"month muss die Form JJJJ-MM haben, nicht {month!r}.")
        start = date(int(month[:4]), int(month[5:]), 1)
        day = rules.due_date(start.year, text)
        if day < start:
            day = rules.due_date(start.year + 1, text)
        year = day.year + 1 if day.month >= 7 else day.year
        after = day.year * 12 + day.month  # the month after the run day, counted from 0
        return {"due_at": _six_in_germany(day), "year": year,
                "catch_up_at": _six_in_germany(date(year, 1, 2)) if year > day.year else None,
                "next_month": f"{after // 12}-{after % 12 + 1:02d}",
                "running_year": start.year if year != start.year else None}

    def annual_holders(self, call: ServiceCall) -> dict:
        """params: year -> {"year", "holder_ids"}: the holders with a dog still registered and liable in that
        year that has not gone out on a notice for the year yet (a rerun finds only what is left)."""
        require(call.params, "year")
        year = _year(call.params["year"])
        with transaction(self.sessions) as session:
            ids = sorted({dog.holder_id for dog in self._liable_dogs(session, call.tenant, year)
                          if self._year_assessment(session, dog, year) in (None, "open")})
        return {"year": year, "holder_ids": ids}

    def assess_year(self, call: ServiceCall) -> dict:
        """params: holder_id, year, rates, pro_rata, due_dates, back_due_period, min_age_months?,
        exempt_dogs_count? (default true: exempt dogs count for the rate), on? (the issue day; default the
        engine's today) -> {"holder_id", "year", "case_number", "address", "email", "account", "mandate", "amount_cents",
        "assessments": [assessment_view + "dog", "booking_key", "purpose"], "bookings": [{"key",
        "amount_cents", "purpose", "debtor", "due_date"}] (receivables still to book)}. One assessment per
        dog and year: a repeated call (a retry, a rerun of the year) assesses nothing twice."""
        p = call.params
        require(p, "holder_id", "year", "rates", "pro_rata", "due_dates", "back_due_period")
        year = _year(p["year"])
        on = parse_date(p.get("on"), "on") or call_today(call)
        counts_exempt = p.get("exempt_dogs_count", True) is not False
        min_age = int(p.get("min_age_months") or 0)

        def assess(session: Session) -> dict:
            holder = session.get(DogTaxHolder, int(p["holder_id"]))
            if holder is None or holder.tenant != call.tenant:
                raise InvalidRequest(f"Halter/in {p['holder_id']} ist nicht erfasst.")
            mandate = session.scalar(select(DogTaxMandate).where(
                DogTaxMandate.tenant == call.tenant, DogTaxMandate.holder_id == holder.id)
                .order_by(DogTaxMandate.id.desc()))
            household = [d for d in self._liable_dogs(session, call.tenant, year)
                         if d.household_id == holder.household_id]
            counted = [d for d in household if counts_exempt or not _exempt_all_year(d, year)]
            rows = []
            for dog in (d for d in household if d.holder_id == holder.id):
                found = self._year_assessment(session, dog, year)
                if found is None:  # assessed for the year in its own registration
                    continue
                row = session.scalar(select(DogTaxAssessment).where(
                    DogTaxAssessment.tenant == call.tenant, DogTaxAssessment.idempotency_key == annual_key(dog, year)))
                if row is None:
                    before = [d for d in counted if (d.held_since, d.id) < (dog.held_since, dog.id)]
                    row = self._annual_assessment(dog, year, on, p, min_age, mandate, rules.rate_kind(
                        dog.dangerous, len(before), sum(1 for d in before if d.dangerous)), call)
                    session.add(row)
                    session.flush()
                if row.notice_document_id is None:
                    rows.append(row)
            address = {"name": f"{holder.given_name} {holder.family_name}", "street": holder.household.street,
                       "postal_code": holder.household.postal_code, "city": holder.household.city}
            views = [{**assessment_view(r), "dog": r.dog.name, "booking_key": annual_key(r.dog, year),
                      "purpose": f"Hundesteuer {year} {r.dog.name} (Steuermarke {_tag(r.dog)})"} for r in rows]
            # The notice joins the case of the holder's first registration still running for good (its e-file
            # and its portal page); a holder registered before the portal gets a case of the year.
            cases = [d.business_key for d in sorted(household, key=lambda d: d.id)
                     if d.holder_id == holder.id and d.business_key]
            return {"holder_id": holder.id, "year": year, "address": address, "email": holder.email,
                    "case_number": cases[0] if cases else f"HS-J{year}-{holder.id}",
                    "account": holder.account, "mandate": mandate is not None,
                    "amount_cents": sum(v["amount_cents"] for v in views), "assessments": views,
                    "bookings": [{"key": v["booking_key"], "amount_cents": v["amount_cents"], "purpose": v["purpose"],
                                  "debtor": address, "due_date": v["first_due_date"]}
                                 for v in views if v["amount_cents"] > 0 and not v["cash_reference"]]}

        return run_once(self.sessions, lambda session: None, assess)

    def record_receivables(self, call: ServiceCall) -> dict:
        """params: receivables [{"key", "cash_reference"}] (from finance.create_receivables, keyed by the
        assessments' keys) -> {"recorded": n}: each cash reference on its assessment."""
        booked = call.params.get("receivables")
        if not isinstance(booked, list) or len(booked) > 200:
            raise InvalidRequest("receivables muss eine Liste mit höchstens 200 Buchungen sein.")
        with transaction(self.sessions) as session:
            recorded = 0
            for item in booked:
                row = session.scalar(select(DogTaxAssessment).where(
                    DogTaxAssessment.tenant == call.tenant, DogTaxAssessment.idempotency_key == str(item.get("key"))))
                if row is not None and row.cash_reference in (None, item.get("cash_reference")):
                    row.cash_reference, recorded = str(item.get("cash_reference"))[:40], recorded + 1
            return {"recorded": recorded}

    def render_annual_notice(self, call: ServiceCall) -> dict:
        """params: holder_id, year, file_number, case_number, municipality (letterhead), creditor_id?
        -> {"document_id", "title", "sha256"}: one Steuerbescheid for all of the holder's dogs of the year
        not yet on a notice (the SEPA pre-notification or the request to transfer), filed in the e-file;
        the assessments remember it, so the year goes out once."""
        p = call.params
        require(p, "holder_id", "year", "file_number", "case_number", "municipality")
        year = _year(p["year"])
        with self.sessions() as session:
            rows = [r for r in self._holder_year(session, call.tenant, int(p["holder_id"]), year)
                    if r.notice_document_id is None]
            if not rows:
                raise InvalidRequest(f"Für Halter/in {p['holder_id']} ist {year} nichts offen.")
            holder = rows[0].dog.holder
            ids = [r.id for r in rows]
            data = {"year": year, "dogs": [notice_data(r) for r in rows], "creditor_id": p.get("creditor_id"),
                    "case_number": p["case_number"], "file_number": p["file_number"],
                    "applicant": {"name": f"{holder.given_name} {holder.family_name}", "street": holder.household.street,
                                  "postal_code": holder.household.postal_code, "city": holder.household.city},
                    "date": call_today(call).isoformat()}
        title = f"Steuerbescheid Hundesteuer {year}"
        filed = file_pdf(self.efile, call, file_number=p["file_number"], title=title, kind="bescheid",
                         render=lambda: render_annual_pdf(data, p["municipality"]))
        with transaction(self.sessions) as session:
            for row in session.scalars(select(DogTaxAssessment).where(DogTaxAssessment.id.in_(ids))):
                row.notice_document_id = row.notice_document_id or filed["document_id"]
        return filed

    def _liable_dogs(self, session: Session, tenant: str, year: int) -> list[DogTaxDog]:
        """The registered dogs kept in ``year``, in the order they came to their household (which sets the rate)."""
        return list(session.scalars(select(DogTaxDog).where(
            DogTaxDog.tenant == tenant, DogTaxDog.status == "angemeldet", DogTaxDog.held_since <= date(year, 12, 31))
            .order_by(DogTaxDog.household_id, DogTaxDog.held_since, DogTaxDog.id)))

    def _year_assessment(self, session: Session, dog: DogTaxDog, year: int) -> str | None:
        """"open" (to assess or to send), "sent" (on an annual notice) or None (assessed in its registration)."""
        rows = session.scalars(select(DogTaxAssessment).where(
            DogTaxAssessment.tenant == dog.tenant, DogTaxAssessment.dog_id == dog.id,
            DogTaxAssessment.year == year)).all()
        mine = [r for r in rows if r.idempotency_key == annual_key(dog, year)]
        if rows and not mine:
            return None
        return "sent" if mine and mine[0].notice_document_id is not None else "open"

    def _holder_year(self, session: Session, tenant: str, holder_id: int, year: int) -> list[DogTaxAssessment]:
        return [r for r in session.scalars(select(DogTaxAssessment).join(DogTaxDog).where(
            DogTaxAssessment.tenant == tenant, DogTaxAssessment.year == year, DogTaxDog.holder_id == holder_id)
            .order_by(DogTaxAssessment.id)) if r.idempotency_key == annual_key(r.dog, year)]

    def _annual_assessment(self, dog: DogTaxDog, year: int, on: date, p: dict, min_age: int,
                           mandate: DogTaxMandate | None, kind: str, call: ServiceCall) -> DogTaxAssessment:
        annual = rules.annual_rate(p["rates"], kind)
        first_month, months = rules.liable_months(dog.held_since, year, p["pro_rata"], dog.born_on, min_age)
        share = rules.pro_rata(annual, months)
        percent = dog.exemption_percent or 0
        covered = rules.exempt_months(first_month, months, year, dog.exemption_valid_until) if percent else 0
        # Only the months the exemption still covers are reduced; after it ends the full rate is owed.
        exempt_share = rules.pro_rata(annual, covered)
        amount = share - exempt_share + rules.reduced(exempt_share, percent)
        return DogTaxAssessment(
            tenant=dog.tenant, dog_id=dog.id, year=year, first_month=first_month, months=months, rate_kind=kind,
            annual_rate_cents=annual, pro_rata_cents=share, reduction_percent=percent if covered else 0,
            exemption_kind=dog.exemption_kind if covered else None,
            exemption_decision=("befreiung" if percent == 100 else "ermaessigung") if covered else None,
            exemption_reason=_exemption_note(dog, covered, months) if covered else None, amount_cents=amount,
            instalments=rules.instalments(amount, on, p["due_dates"], p["back_due_period"], first_month, year),
            mandate_id=mandate.id if mandate else None, assessed_on=on, business_key=call.business_key,
            instance_id=call.instance_id, idempotency_key=annual_key(dog, year), created_at=utcnow(),
            dog=dog, mandate=mandate)

    def change_dog_data(self, call: ServiceCall) -> dict:
        """params: tag_number, holder {given_name, family_name, street, postal_code}, name?, breed?, chip_number?
        -> {"dog_id", "name", "breed", "chip_number", "tag_number"} as registered now. The submission check has
        applied the municipality's breed list (a change that moves the dog into or out of it, and so changes
        the rate, goes to the office) and the uniqueness of the chip; the latter is checked again here."""
        p = call.params
        require(p, "tag_number", "holder")
        with transaction(self.sessions) as session:
            dog = self._holders_dog(session, call.tenant, p["tag_number"], p["holder"])
            if dog is None or dog.status != "angemeldet":
                raise InvalidRequest(NOT_THE_HOLDERS[1])
            chip = _opt(p.get("chip_number"), 20)
            if chip and chip != dog.chip_number and self._chip_taken(session, call.tenant, chip, dog.id):
                raise InvalidRequest(CHIP_TAKEN[1])
            dog.name = _opt(p.get("name"), 100) or dog.name
            dog.breed = _opt(p.get("breed"), 100) or dog.breed
            dog.chip_number = chip or dog.chip_number
            return {"dog_id": dog.id, "name": dog.name, "breed": dog.breed, "chip_number": dog.chip_number,
                    "tag_number": _tag(dog)}

    def _chip_taken(self, session: Session, tenant: str, chip: str, dog_id: int | None = None) -> bool:
        return session.scalar(select(func.count()).select_from(DogTaxDog).where(
            DogTaxDog.tenant == tenant, DogTaxDog.chip_number == chip, DogTaxDog.id != (dog_id or 0),
            DogTaxDog.status.in_(("beantragt", "angemeldet")))) > 0

    # Limited exemptions: reviewed ahead of their end, extended or ended.

    def exemption_review_due(self, call: ServiceCall) -> dict:
        """params: dog_id, lead (ISO duration, e.g. "P6W") -> {"review" (the dog is registered with a limited
        exemption), "valid_until", "review_at" (6 o'clock in Germany ``lead`` before the end, not before
        today), "ends_at" (6 o'clock on the day after the end)}."""
        require(call.params, "dog_id", "lead")
        with self.sessions() as session:
            dog = self._dog(session, call.tenant, call.params["dog_id"])
            end = dog.exemption_valid_until
            if dog.status != "angemeldet" or not dog.exemption_percent or end is None:
                return {"review": False, "valid_until": iso(end), "review_at": None, "ends_at": None}
            day = max(rules.before(end, str(call.params["lead"])), call_today(call))
            return {"review": True, "valid_until": end.isoformat(), "review_at": _six_in_germany(day),
                    "ends_at": _six_in_germany(end + timedelta(days=1))}

    def open_exemption_review(self, call: ServiceCall) -> dict:
        """params: dog_id, valid_until -> {"open" (False: the dog was deregistered or the exemption changed
        meanwhile), "review_id", ...}. One review per dog and end date, however often it is called."""
        p = call.params
        require(p, "dog_id", "valid_until")
        end = parse_date(p["valid_until"], "valid_until")
        with transaction(self.sessions) as session:
            dog = self._dog(session, call.tenant, p["dog_id"])
            if dog.status != "angemeldet" or dog.exemption_valid_until != end or not dog.exemption_percent:
                return {"open": False, "review_id": None}
            row = session.scalar(select(DogTaxExemptionReview).where(
                DogTaxExemptionReview.tenant == call.tenant, DogTaxExemptionReview.dog_id == dog.id,
                DogTaxExemptionReview.valid_until == end))
            if row is None:
                row = DogTaxExemptionReview(tenant=call.tenant, dog_id=dog.id, valid_until=end,
                                            opened_on=call_today(call), business_key=call.business_key,
                                            created_at=utcnow())
                session.add(row)
                session.flush()
            return review_view(row)

    def render_exemption_letter(self, call: ServiceCall) -> dict:
        """params: review_id, file_number, case_number, applicant, municipality -> the letter to the
        holder ahead of the end: what ends when, from when which tax is owed, what to hand in to keep it."""
        p = call.params
        require(p, "review_id", "file_number", "case_number", "applicant", "municipality")
        with self.sessions() as session:
            review = self._review(session, call.tenant, p["review_id"])
            data = {**review_view(review), "case_number": p["case_number"], "applicant": p["applicant"],
                    "file_number": p["file_number"], "date": call_today(call).isoformat()}
        title = f"Ende Ihrer Hundesteuervergünstigung – Steuermarke Nr. {data['tag_number']}"
        return file_pdf(self.efile, call, file_number=p["file_number"], title=title, kind="schreiben",
                        render=lambda: render_review_letter_pdf(data, p["municipality"]))

    def settle_exemption(self, call: ServiceCall) -> dict:
        """params: review_id, decision (REVIEW_DECISIONS), extend_by? (ISO months, e.g. "P12M", for "verlaengert"), reason?,
        decided_by?, due_dates, back_due_period (for an amount owed anew) -> {"decision", "changed", "corrections":
        [{"assessment_id", "year", "cash_reference", "amount_cents", "corrected_cents", ...}], "reductions" (the
        receivables to reduce), "bookings" (the amounts owed anew, for finance.create_receivables)}. Every
        assessment from the year of the old end on is set to the exemption as it now stands: taxed from the
        month after its end. Decided once: a repeated call returns the first outcome."""
        p = call.params
        require(p, "review_id", "decision", "due_dates", "back_due_period")
        if p["decision"] not in REVIEW_DECISIONS:
            raise InvalidRequest(f"Unbekannte Entscheidung: {p['decision']!r} ({', '.join(REVIEW_DECISIONS)}).")
        with transaction(self.sessions) as session:
            review = self._review(session, call.tenant, p["review_id"])
            if review.decision is None:
                dog, new_end = review.dog, None
                if p["decision"] == "verlaengert":
                    # By whole months from the old end (the month an exemption ends counts as exempt), so the new
                    # end always lies after it.
                    moved = rules.after(review.valid_until, str(p.get("extend_by") or ""))
                    new_end = date(moved.year, moved.month, calendar.monthrange(moved.year, moved.month)[1])
                    dog.exemption_valid_until = new_end
                review.decision, review.new_valid_until = p["decision"], new_end
                review.reason, review.decided_by = _opt(p.get("reason"), 2000), _opt(p.get("decided_by"), 100)
                review.decided_on = call_today(call)
                changed = [self._reassess(row, dog, review, review.decided_on, p) for row in self._assessments_from(
                    session, dog, review.valid_until.year)]
                review.corrections = [c for c in changed if c["corrected_cents"] != c["amount_cents"]]
            corrections = list(review.corrections or [])
            return {"decision": review.decision, "changed": bool(corrections), "corrections": corrections,
                    "reductions": [c for c in corrections if c["cash_reference"] and c["corrected_cents"] < c[
                        "amount_cents"]], "bookings": [c["booking"] for c in corrections if c["booking"]]}

    def render_exemption_notice(self, call: ServiceCall) -> dict:
        """params: review_id, file_number, case_number, applicant, municipality, receivables? (from
        finance.create_receivables for the amounts owed anew) -> the Änderungsbescheid for the assessments the
        decision changed, dated the issue day, naming the official who decided. An assessment that had no
        receivable (it was exempt) takes the new one's cash reference."""
        p = call.params
        require(p, "review_id", "file_number", "case_number", "applicant", "municipality")
        booked = {str(r.get("key")): r.get("cash_reference") for r in p.get("receivables") or []
                  if isinstance(r, dict)}
        with transaction(self.sessions) as session:
            review = self._review(session, call.tenant, p["review_id"])
            if not review.corrections:
                raise InvalidRequest(f"Die Prüfung {review.id} hat keine Festsetzung geändert.")
            corrections = [{**c, "new_cash_reference": booked.get((c["booking"] or {}).get("key"))}
                           for c in review.corrections]
            for c in corrections:
                row = session.get(DogTaxAssessment, c["assessment_id"])
                if row.cash_reference is None and c["new_cash_reference"]:
                    row.cash_reference = str(c["new_cash_reference"])[:40]
            data = {**review_view(review), "corrections": corrections, "case_number": p["case_number"],
                    "applicant": p["applicant"], "file_number": p["file_number"],
                    "date": call_today(call).isoformat()}
        title = f"Änderungsbescheid Hundesteuer – Steuermarke Nr. {data['tag_number']}"
        return file_pdf(self.efile, call, file_number=p["file_number"], title=title, kind="bescheid",
                        render=lambda: render_change_pdf(data, p["municipality"]))

    def _assessments_from(self, session: Session, dog: DogTaxDog, year: int) -> list[DogTaxAssessment]:
        """The dog's assessments of ``year`` and later, the latest of each year."""
        latest: dict[int, DogTaxAssessment] = {}
        for row in session.scalars(select(DogTaxAssessment).where(
                DogTaxAssessment.tenant == dog.tenant, DogTaxAssessment.dog_id == dog.id,
                DogTaxAssessment.year >= year).order_by(DogTaxAssessment.id)):
            latest[row.year] = row
        return [latest[y] for y in sorted(latest)]

    def _reassess(self, row: DogTaxAssessment, dog: DogTaxDog, review: DogTaxExemptionReview, on: date,
                  p: dict) -> dict:
        """The assessment with the exemption as it now stands. Less: the reduction comes off the last instalments
        (finance reduces the receivable). More (the registration exempted its whole year): the difference is a
        new receivable, in instalments from the first month taxed again."""
        before_cents = row.corrected_cents if row.corrected_cents is not None else row.amount_cents
        months = _months_between(row.first_month, row.last_month) if row.last_month else row.months
        covered = rules.exempt_months(row.first_month, months, row.year, dog.exemption_valid_until)
        exempt_share = rules.pro_rata(row.annual_rate_cents, covered)
        after_cents = rules.pro_rata(row.annual_rate_cents, months) - exempt_share + rules.reduced(
            exempt_share, dog.exemption_percent)
        extra, booking = [], None
        if after_cents < before_cents:
            row.instalments = rules.open_instalments(row.instalments, before_cents - after_cents, 0)
        elif after_cents > before_cents:
            first_taxed = row.first_month + covered
            extra = rules.instalments(after_cents - before_cents, on, p["due_dates"], p["back_due_period"],
                                      first_taxed, row.year)
            holder = dog.holder
            booking = {"key": f"hundesteuer-befristung:{dog.tenant}:{review.id}:{row.year}",
                       "amount_cents": after_cents - before_cents, "due_date": extra[0]["due_date"],
                       "purpose": f"Hundesteuer {row.year} {dog.name} (Ende der Vergünstigung, Steuermarke {_tag(dog)})",
                       "debtor": {"name": f"{holder.given_name} {holder.family_name}",
                                  "street": holder.household.street, "postal_code": holder.household.postal_code,
                                  "city": holder.household.city}}
        if after_cents != before_cents:
            row.reduction_percent = dog.exemption_percent if covered else 0
            row.exemption_decision = ("befreiung" if dog.exemption_percent == 100 else "ermaessigung") if covered \
                else None
            row.exemption_reason = _exemption_note(dog, covered, months) if covered else None
            if row.corrected_cents is not None:
                row.corrected_cents = after_cents
            else:
                row.amount_cents = after_cents
        return {"assessment_id": row.id, "year": row.year, "cash_reference": row.cash_reference,
                "amount_cents": before_cents, "corrected_cents": after_cents, "months": months, "covered": covered,
                "annual_rate_cents": row.annual_rate_cents, "instalments": list(row.instalments) if not extra else [],
                "extra_instalments": extra, "booking": booking}

    def _review(self, session: Session, tenant: str, review_id) -> DogTaxExemptionReview:
        row = session.get(DogTaxExemptionReview, int(review_id))
        if row is None or row.tenant != tenant:
            raise InvalidRequest(f"Prüfung {review_id} gibt es nicht.")
        return row

    # Plain methods for the web UI and tests.

    def replacement_refusal(self, tenant: str, tag_number: str, holder: dict) -> tuple[str, str] | None:
        """Why this holder cannot have an Ersatzmarke for that tag: (parameter, German message), or None."""
        with transaction(self.sessions) as session:
            return replacement_problem(self._holders_dog(session, tenant, tag_number, holder))

    def change_refusal(self, tenant: str, tag_number: str, holder: dict, changes: dict,
                       dangerous_breeds: list) -> tuple[str, str] | None:
        """Why this holder cannot change the data of the dog with that tag (``changes``: name?, breed?,
        chip_number?): (the parameter at fault, a German message), or None."""
        with transaction(self.sessions) as session:
            dog = self._holders_dog(session, tenant, tag_number, holder)
            if (problem := replacement_problem(dog)) is not None:
                return problem[0], problem[1].replace("keine Ersatzmarke", "keine Änderung")
            if not any(changes.get(k) for k in ("name", "breed", "chip_number")):
                return "name", "Bitte geben Sie mindestens eine Änderung an: Name, Rasse oder Chipnummer."
            breed = changes.get("breed")
            # The municipality's breed list (Hundesteuersatzung) sets the higher rate: a change into or out of it
            # changes the tax and, into it, needs the permit data (§ 1 SächsGefHundG); that is for the office.
            if breed and bool(rules.listed_breed(breed, dangerous_breeds)) != bool(dog.listed_breed):
                return "breed", ("Mit dieser Rasse ändert sich der Steuersatz für gefährliche Hunde. Bitte wenden Sie "
                                 "sich dafür direkt an die Steuerverwaltung; eine Änderung ist online nicht möglich.")
            chip = str(changes.get("chip_number") or "").strip()
            if chip and chip != dog.chip_number and self._chip_taken(session, tenant, chip, dog.id):
                return CHIP_TAKEN
            return None

    def deregistration_refusal(self, tenant: str, tag_number: str, holder: dict, held_until: date,
                               today: date | None = None) -> tuple[str, str] | None:
        """Why this holder cannot deregister the dog with that tag as of ``held_until``: (the parameter
        at fault, a German message), or None. Without ``today`` a day in the future is not checked."""
        with transaction(self.sessions) as session:
            return deregistration_problem(self._holders_dog(session, tenant, tag_number, holder), held_until, today)

    def dogs(self, tenant: str, business_key: str | None = None) -> list[dict]:
        with transaction(self.sessions) as session:
            stmt = select(DogTaxDog).where(DogTaxDog.tenant == tenant).order_by(DogTaxDog.id)
            if business_key is not None:
                stmt = stmt.where(DogTaxDog.business_key == business_key)
            return [dog_view(d) for d in session.scalars(stmt)]

    def chip_registered(self, tenant: str, chip_number: str) -> bool:
        """Whether a dog with that transponder number is registered or being registered (a chip
        identifies one dog; a dog that was deregistered may be registered again)."""
        with transaction(self.sessions) as session:
            return session.scalar(select(func.count()).select_from(DogTaxDog).where(
                DogTaxDog.tenant == tenant, DogTaxDog.chip_number == str(chip_number).strip(),
                DogTaxDog.status.in_(("beantragt", "angemeldet")))) > 0

    def assessments(self, tenant: str, business_key: str) -> list[dict]:
        with transaction(self.sessions) as session:
            rows = session.scalars(select(DogTaxAssessment).where(
                DogTaxAssessment.tenant == tenant, DogTaxAssessment.business_key == business_key))
            return [assessment_view(r) for r in rows]

    # Lookups.

    def _holder(self, session: Session, tenant: str, h: dict, registered: dict | None = None) -> DogTaxHolder:
        """The holder, in the household of the flat of the main residence the residents' register knows
        (``registered``: {street, postal_code, city, flat}), else of the address given and the family name."""
        home = registered or h
        key = (rules.household_key(home["street"], home["postal_code"], flat=home.get("flat")) if registered
               else self._family_household_key(session, tenant, h))
        household = session.scalar(select(DogTaxHousehold).where(
            DogTaxHousehold.tenant == tenant, DogTaxHousehold.household_key == key))
        if household is None:
            household = DogTaxHousehold(tenant=tenant, household_key=key, street=str(home["street"])[:200],
                                        postal_code=str(home["postal_code"])[:10], city=str(home["city"])[:100],
                                        created_at=utcnow())
            session.add(household)
            session.flush()
        name = rules.name_key(h["given_name"], h["family_name"])
        holder = session.scalar(select(DogTaxHolder).where(
            DogTaxHolder.tenant == tenant, DogTaxHolder.household_id == household.id, DogTaxHolder.name_key == name))
        if holder is None:
            holder = DogTaxHolder(tenant=tenant, household_id=household.id, given_name=str(h["given_name"])[:100],
                                  family_name=str(h["family_name"])[:100], name_key=name, created_at=utcnow())
            session.add(holder)
        holder.email = _opt(h.get("email"), 200) or holder.email
        holder.account = _opt(h.get("account"), 200) or holder.account
        session.flush()
        return holder

    def _family_household_key(self, session: Session, tenant: str, h: dict) -> str:
        """A holder the register does not know: the household at the address given where someone of the
        family name is already a holder (it may be keyed by its flat), else one of its own for the family."""
        address, family = rules.address_key(h["street"], h["postal_code"]), rules.family_key(h["family_name"])
        households = session.execute(select(DogTaxHousehold, DogTaxHolder.family_name).join(
            DogTaxHolder, DogTaxHolder.household_id == DogTaxHousehold.id).where(
            DogTaxHousehold.tenant == tenant, DogTaxHousehold.postal_code == str(h["postal_code"]).strip()[:10])
            .order_by(DogTaxHousehold.id, DogTaxHolder.id))
        return next((household.household_key for household, name in households
                     if rules.address_key(household.street, household.postal_code) == address
                     and rules.family_key(name) == family),
                    rules.household_key(h["street"], h["postal_code"], family_name=h["family_name"]))

    def _registered(self, session: Session, dog: DogTaxDog) -> dict:
        dogs, _ = self._registered_counts(session, dog)
        return {"dog_id": dog.id, "holder_id": dog.holder_id, "household_id": dog.household_id,
                "listed_breed": dog.listed_breed, "dangerous": dog.dangerous, "registered_dogs": dogs}

    def _registered_counts(self, session: Session, dog: DogTaxDog, year: int | None = None,
                           counts_exempt: bool = True) -> tuple[int, int]:
        """Dogs already registered in the household (all, dangerous ones), this one not included; without
        those exempt for all of ``year`` if the statute does not count them."""
        others = [d for d in session.scalars(select(DogTaxDog).where(
            DogTaxDog.tenant == dog.tenant, DogTaxDog.household_id == dog.household_id,
            DogTaxDog.status == "angemeldet", DogTaxDog.id != dog.id))
            if counts_exempt or year is None or not _exempt_all_year(d, year)]
        return len(others), sum(1 for d in others if d.dangerous)

    def _dog(self, session: Session, tenant: str, dog_id) -> DogTaxDog:
        row = session.get(DogTaxDog, int(dog_id))
        if row is None or row.tenant != tenant:
            raise InvalidRequest(f"Hund {dog_id} ist nicht erfasst.")
        return row

    def _holders_dog(self, session: Session, tenant: str, tag_number, holder: dict) -> DogTaxDog | None:
        """The dog wearing that tag (not replaced by an Ersatzmarke), if it is registered to this holder at
        this address."""
        tag = session.scalar(select(DogTaxTag).where(DogTaxTag.tenant == tenant,
                                                     DogTaxTag.number == str(tag_number).strip()))
        if tag is None or tag.invalid_since is not None:
            return None
        owner = tag.dog.holder
        same = (owner.name_key == rules.name_key(holder.get("given_name", ""), holder.get("family_name", ""))
                and rules.address_key(owner.household.street, owner.household.postal_code)
                == rules.address_key(holder.get("street", ""), holder.get("postal_code", "")))
        return tag.dog if same else None

    def _assessment(self, session: Session, tenant: str, assessment_id) -> DogTaxAssessment:
        row = session.get(DogTaxAssessment, int(assessment_id))
        if row is None or row.tenant != tenant:
            raise InvalidRequest(f"Steuerfestsetzung {assessment_id} gibt es nicht.")
        return row


def _six_in_germany(day: date) -> str:
    return datetime(day.year, day.month, day.day, 6, tzinfo=BERLIN).astimezone(UTC).isoformat()


def annual_key(dog: DogTaxDog, year: int) -> str:
    """The one annual assessment (and its receivable) of a dog and year."""
    return f"hundesteuer-jahr:{dog.tenant}:{dog.id}:{year}"


def _year(value) -> int:
    if isinstance(value, bool) or not str(value).isdigit() or not 2000 <= int(value) <= 2200:
        raise InvalidRequest(f"year muss ein Jahr sein, nicht {value!r}.")
    return int(value)


def _tag(dog: DogTaxDog) -> str:
    valid = [t for t in dog.tags if t.invalid_since is None]
    return valid[-1].number if valid else "—"


def _exempt_all_year(dog: DogTaxDog, year: int) -> bool:
    """Exempt from the tax for the whole year (a reduction is not an exemption)."""
    return dog.exemption_percent == 100 and (dog.exemption_valid_until is None
                                             or dog.exemption_valid_until >= date(year, 12, 31))


def _exemption_note(dog: DogTaxDog, covered: int, months: int) -> str:
    if dog.exemption_valid_until is None or covered == months:
        return dog.exemption_reason or ""
    return f"Die Vergünstigung endet am {dog.exemption_valid_until:%d.%m.%Y}; danach gilt der volle Steuersatz."


def new_tag(session: Session, dog: DogTaxDog, idempotency_key: str, issued_on: date) -> DogTaxTag:
    number = next_counter(session, DogTaxCounter, dog.tenant, "marke")
    tag = DogTaxTag(tenant=dog.tenant, dog_id=dog.id, number=f"{number:05d}", issued_on=issued_on,
                    idempotency_key=idempotency_key)
    session.add(tag)
    session.flush()
    return tag


NOT_THE_HOLDERS = ("tag_number", ("Unter dieser Steuermarke ist bei uns kein Hund auf Ihren Namen und Ihre Anschrift "
                                   "angemeldet. Bitte prüfen Sie die Nummer auf der Steuermarke oder dem Steuerbescheid."))


CHIP_TAKEN = ("chip_number", ("Unter dieser Chipnummer ist bei uns bereits ein anderer Hund angemeldet. Bitte "
                               "prüfen Sie die Nummer im Heimtierausweis."))


def deregistration_problem(dog: DogTaxDog | None, held_until: date, today: date | None) -> tuple[str, str] | None:
    if dog is None or dog.status not in ("angemeldet", "abgemeldet"):
        return NOT_THE_HOLDERS
    if dog.status == "abgemeldet":
        return "tag_number", f"Der Hund {dog.name} ist bereits zum {dog.held_until:%d.%m.%Y} abgemeldet."
    if today is not None and held_until > today:
        return "held_until", "Der Tag, an dem die Haltung endete, darf nicht in der Zukunft liegen."
    if held_until < dog.held_since:
        return "held_until", (f"Die Haltung kann nicht vor ihrem Beginn enden: Der Hund {dog.name} ist seit dem "
                              f"{dog.held_since:%d.%m.%Y} angemeldet.")
    return None


def replacement_problem(dog: DogTaxDog | None) -> tuple[str, str] | None:
    if dog is None or dog.status not in ("angemeldet", "abgemeldet"):
        return NOT_THE_HOLDERS
    if dog.status == "abgemeldet":
        return "tag_number", (f"Der Hund {dog.name} ist seit dem {dog.held_until:%d.%m.%Y} abgemeldet; "
                              "für ihn gibt es keine Ersatzmarke.")
    return None


def replaced_view(dog: DogTaxDog, old: DogTaxTag, tag: DogTaxTag) -> dict:
    return {"dog_id": dog.id, "name": dog.name, "old_tag": old.number, "tag_number": tag.number}


def review_view(row: DogTaxExemptionReview) -> dict:
    dog = row.dog
    return {"open": row.decision is None, "review_id": row.id, "dog_id": dog.id, "name": dog.name,
            "breed": dog.breed, "tag_number": _tag(dog), "valid_until": row.valid_until.isoformat(),
            "exemption_kind": dog.exemption_kind, "exemption_percent": dog.exemption_percent,
            "decision": row.decision, "new_valid_until": iso(row.new_valid_until), "reason": row.reason,
            "decided_by": row.decided_by, "corrections": list(row.corrections or [])}


def deregistered_view(dog: DogTaxDog) -> dict:
    return {"dog_id": dog.id, "name": dog.name, "held_until": iso(dog.held_until), "reason": dog.end_reason}


def correction_view(row: DogTaxAssessment) -> dict:
    return {"assessment_id": row.id, "year": row.year, "cash_reference": row.cash_reference,
            "amount_cents": row.amount_cents, "corrected_cents": row.corrected_cents,
            "difference_cents": row.amount_cents - row.corrected_cents, "last_month": row.last_month,
            "months": _months_between(row.first_month, row.last_month)}


def _months_between(first: int | None, last: int | None) -> int:
    return last - first + 1 if first and last else 0


def _opt(value, length: int) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text[:length] or None


def mandate_view(row: DogTaxMandate) -> dict:
    return {"valid": True, "message": None, "reference": row.reference, "iban_masked": rules.mask_iban(row.iban),
            "bic": row.bic, "bank_name": row.bank_name}


def dog_view(row: DogTaxDog) -> dict:
    return {"dog_id": row.id, "name": row.name, "breed": row.breed, "status": row.status,
            "dangerous": row.dangerous, "listed_breed": row.listed_breed, "household_id": row.household_id,
            "held_since": iso(row.held_since), "held_until": iso(row.held_until), "tags": [t.number for t in row.tags], "business_key": row.business_key}


def assessment_view(row: DogTaxAssessment) -> dict:
    return {
        "assessment_id": row.id, "dog_id": row.dog_id, "year": row.year, "first_month": row.first_month,
        "months": row.months, "rate_kind": row.rate_kind, "rate_label": rules.RATE_LABELS[row.rate_kind],
        "annual_rate_cents": row.annual_rate_cents, "pro_rata_cents": row.pro_rata_cents,
        "reduction_percent": row.reduction_percent, "exemption_decision": row.exemption_decision,
        "amount_cents": row.amount_cents, "instalments": list(row.instalments),
        "first_due_date": row.instalments[0]["due_date"] if row.instalments else None,
        "mandate_reference": row.mandate.reference if row.mandate else None,
        "cash_reference": row.cash_reference, "assessed_on": iso(row.assessed_on),
    }


def notice_data(a: DogTaxAssessment) -> dict:
    """What the Steuerbescheid prints, read from the stored assessment (the amounts' only source)."""
    dog, mandate = a.dog, a.mandate
    return {
        **assessment_view(a),
        "tag_number": dog.tags[-1].number if dog.tags else None,
        "dog": {"name": dog.name, "breed": dog.breed, "born_on": dog.born_on, "held_since": dog.held_since,
                "chip_number": dog.chip_number, "dangerous": dog.dangerous},
        "exemption_kind": a.exemption_kind, "exemption_reason": a.exemption_reason,
        "mandate": {"reference": mandate.reference, "iban_masked": rules.mask_iban(mandate.iban),
                    "account_holder": mandate.account_holder} if mandate else None,
    }
