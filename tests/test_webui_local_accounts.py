"""Local staff accounts: created with ``amtsweg account add``, signed in with password and TOTP."""
import dataclasses
import re

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tests.conftest import signed_in_principal
from webui import create_app
from webui.cli import main

PASSWORD = "korrekt-Pferd-Batterie"


def add(db, *args, password=PASSWORD):
    return CliRunner().invoke(main, ["account", "add", *args, "--password", password],
                              env={"AMTSWEG_DATABASE_URL": db.url})


@pytest.fixture
def app(installation):
    # The account's own lockout is under test here, not the per-address sign-in rate limit.
    installation.settings = dataclasses.replace(installation.settings, sign_in_attempts_per_minute=100)
    return create_app(installation, {"TESTING": True})


@pytest.fixture
def secret(db, installation):
    result = add(db, "sberger", "--name", "Sabine Berger", "--tenant", "plauen", "--group", "standesamt",
                 "--group", "standesbeamte", "--role", "clerk")
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/Amtsweg:sberger?secret=" in result.output
    return re.search(r"Schlüssel: ([A-Z2-7]+)", result.output).group(1)


def sign_in(client, code, password=PASSWORD, username="sberger"):
    return client.post("/anmelden/konto", data={"username": username, "password": password, "code": code})


def signed_in(client):
    return signed_in_principal(client)


def test_account_signs_in_with_password_and_code(app, db, secret):
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash, totp_secret FROM staff_account")).one()
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    client = app.test_client()
    assert "Authenticator-App" in client.get("/anmelden/konto").get_data(as_text=True)
    response = sign_in(client, pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/arbeit/"
    principal = signed_in(client)
    assert (principal["id"], principal["tenant"], principal["roles"], principal["groups"]) == (
        "konto:sberger", "plauen", ["clerk"], ["standesamt", "standesbeamte"])
    assert client.get("/arbeit/").status_code == 200


def test_wrong_password_wrong_or_replayed_code_are_refused(app, secret):
    totp = pyotp.TOTP(secret)
    for attempt in (dict(code=totp.now(), password="falsch-falsch-falsch"), dict(code="000000"),
                    dict(code=totp.now(), username="niemand"), dict(code="")):
        client = app.test_client()
        response = sign_in(client, **attempt)
        assert response.status_code == 401 and "stimmen nicht" in response.get_data(as_text=True)
        assert signed_in(client) is None
    code = totp.now()
    assert sign_in(app.test_client(), code).status_code == 302
    assert sign_in(app.test_client(), code).status_code == 401  # a code counts once


def test_ten_failures_lock_the_account(app, secret):
    for _ in range(10):
        assert sign_in(app.test_client(), "000000").status_code == 401
    assert sign_in(app.test_client(), pyotp.TOTP(secret).now()).status_code == 401


@pytest.mark.parametrize("args, password, message", [
    (("--tenant", "plauen", "--role", "clerk"), "kurz", "mindestens 12 Zeichen"),
    (("--tenant", "atlantis", "--role", "clerk"), PASSWORD, "unbekannte Kommune"),
    (("--tenant", "plauen", "--role", "citizen"), PASSWORD, "citizen"),
    (("--tenant", "*", "--group", "kasse", "--role", "operator"), PASSWORD, "keine Ämter"),
])
def test_unusable_accounts_are_refused(db, installation, args, password, message):
    result = add(db, "neu", "--name", "Neu", *args, password=password)
    assert result.exit_code == 2 and message in result.output


def test_user_names_are_unique(db, secret):
    result = add(db, "sberger", "--name", "Noch eine", "--tenant", "plauen", "--role", "clerk")
    assert result.exit_code == 2 and "gibt es schon" in result.output
