"""Cash references, idempotent receivables and payments."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.db import transaction
from engine.operations import BusinessError, InvalidRequest
from tasks.common import berlin_today
from tasks.finance import Finance, UnknownCashReference
from tasks.finance.models import FinanceReceivable

from .helpers import make_call

DEBTOR = {"name": "Erika Beispiel", "street": "Bahnhofstraße 12", "postal_code": "08523", "city": "Plauen"}
YEAR = berlin_today().year


@pytest.fixture
def finance(sessions):
    return Finance(sessions)


def receivable(finance, tenant="plauen", key=None, **params):
    params = {"amount_cents": 1500, "purpose": "Gebühr Geburtsurkunde", "debtor": DEBTOR, **params}
    return finance.create_receivable(make_call("finance.create_receivable", params, tenant=tenant, key=key))


def count_receivables(sessions) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(FinanceReceivable))


def test_cash_references_are_sequential_per_tenant(finance):
    plauen = [receivable(finance)["cash_reference"] for _ in range(3)]
    musterstadt = receivable(finance, tenant="musterstadt")["cash_reference"]
    assert plauen == [f"KZ-{YEAR}-000001", f"KZ-{YEAR}-000002", f"KZ-{YEAR}-000003"]
    assert musterstadt == f"KZ-{YEAR}-000001"


def test_receivable_result(finance, sessions):
    result = receivable(finance, amount_cents=2200, due_date="2026-04-30")
    assert result == {"cash_reference": f"KZ-{YEAR}-000001", "amount_cents": 2200, "due_date": "2026-04-30"}
    with transaction(sessions) as session:
        row = session.scalar(select(FinanceReceivable))
        assert (row.debtor_name, row.debtor_address) == ("Erika Beispiel", "Bahnhofstraße 12\n08523 Plauen")
        assert (row.business_key, row.instance_id) == ("ANTRAG-2026-0001", "inst-0001")


def test_due_date_defaults_to_fourteen_days(finance):
    assert receivable(finance)["due_date"] == (berlin_today() + timedelta(days=14)).isoformat()


def test_same_key_twice_creates_one_receivable(finance, sessions):
    first = receivable(finance, key="job-7")
    again = receivable(finance, key="job-7", amount_cents=9999)  # a redelivery: the stored result wins
    assert again == first
    assert count_receivables(sessions) == 1


def test_concurrent_deliveries(finance, sessions):
    results, errors = [], []

    def worker(n):
        try:
            results.append(receivable(finance, key=f"job-{n % 4}")["cash_reference"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 12
    assert sorted(set(results)) == [f"KZ-{YEAR}-{n:06d}" for n in range(1, 5)]
    assert count_receivables(sessions) == 4


def test_payments_and_balance(finance):
    ref = receivable(finance, amount_cents=2200)["cash_reference"]
    balance = finance.balance(make_call("finance.balance", {"cash_reference": ref}))
    assert balance == {"open_cents": 2200, "paid": False, "amount_cents": 2200, "paid_cents": 0}
    assert finance.record_payment("plauen", ref, 1500, reference="Überweisung")["open_cents"] == 700
    final = finance.record_payment("plauen", ref, 700)
    assert (final["open_cents"], final["paid"], final["paid_cents"]) == (0, True, 2200)
    assert (final["cash_reference"], final["business_key"]) == (ref, "ANTRAG-2026-0001")
    assert finance.balance(make_call("finance.balance", {"cash_reference": ref}))["paid"] is True
    [listed] = finance.receivables("plauen", business_key="ANTRAG-2026-0001")
    assert (listed["cash_reference"], listed["paid"]) == (ref, True)


def test_a_payment_sent_twice_with_its_booking_key_is_booked_once(finance):
    ref = receivable(finance, amount_cents=3070)["cash_reference"]
    first = finance.record_payment("plauen", ref, 1000, booking_key="kasse-1")
    again = finance.record_payment("plauen", ref, 1000, booking_key="kasse-1")
    assert (first["open_cents"], first["already_booked"]) == (2070, False)
    assert (again["open_cents"], again["already_booked"], again["cash_reference"]) == (2070, True, ref)
    assert finance.record_payment("plauen", ref, 1000, booking_key="kasse-2")["open_cents"] == 1070
    assert finance.record_payment("plauen", ref, 70)["open_cents"] == 1000  # no key: every call books
    other = receivable(finance, tenant="musterstadt", amount_cents=500)["cash_reference"]
    assert finance.record_payment("musterstadt", other, 500, booking_key="kasse-1")["paid"] is True  # keys per municipality


def test_unknown_cash_reference(finance):
    with pytest.raises(BusinessError) as err:
        finance.balance(make_call("finance.balance", {"cash_reference": "KZ-1999-000001"}))
    assert err.value.code == "cash_reference_unknown"
    with pytest.raises(UnknownCashReference):
        finance.record_payment("plauen", "KZ-1999-000001", 100)


@pytest.mark.parametrize("amount", [0, -5, 12.5, "1500", True])
def test_invalid_amount(finance, amount):
    with pytest.raises(InvalidRequest):
        receivable(finance, amount_cents=amount)


@pytest.mark.parametrize("amount, paid, corrected, refund, open_cents, paid_after", [
    (8100, 0, 3600, 0, 3600, 0),  # unpaid: the receivable is reduced
    (8100, 2700, 3600, 0, 900, 2700),  # paid less than the new amount: reduced, the rest still open
    (8100, 5400, 3600, 1800, 0, 3600),  # paid beyond it: refunded
    (8100, 8100, 0, 8100, 0, 0),  # nothing owed any more: all refunded
    (8100, 3600, 3600, 0, 0, 3600),  # paid exactly the new amount
])
def test_correct_receivable_reduces_or_refunds(finance, amount, paid, corrected, refund, open_cents, paid_after):
    cash_reference = receivable(finance, amount_cents=amount)["cash_reference"]
    if paid:
        finance.record_payment("plauen", cash_reference, paid)
    call = make_call("finance.correct_receivable", {"cash_reference": cash_reference, "amount_cents": corrected,
                                                    "reason": "Abmeldung HA-2026-0001"})
    result = finance.correct_receivable(call)
    assert result == {"cash_reference": cash_reference, "amount_cents": corrected, "paid_cents": paid,
                      "refund_cents": refund, "open_cents": open_cents}
    assert finance.correct_receivable(call) == result  # delivered again: not refunded twice
    balance = finance.balance_of("plauen", cash_reference)
    assert (balance["amount_cents"], balance["paid_cents"], balance["open_cents"]) == (corrected, paid_after,
                                                                                       open_cents)


def test_correct_receivable_refuses_an_increase_and_an_unknown_reference(finance):
    cash_reference = receivable(finance, amount_cents=1500)["cash_reference"]
    with pytest.raises(InvalidRequest, match="nur gemindert"):
        finance.correct_receivable(make_call("finance.correct_receivable", {
            "cash_reference": cash_reference, "amount_cents": 1600, "reason": "Abmeldung"}))
    with pytest.raises(BusinessError, match="nicht bekannt"):
        finance.correct_receivable(make_call("finance.correct_receivable", {
            "cash_reference": "KZ-1999-000001", "amount_cents": 0, "reason": "Abmeldung"}))
    assert finance.balance_of("plauen", cash_reference)["amount_cents"] == 1500


def cancel(finance, reference, key=None, tenant="plauen"):
    return finance.cancel_receivable(make_call("finance.cancel_receivable", {
        "cash_reference": reference, "reason": "Verfahren eingestellt"}, tenant=tenant, key=key))


def test_cancel_an_open_receivable_once(finance, sessions):
    reference = receivable(finance)["cash_reference"]
    first = cancel(finance, reference, key="cancel-1")
    assert (first["cash_reference"], first["amount_cents"]) == (reference, 1500)
    assert cancel(finance, reference, key="cancel-1") == first  # a redelivery
    assert cancel(finance, reference, key="cancel-2") == first  # cancelled is cancelled
    with transaction(sessions) as session:
        row = session.scalar(select(FinanceReceivable))
        assert row.cancelled_at is not None and row.cancel_reason == "Verfahren eingestellt"
    assert finance.receivables("plauen")[0]["cancelled"] is True


def test_a_paid_receivable_is_not_cancelled(finance, sessions):
    reference = receivable(finance)["cash_reference"]
    finance.record_payment("plauen", reference, 500)
    with pytest.raises(BusinessError) as err:
        cancel(finance, reference)
    assert err.value.code == "receivable_paid"
    assert str(err.value) == (f"Die Forderung {reference} kann nicht storniert werden: Es sind bereits 5,00 € "
                              "eingegangen (Erstattung statt Stornierung).")
    assert finance.receivables("plauen")[0]["cancelled"] is False


def test_cancel_is_per_tenant(finance):
    reference = receivable(finance, tenant="musterstadt")["cash_reference"]
    with pytest.raises(BusinessError) as err:
        cancel(finance, reference)
    assert err.value.code == "cash_reference_unknown"
    assert finance.receivables("musterstadt")[0]["cancelled"] is False
