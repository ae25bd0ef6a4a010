"""The trade notice (Gewerbeanzeige) through its branches: automatic receipt and forwarding,
clerk checks, escalation to the group lead when the 3-day receipt deadline is at risk,
rejection, fees per municipality, a recipient that cannot be reached, the monthly statistics."""
from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from lxml import etree

from engine.errors import FormInvalid
from processes.municipalities import municipalities, municipality
from tasks.xoev import Xoev
from tasks.xoev.recipients import RECIPIENTS
from tasks.xoev.senders import FailingSender, MailboxSender
from tests.processes.conftest import changed

NS = {"x": "http://www.xgewerbeanzeige.de/spezifikation/2.2"}


def notice(**changes) -> dict:
    """Mia Schneider registers her bookshop in Plauen: a plain trade, no permit, no craft."""
    data = {
        "meldungsart": "anmeldung",
        "betrieb": {"name": "Buchhandlung Seitenweise", "rechtsform": "einzelunternehmen", "vollzeit": 1, "teilzeit": 2,
                    "art": "handel", "niederlassung": "hauptniederlassung", "reisegewerbe": False, "nebenerwerb": False,
                    "handwerkskarte": False, "strasse": "Klostermarkt", "hausnummer": "7", "plz": "08523", "ort": "Plauen"},
        "person": {"familienname": "Schneider", "vornamen": "Mia", "geburtsname": "Vogel", "geschlecht": "weiblich",
                   "geburtsdatum": "1988-04-02", "geburtsort": "Zwickau", "geburtsland": "Deutschland",
                   "staatsangehoerigkeit": "000", "strasse": "Reichenbacher Straße", "hausnummer": "12",
                   "plz": "08529", "ort": "Plauen", "telefon": "03741 12345", "email": "mia@example.org"},
        "gueltig_ab": "2026-05-01",
        "taetigkeit": "Einzelhandel mit Büchern",
        "wz": "47610",
        "weitere_taetigkeiten": "Lesungen\nVerkauf von Schreibwaren",
        "grund_anmeldung": "01",
    }
    for key, value in changes.items():
        section, _, leaf = key.rpartition(".")
        (data[section] if section else data)[leaf] = value
    return data


def submit(office, data, tenant="plauen", citizen="erika"):
    case = office.cases.submit("gewerbe", tenant, data, citizen=citizen)
    office.run()
    return case.case_number


def hub(office) -> Xoev:
    return office.system("xoev")


def test_plain_registration_is_certified_and_forwarded_without_a_clerk(trade_office, mail_sink):
    office = trade_office
    case_number = submit(office, notice())
    assert office.engine.tasks.query(tenant="plauen") == []
    assert office.state(case_number) == "completed"
    assert office.statuses(case_number) == ["eingegangen", "bescheinigt", "weitergeleitet"]
    variables = office.variables(case_number)
    assert variables["gebuehr_cents"] == 3000
    assert office.cases.finance.balance_of("plauen", variables["kassenzeichen"])["open_cents"] == 3000
    [message] = office.cases.messages("plauen", case_number)
    assert {d["title"] for d in message["documents"]} == {f"Empfangsbescheinigung {case_number}",
                                                          f"Kostenbescheid {case_number}"}
    # Trade, not craft, no food: no HWK, no food safety, no register court; statistics comes monthly.
    sent = {m["recipient"]: m for m in hub(office).messages("plauen", case_number)}
    assert set(sent) == {"fin", "ihk", "baa", "dgu", "ims", "abs", "eic"}
    assert all(m["state"] == "delivered" for m in sent.values())
    assert len(hub(office).mailbox("plauen", "ihk")) == 1
    assert mail_sink.messages[-1]["To"] == "mia@example.org"


def registered(office, data, tenant="plauen", citizen="erika") -> str:
    """The register number of a business registered (a clerk accepting where the rules ask for one)."""
    case_number = submit(office, data, tenant=tenant, citizen=citizen)
    if office.state(case_number, tenant) != "completed":
        office.engine.tasks.complete(office.task(case_number, tenant).id, {
            "entscheidung": "annehmen", "begruendung": "Erlaubnis liegt vor", "entscheider": "Jana Vogt"})
        office.run()
    return office.variables(case_number, tenant)["eintrag"]["number"]


def follow_up(data: dict, kind: str, number: str, reason: str = "01", **changes) -> dict:
    """A change or closure (``kind``) of the business registered with ``data``, naming its number."""
    follow = {key: copy.deepcopy(value) for key, value in data.items() if key != "grund_anmeldung"}
    for key, value in changes.items():
        section, _, leaf = key.rpartition(".")
        (follow[section] if section else follow)[leaf] = value
    follow.update({"meldungsart": kind, "betriebsnummer": number, f"grund_{kind}": reason})
    return follow


def test_closure_in_musterstadt_costs_its_own_fee_and_reaches_the_register_court(trade_office):
    office = trade_office
    opened = notice(**{"betrieb.name": "Seitenweise GmbH", "betrieb.rechtsform": "gmbh", "betrieb.registerart": "HRB",
                       "betrieb.registernummer": "4711", "betrieb.registergericht": "Amtsgericht Dresden",
                       "betrieb.plz": "01234", "betrieb.ort": "Musterstadt", "wz": "56101", "taetigkeit": "Restaurant",
                       "anzahl_personen": 1})
    number = registered(office, opened, tenant="musterstadt", citizen="jan")
    data = follow_up(opened, "abmeldung", number, gueltig_ab="2026-06-30")
    case_number = submit(office, data, tenant="musterstadt", citizen="jan")
    assert office.state(case_number, "musterstadt") == "completed"  # closures need no check
    assert office.variables(case_number, "musterstadt")["gebuehr_cents"] == 1000
    sent = {m["recipient"] for m in hub(office).messages("musterstadt", case_number)}
    assert "reg" in sent and "lue" not in sent  # Musterstadt's food authority waived regular transmission


def test_craft_without_handwerkskarte_goes_to_a_clerk_who_accepts_with_a_note(trade_office):
    office = trade_office
    data = notice(**{"betrieb.name": "Salon Schnittig", "betrieb.art": "handwerk", "taetigkeit": "Friseursalon",
                     "wz": "96021"})
    case_number = submit(office, data)
    task = office.task(case_number)
    assert (task.activity_id, task.candidate_group) == ("review", "gewerbe")
    assert [f["code"] for f in office.variables(case_number)["pruefung"]["findings"]] == ["handwerk"]
    assert office.statuses(case_number) == ["eingegangen", "in_pruefung"]
    with pytest.raises(FormInvalid):
        office.engine.tasks.complete(task.id, {"entscheidung": "annehmen"})
    office.engine.tasks.complete(task.id, {"entscheidung": "annehmen", "begruendung": "Meisterbrief vorgelegt",
                                           "entscheider": "Jana Vogt",
                                           "hinweis": "Bitte reichen Sie die Handwerkskarte nach."})
    office.run()
    assert office.statuses(case_number)[-2:] == ["bescheinigt", "weitergeleitet"]
    sent = {m["recipient"] for m in hub(office).messages("plauen", case_number)}
    assert "hwk" in sent and "ihk" not in sent
    [message] = [m for m in office.cases.messages("plauen", case_number) if "Empfangsbescheinigung" in m["title"]]
    assert "reichen Sie die Handwerkskarte nach" in message["text"]


def test_open_check_escalates_to_the_group_lead_before_the_receipt_deadline(trade_office, clock):
    office = trade_office
    case_number = submit(office, notice(taetigkeit="Restaurant mit Biergarten", wz="56101"))
    assert office.task(case_number).activity_id == "review"
    clock.advance(days=1, hours=23)
    office.run()
    assert office.task(case_number).activity_id == "review"  # Plauen escalates after two days
    clock.advance(hours=1, minutes=1)
    office.run()
    task = office.task(case_number)
    assert (task.activity_id, task.candidate_group) == ("review_lead", "gewerbe_leitung")
    office.engine.tasks.complete(task.id, {"entscheidung": "annehmen", "begruendung": "Gaststättenerlaubnis beantragt",
                                           "entscheider": "Peter Lang"},
                                 user="leitung")
    office.run()
    assert office.state(case_number) == "completed"
    assert office.statuses(case_number)[-1] == "weitergeleitet"
    steps = [e["schritt"] for e in office.variables(case_number)["entscheidungen"]]
    assert steps == ["eskalation", "pruefung_leitung"]
    assert "lue" in {m["recipient"] for m in hub(office).messages("plauen", case_number)}


def test_liberal_profession_is_rejected_without_fee_or_forwarding(trade_office):
    office = trade_office
    case_number = submit(office, notice(taetigkeit="Rechtsanwaltskanzlei", wz="69101"))
    task = office.task(case_number)
    assert office.variables(case_number)["pruefung"]["findings"][0]["code"] == "freier_beruf"
    office.engine.tasks.complete(task.id, {"entscheidung": "ablehnen",
                                           "begruendung": "Rechtsanwälte üben einen freien Beruf aus, kein Gewerbe.",
                                           "entscheider": "Jana Vogt"})
    office.run()
    assert office.state(case_number) == "completed"
    assert office.statuses(case_number)[-1] == "abgelehnt"
    assert office.cases.finance.receivables("plauen", case_number) == []
    assert hub(office).messages("plauen", case_number) == []


def test_unreachable_recipient_becomes_an_incident_and_is_delivered_once_after_a_retry(trade_office, clock):
    office = trade_office
    registry, sessions = office.engine.ctx.registry, office.engine.sessions
    registry.add_system(Xoev(sessions, senders={"postfach": FailingSender(frozenset({"ihk"}))}), replace=True)
    case = office.cases.submit("gewerbe", "plauen", notice(), citizen="erika")
    for _ in range(3):  # retries with backoff until they are used up
        office.engine.executor().run_due()
        clock.advance(minutes=5)
    [incident] = office.engine.management.incidents(tenant="plauen")
    assert "Industrie- und Handelskammer" in incident.message
    messages = {m["recipient"]: m for m in hub(office).messages("plauen", case.case_number)}
    assert messages["ihk"]["state"] == "pending" and messages["fin"]["state"] == "delivered"

    registry.add_system(Xoev(sessions, senders={"postfach": MailboxSender()}), replace=True)  # the peer is back
    office.engine.management.retry_incident(incident.id, user="betrieb")
    office.run()
    assert office.state(case.case_number) == "completed"
    xoev = hub(office)
    ihk = next(m for m in xoev.messages("plauen", case.case_number) if m["recipient"] == "ihk")
    assert [d["outcome"] for d in xoev.deliveries("plauen", ihk["message_id"])] == ["failed"] * 3 + ["delivered"]
    assert len(xoev.mailbox("plauen", "ihk")) == 1 and len(xoev.mailbox("plauen", "fin")) == 1


def test_statistics_office_gets_one_message_per_month_on_the_first_working_day(trade_office, clock):
    office = trade_office
    month = clock.now().date().isoformat()[:7]
    office.engine.runtime.start("gewerbe_statistik", tenant="plauen", business_key="GW-STATISTIK",
                                variables={"monat": month, "einstellungen": municipality("plauen").settings("gewerbe")})
    first = submit(office, notice())
    number = office.variables(first)["eintrag"]["number"]
    second = submit(office, follow_up(notice(), "ummeldung", number, "02", **{"betrieb.name": "Zweiter Laden"}))
    assert hub(office).messages("plauen", recipient="sta") == []  # nothing before the due date

    due = datetime.fromisoformat(office.variables("GW-STATISTIK")["termin"]["due_at"])
    assert due > clock.now() and due.astimezone(UTC).weekday() < 5
    clock.advance(seconds=(due - clock.now()).total_seconds() - 60)
    office.run()
    assert hub(office).messages("plauen", recipient="sta") == []
    clock.advance(minutes=2)
    office.run()
    [message] = hub(office).messages("plauen", recipient="sta")
    root = etree.fromstring(message["xml"].encode())
    assert etree.QName(root).localname == "sta.gewerbemeldung.0100"
    numbers = root.xpath("//x:gemeindeMeldungNr/text()", namespaces=NS)
    assert sorted(numbers) == sorted([first, second])
    assert root.xpath("//x:beteiligtePerson/x:anschrift", namespaces=NS) == []  # not for statistics
    assert office.variables("GW-STATISTIK")["monat"] > month  # waits for the next month now

    # A notice certified after the batch went out joins the next month's batch.
    third = submit(office, notice(**{"betrieb.name": "Später Laden"}))
    assert office.variables(third)["statistik"]["month"] == office.variables("GW-STATISTIK")["monat"]


@pytest.mark.parametrize("change, field", [
    ({"wz": "9602"}, "wz"),
    ({"grund_anmeldung": None}, "grund_anmeldung"),
    ({"betrieb.registerart": "HRB"}, "betrieb/registernummer"),
    ({"person.plz": "8523"}, "person/plz"),
    ({"betrieb.vollzeit": -1}, "betrieb/vollzeit"),
    ({"meldungsart": "verkauf"}, "meldungsart"),
])
def test_invalid_notice_gives_german_field_errors_and_stores_nothing(trade_office, change, field):
    with pytest.raises(FormInvalid) as err:
        trade_office.cases.submit("gewerbe", "plauen", changed(notice(), change), citizen="erika")
    assert field in [e.field for e in err.value.errors]
    assert all(":" in e.message for e in err.value.errors)
    assert trade_office.engine.runtime.query(process_key="gewerbe_anzeige") == []


def test_settings_differ_per_municipality_and_name_their_own_ags():
    fees = {key: place.settings("gewerbe")["fees_cents"] for key, place in municipalities().items()
            if place.offers("gewerbe")}
    assert fees["plauen"] == {"anmeldung": 3000, "ummeldung": 2000, "abmeldung": 2000}
    assert fees["musterstadt"] != fees["plauen"]
    for place in municipalities().values():
        if place.offers("gewerbe"):
            settings = place.settings("gewerbe")
            assert settings["meldestelle"]["ags"] == place.data["ags"]  # the author key is the municipality's AGS
            assert set(settings["empfaenger"]) <= set(RECIPIENTS)
