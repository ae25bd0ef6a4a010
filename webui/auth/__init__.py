"""Sign-in and the signed-in person. Every way in (the demo picker in demo mode; SAML for citizens
and OpenID Connect for staff in production) ends in ``sign_in(principal)``; views ask for a role
with ``require``.

Sessions live on the server (``processes.sessions``): the cookie holds only a random id, new at
every sign-in, HttpOnly, SameSite=Lax, Secure per ``session_cookie_secure``, without an expiry
date (it ends with the browser, the server ends it earlier: logout, absolute and idle timeout).
Flask's own signed cookie carries only the CSRF token and flash messages, never who is signed in.
Sign-in endpoints are rate-limited per client address (``limit_sign_in``)."""
from __future__ import annotations

import math
import threading
from collections import deque
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from processes.access import EVERY_MUNICIPALITY, Principal


def _demo(id, name, tenant, roles, groups=()):
    trust = "basis" if "citizen" in roles else None  # demo citizens count as "basis"
    return Principal(id, name, tenant, frozenset(roles), frozenset(groups), trust)


OFFICE_ROLES = ("clerk", "cashier", "post_room")
DEMO_USERS = {u.id: u for u in (
    _demo("erika", "Erika Mustermann", "plauen", ["citizen"]),
    _demo("jan", "Jan Probemann", "musterstadt", ["citizen"]),
    _demo("sb.plauen", "Sabine Berger (Standesamt Plauen)", "plauen", OFFICE_ROLES,
          ("standesamt", "standesbeamte", "poststelle", "kasse")),
    _demo("st.plauen", "Stefan Tamm (Steueramt Plauen)", "plauen", OFFICE_ROLES, ("steueramt", "poststelle", "kasse")),
    _demo("sv.plauen", "Stefan Vogel (Straßenverkehrsbehörde Plauen)", "plauen", OFFICE_ROLES,
          ("strassenverkehr", "poststelle", "kasse")),
    _demo("gw.plauen", "Gerd Weber (Gewerbeamt Plauen)", "plauen", OFFICE_ROLES + ("team_lead",),
          ("gewerbe", "gewerbe_leitung", "poststelle", "kasse")),
    _demo("sb.musterstadt", "Tom Krause (Bürgerbüro Musterstadt)", "musterstadt", OFFICE_ROLES,
          ("standesamt", "standesbeamte", "steueramt", "strassenverkehr", "gewerbe", "gewerbe_leitung", "poststelle",
           "kasse")),
    # Models are generic, so only the installation's designers deploy them; a municipality's designer checks.
    _demo("gestaltung", "Paula Grün (Prozessgestaltung)", EVERY_MUNICIPALITY, ["designer"]),
    _demo("pg.plauen", "Paul Gast (Prozessgestaltung Plauen)", "plauen", ["designer"]),
    _demo("betrieb", "Betrieb (IT-Dienstleister)", EVERY_MUNICIPALITY, ["operator"]),
)}
AUDIENCES = {"citizen": "Bürger/in", "clerk": "Verwaltung", "designer": "Prozessgestaltung", "operator": "Betrieb"}
# The production sign-in page links every way in whose endpoint is registered (SAML, OpenID Connect).
SIGN_IN_LINKS = (("saml.login", "Mit Ihrem Bürgerkonto (BundID) anmelden"),
                 ("staff_oidc.login", "Anmeldung für Beschäftigte (Dienstkonto)"),
                 ("staff_local.login", "Anmeldung mit Benutzername, Passwort und Einmalcode"))
COOKIE = "amtsweg_sitzung"
SECURE_COOKIE = "__Host-amtsweg_sitzung"  # browsers accept it only with Secure, Path=/ and no Domain
NO_SESSION_ENDPOINTS = frozenset({"static", "health", "ready"})  # never touch the session store

bp = Blueprint("auth", __name__, template_folder="templates")


def cookie_name() -> str:
    return SECURE_COOKIE if current_app.config["SESSION_COOKIE_SECURE"] else COOKIE


def _user_sessions():
    return current_app.extensions["amtsweg"].installation.user_sessions


@bp.before_app_request
def load_user():
    g.user = None
    if request.endpoint in NO_SESSION_ENDPOINTS:
        return
    token = request.cookies.get(cookie_name())
    if token:
        g.user = _user_sessions().resolve(token)
        if g.user is None:
            g.drop_session_cookie = True  # unknown, ended or expired: the browser forgets it too


@bp.after_app_request
def write_session_cookie(response):
    name, secure = cookie_name(), current_app.config["SESSION_COOKIE_SECURE"]
    if g.get("new_session_token"):
        response.set_cookie(name, g.new_session_token, httponly=True, samesite="Lax", secure=secure, path="/")
    elif g.get("drop_session_cookie"):
        response.delete_cookie(name, httponly=True, samesite="Lax", secure=secure, path="/")
    return response


def sign_in(principal: Principal) -> None:
    """Starts the person's session (whichever way they signed in): a new session id, the old one
    (if any) ended, Flask's session (CSRF token, flashes) started afresh."""
    _user_sessions().end(request.cookies.get(cookie_name()))
    session.clear()
    g.new_session_token = _user_sessions().start(principal)
    g.pop("drop_session_cookie", None)
    g.user = principal


def sign_out() -> None:
    _user_sessions().end(request.cookies.get(cookie_name()))
    session.clear()
    g.pop("new_session_token", None)
    g.drop_session_cookie = True
    g.user = None


def home_of(principal: Principal) -> str:
    return url_for("portal.home" if principal.has("citizen") else "worklist.tasks" if principal.has("clerk")
                   else "studio.definitions" if principal.has("designer") else "operator.overview")


class SignInLimiter:
    """At most ``attempts`` requests per client address within a minute on the sign-in endpoints,
    in this process's memory (a worker process counts its own)."""

    WINDOW = timedelta(minutes=1)
    MAX_CLIENTS = 100_000  # forgets the oldest addresses beyond this

    def __init__(self, attempts: int, now):
        self.attempts, self.now = attempts, now
        self._seen: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> int:
        """Counts one attempt; returns 0 if allowed, else the seconds until the next is."""
        now = self.now()
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= self.WINDOW:
                times.popleft()
            if len(times) >= self.attempts:
                return max(1, math.ceil((times[0] + self.WINDOW - now).total_seconds()))
            times.append(now)
            if len(self._seen) > self.MAX_CLIENTS:
                self._seen.pop(next(iter(self._seen)))
            return 0


def limit_sign_in(methods=("GET", "POST")):
    """Rate-limits a sign-in endpoint (the demo picker, SAML's assertion consumer, OpenID Connect's
    callback …): beyond the limit a German 429 page with Retry-After."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method in methods:
                wait = current_app.extensions["amtsweg"].sign_in_limiter.hit(request.remote_addr or "?")
                if wait:
                    message = ("Zu viele Anmeldeversuche in kurzer Zeit. Bitte warten Sie "
                               f"{'eine Minute' if wait > 30 else 'einen Moment'} und versuchen Sie es dann erneut.")
                    return (render_template("error.html", title="Bitte warten Sie einen Moment", message=message),
                            429, {"Retry-After": str(wait)})
            return view(*args, **kwargs)
        return wrapped
    return decorate


def _demo_mode() -> bool:
    return current_app.extensions["amtsweg"].installation.settings.mode == "demo"


@bp.route("/anmelden", methods=["GET", "POST"])
@limit_sign_in(methods=("POST",))
def login():
    if not _demo_mode():
        if request.method == "POST":  # the demo picker does not exist in production
            return render_template("error.html", title="Nicht gefunden",
                                   message="Bitte melden Sie sich über einen der angebotenen Wege an."), 404
        links = [(url_for(endpoint, weiter=request.args.get("weiter") or None), label)
                 for endpoint, label in SIGN_IN_LINKS if endpoint in current_app.view_functions]
        return render_template("auth/login.html", demo=False, links=links)
    if request.method == "POST":
        user = DEMO_USERS.get(request.form.get("user", ""))
        if user is None:
            return render_template("auth/login.html", demo=True, users=DEMO_USERS.values(), audiences=AUDIENCES,
                                   error="Bitte wählen Sie ein Konto."), 422
        sign_in(user)
        target = request.args.get("weiter") or ""
        return redirect(target if _local_path(target) else home_of(user))
    return render_template("auth/login.html", demo=True, users=DEMO_USERS.values(), audiences=AUDIENCES, error=None)


def safe_target(target: str | None, principal: Principal) -> str:
    """Where to go after a sign-in: the requested local path, else the person's home."""
    return target if target and _local_path(target) else home_of(principal)


def _local_path(target: str) -> bool:
    """Only paths on this site: browsers read "/\\host" and "/<tab>/host" as other hosts."""
    parts = urlsplit(target.replace("\\", "/"))
    return (target.startswith("/") and not parts.scheme and not parts.netloc
            and not target.replace("\\", "/").startswith("//") and not any(c in target for c in "\t\r\n"))


@bp.post("/abmelden")
def logout():
    sign_out()
    return redirect(url_for("index"))


def require(role: str):
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("auth.login", weiter=request.full_path.rstrip("?")))
            if not g.user.has(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate
