"""Citizens sign in with SAML 2.0 against a real identity provider on loopback (tests/saml/idp.py):
the SP's signed AuthnRequest travels by HTTP-Redirect over real HTTP to pysaml2's IdP, whose signed
Response form is posted back to the Assertion Consumer Service. Successful sign-in, prefill that the
citizen cannot change, step-up to a higher trust level, and every forged or misdirected answer refused
with a German page and no session. On SQLite and PostgreSQL (the replay store is a table)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.saml.idp import ERIKA, IdentityProvider, post_form, write_keypair
from webui import create_app
from webui.auth import COOKIE
from webui.auth.saml import PENDING_COOKIE, citizen_id


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    provider = IdentityProvider(tmp_path_factory.mktemp("idp"))
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def sp_keys(tmp_path_factory):
    return write_keypair(tmp_path_factory.mktemp("sp"), "amtsweg-sp")


@pytest.fixture
def app(installation, idp, sp_keys):
    key, cert = sp_keys
    installation.settings = replace(installation.settings, public_url="http://localhost",
                                    saml_idp_metadata=idp.metadata_url,  # fetched over HTTP from the IdP
                                    saml_sp_key_file=key, saml_sp_cert_file=cert)
    app = create_app(installation, {"TESTING": True})
    idp.reset()
    if not hasattr(idp, "server"):
        idp.trust_sp(app.test_client().get("/saml/metadata").get_data(as_text=True))
    return app


def to_idp(client, **query):
    """GET /anmelden/buerger, then the redirect to the IdP over real HTTP: the IdP's POST form."""
    started = client.get("/anmelden/buerger", query_string={"kommune": "plauen", **query})
    assert started.status_code == 302, started.get_data(as_text=True)
    answer = requests.get(started.headers["Location"], timeout=10, allow_redirects=False)
    assert answer.status_code == 200, answer.text
    action, fields = post_form(answer.text)
    assert action == "http://localhost/saml/acs" and "SAMLResponse" in fields
    return fields


def sign_in(client, **query):
    return client.post("/saml/acs", data=to_idp(client, **query))


def follow(client, response):
    """Follows the SP's redirects; a redirect to the IdP goes over real HTTP and back to the ACS."""
    while response.status_code == 302:
        location = response.headers["Location"]
        if location.startswith("http://127.0.0.1"):
            answer = requests.get(location, timeout=10)
            assert answer.status_code == 200, answer.text
            _action, fields = post_form(answer.text)
            response = client.post("/saml/acs", data=fields)
        else:
            response = client.get(location)
    return response


def signed_out(client) -> bool:
    return client.get("/portal/").headers.get("Location", "").startswith("/anmelden")


def test_sp_metadata_for_the_idp_operator(app, sp_keys):
    response = app.test_client().get("/saml/metadata")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "application/samlmetadata+xml"
    assert 'entityID="http://localhost/saml/metadata"' in text and 'AuthnRequestsSigned="true"' in text
    assert 'WantAssertionsSigned="true"' in text
    assert 'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="http://localhost/saml/acs"' in text
    cert = "".join(sp_keys[1].read_text().splitlines()[1:-1])
    assert cert in "".join(text.split())


def test_citizen_signs_in_with_the_service_account(app, idp):
    client = app.test_client()
    done = sign_in(client, weiter="/portal/hundesteuer/antrag")
    assert done.status_code == 302 and done.headers["Location"] == "/portal/hundesteuer/antrag"
    [request] = idp.requests
    wanted = request.requested_authn_context
    assert wanted.comparison == "minimum" and [r.text for r in wanted.authn_context_class_ref] == ["STORK-QAA-Level-1"]
    assert request.assertion_consumer_service_url == "http://localhost/saml/acs"
    assert idp.sigalgs == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]  # verified by the IdP

    home = client.get("/portal/")
    assert home.status_code == 200 and "Erika Mustermann" in home.get_data(as_text=True)
    principal = signed_in(app, client)
    assert principal.id == citizen_id(idp.entity_id, "bpk2-erika-0001")
    assert principal.tenant == "plauen" and principal.trust_level == "basis"
    assert dict(principal.identity) == ERIKA
    assert client.get_cookie(PENDING_COOKIE, path="/saml/") is None  # used once, then gone


def signed_in(app, client):
    """The principal the server-side session of this browser holds."""
    return app.extensions["amtsweg"].installation.user_sessions.resolve(client.get_cookie(COOKIE).value)


def test_target_and_municipality_come_from_the_portal_not_from_elsewhere(app):
    client = app.test_client()
    assert client.get("/anmelden/buerger?kommune=atlantis").status_code == 404
    choose = client.get("/anmelden/buerger")
    assert choose.status_code == 200 and "Musterstadt" in choose.get_data(as_text=True)
    done = sign_in(client, weiter="//evil.example/")
    assert done.headers["Location"] == "/portal/"


def test_prefilled_fields_are_read_only_and_a_tampered_post_changes_nothing(app, idp, installation):
    client = app.test_client()
    follow(client, sign_in(client))
    page = client.get("/portal/hundesteuer/antrag").get_data(as_text=True)
    assert 'name="halter.vorname" value="Erika" readonly' in page
    assert 'name="halter.strasse" value="Bahnhofstraße 12" readonly' in page
    assert page.count("aus Ihrem Servicekonto") == 8  # 7 fields (Vorname … E-Mail), and the hint above the form
    assert 'name="hund_name" value=""' in page  # not vouched for: editable

    tampered = {"halter.vorname": "Mallory", "halter.nachname": "Fälscher", "halter.strasse": "Am Hang 1",
                "halter.plz": "01067", "halter.ort": "Dresden", "halter.email": "mallory@example.org",
                "hund_name": "Bruno", "rasse": "Labrador", "gehalten_seit": "2026-03-01",
                "steuervergunstigung": "keine"}  # an insurer only for dangerous dogs
    assert client.post("/portal/hundesteuer/antrag", data=tampered).status_code == 302
    citizen = citizen_id(idp.entity_id, "bpk2-erika-0001")
    draft = installation.cases.draft("plauen", citizen, "hundesteuer")
    assert draft["halter"] == {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1990-03-14",
                               "strasse": "Bahnhofstraße 12", "plz": "08523", "ort": "Plauen",
                               "email": "erika.mustermann@example.org"}
    assert draft["hund_name"] == "Bruno"

    # a draft changed behind the form's back is not sent
    installation.cases.save_draft("plauen", citizen, "hundesteuer", {**draft, "halter": {**draft["halter"],
                                                                                          "nachname": "Fälscher"}})
    refused = client.post("/portal/hundesteuer/pruefen")
    assert refused.status_code == 302 and refused.headers["Location"] == "/portal/hundesteuer/antrag"


def test_a_service_that_needs_more_asks_the_idp_again(app, idp):
    client = app.test_client()
    follow(client, sign_in(client))  # basis: enough for Hundesteuer
    assert client.get("/portal/hundesteuer/antrag").status_code == 200

    step_up = client.get("/portal/standesamt/antrag")  # Standesamt: substanziell
    assert step_up.status_code == 302
    query = parse_qs(urlsplit(step_up.headers["Location"]).query)
    assert query == {"kommune": ["plauen"], "niveau": ["substanziell"], "weiter": ["/portal/standesamt/antrag"]}
    page = follow(client, step_up)
    assert page.status_code == 200 and 'name="antragsteller.vorname" value="Erika" readonly' in page.get_data(as_text=True)
    wanted = idp.requests[-1].requested_authn_context
    assert wanted.comparison == "minimum" and [r.text for r in wanted.authn_context_class_ref] == ["STORK-QAA-Level-3"]
    assert signed_in(app, client).trust_level == "substanziell"


def test_less_than_the_service_needs_is_refused(app, idp):
    idp.means = "basis"  # the person has only user name and password
    client = app.test_client()
    refused = sign_in(client, niveau="substanziell", weiter="/portal/standesamt/antrag")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Vertrauensniveau „substanziell“ nötig" in text and "nur „basis“" in text
    assert signed_out(client)


@pytest.mark.parametrize("mode, message", [
    ("forged", "nicht gültig signiert"),
    ("audience", "nicht für diesen Dienst bestimmt"),
    ("recipient", "für eine andere Adresse bestimmt"),
])
def test_forged_or_misdirected_answers_are_refused(app, idp, mode, message):
    idp.mode = mode
    client = app.test_client()
    refused = sign_in(client)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403, text
    assert "Anmeldung nicht möglich" in text and message in text
    assert signed_out(client)


class _Later:
    """``time`` as saml2.time_util sees it, some minutes on: the citizen posts the answer late."""

    def __init__(self, seconds):
        import time

        self._time, self._seconds = time, seconds

    def gmtime(self, stamp=None):
        return self._time.gmtime(self._time.time() + self._seconds if stamp is None else stamp)

    def time(self):
        return self._time.time() + self._seconds

    def __getattr__(self, name):
        return getattr(self._time, name)


def test_an_expired_answer_is_refused(app, monkeypatch):
    import saml2.time_util

    client = app.test_client()
    fields = to_idp(client)  # valid for 5 minutes
    monkeypatch.setattr(saml2.time_util, "time", _Later(7 * 60))  # beyond the 60 s clock skew too
    refused = client.post("/saml/acs", data=fields)
    assert refused.status_code == 403 and "abgelaufen" in refused.get_data(as_text=True)
    monkeypatch.undo()
    assert signed_out(client)


def test_an_answer_late_within_the_clock_skew_is_accepted(app, monkeypatch):
    import saml2.time_util

    client = app.test_client()
    fields = to_idp(client)
    monkeypatch.setattr(saml2.time_util, "time", _Later(5 * 60 + 30))
    assert client.post("/saml/acs", data=fields).status_code == 302


def test_an_assertion_is_accepted_once(app):
    client = app.test_client()
    fields = to_idp(client)
    pending = client.get_cookie(PENDING_COOKIE, path="/saml/").value
    assert client.post("/saml/acs", data=fields).status_code == 302

    thief = app.test_client()  # has the posted form and the browser's cookie
    thief.set_cookie(PENDING_COOKIE, pending, path="/saml/")
    replayed = thief.post("/saml/acs", data=fields)
    assert replayed.status_code == 403 and "bereits verwendet" in replayed.get_data(as_text=True)
    assert signed_out(thief)


def test_an_answer_without_our_request_is_refused(app):
    client = app.test_client()
    fields = to_idp(client)
    stranger = app.test_client()  # login CSRF: someone else's answer posted into this browser
    refused = stranger.post("/saml/acs", data=fields)
    assert refused.status_code == 400 and "erneut an" in refused.get_data(as_text=True)
    assert signed_out(stranger)


def test_replay_store_forgets_expired_entries(installation):
    store = installation.registry.system("signin")
    now = datetime.now(UTC)
    assert store.accept_once("idp", "a1", now + timedelta(minutes=5), now=now)
    assert not store.accept_once("idp", "a1", now + timedelta(minutes=5), now=now)
    assert store.accept_once("other-idp", "a1", now + timedelta(minutes=5), now=now)
    later = now + timedelta(minutes=6)
    assert store.accept_once("idp", "a1", later + timedelta(minutes=5), now=later)  # expired: gone from the store
