"""Views translate: one worklist query in SQL, and only the typed errors a view expects become
German messages; anything else (a bug) is not swallowed."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from tasks.finance.system import Finance
from tasks.portal.system import Portal
from tasks.print_mail.models import PrintMailJob
from tasks.print_mail.system import PrintMail
from tests import test_webui
from tests.conftest import login
from webui.worklist import views as worklist_views

app = test_webui.app  # the same app: lifecycle tasks in group "standesamt"


@pytest.fixture
def queries(process_engine, monkeypatch):
    """The keyword arguments of every TaskService.query call."""
    calls, query = [], process_engine.tasks.query

    def spy(**kwargs):
        calls.append(kwargs)
        return query(**kwargs)

    monkeypatch.setattr(process_engine.tasks, "query", spy)
    return calls


def start(engine, business_key: str, tenant: str = "plauen") -> str:
    instance_id = engine.runtime.start("lifecycle", tenant=tenant, business_key=business_key,
                                       variables={"applicant": "E"}, user="erika")
    engine.executor().run_due()
    return instance_id


def test_worklist_is_one_query_for_all_groups_or_the_chosen_one(app, process_engine, queries, clock):
    start(process_engine, "ST-1")
    client = login(app, "sb.plauen")
    assert "ST-1" in client.get("/arbeit/").get_data(as_text=True)
    [call] = queries
    assert call["candidate_groups"] == ["kasse", "poststelle", "standesamt", "standesbeamte"]
    assert call["tenant"] == "plauen" and call["follow_up_before"] == clock.now() and call["page"] == 1

    queries.clear()
    assert "ST-1" not in client.get("/arbeit/?gruppe=kasse").get_data(as_text=True)
    [call] = queries
    assert call["candidate_groups"] == ["kasse"]

    queries.clear()
    client.get("/arbeit/?gruppe=steueramt&alle=1")  # not one of hers: all her groups, follow-ups too
    [call] = queries
    assert "standesamt" in call["candidate_groups"] and call["follow_up_before"] is None


def test_worklist_pages_with_a_next_link(app, process_engine, monkeypatch, clock):
    monkeypatch.setattr(worklist_views, "PER_PAGE", 2)
    for i in range(3):
        start(process_engine, f"ST-{i}")
        clock.advance(minutes=1)
    client = login(app, "sb.plauen")
    first = client.get("/arbeit/?alle=1").get_data(as_text=True)
    assert "ST-0" in first and "ST-1" in first and "ST-2" not in first
    [next_link] = re.findall(r'href="([^"]*seite=2[^"]*)">weiter<', first)
    assert "alle=1" in next_link and "gruppe" not in next_link
    second = client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "ST-2" in second and "ST-0" not in second and ">weiter<" not in second and ">zurück<" in second
    assert "Keine weiteren Aufgaben." in client.get("/arbeit/?seite=3").get_data(as_text=True)
    assert "ST-0" in client.get("/arbeit/?seite=x").get_data(as_text=True)  # not a number: the first page


def queued_job(db, tenant: str = "plauen") -> int:
    with db.sessions() as session, session.begin():
        job = PrintMailJob(tenant=tenant, business_key="ST-1", idempotency_key=f"test-{datetime.now().timestamp()}",
                           address={"name": "Erika"}, address_block=["Erika"], status="queued",
                           created_at=datetime.now(timezone.utc))
        session.add(job)
        session.flush()
        return job.id


def test_posting_a_job_twice_says_it_is_no_longer_open(app, db):
    job_id = queued_job(db)
    client = login(app, "sb.plauen")
    page = client.post("/arbeit/postausgang", data={"auftrag": str(job_id)}, follow_redirects=True)
    assert "1 Sendung als aufgegeben vermerkt" in page.get_data(as_text=True)
    again = client.post("/arbeit/postausgang", data={"auftrag": str(job_id)}, follow_redirects=True).get_data(as_text=True)
    assert f"Nicht aufgegeben: Sendung {job_id} ist nicht mehr offen (schon aufgegeben?)" in again
    nothing = client.post("/arbeit/postausgang", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Bitte wählen Sie mindestens eine Sendung aus der Liste." in nothing
    forged = client.post("/arbeit/postausgang", data={"auftrag": "x"}, follow_redirects=True).get_data(as_text=True)
    assert "Bitte wählen Sie mindestens eine Sendung aus der Liste." in forged


def test_a_job_of_another_municipality_is_not_open_for_this_clerk(app, db):
    job_id = queued_job(db, tenant="musterstadt")
    page = login(app, "sb.plauen").post("/arbeit/postausgang", data={"auftrag": str(job_id)}, follow_redirects=True)
    assert f"Sendung {job_id} ist nicht mehr offen" in page.get_data(as_text=True)


def test_cashier_explains_missing_reference_and_amount(app):
    client = login(app, "sb.plauen")
    page = client.post("/arbeit/kasse", data={"kassenzeichen": "", "betrag": "15,00"}, follow_redirects=True)
    assert "Kassenzeichen: Bitte angeben" in page.get_data(as_text=True)
    page = client.post("/arbeit/kasse", data={"kassenzeichen": "KZ-2026-000001", "betrag": "0,00"}, follow_redirects=True)
    assert "Betrag: Bitte einen Betrag über 0 Euro angeben" in page.get_data(as_text=True)
    page = client.post("/arbeit/kasse", data={"kassenzeichen": "KZ-2026-000001", "betrag": "15,5"}, follow_redirects=True)
    assert "Kassenzeichen „KZ-2026-000001“ ist nicht bekannt." in page.get_data(as_text=True)


def test_cashier_books_euros_typed_the_german_way(app, process_engine, monkeypatch):
    booked = []
    monkeypatch.setattr(Finance, "record_payment", lambda self, tenant, reference, cents, **kw: booked.append(cents) or {
        "paid": False, "open_cents": 100, "already_booked": False})
    client = login(app, "sb.plauen")
    for typed in ("15", "15,5", "15,05", " 7.20 "):
        client.post("/arbeit/kasse", data={"kassenzeichen": "KZ-1", "betrag": typed})
    assert booked == [1500, 1550, 1505, 720]
    for typed in ("1.000", "-5", "15,001", "nan", "1e400"):  # "1.000" could be 1 or 1000 euros: asked again
        page = client.post("/arbeit/kasse", data={"kassenzeichen": "KZ-1", "betrag": typed}, follow_redirects=True)
        assert "Betrag: Bitte einen Betrag in Euro angeben, z. B. 15,00." in page.get_data(as_text=True)
    assert len(booked) == 4


def test_an_unknown_document_is_404_in_german(app, process_engine):
    start(process_engine, "ST-5")
    client = login(app, "erika")
    for document_id in ("999", "kein-dokument"):
        response = client.get(f"/portal/antraege/ST-5/dokumente/{document_id}")
        assert response.status_code == 404
        assert "Dokument nicht gefunden. Bitte öffnen Sie es über das Postfach des Antrags." in response.get_data(as_text=True)


def broken(*args, **kwargs):
    raise KeyError("address")  # a bug inside the specialist system


@pytest.mark.parametrize("system, method, request_args", [
    (PrintMail, "mark_batch_posted", ("sb.plauen", "/arbeit/postausgang", {"auftrag": "1"})),
    (Finance, "record_payment", ("sb.plauen", "/arbeit/kasse", {"kassenzeichen": "KZ-1", "betrag": "15,00"})),
    (Portal, "document", ("erika", "/portal/antraege/ST-5/dokumente/1", None)),
])
def test_a_bug_inside_a_system_is_not_swallowed(app, process_engine, monkeypatch, system, method, request_args):
    start(process_engine, "ST-5")
    monkeypatch.setattr(system, method, broken)
    user, url, data = request_args
    client = login(app, user)
    with pytest.raises(KeyError):
        client.post(url, data=data) if data is not None else client.get(url)


def test_a_task_completed_meanwhile_is_explained_but_a_bug_is_not_swallowed(app, process_engine, monkeypatch):
    [task] = process_engine.tasks.query(instance_id=start(process_engine, "ST-7"))
    client = login(app, "sb.plauen")
    done = {"decision": "approve", "reason": "geprüft"}
    process_engine.tasks.complete(task.id, done, user="sb.plauen")
    next_month = (process_engine.ctx.now() + timedelta(days=30)).date().isoformat()
    page = client.post(f"/arbeit/{task.id}/wiedervorlage", data={"datum": next_month}, follow_redirects=True)
    assert "Die Aufgabe &#39;Antrag prüfen&#39; ist bereits erledigt." in page.get_data(as_text=True)

    [task] = process_engine.tasks.query(instance_id=start(process_engine, "ST-8"))
    monkeypatch.setattr(process_engine.tasks, "complete", broken)
    with pytest.raises(KeyError):
        client.post(f"/arbeit/{task.id}", data=done)
