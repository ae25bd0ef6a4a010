"""Staff sign in with the city's identity provider: OpenID Connect, authorization code flow with PKCE.

``/anmelden/dienst`` sends the browser to the provider with a fresh ``state``, ``nonce`` and S256 code
challenge (kept in the session, used once); ``/anmelden/dienst/rueckkehr`` checks the state, exchanges
the code (client secret and code verifier), validates the ID token (signature against the JWKS named in
the provider's discovery document; ``iss``, ``aud``, ``azp``, ``exp``, ``iat``, ``nonce``) and maps its
groups claim through the group map (``processes.staff``) to a Principal for ``webui.auth.sign_in``.
Every failure ends on a German page with no one signed in; the technical reason goes to the log."""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from flask import Blueprint, current_app, redirect, render_template, request, session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from processes.staff import GroupMapInvalid, NoAccess, group_map

from . import _local_path, home_of, limit_sign_in, sign_in, sign_out

CALLBACK = "/anmelden/dienst/rueckkehr"
HTTP_TIMEOUT = 10  # seconds for discovery, JWKS and the token request
METADATA_SECONDS = 3600  # discovery and keys are fetched again after this; an unknown key id refetches at once
LEEWAY = 60  # seconds of clock skew tolerated for exp and iat
MAX_TOKEN_AGE = 600  # an ID token issued longer ago than this is not accepted
PENDING_SECONDS = 600  # how long a started sign-in may take at the provider
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")

bp = Blueprint("staff_oidc", __name__)


class SignInFailed(Exception):
    """A sign-in that must not go on: ``message`` is for the person (German), ``reason`` for the log."""

    def __init__(self, message: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.message, self.reason, self.status = message, reason, status


TRY_AGAIN = "Bitte melden Sie sich noch einmal an."
INVALID_TOKEN = ("Die Antwort des Anmeldedienstes ließ sich nicht als gültig bestätigen. Aus Sicherheitsgründen "
                 "wurden Sie nicht angemeldet. " + TRY_AGAIN)


@dataclass
class IdentityProvider:
    """One OpenID provider as Amtsweg's client sees it: discovery and keys cached, thread-safe."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile email"
    _metadata: dict | None = field(default=None, repr=False)
    _keys: KeySet | None = field(default=None, repr=False)
    _fetched: float = field(default=0.0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def metadata(self) -> dict:
        with self._lock:
            if self._metadata is None or time.monotonic() - self._fetched > METADATA_SECONDS:
                self._metadata, self._keys = self._discover(), None
                self._fetched = time.monotonic()
            return self._metadata

    def _discover(self) -> dict:
        data = _get_json(f"{self.issuer}/.well-known/openid-configuration")
        if data.get("issuer") != self.issuer:
            raise SignInFailed(INVALID_TOKEN, f"discovery names issuer {data.get('issuer')!r}, not {self.issuer!r}")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(data.get(key), str):
                raise SignInFailed(UNREACHABLE, f"discovery document lacks {key}", 502)
        return data

    def keys(self, refresh: bool = False) -> KeySet:
        metadata = self.metadata()
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"]))
                except (JoseError, ValueError, TypeError) as err:
                    raise SignInFailed(INVALID_TOKEN, f"unusable JWKS: {err}") from None
            return self._keys

    def _client(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(self.client_id, self.client_secret, scope=self.scopes, redirect_uri=redirect_uri,
                             code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")

    def authorization_request(self, redirect_uri: str) -> tuple[str, dict]:
        """The provider's URL to send the browser to, and what the callback must find in the session."""
        pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
                   "verifier": secrets.token_urlsafe(64), "started": int(time.time())}
        with self._client(redirect_uri) as client:
            url, _state = client.create_authorization_url(
                self.metadata()["authorization_endpoint"], state=pending["state"], code_verifier=pending["verifier"],
                nonce=pending["nonce"])
        return url, pending

    def exchange(self, code: str, verifier: str, redirect_uri: str) -> dict:
        """The token response for an authorization code (client secret and PKCE verifier sent)."""
        with self._client(redirect_uri) as client:
            try:
                return dict(client.fetch_token(self.metadata()["token_endpoint"], grant_type="authorization_code",
                                               code=code, code_verifier=verifier, timeout=HTTP_TIMEOUT))
            except requests.RequestException as err:
                raise SignInFailed(UNREACHABLE, f"token request failed: {type(err).__name__}: {err}", 502) from None
            except Exception as err:  # authlib's OAuthError for an error response, ValueError for a broken one
                raise SignInFailed("Der Anmeldedienst hat die Anmeldung nicht bestätigt. " + TRY_AGAIN,
                                   f"token request refused: {type(err).__name__}: {err}") from None

    def validate_id_token(self, id_token: Any, nonce: str, now: float | None = None) -> dict:
        """The claims of a valid ID token for this client and this sign-in; SignInFailed otherwise."""
        if not isinstance(id_token, str) or not id_token:
            raise SignInFailed(INVALID_TOKEN, "token response without id_token")
        try:
            token = jwt.decode(id_token, self.keys(), algorithms=list(ALGORITHMS))
        except JoseError as err:
            if type(err).__name__ not in ("MissingKeyError", "InvalidKeyIdError"):
                raise SignInFailed(INVALID_TOKEN, f"ID token rejected: {type(err).__name__}: {err}") from None
            try:  # the provider may have rotated its keys since we fetched them
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=list(ALGORITHMS))
            except JoseError as err:
                raise SignInFailed(INVALID_TOKEN, f"ID token rejected: {type(err).__name__}: {err}") from None
        claims = token.claims
        now = int(now if now is not None else time.time())
        registry = JWTClaimsRegistry(
            now=now, leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as err:
            raise SignInFailed(INVALID_TOKEN, f"ID token claims rejected: {type(err).__name__}: {err}") from None
        audiences = [claims["aud"]] if isinstance(claims["aud"], str) else claims["aud"]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise SignInFailed(INVALID_TOKEN, f"ID token for several audiences, azp {claims.get('azp')!r}")
        if not isinstance(claims["iat"], (int, float)) or not now - MAX_TOKEN_AGE <= claims["iat"] <= now + LEEWAY:
            raise SignInFailed(INVALID_TOKEN, f"ID token iat {claims['iat']!r} too far from now ({now})")
        return claims


UNREACHABLE = ("Der Anmeldedienst der Verwaltung ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen "
               "Minuten noch einmal.")


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as err:
        raise SignInFailed(UNREACHABLE, f"GET {url} failed: {type(err).__name__}: {err}", 502) from None
    if not isinstance(data, dict):
        raise SignInFailed(UNREACHABLE, f"GET {url}: not a JSON object", 502)
    return data


def provider() -> IdentityProvider | None:
    """The app's provider, or None when staff sign-in is not set up (no issuer)."""
    app = current_app._get_current_object()
    settings = app.extensions["amtsweg"].installation.settings
    if not settings.oidc_issuer:
        return None
    with _apps_lock:
        existing = app.extensions.get("amtsweg_oidc")
        if existing is None:
            existing = app.extensions["amtsweg_oidc"] = IdentityProvider(
                settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret, settings.oidc_scopes)
        return existing


_apps_lock = threading.Lock()


def _settings():
    return current_app.extensions["amtsweg"].installation.settings


def _redirect_uri() -> str:
    base = _settings().public_url or request.url_root.rstrip("/")
    return base + CALLBACK


def _failed(title: str, message: str, status: int):
    sign_out()  # nobody stays signed in after a failed sign-in, not even whoever was before
    return render_template("error.html", title=title, message=message), status


@bp.get("/anmelden/dienst")
@limit_sign_in()
def start():
    idp = provider()
    if idp is None:
        return render_template("error.html", title="Nicht eingerichtet",
                               message="Die Anmeldung für Mitarbeitende über den Anmeldedienst der Verwaltung ist "
                                       "in dieser Installation nicht eingerichtet."), 404
    try:
        url, pending = idp.authorization_request(_redirect_uri())
    except SignInFailed as err:
        current_app.logger.warning("OIDC: %s", err.reason)
        return _failed("Anmeldung nicht möglich", err.message, err.status)
    target = request.args.get("weiter") or ""
    pending["weiter"] = target if _local_path(target) else ""
    session["oidc_pending"] = pending
    return redirect(url)


@bp.get(CALLBACK)
@limit_sign_in()
def callback():
    pending = session.pop("oidc_pending", None)
    idp = provider()
    if idp is None:
        return _failed("Nicht eingerichtet", "Die Anmeldung für Mitarbeitende ist nicht eingerichtet.", 404)
    try:
        principal = _complete(idp, pending)
    except SignInFailed as err:
        current_app.logger.warning("OIDC sign-in failed: %s", err.reason)
        return _failed("Anmeldung fehlgeschlagen", err.message, err.status)
    except NoAccess as err:
        current_app.logger.info("OIDC: no access: %s", err)
        return _failed("Kein Zugang", str(err), 403)
    except GroupMapInvalid as err:
        current_app.logger.error("OIDC: group map unusable: %s", err)
        return _failed("Anmeldung nicht möglich", "Die Zuordnung der Gruppen zu Ämtern ist fehlerhaft eingerichtet. "
                       "Bitte wenden Sie sich an die IT-Abteilung.", 500)
    sign_in(principal)
    target = pending.get("weiter") or ""
    return redirect(target if _local_path(target) else home_of(principal))


def _complete(idp: IdentityProvider, pending: dict | None):
    args = request.args
    if not isinstance(pending, dict) or not all(isinstance(pending.get(k), str) for k in ("state", "nonce", "verifier")):
        raise SignInFailed("Diese Anmeldung wurde nicht hier begonnen oder ist bereits abgeschlossen. " + TRY_AGAIN,
                           "callback without a pending sign-in")
    if not secrets.compare_digest(args.get("state", ""), pending["state"]):
        raise SignInFailed("Die Anmeldung passt nicht zu der, die hier begonnen wurde. " + TRY_AGAIN,
                           "state mismatch")
    if time.time() - pending.get("started", 0) > PENDING_SECONDS:
        raise SignInFailed("Die Anmeldung hat zu lange gedauert. " + TRY_AGAIN, "pending sign-in expired")
    if "iss" in args and args["iss"] != idp.issuer:  # RFC 9207: the answer comes from our provider
        raise SignInFailed(INVALID_TOKEN, f"authorization response from issuer {args['iss']!r}")
    if "error" in args:
        if args["error"] == "access_denied":
            message = "Die Anmeldung wurde beim Anmeldedienst abgebrochen oder abgelehnt."
        else:
            message = "Der Anmeldedienst hat die Anmeldung nicht durchgeführt. " + TRY_AGAIN
        raise SignInFailed(message, f"provider error {args['error']!r}: {args.get('error_description', '')[:200]!r}")
    code = args.get("code", "")
    if not code:
        raise SignInFailed("Der Anmeldedienst hat keine Anmeldung übermittelt. " + TRY_AGAIN, "callback without code")
    tokens = idp.exchange(code, pending["verifier"], _redirect_uri())
    claims = idp.validate_id_token(tokens.get("id_token"), pending["nonce"])
    settings = _settings()
    return group_map(settings.oidc_group_map).principal(claims, settings.oidc_groups_claim)
