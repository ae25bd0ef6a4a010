"""Shared fixtures. Every test that uses ``db`` runs on SQLite and, when
AMTSWEG_TEST_POSTGRES_URL is set, again on PostgreSQL."""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

import engine.models  # noqa: F401  (the engine's tables on Base.metadata)
from engine import migrate
from engine.db import Base, make_engine, make_sessionmaker, normalise_url
from processes.bootstrap import bootstrap, migration_locations
from processes.settings import Settings
from tasks import testing
from tasks.builtin import BUILTIN_PLUGINS
from tasks.notifications import SmtpSettings
from tests.pg_server import pg_installation, pg_server  # noqa: F401  (fixtures: a PostgreSQL server of the test's own)

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "bpmn-models"
TEST_MODELS = Path(__file__).resolve().parent / "models"
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get("AMTSWEG_TEST_POSTGRES_URL")
TEST_PLUGINS = BUILTIN_PLUGINS + (testing.PLUGIN,)  # the built-in systems and one for the engine's guarantees


def upgrade(engine: Engine, plugins=TEST_PLUGINS) -> None:
    migrate.upgrade(engine, migration_locations(plugins))


@dataclass
class Database:
    url: str
    engine: Engine

    @property
    def sessions(self):
        return make_sessionmaker(self.engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url():
    if not POSTGRES_URL:
        yield None
        return
    schema = f"amtsweg_test_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = normalise_url(POSTGRES_URL)
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, sqlite_template, postgres_schema_url):
    if request.param == "sqlite":
        path = tmp_path / "amtsweg.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        if not postgres_schema_url:
            pytest.skip("AMTSWEG_TEST_POSTGRES_URL is not set")
        url = postgres_schema_url
    engine = make_engine(url)
    if request.param == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield Database(url, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def mail_sink():
    """A local SMTP server for the tests' e-mail; tests read ``mail_sink.messages``."""
    from tasks.notifications.sink import MailSink

    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def clock():
    from engine.clock import ManualClock

    return ManualClock()


@pytest.fixture
def settings(db, mail_sink) -> Settings:
    return Settings(database_url=db.url, smtp=SmtpSettings(host=mail_sink.host, port=mail_sink.port))


@pytest.fixture
def installation(settings, clock):
    """The installation as the composition root builds it, with the testing system, on a manual clock."""
    installation = bootstrap(settings, plugins=TEST_PLUGINS, clock=clock)
    yield installation
    installation.close()


@pytest.fixture
def process_engine(installation):
    return installation.engine


def deploy_test_models(engine, *names: str):
    """Deploys files from tests/models/ (relative names) and returns their definitions."""
    files = {name.split("/")[-1]: (TEST_MODELS / name).read_bytes() for name in names}
    return engine.repository.deploy(files, name="test")


def login(app, user: str):
    """A test client logged in as one of the demo users."""
    client = app.test_client()
    assert client.post("/anmelden", data={"user": user}).status_code == 302
    return client


def signed_in_principal(client) -> dict | None:
    """The principal the server-side session of this test client holds, as plain data (None: nobody)."""
    from webui.auth import COOKIE

    cookie = client.get_cookie(COOKIE)
    principal = cookie and client.application.extensions["amtsweg"].installation.user_sessions.resolve(cookie.value)
    if not principal:
        return None
    return {"id": principal.id, "name": principal.name, "tenant": principal.tenant, "roles": sorted(principal.roles),
            "groups": sorted(principal.groups), "trust_level": principal.trust_level,
            "identity": dict(principal.identity)}
