"""Staff sign in with OpenID Connect against a real provider on loopback (oidc-provider on Node.js):
the code flow over HTTP, PKCE, state and nonce, ID-token validation, the group map."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import time
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from tests.conftest import TEST_MODELS, signed_in_principal
from tests.oidc import peer
from webui import create_app
from webui.auth.oidc import IdentityProvider, SignInFailed

CLIENT_ID, CLIENT_SECRET = "amtsweg", "amtsweg-test-secret"
REDIRECT_URI = "http://localhost/anmelden/dienst/rueckkehr"
SCOPES = "openid profile email groups"


@pytest.fixture(scope="session")
def provider():
    started = peer.start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def impostor(provider):
    """Another provider, with its own keys, whose discovery document publishes the first one's JWKS."""
    started = peer.start("--publish-jwks-of", provider.issuer)
    yield started
    started.stop()


def oidc_app(installation, issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET):
    settings = dataclasses.replace(installation.settings, oidc_issuer=issuer, oidc_client_id=client_id,
                                   oidc_client_secret=client_secret, oidc_scopes=SCOPES, public_url="http://localhost")
    return create_app(dataclasses.replace(installation, settings=settings), {"TESTING": True})


@pytest.fixture
def app(installation, provider):
    return oidc_app(installation, provider.issuer)


def at_provider(url: str, account: str, **query) -> str:
    """Drives the provider from its authorization URL as a browser would (cookies kept) and signs in
    ``account``; returns the URL it sends the browser back to."""
    browser = requests.Session()
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (200, 302, 303), response.text
        if response.status_code == 200:  # the interaction page: answer it
            assert "/interaction/" in response.url
            url = f"{response.url}?{urlencode(query or {'login': account})}"
            continue
        url = urljoin(url, response.headers["Location"])
        if url.startswith("http://localhost/"):
            return url
        if "/interaction/" in urlsplit(url).path:
            url = f"{url}?{urlencode(query or {'login': account})}"
    raise AssertionError("the provider never sent the browser back")


def begin(client) -> str:
    response = client.get("/anmelden/dienst")
    assert response.status_code == 302
    return response.headers["Location"]


def back(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def signed_in(client):
    principal = signed_in_principal(client)
    return principal, principal and principal["id"]


def test_clerk_signs_in_with_groups_mapped_and_sees_the_worklist(app, installation, provider):
    engine = installation.engine
    lifecycle = (TEST_MODELS / "engine/lifecycle.bpmn").read_text().replace('name="sachbearbeitung"', 'name="standesamt"')
    engine.repository.deploy({"lifecycle.bpmn": lifecycle.encode(),
                              "review.schema.json": (TEST_MODELS / "engine/review.schema.json").read_bytes()})
    engine.runtime.start("lifecycle", tenant="plauen", business_key="ST-OIDC-1", variables={"applicant": "Erika"})
    engine.executor().run_due()

    client = app.test_client()
    authorize = begin(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert authorize.startswith(provider.issuer + "/auth?")
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == REDIRECT_URI and query["code_challenge_method"] == "S256"
    with client.session_transaction() as session:
        pending = session["oidc_pending"]
    assert query["state"] == pending["state"] and query["nonce"] == pending["nonce"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending["verifier"].encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == challenge and "verifier" not in authorize

    response = back(client, at_provider(authorize, "sabine"))
    assert response.status_code == 302 and response.headers["Location"] == "/arbeit/"
    principal, user = signed_in(client)
    assert user == principal["id"] == "sabine"  # the provider's sub
    assert principal["name"] == "Sabine Berger" and principal["tenant"] == "plauen"
    assert principal["groups"] == ["poststelle", "standesamt", "standesbeamte"]  # cn=kantine is not mapped
    assert principal["roles"] == ["clerk", "post_room"]
    assert principal["identity"]["iss"] == provider.issuer
    assert principal["identity"]["preferred_username"] == "sberger"
    page = client.get("/arbeit/").get_data(as_text=True)
    assert "Antrag prüfen" in page and "ST-OIDC-1" in page
    with client.session_transaction() as session:
        assert "oidc_pending" not in session  # used once


def test_team_lead_and_operator_get_their_roles(app, provider):
    client = app.test_client()
    assert back(client, at_provider(begin(client), "gerd")).status_code == 302
    principal, _ = signed_in(client)
    assert (principal["tenant"], principal["roles"], principal["groups"]) == (
        "plauen", ["clerk", "team_lead"], ["gewerbe", "gewerbe_leitung"])

    client = app.test_client()
    response = back(client, at_provider(begin(client), "betrieb"))
    assert response.headers["Location"] == "/betrieb/"
    principal, _ = signed_in(client)
    assert (principal["tenant"], principal["roles"], principal["groups"]) == ("*", ["operator"], [])
    assert client.get("/betrieb/").status_code == 200


def test_return_target_is_kept_when_local(app):
    client = app.test_client()
    response = client.get("/anmelden/dienst?weiter=/betrieb/")
    assert back(client, at_provider(response.headers["Location"], "betrieb")).headers["Location"] == "/betrieb/"
    client = app.test_client()
    response = client.get("/anmelden/dienst?weiter=//evil.example/")
    assert back(client, at_provider(response.headers["Location"], "sabine")).headers["Location"] == "/arbeit/"


def assert_refused(response, status, *phrases):
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    for phrase in phrases:
        assert phrase in text
    assert "Traceback" not in text


@pytest.mark.parametrize("account, phrase", [
    ("kantine", "nicht freigeschaltet"),
    ("doppelt", "mehreren Kommunen zugeordnet (Gemeinde Musterstadt, Stadt Plauen)"),
])
def test_without_a_usable_group_mapping_there_is_no_access(app, account, phrase):
    client = app.test_client()
    response = back(client, at_provider(begin(client), account))
    assert_refused(response, 403, "Kein Zugang", phrase)
    assert signed_in(client) == (None, None)
    assert client.get("/arbeit/").status_code == 302  # to the sign-in


def test_state_mismatch_is_refused_and_the_sign_in_cannot_be_replayed(app):
    client = app.test_client()
    callback = at_provider(begin(client), "sabine")
    assert_refused(back(client, callback.replace("state=", "state=x")), 400, "Anmeldung fehlgeschlagen",
                   "nicht zu der, die hier begonnen wurde")
    assert signed_in(client) == (None, None)
    # the pending sign-in is gone with the failed attempt: the genuine answer no longer counts either
    assert_refused(back(client, callback), 400, "nicht hier begonnen")
    assert signed_in(client) == (None, None)

    other = app.test_client()  # an answer that belongs to someone else's browser
    begin(other)
    assert_refused(back(other, at_provider(begin(app.test_client()), "sabine")), 400, "nicht zu der")


def test_nonce_mismatch_is_refused(app):
    client = app.test_client()
    authorize = begin(client)
    with client.session_transaction() as session:
        session["oidc_pending"] = {**session["oidc_pending"], "nonce": "ein-anderes-nonce"}
    assert_refused(back(client, at_provider(authorize, "sabine")), 400, "nicht als gültig bestätigen")
    assert signed_in(client) == (None, None)


def test_pkce_verifier_is_sent_and_checked_by_the_provider(app):
    client = app.test_client()
    authorize = begin(client)
    with client.session_transaction() as session:
        session["oidc_pending"] = {**session["oidc_pending"], "verifier": "x" * 64}
    assert_refused(back(client, at_provider(authorize, "sabine")), 400, "nicht bestätigt")
    assert signed_in(client) == (None, None)


def test_provider_error_is_shown_in_german(app):
    client = app.test_client()
    response = back(client, at_provider(begin(client), "sabine", abort="1"))
    assert_refused(response, 400, "abgebrochen oder abgelehnt")
    assert signed_in(client) == (None, None)


def test_token_signed_with_keys_the_provider_does_not_publish_is_refused(installation, impostor):
    app = oidc_app(installation, impostor.issuer)
    client = app.test_client()
    assert_refused(back(client, at_provider(begin(client), "sabine")), 400, "nicht als gültig bestätigen")
    assert signed_in(client) == (None, None)


def test_unreachable_provider_gives_a_german_page(installation):
    app = oidc_app(installation, f"http://127.0.0.1:{peer.free_port()}")
    assert_refused(app.test_client().get("/anmelden/dienst"), 502, "nicht erreichbar")


def test_not_configured_is_a_german_404(installation):
    app = create_app(installation, {"TESTING": True})
    assert_refused(app.test_client().get("/anmelden/dienst"), 404, "nicht eingerichtet")
    assert_refused(app.test_client().get("/anmelden/dienst/rueckkehr?code=x&state=y"), 404, "nicht eingerichtet")


# The validation itself, on real ID tokens from the provider (no database needed)

@pytest.fixture(scope="module")
def neighbours_token(provider):
    """A genuine ID token, issued to the provider's other client ("nachbar")."""
    idp = IdentityProvider(provider.issuer, "nachbar", "nachbar-test-secret", SCOPES)
    url, pending = idp.authorization_request(REDIRECT_URI)
    code = parse_qs(urlsplit(at_provider(url, "sabine")).query)["code"][0]
    return idp, idp.exchange(code, pending["verifier"], REDIRECT_URI)["id_token"], pending["nonce"]


def test_the_right_client_accepts_a_genuine_token(neighbours_token):
    idp, token, nonce = neighbours_token
    claims = idp.validate_id_token(token, nonce)
    assert claims["aud"] == "nachbar" and claims["groups"][0] == "cn=standesamt,ou=plauen"


def rejected(idp, token, nonce, **kwargs) -> str:
    with pytest.raises(SignInFailed) as caught:
        idp.validate_id_token(token, nonce, **kwargs)
    assert "nicht als gültig bestätigen" in caught.value.message
    return caught.value.reason


def test_token_for_another_audience_is_refused(provider, neighbours_token):
    _, token, nonce = neighbours_token
    assert "aud" in rejected(IdentityProvider(provider.issuer, CLIENT_ID, CLIENT_SECRET, SCOPES), token, nonce)


def test_tampered_token_is_refused(provider, neighbours_token):
    idp, token, nonce = neighbours_token
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["cn=amtsweg-betrieb"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert "BadSignature" in rejected(idp, f"{header}.{forged}.{signature}", nonce)
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    rejected(idp, f"{unsigned}.{payload}.", nonce)


def test_expired_future_and_wrong_nonce_tokens_are_refused(neighbours_token):
    idp, token, nonce = neighbours_token
    assert "exp" in rejected(idp, token, nonce, now=time.time() + 24 * 3600)
    assert "issued in the future" in rejected(idp, token, nonce, now=time.time() - 3600)
    assert "iat" in rejected(idp, token, nonce, now=time.time() + 700)  # still unexpired, but issued too long ago
    assert "nonce" in rejected(idp, token, "ein-anderes-nonce")
    rejected(idp, None, nonce)
