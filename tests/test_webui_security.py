"""Sign-in and sessions over HTTP: in production there is no way past the login without a real
sign-in (no demo form, no forged or stale cookie); sessions end at logout and after their
timeouts; security headers on every response; sign-in is rate-limited; health and readiness."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from processes.access import Principal
from processes.bootstrap import bootstrap
from processes.settings import DEMO_SECRET_KEY, Settings, SettingsInvalid
from tasks.accounts.models import AccountsSession
from tests.conftest import TEST_PLUGINS, login
from webui import CONTENT_SECURITY_POLICY, auth, create_app
from webui.auth import COOKIE, SECURE_COOKIE

PROTECTED = ("/portal/", "/portal/antraege/ST-2026-ABCDEFGH", "/arbeit/", "/arbeit/schalter/",
             "/arbeit/schalter/standesamt", "/arbeit/kasse", "/arbeit/postausgang", "/betrieb/",
             "/betrieb/vorgang/irgendein-vorgang")
PRODUCTION = dict(mode="production", secret_key="s" * 48, oidc_issuer="https://login.plauen.example/realms/amt",
                  oidc_client_id="amtsweg", oidc_client_secret="geheim", session_cookie_secure=True,
                  public_url="https://amtsweg.plauen.example", oidc_group_map=Path("/etc/amtsweg/gruppen.json"),
                  attachment_scanner="clamd:/run/clamav/clamd.ctl")


@pytest.fixture
def demo_app(installation):
    return create_app(installation, {"TESTING": True})


@pytest.fixture
def production_app(settings, clock):
    installation = bootstrap(dataclasses.replace(settings, **PRODUCTION), plugins=TEST_PLUGINS, clock=clock)
    yield create_app(installation, {"TESTING": True})
    installation.close()


def https(app):
    """A test client that speaks HTTPS (the Flask client takes the base URL per request)."""
    client = app.test_client()
    for method in ("get", "post"):
        plain = getattr(client, method)
        setattr(client, method, lambda *a, _plain=plain, **kw: _plain(*a, base_url=BASE_URL, **kw))
    return client


BASE_URL = "https://amtsweg.plauen.example"


def locked_out(client) -> bool:
    """Every page behind the login sends the visitor to the sign-in."""
    return all(client.get(url).status_code == 302 and "/anmelden" in client.get(url).headers["Location"]
               for url in PROTECTED)


def forged_cookie(secret_key: str, data: dict) -> str:
    """Flask's session cookie as someone who knows the key would sign it."""
    forger = Flask("forger")
    forger.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)


def test_production_offers_no_demo_sign_in(production_app):
    client = https(production_app)
    page = client.get("/anmelden").get_data(as_text=True)
    assert 'name="user"' not in page and "Erika" not in page
    for user in ("betrieb", "sb.plauen", "erika"):
        response = client.post("/anmelden", data={"user": user})
        assert response.status_code == 404 and not response.headers.getlist("Set-Cookie") or all(
            SECURE_COOKIE not in c for c in response.headers.getlist("Set-Cookie"))
        assert locked_out(client)


def test_forged_cookies_get_nothing(demo_app, production_app):
    for app in (demo_app, production_app):
        forged_cookies_get_nothing(app)


def forged_cookies_get_nothing(app):
    client = https(app)
    for data in ({"user": "betrieb"}, {"user": "sb.plauen", "_fresh": True}):
        cookie = forged_cookie(DEMO_SECRET_KEY, data)
        if app.secret_key == DEMO_SECRET_KEY:  # the forgery is good: the demo app reads it as its own
            assert app.session_interface.get_signing_serializer(app).loads(cookie) == data
        client.set_cookie("session", cookie, domain="amtsweg.plauen.example")
        assert locked_out(client)
    for name in (COOKIE, SECURE_COOKIE):  # a made-up or guessed session id
        for value in ("betrieb", "0" * 43, "x" * 5000):
            client.set_cookie(name, value, domain="amtsweg.plauen.example")
            assert locked_out(client)


def test_a_session_id_ends_with_logout_and_is_new_at_every_sign_in(demo_app, installation):
    client = login(demo_app, "sb.plauen")
    first = client.get_cookie(COOKIE).value
    assert client.get("/arbeit/").status_code == 200
    assert client.post("/anmelden", data={"user": "sb.plauen"}).status_code == 302
    second = client.get_cookie(COOKIE).value
    assert second != first
    stale = demo_app.test_client()
    stale.set_cookie(COOKIE, first)
    assert locked_out(stale)  # the old id ended at the new sign-in
    assert client.post("/abmelden").status_code == 302
    assert client.get_cookie(COOKIE) is None
    replay = demo_app.test_client()
    replay.set_cookie(COOKIE, second)
    assert locked_out(replay)  # logout deleted the session on the server
    with installation.engine.sessions() as session:
        assert session.scalars(select(AccountsSession)).all() == []


def test_the_cookie_holds_only_an_opaque_id_stored_hashed(demo_app, installation):
    client = demo_app.test_client()
    response = client.post("/anmelden", data={"user": "betrieb"})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE + "=")]
    token = cookie.split(";")[0].split("=", 1)[1]
    attributes = cookie.lower()
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "expires" not in attributes and "max-age" not in attributes and "secure" not in attributes
    assert len(token) >= 43 and "betrieb" not in token
    with installation.engine.sessions() as session:
        [row] = session.scalars(select(AccountsSession)).all()
    assert row.token_hash != token and token not in row.token_hash and row.principal["id"] == "betrieb"
    flask_cookie = client.get_cookie("session")
    assert flask_cookie is None or "betrieb" not in flask_cookie.value


def test_production_cookies_are_secure_and_host_only(production_app, monkeypatch):
    monkeypatch.setitem(auth.DEMO_USERS, "x", auth.DEMO_USERS["erika"])
    app = production_app
    with app.test_request_context("/", base_url="https://amtsweg.plauen.example"):
        from flask import g

        response = app.make_response("")
        auth.sign_in(auth.DEMO_USERS["erika"])  # what SAML and OpenID Connect end in
        response = auth.write_session_cookie(response)
        [cookie] = response.headers.getlist("Set-Cookie")
        assert g.user.id == "erika"
    assert cookie.startswith(SECURE_COOKIE + "=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Expires" not in cookie and "Domain" not in cookie
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]


def test_production_refuses_to_start_without_identity_provider_or_secure_cookies(settings, clock):
    for change in ({"oidc_issuer": ""}, {"session_cookie_secure": False}, {"secret_key": DEMO_SECRET_KEY}):
        installation = bootstrap(dataclasses.replace(settings, **{**PRODUCTION, **change}), plugins=TEST_PLUGINS,
                                 clock=clock)
        try:
            with pytest.raises(SettingsInvalid):
                create_app(installation)
        finally:
            installation.close()


def test_staff_sessions_end_after_idle_time_and_absolute_time(demo_app, clock):
    idle = login(demo_app, "sb.plauen")
    clock.advance(minutes=29)
    assert idle.get("/arbeit/").status_code == 200  # still active: the idle time starts again
    clock.advance(minutes=29)
    assert idle.get("/arbeit/").status_code == 200
    clock.advance(minutes=31)
    assert locked_out(idle)

    busy = login(demo_app, "sb.plauen")
    for _ in range(8 * 3 - 1):  # a request every 20 minutes for almost 8 hours
        clock.advance(minutes=20)
        assert busy.get("/arbeit/").status_code == 200
    clock.advance(minutes=20)  # 8 hours after sign-in
    assert locked_out(busy)


@pytest.mark.parametrize("trust_level, absolute, idle", [
    ("hoch", timedelta(minutes=30), timedelta(minutes=5)),
    ("substanziell", timedelta(hours=2), timedelta(minutes=30)),
    ("basis", timedelta(hours=12), timedelta(minutes=60)),
    (None, timedelta(hours=12), timedelta(minutes=60)),  # demo citizens count as "basis"
])
def test_citizen_sessions_last_by_trust_level(demo_app, clock, monkeypatch, trust_level, absolute, idle):
    monkeypatch.setitem(auth.DEMO_USERS, "erika", Principal("erika", "Erika Mustermann", "plauen",
                                                            frozenset({"citizen"}), trust_level=trust_level))
    quiet = login(demo_app, "erika")
    clock.advance(seconds=idle.total_seconds() - 40)
    assert quiet.get("/portal/").status_code == 200
    clock.advance(seconds=idle.total_seconds())
    assert locked_out(quiet)

    active = login(demo_app, "erika")
    started = clock.now()
    while clock.now() + idle / 2 < started + absolute:
        clock.advance(seconds=idle.total_seconds() / 2)
        assert active.get("/portal/").status_code == 200
    clock.advance(seconds=(started + absolute - clock.now()).total_seconds())
    assert locked_out(active)


def test_security_headers_on_every_response(demo_app, production_app):
    client = login(demo_app, "erika")
    for url in ("/", "/anmelden", "/portal/", "/gibt-es-nicht", "/health", "/static/amtsweg.css"):
        headers = client.get(url).headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP in the demo
    assert client.get("/portal/").headers["Cache-Control"] == "no-store"
    assert "max-age=" in https(demo_app).get("/").headers["Strict-Transport-Security"]
    assert "max-age=" in https(production_app).get("/anmelden").headers["Strict-Transport-Security"]


def test_templates_carry_no_inline_styles_or_scripts():
    from tests.conftest import ROOT

    # a script only as a file of this site (<script src=…></script>, the studio's modeler), never inline
    inline_script = re.compile(r"<script(?![^>]*\ssrc=)|<script[^>]*>[^<]")
    offending = [str(p.relative_to(ROOT)) for p in (ROOT / "webui").rglob("*.html")
                 if any(s in p.read_text(encoding="utf-8") for s in ("style=", "<style", " on" "click="))
                 or inline_script.search(p.read_text(encoding="utf-8"))]
    assert offending == []


def test_sign_in_is_rate_limited_with_a_german_page(installation, clock):
    installation.settings = dataclasses.replace(installation.settings, sign_in_attempts_per_minute=3)
    app = create_app(installation, {"TESTING": True})
    client = app.test_client()
    for _ in range(3):
        assert client.post("/anmelden", data={"user": "erika"}).status_code == 302
    refused = client.post("/anmelden", data={"user": "erika"})
    assert refused.status_code == 429 and "Zu viele Anmeldeversuche" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert client.post("/anmelden", data={"user": "nobody"}).status_code == 429  # failed attempts count too
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.post("/anmelden", data={"user": "erika"}).status_code == 302  # per client address
    assert client.get("/anmelden").status_code == 200  # the page itself stays reachable
    clock.advance(seconds=61)
    assert client.post("/anmelden", data={"user": "erika"}).status_code == 302


def test_health_and_readiness_need_no_login(demo_app, installation, tmp_path, clock):
    client = demo_app.test_client()
    assert client.get("/health").status_code == 200 and client.get("/health").json == {"status": "ok"}
    assert client.get("/ready").status_code == 200 and client.get("/ready").json["status"] == "bereit"

    empty = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'leer.db'}"), plugins=TEST_PLUGINS, clock=clock)
    try:
        response = create_app(empty, {"TESTING": True}).test_client().get("/ready")
        assert response.status_code == 503 and "nicht auf dem neuesten Stand" in response.json["problem"]
    finally:
        empty.close()
    gone = bootstrap(Settings(database_url="postgresql://nobody@127.0.0.1:1/nothing"), plugins=TEST_PLUGINS, clock=clock)
    try:
        response = create_app(gone, {"TESTING": True}).test_client().get("/ready")
        assert response.status_code == 503 and response.json["problem"] == "Datenbank nicht erreichbar"
        assert create_app(gone, {"TESTING": True}).test_client().get("/health").status_code == 200
    finally:
        gone.close()


def test_the_wsgi_module_and_gunicorn_config_load():
    import runpy

    from tests.conftest import ROOT

    config = runpy.run_path(str(ROOT / "webui/gunicorn.conf.py"))
    assert config["wsgi_app"] == "webui.wsgi:app" and config["workers"] >= 1
    assert "os.environ" not in (ROOT / "webui/wsgi.py").read_text()
