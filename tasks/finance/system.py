"""Receivables with cash references (Kassenzeichen) and their balance."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from engine.clock import as_utc
from engine.db import transaction
from engine.operations import BusinessError, InvalidRequest, ServiceCall

from ..base import SpecialistSystem
from ..common import (
    BERLIN,
    address_lines,
    berlin_today,
    iso,
    next_counter,
    parse_date,
    require,
    run_once,
    utcnow,
)
from ..documents.formatting import money
from .models import FinanceCounter, FinancePayment, FinanceReceivable

DEFAULT_TERM_DAYS = 14
MAX_ITEMS = 200


class UnknownCashReference(LookupError):
    pass


def format_cash_reference(year: int, number: int) -> str:
    return f"KZ-{year}-{number:06d}"


class Finance(SpecialistSystem):
    name = "finance"
    operations = ("create_receivable", "create_receivables", "balance", "correct_receivable", "cancel_receivable")

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def create_receivable(self, call: ServiceCall) -> dict:
        """params: amount_cents, purpose, debtor ({"name", "street", "postal_code", "city"} or a
        name), due_date? (ISO; default today + 14 days).
        -> {"cash_reference", "amount_cents", "due_date"}; the same key returns the same receivable."""
        p = call.params
        require(p, "amount_cents", "purpose", "debtor")
        amount = p["amount_cents"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidRequest(f"amount_cents muss eine positive ganze Zahl sein, nicht {amount!r}.")
        debtor = p["debtor"] if isinstance(p["debtor"], dict) else {"name": str(p["debtor"])}
        lines = address_lines(debtor)
        due = parse_date(p.get("due_date"), "due_date") or berlin_today() + timedelta(days=DEFAULT_TERM_DAYS)

        def find(session: Session):
            row = session.scalar(
                select(FinanceReceivable).where(
                    FinanceReceivable.tenant == call.tenant, FinanceReceivable.idempotency_key == call.idempotency_key
                )
            )
            return receivable_view(row) if row else None

        def create(session: Session):
            now = utcnow()
            number = next_counter(session, FinanceCounter, call.tenant, f"KZ-{now.year}")
            row = FinanceReceivable(
                tenant=call.tenant,
                cash_reference=format_cash_reference(now.year, number),
                idempotency_key=call.idempotency_key,
                business_key=call.business_key,
                instance_id=call.instance_id,
                amount_cents=amount,
                purpose=str(p["purpose"])[:300],
                debtor_name=lines[0],
                debtor_address="\n".join(lines[1:]) or None,
                due_date=due,
                created_at=now,
            )
            session.add(row)
            return receivable_view(row)

        return run_once(self.sessions, find, create)

    def create_receivables(self, call: ServiceCall) -> dict:
        """Several receivables in one step (e.g. one per dog on a yearly tax notice).

        params: items [{"key", "amount_cents", "purpose", "debtor", "due_date"?}] (at most 200); ``key`` is the
        caller's stable name of the claim (e.g. "hundesteuer-jahr:plauen:17:2027"), so a retry or a second
        run books each claim once, whatever the call's key -> {"receivables": [{"key", "cash_reference",
        "amount_cents", "due_date"}]} in the order of the items."""
        items = call.params.get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise InvalidRequest(f"items muss eine Liste mit höchstens {MAX_ITEMS} Forderungen sein.")
        keys = [str(item.get("key") or "").strip() if isinstance(item, dict) else "" for item in items]
        if not all(keys) or len(set(keys)) != len(keys) or max(map(len, keys), default=0) > 150:
            raise InvalidRequest("Jede Forderung braucht einen eigenen Schlüssel (key, höchstens 150 Zeichen).")
        booked = []
        for key, item in zip(keys, items, strict=True):
            params = {k: item.get(k) for k in ("amount_cents", "purpose", "debtor", "due_date")}
            booked.append({"key": key, **self.create_receivable(
                replace(call, params=params, idempotency_key=f"posten:{key}"))})
        return {"receivables": booked}

    def balance(self, call: ServiceCall) -> dict:
        """params: cash_reference -> {"open_cents", "paid", "amount_cents", "paid_cents"}."""
        require(call.params, "cash_reference")
        try:
            return self.balance_of(call.tenant, call.params["cash_reference"])
        except UnknownCashReference:
            raise BusinessError(
                "cash_reference_unknown", f"Kassenzeichen {call.params['cash_reference']} ist nicht bekannt."
            ) from None

    def correct_receivable(self, call: ServiceCall) -> dict:
        """params: cash_reference, amount_cents (the corrected amount, not more than before), reason
        -> {"cash_reference", "amount_cents", "paid_cents", "refund_cents", "open_cents"}. The receivable
        is reduced; what was paid beyond the new amount is refunded, booked as an outgoing payment
        under the call's key, so a repeated call neither reduces nor refunds twice."""
        p = call.params
        require(p, "cash_reference", "amount_cents", "reason")
        amount = p["amount_cents"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise InvalidRequest(f"amount_cents muss eine ganze Zahl ab 0 sein, nicht {amount!r}.")

        def find(session: Session):
            refund = session.scalar(select(FinancePayment).where(
                FinancePayment.tenant == call.tenant, FinancePayment.booking_key == call.idempotency_key))
            return correction_view(refund.receivable, -refund.amount_cents) if refund else None

        def correct(session: Session):
            try:
                row = self._receivable(session, call.tenant, p["cash_reference"])
            except UnknownCashReference:
                raise BusinessError("cash_reference_unknown",
                                    f"Kassenzeichen {p['cash_reference']} ist nicht bekannt.") from None
            if amount > row.amount_cents:
                raise InvalidRequest(f"Die Forderung {row.cash_reference} kann so nur gemindert werden, "
                                     f"nicht von {row.amount_cents} auf {amount} Cent erhöht.")
            row.amount_cents = amount
            refund = max(sum(pay.amount_cents for pay in row.payments) - amount, 0)
            if refund:
                row.payments.append(FinancePayment(tenant=call.tenant, amount_cents=-refund, paid_at=utcnow(),
                                                   reference=f"Erstattung: {p['reason']}"[:300],
                                                   booking_key=call.idempotency_key))
            session.flush()
            return correction_view(row, refund)

        return run_once(self.sessions, find, correct)

    def cancel_receivable(self, call: ServiceCall) -> dict:
        """The case closed unpaid: the receivable is no longer claimed.

        params: cash_reference, reason -> {"cash_reference", "amount_cents", "cancelled_on" (ISO date)}. Cancelling
        again (a redelivery, or another key) returns the first cancellation. BusinessError
        "receivable_paid" if anything was paid on it: that needs a refund, not a cancellation."""
        p = call.params
        require(p, "cash_reference", "reason")

        def cancel(session: Session):
            try:
                row = self._receivable(session, call.tenant, p["cash_reference"])
            except UnknownCashReference:
                raise BusinessError("cash_reference_unknown",
                                    f"Kassenzeichen {p['cash_reference']} ist nicht bekannt.") from None
            if row.cancelled_at is None:
                paid = balance_view(row)["paid_cents"]
                if paid:
                    raise BusinessError(
                        "receivable_paid", f"Die Forderung {row.cash_reference} kann nicht storniert werden: Es sind "
                        f"bereits {money(paid)} eingegangen (Erstattung statt Stornierung).",
                        {"paid_cents": paid})
                row.cancelled_at, row.cancel_reason = utcnow(), str(p["reason"])[:300]
                session.flush()
            return {"cash_reference": row.cash_reference, "amount_cents": row.amount_cents,
                    "cancelled_on": iso(as_utc(row.cancelled_at).astimezone(BERLIN).date())}

        return run_once(self.sessions, lambda session: None, cancel)

    # Plain methods for the web UI and demos (not process operations).

    def balance_of(self, tenant: str, cash_reference: str) -> dict:
        with transaction(self.sessions) as session:
            return balance_view(self._receivable(session, tenant, cash_reference))

    def record_payment(
        self, tenant: str, cash_reference: str, amount_cents: int, reference: str | None = None,
        paid_at: datetime | None = None, booking_key: str | None = None,
    ) -> dict:
        """Book an incoming payment ("Zahlung eingegangen") and return the new balance, with the
        case's business key so the caller can notify a waiting process. A payment whose
        ``booking_key`` was booked before is not booked again (``already_booked``)."""
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
            raise InvalidRequest("Der Zahlbetrag muss eine positive ganze Zahl in Cent sein.")

        def view(row: FinanceReceivable, already_booked: bool) -> dict:
            return {**balance_view(row), "cash_reference": row.cash_reference, "business_key": row.business_key,
                    "already_booked": already_booked}

        def find(session: Session):
            if booking_key is None:
                return None
            booked = session.scalar(select(FinancePayment).where(
                FinancePayment.tenant == tenant, FinancePayment.booking_key == booking_key))
            return view(booked.receivable, True) if booked else None

        def book(session: Session):
            row = self._receivable(session, tenant, cash_reference)
            row.payments.append(FinancePayment(tenant=tenant, amount_cents=amount_cents, paid_at=paid_at or utcnow(),
                                               reference=reference, booking_key=booking_key))
            session.flush()
            return view(row, False)

        return run_once(self.sessions, find, book)

    def receivables(self, tenant: str, business_key: str | None = None) -> list[dict]:
        with transaction(self.sessions) as session:
            stmt = select(FinanceReceivable).where(FinanceReceivable.tenant == tenant)
            if business_key is not None:
                stmt = stmt.where(FinanceReceivable.business_key == business_key)
            rows = session.scalars(stmt.options(selectinload(FinanceReceivable.payments)).order_by(FinanceReceivable.id))
            return [{**receivable_view(r), **balance_view(r), "purpose": r.purpose, "debtor_name": r.debtor_name,
                     "business_key": r.business_key, "cancelled": r.cancelled_at is not None} for r in rows]

    def _receivable(self, session: Session, tenant: str, cash_reference: str) -> FinanceReceivable:
        row = session.scalar(
            select(FinanceReceivable)
            .where(FinanceReceivable.tenant == tenant, FinanceReceivable.cash_reference == str(cash_reference).strip())
            .options(selectinload(FinanceReceivable.payments))
        )
        if row is None:
            raise UnknownCashReference(cash_reference)
        return row


def receivable_view(row: FinanceReceivable) -> dict:
    return {"cash_reference": row.cash_reference, "amount_cents": row.amount_cents, "due_date": iso(row.due_date)}


def correction_view(row: FinanceReceivable, refund_cents: int) -> dict:
    balance = balance_view(row)
    return {"cash_reference": row.cash_reference, "amount_cents": row.amount_cents,
            "paid_cents": balance["paid_cents"] + refund_cents, "refund_cents": refund_cents,
            "open_cents": balance["open_cents"]}


def balance_view(row: FinanceReceivable) -> dict:
    paid = sum(p.amount_cents for p in row.payments)
    return {
        "open_cents": max(row.amount_cents - paid, 0),
        "paid": paid >= row.amount_cents,
        "amount_cents": row.amount_cents,
        "paid_cents": paid,
    }
