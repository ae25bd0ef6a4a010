"""The installation's settings: one typed object, the only place that reads the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Mapping

from engine.core import WorkflowCache
from engine.jobs import DEFAULT_LOCK_SECONDS
from tasks.notifications import SmtpSettings
from tasks.xoev.schema import SUBSET as XGEWERBEANZEIGE_SUBSET

DEMO_SECRET_KEY = "amtsweg-demo"  # signs demo sessions only; production refuses it
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # no form needs more; larger requests are refused (413)


class SettingsInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///amtsweg.db"
    mode: Literal["demo", "production"] = "demo"
    secret_key: str = DEMO_SECRET_KEY
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    plugin_modules: tuple[str, ...] = ()  # a municipality's own systems: modules offering PLUGINS
    lock_seconds: int = DEFAULT_LOCK_SECONDS  # how long a worker holds a job before another may take it
    workflow_cache_size: int = WorkflowCache.DEFAULT_SIZE  # 0: every command loads the saved state
    mail_dir: Path = Path("var/mail")  # where the demo's mail sink drops e-mails
    xgewerbeanzeige_xsd: Path = XGEWERBEANZEIGE_SUBSET
    max_request_bytes: int = MAX_REQUEST_BYTES  # the largest request body the web app reads
    debug: bool = False
    # Identity providers (production needs at least one): SAML for citizens (BundID, Länder accounts),
    # OpenID Connect for staff. The sign-in modules (webui/auth/saml.py, webui/auth/oidc.py) read these.
    saml_idp_metadata: str = ""  # path or URL of the IdP's metadata
    saml_sp_entity_id: str = ""  # this installation's entity id at the IdP
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    session_cookie_secure: bool = False  # cookies only over HTTPS; production requires it
    staff_session_hours: float = 8.0  # a staff session ends this long after sign-in …
    staff_idle_minutes: float = 30.0  # … or after this long without a request
    sign_in_attempts_per_minute: int = 10  # per client address, on every sign-in endpoint
    trusted_proxies: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (client address, HTTPS)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """AMTSWEG_DATABASE_URL, AMTSWEG_MODE, AMTSWEG_SECRET_KEY, AMTSWEG_SMTP_HOST, AMTSWEG_SMTP_PORT,
        AMTSWEG_MAIL_FROM, AMTSWEG_PLUGIN_MODULES (comma-separated), AMTSWEG_LOCK_SECONDS,
        AMTSWEG_MAIL_DIR, AMTSWEG_XGEWERBEANZEIGE_XSD, AMTSWEG_MAX_REQUEST_BYTES, AMTSWEG_DEBUG,
        AMTSWEG_SAML_IDP_METADATA, AMTSWEG_SAML_SP_ENTITY_ID, AMTSWEG_OIDC_ISSUER, AMTSWEG_OIDC_CLIENT_ID,
        AMTSWEG_OIDC_CLIENT_SECRET, AMTSWEG_SESSION_COOKIE_SECURE (1/0; default 1 in production),
        AMTSWEG_STAFF_SESSION_HOURS, AMTSWEG_STAFF_IDLE_MINUTES, AMTSWEG_SIGN_IN_ATTEMPTS_PER_MINUTE,
        AMTSWEG_TRUSTED_PROXIES."""
        get = environ.get
        defaults, smtp = cls(), SmtpSettings()
        mode = get("AMTSWEG_MODE", defaults.mode)
        try:
            settings = cls(
                database_url=get("AMTSWEG_DATABASE_URL", defaults.database_url),
                mode=mode,
                secret_key=get("AMTSWEG_SECRET_KEY", defaults.secret_key),
                smtp=SmtpSettings(host=get("AMTSWEG_SMTP_HOST", smtp.host), port=int(get("AMTSWEG_SMTP_PORT", smtp.port)),
                                  sender=get("AMTSWEG_MAIL_FROM", smtp.sender)),
                plugin_modules=tuple(m.strip() for m in get("AMTSWEG_PLUGIN_MODULES", "").split(",") if m.strip()),
                lock_seconds=int(get("AMTSWEG_LOCK_SECONDS", defaults.lock_seconds)),
                mail_dir=Path(get("AMTSWEG_MAIL_DIR", defaults.mail_dir)),
                xgewerbeanzeige_xsd=Path(get("AMTSWEG_XGEWERBEANZEIGE_XSD", defaults.xgewerbeanzeige_xsd)),
                max_request_bytes=int(get("AMTSWEG_MAX_REQUEST_BYTES", defaults.max_request_bytes)),
                debug=get("AMTSWEG_DEBUG", "") == "1",
                saml_idp_metadata=get("AMTSWEG_SAML_IDP_METADATA", "").strip(),
                saml_sp_entity_id=get("AMTSWEG_SAML_SP_ENTITY_ID", "").strip(),
                oidc_issuer=get("AMTSWEG_OIDC_ISSUER", "").strip(),
                oidc_client_id=get("AMTSWEG_OIDC_CLIENT_ID", "").strip(),
                oidc_client_secret=get("AMTSWEG_OIDC_CLIENT_SECRET", ""),
                session_cookie_secure=_flag(get("AMTSWEG_SESSION_COOKIE_SECURE"), default=mode == "production"),
                staff_session_hours=float(get("AMTSWEG_STAFF_SESSION_HOURS", defaults.staff_session_hours)),
                staff_idle_minutes=float(get("AMTSWEG_STAFF_IDLE_MINUTES", defaults.staff_idle_minutes)),
                sign_in_attempts_per_minute=int(get("AMTSWEG_SIGN_IN_ATTEMPTS_PER_MINUTE",
                                                    defaults.sign_in_attempts_per_minute)),
                trusted_proxies=int(get("AMTSWEG_TRUSTED_PROXIES", defaults.trusted_proxies)),
            )
        except ValueError as err:
            raise SettingsInvalid(f"Ungültige Einstellung in der Umgebung: {err}") from None
        settings.check()
        return settings

    def check(self) -> None:
        if self.mode not in ("demo", "production"):
            raise SettingsInvalid(f"AMTSWEG_MODE muss „demo“ oder „production“ sein, nicht „{self.mode}“.")
        if self.mode == "production" and self.secret_key == DEMO_SECRET_KEY:
            raise SettingsInvalid("Im Betrieb (AMTSWEG_MODE=production) ist ein eigener AMTSWEG_SECRET_KEY nötig.")
        if self.mode == "production" and not self.identity_providers:
            raise SettingsInvalid(
                "Im Betrieb (AMTSWEG_MODE=production) gibt es keine Demo-Anmeldung: Bitte einen Identitätsanbieter "
                "einrichten – SAML (AMTSWEG_SAML_IDP_METADATA und AMTSWEG_SAML_SP_ENTITY_ID) und/oder OpenID Connect "
                "(AMTSWEG_OIDC_ISSUER, AMTSWEG_OIDC_CLIENT_ID, AMTSWEG_OIDC_CLIENT_SECRET).")
        if self.mode == "production" and not self.session_cookie_secure:
            raise SettingsInvalid("Im Betrieb (AMTSWEG_MODE=production) dürfen Cookies nur über HTTPS gehen: "
                                  "AMTSWEG_SESSION_COOKIE_SECURE muss 1 sein.")
        if not (0 < self.staff_idle_minutes <= self.staff_session_hours * 60 <= 24 * 60):
            raise SettingsInvalid("AMTSWEG_STAFF_SESSION_HOURS muss zwischen der Leerlaufzeit "
                                  "(AMTSWEG_STAFF_IDLE_MINUTES, über 0) und 24 Stunden liegen.")
        if not 0 <= self.trusted_proxies <= 5:
            raise SettingsInvalid("AMTSWEG_TRUSTED_PROXIES muss zwischen 0 und 5 liegen.")
        if self.sign_in_attempts_per_minute < 1:
            raise SettingsInvalid("AMTSWEG_SIGN_IN_ATTEMPTS_PER_MINUTE muss mindestens 1 sein.")
        if self.lock_seconds < 1:
            raise SettingsInvalid("AMTSWEG_LOCK_SECONDS muss mindestens 1 sein.")
        if not 64 * 1024 <= self.max_request_bytes <= 100 * 1024 * 1024:
            raise SettingsInvalid("AMTSWEG_MAX_REQUEST_BYTES muss zwischen 65536 (64 KB) und 104857600 (100 MB) "
                                  f"liegen, nicht {self.max_request_bytes}.")

    @property
    def identity_providers(self) -> tuple[str, ...]:
        """The fully configured ways to sign in besides the demo picker: "saml", "oidc"."""
        found = []
        if self.saml_idp_metadata and self.saml_sp_entity_id:
            found.append("saml")
        if self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret:
            found.append("oidc")
        return tuple(found)


def _flag(raw: str | None, default: bool) -> bool:
    if raw is None or raw.strip() == "":
        return default
    if raw.strip() not in ("0", "1"):
        raise ValueError(f"„{raw}“ ist kein Schalter (1 oder 0)")
    return raw.strip() == "1"
