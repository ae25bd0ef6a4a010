"""Server-rendered web UI (German, works without JavaScript). One blueprint per audience."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.db import unavailable
from engine.errors import NotFound
from engine.forms import FILE_TYPES, file_hint, size_text
from processes.access import EVERY_MUNICIPALITY, Forbidden
from processes.catalog import UnknownService, service, services
from processes.findings import count, display, group_label, process_title
from processes.municipalities import SettingsError, municipality
from processes.standing import standing_purpose

# The forms that upload files: their multipart requests may carry an application's files (Settings).
UPLOAD_ENDPOINTS = frozenset({"portal.apply", "portal.hand_in"})
RETRY_AFTER_SECONDS = 5  # how soon a page asks to be tried again while the database is away
# No inline scripts or styles (templates/…, static/amtsweg.css), no framing, forms only to this site.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
                           "form-action 'self'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


class Amtsweg:
    """The installation as the web app holds it, plus an optional worker thread in the same process."""

    def __init__(self, installation):
        self.installation = installation
        self.engine = installation.engine
        self.cases = installation.cases
        self._worker = None
        from .auth import SignInLimiter

        self.sign_in_limiter = SignInLimiter(installation.settings.sign_in_attempts_per_minute,
                                             installation.engine.ctx.now)

    def start_background_worker(self) -> None:
        if self._worker is None:
            executor = self.engine.executor()
            self._worker = threading.Thread(target=executor.run, name="amtsweg-worker", daemon=True)
            self._worker.start()


def create_app(installation, test_config: dict | None = None) -> Flask:
    """The web app on an installation from ``processes.bootstrap``. Refuses settings that must not
    serve (``Settings.check``: e.g. production without identity provider or without Secure cookies)."""
    settings = installation.settings
    settings.check()
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY=settings.secret_key, DEBUG=settings.debug,
                            # Flask's signed cookie carries only the CSRF token and flashes (who is signed
                            # in lives on the server, webui.auth); it ends with the browser
                            SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                            SESSION_COOKIE_SECURE=settings.session_cookie_secure,
                            PERMANENT_SESSION_LIFETIME=timedelta(hours=12), SESSION_REFRESH_EACH_REQUEST=False,
                            # bounded input: the whole body, every form field, the number of fields
                            MAX_CONTENT_LENGTH=settings.max_request_bytes,
                            MAX_FORM_MEMORY_SIZE=settings.max_request_bytes, MAX_FORM_PARTS=1000)
    if settings.trusted_proxies:  # the client's address and scheme as the proxy saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("WTF_CSRF_ENABLED", not app.testing)  # tests post without tokens unless they ask

    @app.before_request
    def upload_limit():
        """Only an upload form's multipart request may be larger; still bounded. Registered before the
        CSRF check, which reads the form."""
        if request.endpoint in UPLOAD_ENDPOINTS and request.mimetype == "multipart/form-data":
            request.max_content_length = settings.max_upload_request_bytes

    CSRFProtect(app)
    app.extensions["amtsweg"] = Amtsweg(installation)

    from .auth import bp as auth_bp
    from .auth.local import bp as staff_local_bp
    from .auth.oidc import bp as staff_oidc_bp
    from .auth.saml import bp as saml_bp  # after auth_bp: its loader runs after the demo accounts'
    from .operator.views import bp as operator_bp
    from .portal.views import bp as portal_bp
    from .studio.views import bp as studio_bp
    from .worklist.views import bp as worklist_bp

    for blueprint in (auth_bp, saml_bp, staff_oidc_bp, staff_local_bp, portal_bp, worklist_bp, operator_bp,
                      studio_bp):
        app.register_blueprint(blueprint)

    app.add_template_filter(datum)
    app.add_template_filter(zustand)
    app.add_template_filter(display, "anzeige")
    app.add_template_filter(group_label, "gruppe")
    app.add_template_filter(dienst)
    app.add_template_filter(kommune)
    app.add_template_filter(vorgang)
    app.add_template_filter(count, "anzahl")
    app.add_template_filter(lambda mime: FILE_TYPES.get(mime, "Datei"), "dateityp")
    app.add_template_filter(lambda size: size_text(size, up=True), "dateigroesse")
    app.add_template_global(lambda schema: file_hint(schema, settings.attachment_max_file_bytes), "datei_hinweis")

    @app.get("/")
    def index():
        return render_template("index.html", services=services().values())

    @app.get("/health")
    def health():
        """The process is alive (no database, no login)."""
        return jsonify(status="ok")

    @app.get("/ready")
    def ready():
        """Ready to serve: the database answers and is migrated to every branch's head."""
        problem = installation.readiness()
        if problem:
            return jsonify(status="nicht bereit", problem=problem), 503
        return jsonify(status="bereit")

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure or settings.mode == "production":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if g.get("user") is not None:  # pages with personal data stay out of shared caches and history
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(Forbidden)
    def forbidden_action(err):
        return render_template("error.html", title="Kein Zugriff", message=str(err)), 403

    @app.errorhandler(NotFound)
    def not_found(err):
        return render_template("error.html", title="Nicht gefunden", message=str(err)), 404

    @app.errorhandler(CSRFError)
    def csrf_failed(_err):
        return render_template("error.html", title="Formular abgelaufen",
                               message="Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal."), 400

    @app.errorhandler(DBAPIError)
    def database_unavailable(err):
        if not unavailable(err):
            raise err  # a failing statement is a bug: the usual 500
        app.logger.warning("Datenbank nicht erreichbar (%s %s): %s", _request_line(), type(err.orig).__name__,
                           str(err.orig).strip().splitlines()[0] if str(err.orig).strip() else "")
        message = ("Amtsweg ist für einen Moment nicht erreichbar. Bitte versuchen Sie es gleich noch einmal. "
                   "Was Sie abgeschickt haben, geht nicht verloren: Ein Antrag ist entweder eingegangen (siehe "
                   "„Meine Anträge“) oder liegt weiter als Entwurf bereit.")
        return (render_template("error.html", title="Bitte versuchen Sie es gleich noch einmal", message=message),
                503, {"Retry-After": str(RETRY_AFTER_SECONDS)})

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_err):
        limit = request.max_content_length or settings.max_request_bytes
        size = f"{limit / 2 ** 20:g} MB" if limit >= 2 ** 20 else f"{limit // 1024} KB"
        return render_template("error.html", title="Eingabe zu groß",
                               message=f"Ihre Eingabe ist zu groß (höchstens {size} je Formular). Bitte kürzen "
                                       "Sie lange Texte oder verkleinern Sie angehängte Dateien und senden Sie das "
                                       "Formular erneut."), 413

    @app.errorhandler(403)
    def forbidden(_err):
        return render_template("error.html", title="Kein Zugriff",
                               message="Diese Seite ist für Ihr Konto nicht freigegeben."), 403

    return app


def _request_line() -> str:
    from flask import request

    return f"{request.method} {request.path}"


BERLIN = ZoneInfo("Europe/Berlin")


STATES = {"running": "läuft", "waiting": "wartet", "completed": "abgeschlossen", "failed": "gestört",
          "suspended": "angehalten", "cancelled": "abgebrochen", "ready": "bereit", "open": "offen"}
JOB_KINDS = {"service": "Serviceaufruf", "timer": "Timer", "continuation": "Fortsetzung"}
AUDIT_ACTIONS = {
    "instance_started": "Vorgang begonnen", "activity_completed": "Schritt erledigt", "task_completed": "Aufgabe erledigt",
    "service_completed": "Serviceaufruf erledigt", "timer_fired": "Frist abgelaufen", "continuation": "fortgesetzt",
    "message_received": "Nachricht eingegangen", "job_failed": "Auftrag fehlgeschlagen",
    "incident_opened": "Störung gemeldet", "incident_retried": "Störung wiederholt", "instance_suspended": "angehalten",
    "instance_resumed": "fortgesetzt", "instance_cancelled": "abgebrochen", "instance_completed": "Vorgang abgeschlossen",
    "data_viewed": "Daten eingesehen",
}


def zustand(value) -> str:
    """An engine state, job kind or audit action in German (operators read the page, not the engine's vocabulary)."""
    return STATES.get(value) or JOB_KINDS.get(value) or AUDIT_ACTIONS.get(value) or str(value)


def datum(value, with_time: bool = True) -> str:
    """German date (and time, in Berlin) from a datetime or an ISO string; without a zone it is UTC, as
    stored (SQLite hands back stored times without theirs)."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(BERLIN)
        return value.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")
    return value.strftime("%d.%m.%Y")


def vorgang(business_key: str | None, process_key: str) -> str | None:
    """How operators name an instance: a case by its number, a standing process by its purpose (its business
    key is internal)."""
    return standing_purpose(process_key) or business_key


def dienst(key: str) -> str:
    """The title of a service (by its key) or of the process (by its key)."""
    try:
        return service(key).title
    except UnknownService:
        return process_title(key)


def kommune(tenant: str) -> str:
    try:
        return municipality(tenant).name
    except SettingsError:  # the installation's operators: every municipality
        return "alle Kommunen" if tenant == EVERY_MUNICIPALITY else "unbekannte Kommune"


def engine_of(app=None):
    from flask import current_app

    return (app or current_app).extensions["amtsweg"].engine


def cases_of():
    from flask import current_app

    return current_app.extensions["amtsweg"].cases


def pdf_response(title: str, pdf: bytes):
    """A PDF shown in the browser, named after its title."""
    from flask import Response

    filename = "".join(c if c.isalnum() or c in "-_" else "_" for c in title) + ".pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


def attachment_response(found: dict):
    """An attachment as stored (its type decided by content: PDF, JPEG or PNG). Images open in the page,
    PDFs download; the type is never sniffed, the file runs no script."""
    from flask import Response

    from .forms import safe_filename

    inline = found["typ"] in ("image/jpeg", "image/png")
    ascii_name, utf8_name = safe_filename(found["name"])
    disposition = f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    return Response(found["content"], mimetype=found["typ"], headers={
        "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "no-store"})
