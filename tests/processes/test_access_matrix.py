"""The authorization matrix over HTTP: role × municipality × office × object. Every principal (the
demo accounts and a few made up) asks for every object; only those the rules allow get it, nobody
else sees any of its data, and refused actions change nothing."""
from __future__ import annotations

import dataclasses

import pytest

from engine.models import AuditEvent
from processes.access import EVERY_MUNICIPALITY, Principal
from tests.conftest import TEST_MODELS
from tests.processes.conftest import application
from tests.processes.test_standesamt import ERIKA, JAN
from webui import auth, create_app

MADE_UP = {p.id: p for p in (
    Principal("mia", "Mia Nachbarin", "plauen", frozenset({"citizen"}), trust_level="substanziell"),
    Principal("kk.plauen", "Karl Kämmerer (Steueramt Plauen, nur Sachbearbeitung)", "plauen", frozenset({"clerk"}),
              frozenset({"steueramt"})),
    Principal("op.musterstadt", "Betrieb Musterstadt", "musterstadt", frozenset({"operator"})),
    Principal("op.pii", "Betrieb mit Datenfreigabe", EVERY_MUNICIPALITY, frozenset({"operator", "operator_pii"})),
)}
EVERYONE = ("anonym", "erika", "jan", "mia", "sb.plauen", "st.plauen", "sv.plauen", "gw.plauen", "kk.plauen",
            "sb.musterstadt", "betrieb", "op.musterstadt", "op.pii")
PLAUEN_CASHIERS = {"sb.plauen", "st.plauen", "sv.plauen", "gw.plauen"}
CASHIERS = PLAUEN_CASHIERS | {"sb.musterstadt"}
POST_ROOM = CASHIERS
OPERATORS = {"betrieb", "op.musterstadt", "op.pii"}
COUNTER = {  # who files at the counter: the office that runs the service (its clerk_groups)
    "standesamt": {"sb.plauen", "sb.musterstadt"},
    "hundesteuer": {"st.plauen", "kk.plauen", "sb.musterstadt"},
    "bewohnerparken": {"sv.plauen", "sb.musterstadt"},
    "gewerbe": {"gw.plauen", "sb.musterstadt"},
}
# Data of Erika's Plauen cases that nobody else may see (application, register findings)
SECRETS = ("Bahnhofstraße", "erika@example.org", "G 412/1990")


@pytest.fixture
def twin():
    return "cached"  # the matrix is about access, not about reloading state


@pytest.fixture
def world(office, monkeypatch):
    """Plauen: Erika's open case (task at the registrar's), her completed case (print job, cash
    reference), an incident; Musterstadt: Jan's case waiting for its fee."""
    for principal in MADE_UP.values():
        monkeypatch.setitem(auth.DEMO_USERS, principal.id, principal)
    engine, cases = office.engine, office.cases
    engine.repository.deploy({"failing.bpmn": (TEST_MODELS / "engine/failing.bpmn").read_bytes()})
    open_case = cases.submit("standesamt", "plauen", application(), citizen="erika", identity=ERIKA).case_number
    done_case = cases.submit("standesamt", "plauen", application(), citizen="erika", identity=ERIKA).case_number
    jans = application(familienname="Probemann", vornamen="Jan", ereignisort="Musterstadt",
                       antragsteller={"vorname": "Jan", "nachname": "Probemann", "strasse": "Marktplatz 9",
                                      "plz": "01234", "ort": "Musterstadt", "email": "jan@example.org"})
    musterstadt_cases = [cases.submit("standesamt", "musterstadt", jans, citizen="jan", identity=JAN).case_number
                         for _ in range(3)]
    musterstadt_case = musterstadt_cases[0]
    office.run()
    engine.tasks.complete(office.task(done_case).id, {"unterschrieben": True, "standesbeamter": "Sabine Berger"},
                          user="sb.plauen")
    office.run()
    failing = engine.runtime.start("failing", tenant="plauen", variables={"fail_times": 0, "divisor": 0})
    engine.executor().run_due()
    [incident] = engine.management.incidents()
    [message, *_] = [m for m in cases.messages("plauen", open_case) if m["documents"]]
    [job] = [j for j in cases.open_print_jobs("plauen") if j["business_key"] == done_case]
    finance = office.system("finance")
    [plauen_cash] = finance.receivables("plauen", business_key=done_case)
    # Cash references count per municipality: take one of Musterstadt's that Plauen does not have too
    plauen_references = {r["cash_reference"] for r in finance.receivables("plauen")}
    [musterstadt_cash, *_] = [r for r in finance.receivables("musterstadt")
                              if r["cash_reference"] not in plauen_references]
    [info] = engine.runtime.query(tenant="plauen", business_key=open_case)
    # the matrix signs in a dozen people within a minute from one address
    office.installation.settings = dataclasses.replace(office.installation.settings, sign_in_attempts_per_minute=10_000)
    return {
        "app": create_app(office.installation, {"TESTING": True}), "office": office,
        "open_case": open_case, "done_case": done_case, "musterstadt_case": musterstadt_case,
        "task": office.task(open_case).id, "document": message["documents"][0]["document_id"], "job": job["id"],
        "plauen_cash": plauen_cash["cash_reference"], "musterstadt_cash": musterstadt_cash["cash_reference"],
        "instance": info.id, "incident": incident.id, "failing": failing,
    }


def client_of(app, who):
    client = app.test_client()
    if who != "anonym":
        assert client.post("/anmelden", data={"user": who}).status_code == 302
    return client


def granted(response) -> bool:
    """The object was served (or the action taken): not a redirect to the login, 403 or 404."""
    if response.status_code == 302:
        return "/anmelden" not in response.headers["Location"]
    return response.status_code < 400 or response.status_code == 422


def test_reading_is_allowed_exactly_to_whom_the_rules_allow(world):
    w = world
    reads = {  # object -> (url, who may)
        "case page": (f"/portal/antraege/{w['open_case']}", {"erika"}),
        "case document": (f"/portal/antraege/{w['open_case']}/dokumente/{w['document']}", {"erika"}),
        "citizen's home": ("/portal/", {"erika", "jan", "mia"}),
        "task page": (f"/arbeit/{w['task']}", {"sb.plauen"}),
        "worklist": ("/arbeit/", {"sb.plauen", "st.plauen", "sv.plauen", "gw.plauen", "kk.plauen", "sb.musterstadt"}),
        "cashier": ("/arbeit/kasse", CASHIERS),
        "outbox": ("/arbeit/postausgang", POST_ROOM),
        "operator overview": ("/betrieb/", OPERATORS),
        "operator instance": (f"/betrieb/vorgang/{w['instance']}", {"betrieb", "op.pii"}),
        **{f"counter {svc}": (f"/arbeit/schalter/{svc}", who) for svc, who in COUNTER.items()},
    }
    leaks = []
    for who in EVERYONE:
        client = client_of(w["app"], who)
        for name, (url, allowed) in reads.items():
            response = client.get(url)
            body = response.get_data().decode("utf-8", "replace")
            if granted(response) != (who in allowed):
                leaks.append(f"{who} {name}: {response.status_code}")
            if who not in allowed and any(secret in body for secret in SECRETS):
                leaks.append(f"{who} {name}: personal data in the refusal")
        # lists show only what is one's own
        worklist = client.get("/arbeit/").get_data(as_text=True)
        if who != "sb.plauen" and w["open_case"] in worklist:
            leaks.append(f"{who} sees Erika's task in the worklist")
        outbox = client.get("/arbeit/postausgang").get_data(as_text=True)
        if who not in PLAUEN_CASHIERS and w["done_case"] in outbox:
            leaks.append(f"{who} sees Plauen's mail")
        home = client.get("/portal/").get_data(as_text=True)
        if who != "erika" and w["open_case"] in home:
            leaks.append(f"{who} sees Erika's cases")
        overview = client.get("/betrieb/").get_data(as_text=True)
        if who == "op.musterstadt" and (w["open_case"] in overview or w["failing"] in overview):
            leaks.append("Musterstadt's operator sees Plauen's instances")
    assert leaks == []


def test_the_counter_lists_only_the_services_of_the_own_offices(world):
    titles = {"standesamt": "Personenstandsurkunde", "hundesteuer": "Hund", "bewohnerparken": "Bewohnerpark",
              "gewerbe": "Gewerbe"}
    for who in ("sb.plauen", "st.plauen", "sv.plauen", "gw.plauen", "kk.plauen", "sb.musterstadt"):
        page = client_of(world["app"], who).get("/arbeit/schalter/").get_data(as_text=True)
        shown = {svc for svc in COUNTER if f'/arbeit/schalter/{svc}"' in page}
        assert shown == {svc for svc, allowed in COUNTER.items() if who in allowed}, who
    assert titles  # (titles only for the reader)


def test_refused_actions_change_nothing(world):
    w, office = world, world["office"]
    engine, finance = office.engine, office.system("finance")
    completion = {"unterschrieben": "on", "standesbeamter": "Jemand"}
    for who in EVERYONE:
        if who == "sb.plauen":
            continue
        client = client_of(w["app"], who)
        assert not granted(client.post(f"/arbeit/{w['task']}", data=completion)), who
        assert not granted(client.post(f"/arbeit/{w['task']}/wiedervorlage", data={"datum": ""})), who
        if who != "erika":
            response = client.post(f"/portal/antraege/{w['open_case']}/antwort", data={"antwort": "Meine Antwort"})
            assert not granted(response) and "keine Rückfrage" not in response.get_data(as_text=True), who
        if who not in OPERATORS - {"op.musterstadt"}:
            assert not granted(client.post(f"/betrieb/stoerung/{w['incident']}/wiederholen")), who
        for svc, allowed in COUNTER.items():
            if who not in allowed:
                assert not granted(client.post(f"/arbeit/schalter/{svc}", data={})), (who, svc)
        # cashiers book only their municipality's cash references; others cannot book at all
        other_cash = w["musterstadt_cash"] if who != "sb.musterstadt" else w["plauen_cash"]
        client.post("/arbeit/kasse", data={"kassenzeichen": other_cash, "betrag": "500,00", "buchung": who})
        if who not in POST_ROOM or who == "sb.musterstadt":
            client.post("/arbeit/postausgang", data={"auftrag": str(w["job"])})
    assert engine.tasks.get(w["task"]).state == "open" and engine.tasks.get(w["task"]).follow_up_at is None
    assert [i.id for i in engine.management.incidents()] == [w["incident"]]
    assert not finance.balance_of("plauen", w["plauen_cash"])["paid"]
    assert not finance.balance_of("musterstadt", w["musterstadt_cash"])["paid"]
    assert w["job"] in [j["id"] for j in office.cases.open_print_jobs("plauen")]
    assert len(engine.runtime.query(process_key="standesamt_urkunde")) == 5  # no counter filing slipped through

    # … and those allowed can
    clerk = client_of(w["app"], "sb.plauen")
    assert clerk.post(f"/arbeit/{w['task']}", data={"unterschrieben": "on", "standesbeamter": "Sabine Berger"}
                      ).status_code == 302
    assert engine.tasks.get(w["task"]).state == "completed"
    assert client_of(w["app"], "st.plauen").post("/arbeit/postausgang", data={"auftrag": str(w["job"])}
                                                 ).status_code == 302
    assert w["job"] not in [j["id"] for j in office.cases.open_print_jobs("plauen")]
    assert client_of(w["app"], "betrieb").post(f"/betrieb/stoerung/{w['incident']}/wiederholen").status_code == 302
    assert engine.management.incidents() == []


def test_operators_see_personal_data_masked_and_every_staff_access_is_audited(world):
    w, office = world, world["office"]
    masked = client_of(w["app"], "betrieb").get(f"/betrieb/vorgang/{w['instance']}").get_data(as_text=True)
    assert "Bahnhofstraße" not in masked and "08523" not in masked and "erika@example.org" not in masked
    assert "verborgen" in masked and "14.03.1990" not in masked and "1990-03-14" not in masked
    unmasked = client_of(w["app"], "op.pii").get(f"/betrieb/vorgang/{w['instance']}").get_data(as_text=True)
    assert "Bahnhofstraße" in unmasked
    client_of(w["app"], "sb.plauen").get(f"/arbeit/{w['task']}")
    viewed = [(e.actor, (e.changes or {}).get("ansicht")) for e in office.engine.history.audit(
        instance_id=w["instance"], action="data_viewed")]
    assert viewed == [("betrieb", "betrieb"), ("op.pii", "betrieb"), ("sb.plauen", "aufgabe")]
    assert AuditEvent  # the table the trail lives in


def test_the_iban_is_masked_but_recognisable():
    from processes.cases import mask_personal_data

    assert mask_personal_data({"antrag": {"sepa": {"iban": "DE89370400440532013000", "name": "Erika"}},
                               "geburtsdatum": "1990-03-14", "fall": "PU-1"}) == {
        "antrag": {"sepa": {"iban": "DE89 •••• 00", "name": "Erika"}}, "geburtsdatum": "•••• (verborgen)",
        "fall": "PU-1"}
