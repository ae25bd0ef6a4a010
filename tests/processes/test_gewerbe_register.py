"""The life of one business in the trade register: its registration creates the entry, a change
(GewA 2) and the closure (GewA 3) name it by number, are checked against it and update it; the
recipients get each message under the business id of the registration. A change or closure that
does not fit the register is refused at submission on the register number; one the register no longer
fits when the process checks it is refused with the reason, without fee or forwarding."""
from __future__ import annotations

import pytest
from lxml import etree

from engine.errors import FormInvalid
from engine.operations import ServiceCall
from processes.municipalities import municipality
from tasks.xoev.system import business_uuid
from tests.processes.files import attached
from tests.processes.test_gewerbe import NS, follow_up, hub, notice, registered, submit

PARTNER = {"funktion": "gesellschafter", "familienname": "Weber", "vornamen": "Jonas", "geschlecht": "maennlich",
           "geburtsdatum": "1985-09-12", "geburtsort": "Leipzig", "geburtsland": "Deutschland",
           "staatsangehoerigkeit": "000", "strasse": "Bahnhofstraße", "hausnummer": "3", "plz": "08523",
           "ort": "Plauen"}
SOLE_TRADER = notice()
PARTNERSHIP = notice(anzahl_personen=2, weitere_personen=[PARTNER],
                     **{"betrieb.name": "Seitenweise OHG", "betrieb.rechtsform": "ohg", "betrieb.registerart": "HRA",
                        "betrieb.registernummer": "2207", "betrieb.registergericht": "Amtsgericht Chemnitz"})
CRAFT = notice(**{"betrieb.name": "Salon Schnittig", "betrieb.art": "handwerk", "betrieb.handwerkskarte": True,
                  "betrieb.handwerkskarte_datum": "2020-03-01", "betrieb.handwerkskarte_ort": "Chemnitz",
                  "taetigkeit": "Friseursalon", "wz": "96021"})
TRADE = {"fin", "ihk", "baa", "dgu", "ims", "abs", "eic"}
CRAFTS = TRADE - {"ihk"} | {"hwk"}


@pytest.mark.parametrize("opened, persons, on_registration, on_change, on_closure", [
    (SOLE_TRADER, 1, TRADE, TRADE, TRADE),
    (PARTNERSHIP, 2, TRADE, TRADE, TRADE | {"reg"}),  # the register court hears of a registered firm's closure
    (CRAFT, 1, CRAFTS, CRAFTS, CRAFTS),
])
def test_registration_change_and_closure_of_one_business(trade_office, opened, persons, on_registration,
                                                         on_change, on_closure):
    office, trade = trade_office, trade_office.system("trade")

    def submit_with_card(data: dict) -> str:
        """A craft's notice carries its Handwerkskarte, staged as the portal stages an upload."""
        if data["betrieb"].get("handwerkskarte"):
            [card] = attached(office, {}, "betrieb.handwerkskarte_datei")["betrieb.handwerkskarte_datei"]
            data = {**data, "betrieb": {**data["betrieb"], "handwerkskarte_datei": [card]}}
        return submit(office, data)

    first = submit_with_card(opened)
    number = office.variables(first)["eintrag"]["number"]
    assert number.startswith("14523319-")
    [receipt] = [m for m in office.cases.messages("plauen", first) if "Empfangsbescheinigung" in m["title"]]
    assert number in receipt["text"]  # the citizen learns the number for later notices

    moved = follow_up(opened, "ummeldung", number, "01", gueltig_ab="2026-09-01",
                      **{"betrieb.strasse": "Neundorfer Straße", "betrieb.hausnummer": "9"})
    second = submit_with_card(moved)
    rows = dict(row for section in office.variables(second)["vordruck"]["sections"] for row in section["rows"])
    assert rows["Bisherige Anschrift der Betriebsstätte"] == "Klostermarkt 7, 08523 Plauen"
    assert rows["Anschrift der Betriebsstätte"] == "Neundorfer Straße 9, 08523 Plauen"
    assert rows["Bezug: Gewerbe-Anmeldung"].startswith(first)
    assert trade.entry("plauen", number)["anschrift"]["strasse"] == "Neundorfer Straße"

    third = submit_with_card(follow_up(moved, "abmeldung", number, "06", gueltig_ab="2026-12-31"))
    entry = trade.entry("plauen", number)
    assert (entry["status"], entry["abgemeldet_zum"], entry["grund_abmeldung"]) == ("abgemeldet", "2026-12-31", "06")
    assert [c["fall"] for c in entry["aenderungen"]] == [second, third] and len(entry["personen"]) == persons

    business = business_uuid("plauen", first)
    for case_number, kind, expected in ((first, "anmeldung", on_registration), (second, "ummeldung", on_change),
                                        (third, "abmeldung", on_closure)):
        assert office.state(case_number) == "completed"
        sent = hub(office).messages("plauen", case_number)
        assert {m["recipient"] for m in sent} == expected
        for message in sent:  # each message is filed with the registered business by its id
            root = etree.fromstring(message["xml"].encode())
            assert root.xpath("//x:satz/*/x:gewerbebetriebID/text()", namespaces=NS) == [business]
            assert [etree.QName(e).localname for e in root.xpath("//x:satz/*", namespaces=NS)] == [kind]
            assert len(root.xpath("//x:beteiligtePerson", namespaces=NS)) == persons


@pytest.mark.parametrize("case, reason", [
    ("unknown", "Unter der Nummer 14523319-000099 ist in unserem Gewerberegister kein Betrieb eingetragen."),
    ("other_municipality", "im Gewerberegister einer anderen Gemeinde eingetragen"),
    ("closed", "abgemeldet; er kann nicht mehr umgemeldet oder abgemeldet werden"),
    ("other_person", "Jonas Weber ist im Gewerberegister nicht als Inhaber/in"),
])
def test_a_change_that_does_not_fit_the_register_is_refused_at_submission(trade_office, case, reason):
    office = trade_office
    number = registered(office, notice())
    person = {}
    if case == "closed":
        submit(office, follow_up(notice(), "abmeldung", number, gueltig_ab="2026-07-31"))
    elif case == "unknown":
        number = "14523319-000099"
    elif case == "other_municipality":
        number = "14999999-000001"
    else:
        person = {"person.vornamen": "Jonas", "person.familienname": "Weber"}
    before = len(office.cases.cases("plauen", "erika"))
    with pytest.raises(FormInvalid) as refused:
        office.cases.submit("gewerbe", "plauen", follow_up(notice(), "ummeldung", number, "02", **person),
                            citizen="erika")
    [error] = refused.value.errors
    assert error.field == "betriebsnummer" and reason in error.message
    assert len(office.cases.cases("plauen", "erika")) == before


def test_a_closure_recorded_while_a_change_waits_refuses_the_change_with_the_reason(trade_office):
    """The process checks again: the register may have changed since the submission."""
    office = trade_office
    number = registered(office, notice())
    waiting = office.cases.submit("gewerbe", "plauen", follow_up(notice(), "ummeldung", number, "02",
                                                                  taetigkeit="Antiquariat"), citizen="erika")
    closure = follow_up(notice(), "abmeldung", number, gueltig_ab="2026-07-31")
    office.system("trade").record_notice(ServiceCall(
        "trade.record_notice", {"notice": closure, "case_number": "GW-AKTE", "received_on": "2026-07-31",
                                "ags": "14523319"}, idempotency_key="closure-at-the-counter", tenant="plauen",
        instance_id="elsewhere"))
    office.run()
    case_number = waiting.case_number
    assert office.state(case_number) == "completed"
    assert office.statuses(case_number) == ["eingegangen", "abgelehnt"]
    assert "abgemeldet; er kann nicht mehr umgemeldet" in office.variables(case_number)["begruendung"]
    [message] = office.cases.messages("plauen", case_number)
    assert message["title"].startswith("Bescheid zu Ihrer Gewerbe-Ummeldung")
    assert hub(office).messages("plauen", case_number) == []
    assert office.cases.finance.receivables("plauen", case_number) == []


def test_of_two_closures_of_one_business_in_flight_the_second_gets_a_refusal_notice(trade_office):
    office = trade_office
    number = registered(office, notice())
    closures = [office.cases.submit("gewerbe", "plauen", follow_up(notice(), "abmeldung", number, reason,
                                                                   gueltig_ab="2026-07-31"), citizen="erika")
                for reason in ("01", "02")]
    office.run()
    cases = [c.case_number for c in closures]
    assert all(office.variables(c)["bezug"]["ok"] for c in cases)  # both passed the register check
    # Whichever the register recorded first closed the business; the other is refused, not an incident.
    [second] = [c for c in cases if office.statuses(c) == ["eingegangen", "abgelehnt"]]
    [first] = [c for c in cases if c != second]
    assert "abgelehnt" not in office.statuses(first)
    assert office.system("trade").entry("plauen", number)["aenderungen"] == [
        {"fall": first, "art": "abmeldung", "grund": office.variables(first)["antrag"]["grund_abmeldung"],
         "gueltig_ab": "2026-07-31", "vorher": office.variables(first)["eintrag"]["previous"]}]
    assert "ist seit dem 31.07.2026 abgemeldet" in office.variables(second)["begruendung"]
    [message] = office.cases.messages("plauen", second)
    assert message["title"].startswith("Bescheid zu Ihrer Gewerbe-Abmeldung") and message["documents"]
    assert office.cases.finance.receivables("plauen", second) == []  # a refusal costs nothing
    assert hub(office).messages("plauen", second) == []


def test_a_partnership_names_its_count_of_partners_and_a_missing_one_goes_to_a_clerk(trade_office):
    office = trade_office
    case_number = submit(office, notice(anzahl_personen=3, weitere_personen=[PARTNER],
                                        **{"betrieb.name": "Seitenweise GbR", "betrieb.rechtsform": "gbr"}))
    assert [f["code"] for f in office.variables(case_number)["pruefung"]["findings"]] == ["personen"]
    assert office.task(case_number).activity_id == "review"


@pytest.mark.parametrize("persons, field, message", [
    ([{k: v for k, v in PARTNER.items() if k != "geburtsdatum"}], "weitere_personen/0/geburtsdatum", "Bitte ausfüllen"),
    ([PARTNER, {**PARTNER, "plz": "8523"}], "weitere_personen/1/plz", "fünf Ziffern"),
    ([PARTNER] * 10, "weitere_personen", "Höchstens 9 Einträge"),
])
def test_every_further_person_is_validated_like_the_notifying_one(trade_office, persons, field, message):
    data = notice(anzahl_personen=min(len(persons) + 1, 10), weitere_personen=persons,
                  **{"betrieb.name": "Seitenweise GbR", "betrieb.rechtsform": "gbr"})
    with pytest.raises(FormInvalid) as refused:
        trade_office.cases.submit("gewerbe", "plauen", data, citizen="erika")
    assert [(e.field, message in e.message) for e in refused.value.errors] == [(field, True)]


def test_a_company_must_state_the_number_of_its_managing_persons(trade_office):
    data = notice(**{"betrieb.name": "Seitenweise GbR", "betrieb.rechtsform": "gbr"})
    with pytest.raises(FormInvalid) as refused:
        trade_office.cases.submit("gewerbe", "plauen", data, citizen="erika")
    assert [e.field for e in refused.value.errors] == ["anzahl_personen"]


def test_the_standing_purge_deletes_retrieval_logs_after_six_months(trade_office, clock):
    office, trade = trade_office, trade_office.system("trade")
    number = registered(office, notice())
    office.engine.runtime.start("gewerbe_auskunftsprotokoll", tenant="plauen", business_key="GW-AUSKUNFT",
                                variables={"einstellungen": municipality("plauen").settings("gewerbe")})
    trade.information("plauen", number, "Inkasso Nord GmbH", "Forderung aus Kaufvertrag", "IN-2026-0815",
                      "Jana Vogt", at=clock.now())
    office.run()
    clock.advance(days=150)
    office.run()
    assert len(trade.retrievals("plauen")) == 1  # kept for six months
    clock.advance(days=40)
    office.run()
    assert trade.retrievals("plauen") == []
    runs = office.variables("GW-AUSKUNFT")["loeschungen"]
    assert [run["deleted"] for run in runs] == [0, 0, 1]
    assert office.state("GW-AUSKUNFT") == "waiting"  # for the next day: it runs for good
