"""Staff sign in with a local account (small towns without an identity provider): user name,
password (argon2 hash) and the current code of their authenticator app (TOTP)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request

from processes.staff import GroupMapInvalid, local_principal

from . import _local_path, home_of, limit_sign_in, sign_in, sign_out

bp = Blueprint("staff_local", __name__, template_folder="templates")
WRONG = ("Benutzername, Passwort oder Code stimmen nicht. Nach zehn Fehlversuchen wird das Konto gesperrt; "
         "wenden Sie sich dann an die IT-Abteilung.")


@bp.route("/anmelden/konto", methods=["GET", "POST"])
@limit_sign_in()
def login():
    if request.method == "GET":
        return render_template("auth/konto.html", error=None, username="")
    form = request.form
    username, password, code = (form.get(k, "")[:200] for k in ("username", "password", "code"))
    accounts = current_app.extensions["amtsweg"].installation.registry.system("staff_accounts")
    account = accounts.verify(username, password, code) if username and password else None
    if account is None:
        sign_out()
        return render_template("auth/konto.html", error=WRONG, username=username), 401
    try:
        principal = local_principal(account)
    except GroupMapInvalid as err:
        current_app.logger.error("local account %s unusable: %s", username, err)
        sign_out()
        return render_template("error.html", title="Kein Zugang",
                               message="Dieses Konto ist fehlerhaft eingerichtet. Bitte wenden Sie sich an die "
                                       "IT-Abteilung."), 403
    sign_in(principal)
    target = request.args.get("weiter") or ""
    return redirect(target if _local_path(target) else home_of(principal))
