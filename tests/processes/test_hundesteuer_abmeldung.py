"""Deregistering a dog: liability ends with the month keeping ended (Plauen's statute), the year's
assessment is corrected pro rata, finance reduces the receivable or refunds what was paid beyond it,
and the holder gets the Abmeldebestätigung with the request to return the tag. Erika registers Bruno
on 10 March 2026 (Plauen: April to December, 81,00 €, 27,00 € on 15.05./15.08./15.11.)."""
from datetime import UTC, datetime

import pytest

from engine.clock import ManualClock
from engine.errors import FormInvalid
from tests.processes.test_hundesteuer import anmeldung, pdf_text, submit


@pytest.fixture
def clock():
    return ManualClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def dog_office(office):
    return office.deploy("hundesteuer").deploy("hundesteuer_abmeldung")


def abmeldung(**changes) -> dict:
    data = {"halter": {"vorname": "Erika", "nachname": "Neumann", "strasse": "Lindenweg 3", "plz": "08523",
                       "ort": "Plauen", "email": "erika@example.org"},
            "steuermarke": "00002", "grund": "tod", "gehalten_bis": "2026-07-20"}
    data.update(changes)
    return data


def registered(office) -> str:
    """Bruno registered with tag 00002; returns the cash reference of the 2026 tax."""
    case_number = submit(office, anmeldung())
    return office.variables(case_number)["kassenzeichen"]


def deregister(office, clock, data, tenant="plauen") -> str:
    clock.advance(days=180)  # 6 September 2026
    case = office.cases.submit("hundesteuer_abmeldung", tenant, data, citizen="erika")
    office.run()
    return case.case_number


def notice(office, case_number) -> str:
    document_id = office.variables(case_number)["bescheid"]["document_id"]
    return pdf_text(office.system("efile").document("plauen", document_id)["content"])


@pytest.mark.parametrize("paid, held_until, corrected, refund, open_cents, open_instalments", [
    # paid twice 27,00 €, died in July: April to July owed (36,00 €), 18,00 € back
    (5400, "2026-07-20", 3600, 1800, 0, []),
    # nothing paid: the reduction comes off the last instalments
    (0, "2026-07-20", 3600, 0, 3600, ["15.05.2026", "27,00 €", "15.08.2026", "9,00 €"]),
    # paid once, died in August: 5 months, 45,00 €; 18,00 € still open
    (2700, "2026-08-31", 4500, 0, 1800, ["15.08.2026", "18,00 €"]),
    # died before the tax began (ab_folgemonat: April): nothing owed, all paid refunded
    (2700, "2026-03-05", 0, 2700, 0, []),
])
def test_deregistration_corrects_the_tax_pro_rata(dog_office, clock, paid, held_until, corrected, refund, open_cents,
                                                  open_instalments):
    cash_reference = registered(dog_office)
    finance = dog_office.cases.finance
    if paid:
        finance.record_payment("plauen", cash_reference, paid, reference="Überweisung")
    case_number = deregister(dog_office, clock, abmeldung(gehalten_bis=held_until))
    variables = dog_office.variables(case_number)
    assert variables["korrektur"]["corrected_cents"] == corrected
    assert variables["buchung"] == {"cash_reference": cash_reference, "amount_cents": corrected, "paid_cents": paid,
                                    "refund_cents": refund, "open_cents": open_cents}
    balance = finance.balance_of("plauen", cash_reference)
    assert (balance["amount_cents"], balance["open_cents"], balance["paid_cents"]) == (corrected, open_cents,
                                                                                       paid - refund)
    [dog] = dog_office.system("dog_tax").dogs("plauen")[-1:]
    assert (dog["status"], dog["held_until"]) == ("abgemeldet", held_until)

    text = notice(dog_office, case_number)
    for expected in ("Abmeldebestätigung und Änderungsbescheid über die Hundesteuer", "Bruno", "Tod des Hundes",
                     "81,00 €", "Steuermarke Nr. 00002", "innerhalb von 14 Tagen", "§ 7 Abs. 2 SächsKAG",
                     "Rechtsbehelfsbelehrung", *open_instalments):
        assert expected in text, expected
    assert ("erstatten wir Ihnen" in text) == bool(refund)
    assert dog_office.state(case_number) == "completed"
    assert dog_office.statuses(case_number) == ["abgemeldet"]


def test_handover_names_the_new_holder_on_the_confirmation(dog_office, clock):
    registered(dog_office)
    case_number = deregister(dog_office, clock, abmeldung(grund="abgabe", neuer_halter="Paul Lehmann",
                                                          neue_anschrift="Markt 5, 08527 Plauen"))
    text = notice(dog_office, case_number)
    assert "Abgabe an eine neue Halterin" in text and "Paul Lehmann, Markt 5, 08527 Plauen" in text


@pytest.mark.parametrize("changes, field, message", [
    ({"steuermarke": "00001"}, "steuermarke", "kein Hund auf Ihren Namen"),  # Bello of the Beispiel household
    ({"steuermarke": "00099"}, "steuermarke", "kein Hund auf Ihren Namen"),
    ({"halter": {"vorname": "Erika", "nachname": "Neumann", "strasse": "Bahnhofstraße 12", "plz": "08523",
                 "ort": "Plauen"}}, "steuermarke", "kein Hund auf Ihren Namen"),
    ({"gehalten_bis": "2026-02-27"}, "gehalten_bis", "nicht vor ihrem Beginn enden"),
    ({"gehalten_bis": "2026-09-07"}, "gehalten_bis", "nicht in der Zukunft"),
    ({"grund": "abgabe", "neue_anschrift": "Markt 5, 08527 Plauen"}, "neuer_halter", "Bitte ausfüllen"),
    ({"grund": "wegzug"}, "neue_anschrift", "Bitte ausfüllen"),
])
def test_refused_deregistration_stores_nothing(dog_office, clock, changes, field, message):
    cash_reference = registered(dog_office)
    clock.advance(days=180)
    with pytest.raises(FormInvalid) as refused:
        dog_office.cases.submit("hundesteuer_abmeldung", "plauen", abmeldung(**changes), citizen="erika")
    assert [e.field for e in refused.value.errors] == [field]
    assert message in refused.value.errors[0].message
    assert [d["status"] for d in dog_office.system("dog_tax").dogs("plauen")] == ["angemeldet", "angemeldet"]
    assert dog_office.cases.finance.balance_of("plauen", cash_reference)["amount_cents"] == 8100


def test_a_dog_is_deregistered_once(dog_office, clock):
    registered(dog_office)
    deregister(dog_office, clock, abmeldung())
    with pytest.raises(FormInvalid) as refused:
        dog_office.cases.submit("hundesteuer_abmeldung", "plauen", abmeldung(), citizen="erika")
    assert "bereits zum 20.07.2026 abgemeldet" in refused.value.errors[0].message
