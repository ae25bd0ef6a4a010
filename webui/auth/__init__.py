"""Sign-in and the signed-in person. Every way in (the demo picker in demo mode; SAML for citizens
and OpenID Connect for staff in production) ends in ``sign_in(principal)``; views ask for a role
with ``require``."""
from __future__ import annotations

from functools import wraps
from types import MappingProxyType
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from processes.access import EVERY_MUNICIPALITY, Principal


def _demo(id, name, tenant, roles, groups=()):
    return Principal(id, name, tenant, frozenset(roles), frozenset(groups))


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
    _demo("betrieb", "Betrieb (IT-Dienstleister)", EVERY_MUNICIPALITY, ["operator"]),
)}
AUDIENCES = {"citizen": "Bürger/in", "clerk": "Verwaltung", "operator": "Betrieb"}

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.before_app_request
def load_user():
    stored = session.get("principal")  # signed in otherwise than with the demo picker (OIDC)
    g.user = _restore(stored) if isinstance(stored, dict) else DEMO_USERS.get(session.get("user"))


def sign_in(principal: Principal) -> None:
    """Starts the person's session (whichever way they signed in)."""
    session.clear()
    session["user"] = principal.id
    if DEMO_USERS.get(principal.id) is not principal:  # stopgap until sessions are kept on the server
        session["principal"] = {"id": principal.id, "name": principal.name, "tenant": principal.tenant,
                                "roles": sorted(principal.roles), "groups": sorted(principal.groups),
                                "trust_level": principal.trust_level, "identity": dict(principal.identity)}


def _restore(data: dict) -> Principal:
    return Principal(data["id"], data["name"], data["tenant"], frozenset(data["roles"]), frozenset(data["groups"]),
                     data.get("trust_level"), MappingProxyType(dict(data.get("identity") or {})))


def sign_out() -> None:
    session.clear()


def home_of(principal: Principal) -> str:
    return url_for("portal.home" if principal.has("citizen") else "worklist.tasks" if principal.has("clerk")
                   else "operator.overview")


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = DEMO_USERS.get(request.form.get("user", ""))
        if user is None:
            return render_template("auth/login.html", users=DEMO_USERS.values(), audiences=AUDIENCES,
                                   error="Bitte wählen Sie ein Konto."), 422
        sign_in(user)
        target = request.args.get("weiter") or ""
        return redirect(target if _local_path(target) else home_of(user))
    return render_template("auth/login.html", users=DEMO_USERS.values(), audiences=AUDIENCES, error=None)


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
