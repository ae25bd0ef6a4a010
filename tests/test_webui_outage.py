"""The web UI while the database is away: a German 503 with Retry-After within seconds, and
nothing a citizen sent is lost (an application is either in or still a draft)."""
import time

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from engine import core
from engine.repository import read_paths
from tests.conftest import MODELS, login
from tests.processes.conftest import application
from webui import create_app
from webui.forms import flatten

FORM = {k: str(v) for k, v in flatten(application()).items()}


def _standesamt(installation):
    installation.seed_demo()
    installation.engine.repository.deploy(read_paths([MODELS / "standesamt"]), name="standesamt")
    return create_app(installation, {"TESTING": True})


def test_with_the_database_down_the_portal_answers_503_in_german_and_the_draft_survives(pg_server, pg_installation):
    app, cases = _standesamt(pg_installation), pg_installation.cases
    citizen = login(app, "erika")
    assert citizen.post("/portal/standesamt/antrag", data=FORM).status_code == 302
    pg_server.stop()
    try:
        started = time.monotonic()
        page = citizen.get("/portal/")
        took = time.monotonic() - started
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        text = page.get_data(as_text=True)
        assert "Bitte versuchen Sie es gleich noch einmal" in text and "Traceback" not in text
        assert took < 3, f"{took:.1f} s"
        sent = citizen.post("/portal/standesamt/pruefen")  # the citizen sends during the outage
        assert sent.status_code == 503 and "liegt weiter als Entwurf bereit" in sent.get_data(as_text=True)
    finally:
        pg_server.start()
    assert cases.draft("plauen", "erika", "standesamt") is not None  # nothing was sent, nothing lost
    assert cases.cases("plauen", "erika") == []
    assert citizen.get("/portal/").status_code == 200  # the pool reconnects by itself
    assert citizen.post("/portal/standesamt/pruefen").status_code == 302
    assert cases.draft("plauen", "erika", "standesamt") is None and len(cases.cases("plauen", "erika")) == 1


@pytest.fixture
def app(installation):
    return _standesamt(installation)


def test_a_database_lost_between_taking_the_draft_and_starting_the_case_keeps_the_draft(app, installation,
                                                                                        monkeypatch):
    cases = installation.cases
    citizen = login(app, "erika")
    assert citizen.post("/portal/standesamt/antrag", data=FORM).status_code == 302

    def connection_lost(*args, **kwargs):  # after the draft's DELETE, in the same transaction
        raise OperationalError("INSERT INTO process_instance", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(core, "create_instance", connection_lost)
    sent = citizen.post("/portal/standesamt/pruefen")
    assert sent.status_code == 503 and sent.headers["Retry-After"]
    assert cases.draft("plauen", "erika", "standesamt") is not None and cases.cases("plauen", "erika") == []
    monkeypatch.undo()
    assert citizen.post("/portal/standesamt/pruefen").status_code == 302
    assert len(cases.cases("plauen", "erika")) == 1


def test_a_failing_statement_is_still_an_error_not_an_outage(app, installation, monkeypatch):
    citizen = login(app, "erika")

    def broken(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(installation.cases, "cases", broken)
    with pytest.raises(IntegrityError):  # TESTING propagates; in production the usual 500
        citizen.get("/portal/")
