"""Demo login: pick a demo user. Real login (BundID/Servicekonto, LDAP for staff) replaces this."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: str  # citizen, clerk or operator
    tenant: str
    groups: tuple[str, ...] = ()


DEMO_USERS = {u.id: u for u in (
    User("erika", "Erika Mustermann", "citizen", "plauen"),
    User("jan", "Jan Probemann", "citizen", "musterstadt"),
    User("sb.plauen", "Sabine Berger (Standesamt Plauen)", "clerk", "plauen", ("standesamt", "standesbeamte", "poststelle", "kasse")),
    User("st.plauen", "Stefan Tamm (Steueramt Plauen)", "clerk", "plauen", ("steueramt", "poststelle", "kasse")),
    User("sv.plauen", "Stefan Vogel (Straßenverkehrsbehörde Plauen)", "clerk", "plauen", ("strassenverkehr", "poststelle", "kasse")),
    User("gw.plauen", "Gerd Weber (Gewerbeamt Plauen)", "clerk", "plauen", ("gewerbe", "gewerbe_leitung", "poststelle", "kasse")),
    User("sb.musterstadt", "Tom Krause (Bürgerbüro Musterstadt)", "clerk", "musterstadt",
         ("standesamt", "standesbeamte", "steueramt", "strassenverkehr", "gewerbe", "gewerbe_leitung", "poststelle", "kasse")),
    User("betrieb", "Betrieb (IT-Dienstleister)", "operator", "*"),
)}

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.before_app_request
def load_user():
    g.user = DEMO_USERS.get(session.get("user"))


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = DEMO_USERS.get(request.form.get("user", ""))
        if user is None:
            return render_template("auth/login.html", users=DEMO_USERS.values(), error="Bitte wählen Sie ein Konto."), 422
        session.clear()
        session["user"] = user.id
        target = request.args.get("weiter") or ""
        if not _local_path(target):
            target = url_for({"citizen": "portal.home", "clerk": "worklist.tasks"}.get(user.role, "operator.overview"))
        return redirect(target)
    return render_template("auth/login.html", users=DEMO_USERS.values(), error=None)


def _local_path(target: str) -> bool:
    """Only paths on this site: browsers read "/\\host" and "/<tab>/host" as other hosts."""
    parts = urlsplit(target.replace("\\", "/"))
    return (target.startswith("/") and not parts.scheme and not parts.netloc
            and not target.replace("\\", "/").startswith("//") and not any(c in target for c in "\t\r\n"))


@bp.post("/abmelden")
def logout():
    session.clear()
    return redirect(url_for("index"))


def require(role: str):
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("auth.login", weiter=request.full_path.rstrip("?")))
            if g.user.role != role:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate
