"""The installation's settings: one typed object, the only place that reads the environment."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from engine.core import WorkflowCache
from engine.jobs import DEFAULT_LOCK_SECONDS
from tasks.notifications import SmtpSettings
from tasks.portal.system import DRAFT_DAYS
from tasks.xoev.schema import SUBSET as XGEWERBEANZEIGE_SUBSET

DEMO_SECRET_KEY = "amtsweg-demo"  # signs demo sessions only; production refuses it
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # no form needs more; larger requests are refused (413)
STAFF_GROUPS_EXAMPLE = Path(__file__).parent / "staff_groups.json"  # the demo's directory groups → offices


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
    # attachments (processes/attachments.py): the malware scanner, the limits per file and per application
    attachment_scanner: str = "builtin"  # or "clamd:HOST:PORT", "clamd:/socket", "package.module:name"
    attachment_max_file_bytes: int = 10 * 1024 * 1024
    attachment_max_total_bytes: int = 20 * 1024 * 1024
    # a file uploaded with a draft that was never sent is deleted after this long; not before the draft itself
    staged_upload_days: int = DRAFT_DAYS
    debug: bool = False
    # Staff sign-in with the city's OpenID provider (webui/auth/oidc.py); off while oidc_issuer is empty
    oidc_issuer: str = ""  # e.g. https://login.plauen.example/realms/verwaltung (discovery below it)
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile email"  # plus what the IdP needs to put the groups into the ID token
    oidc_groups_claim: str = "groups"  # a dotted path for nested claims, e.g. realm_access.roles
    oidc_group_map: Path = STAFF_GROUPS_EXAMPLE  # JSON: directory group → municipality, offices, roles
    # where browsers reach the web app (https://amtsweg.plauen.example): the OIDC redirect and SAML endpoints hang off it
    public_url: str = "http://127.0.0.1:5000"
    # citizens' sign-in (SAML 2.0: BundID, the Länder service accounts); empty: no SAML sign-in offered
    saml_idp_metadata: str = ""  # path or URL of the identity provider's metadata
    saml_sp_entity_id: str = ""  # Amtsweg's entity id at the identity provider; empty: <public_url>/saml/metadata
    saml_sp_key_file: Path | None = None  # the key Amtsweg signs its AuthnRequests with (PEM)
    saml_sp_cert_file: Path | None = None  # its certificate, published in the SP metadata (PEM)
    saml_attribute_map: Path | None = None  # JSON {"SAML attribute name": "identity key"}, replaces the BundID map
    session_cookie_secure: bool = False  # cookies only over HTTPS; production requires it
    staff_session_hours: float = 8.0  # a staff session ends this long after sign-in …
    staff_idle_minutes: float = 30.0  # … or after this long without a request
    sign_in_attempts_per_minute: int = 10  # per client address, on every sign-in endpoint
    trusted_proxies: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (client address, HTTPS)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """AMTSWEG_DATABASE_URL, AMTSWEG_MODE, AMTSWEG_SECRET_KEY, AMTSWEG_SMTP_HOST, AMTSWEG_SMTP_PORT,
        AMTSWEG_MAIL_FROM, AMTSWEG_PLUGIN_MODULES (comma-separated), AMTSWEG_LOCK_SECONDS,
        AMTSWEG_MAIL_DIR, AMTSWEG_XGEWERBEANZEIGE_XSD, AMTSWEG_MAX_REQUEST_BYTES, AMTSWEG_ATTACHMENT_SCANNER,
        AMTSWEG_ATTACHMENT_MAX_FILE_BYTES, AMTSWEG_ATTACHMENT_MAX_TOTAL_BYTES, AMTSWEG_STAGED_UPLOAD_DAYS,
        AMTSWEG_DEBUG, AMTSWEG_PUBLIC_URL,
        AMTSWEG_OIDC_ISSUER, AMTSWEG_OIDC_CLIENT_ID, AMTSWEG_OIDC_CLIENT_SECRET, AMTSWEG_OIDC_SCOPES,
        AMTSWEG_OIDC_GROUPS_CLAIM, AMTSWEG_OIDC_GROUP_MAP, AMTSWEG_SAML_IDP_METADATA, AMTSWEG_SAML_SP_ENTITY_ID,
        AMTSWEG_SAML_SP_KEY_FILE, AMTSWEG_SAML_SP_CERT_FILE, AMTSWEG_SAML_ATTRIBUTE_MAP,
        AMTSWEG_SESSION_COOKIE_SECURE (1/0; default 1 in production), AMTSWEG_STAFF_SESSION_HOURS,
        AMTSWEG_STAFF_IDLE_MINUTES, AMTSWEG_SIGN_IN_ATTEMPTS_PER_MINUTE, AMTSWEG_TRUSTED_PROXIES."""
        path = lambda name: Path(get(name)) if get(name) else None
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
                attachment_scanner=get("AMTSWEG_ATTACHMENT_SCANNER", defaults.attachment_scanner).strip() or "builtin",
                attachment_max_file_bytes=int(get("AMTSWEG_ATTACHMENT_MAX_FILE_BYTES",
                                                  defaults.attachment_max_file_bytes)),
                attachment_max_total_bytes=int(get("AMTSWEG_ATTACHMENT_MAX_TOTAL_BYTES",
                                                   defaults.attachment_max_total_bytes)),
                staged_upload_days=int(get("AMTSWEG_STAGED_UPLOAD_DAYS", defaults.staged_upload_days)),
                debug=get("AMTSWEG_DEBUG", "") == "1",
                oidc_issuer=get("AMTSWEG_OIDC_ISSUER", defaults.oidc_issuer).rstrip("/"),
                oidc_client_id=get("AMTSWEG_OIDC_CLIENT_ID", defaults.oidc_client_id),
                oidc_client_secret=get("AMTSWEG_OIDC_CLIENT_SECRET", defaults.oidc_client_secret),
                oidc_scopes=get("AMTSWEG_OIDC_SCOPES", defaults.oidc_scopes),
                oidc_groups_claim=get("AMTSWEG_OIDC_GROUPS_CLAIM", defaults.oidc_groups_claim),
                oidc_group_map=Path(get("AMTSWEG_OIDC_GROUP_MAP", defaults.oidc_group_map)),
                public_url=get("AMTSWEG_PUBLIC_URL", defaults.public_url).rstrip("/"),
                saml_idp_metadata=get("AMTSWEG_SAML_IDP_METADATA", defaults.saml_idp_metadata),
                saml_sp_entity_id=get("AMTSWEG_SAML_SP_ENTITY_ID", defaults.saml_sp_entity_id),
                saml_sp_key_file=path("AMTSWEG_SAML_SP_KEY_FILE"),
                saml_sp_cert_file=path("AMTSWEG_SAML_SP_CERT_FILE"),
                saml_attribute_map=path("AMTSWEG_SAML_ATTRIBUTE_MAP"),
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

    @property
    def saml_entity_id(self) -> str:
        return self.saml_sp_entity_id or f"{self.public_url}/saml/metadata"

    def check(self) -> None:
        self._check_oidc()
        if self.mode not in ("demo", "production"):
            raise SettingsInvalid(f"AMTSWEG_MODE muss „demo“ oder „production“ sein, nicht „{self.mode}“.")
        if self.mode == "production" and self.secret_key == DEMO_SECRET_KEY:
            raise SettingsInvalid("Im Betrieb (AMTSWEG_MODE=production) ist ein eigener AMTSWEG_SECRET_KEY nötig.")
        if self.mode == "production" and not self.identity_providers:
            raise SettingsInvalid(
                "Im Betrieb (AMTSWEG_MODE=production) gibt es keine Demo-Anmeldung: Bitte einen Identitätsanbieter "
                "einrichten – SAML (AMTSWEG_SAML_IDP_METADATA und AMTSWEG_SAML_SP_ENTITY_ID) und/oder OpenID Connect "
                "(AMTSWEG_OIDC_ISSUER, AMTSWEG_OIDC_CLIENT_ID, AMTSWEG_OIDC_CLIENT_SECRET).")
        if self.mode == "production" and self.attachment_scanner == "builtin":
            raise SettingsInvalid("Im Betrieb (AMTSWEG_MODE=production) prüft ein echter Virenscanner die Anlagen: "
                                  "Bitte AMTSWEG_ATTACHMENT_SCANNER setzen, z. B. „clamd:/run/clamav/clamd.ctl“ "
                                  "(ClamAV) oder „paket.modul:Name“ für den Scanner der Kommune.")
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
        if not DRAFT_DAYS <= self.staged_upload_days <= 365:
            raise SettingsInvalid(f"AMTSWEG_STAGED_UPLOAD_DAYS muss zwischen {DRAFT_DAYS} (so lange bleibt ein Entwurf) "
                                  "und 365 Tagen liegen.")
        if self.lock_seconds < 1:
            raise SettingsInvalid("AMTSWEG_LOCK_SECONDS muss mindestens 1 sein.")
        if self.saml_idp_metadata and not (self.saml_sp_key_file and self.saml_sp_cert_file):
            raise SettingsInvalid("Für die Anmeldung über SAML (AMTSWEG_SAML_IDP_METADATA) sind "
                                  "AMTSWEG_SAML_SP_KEY_FILE und AMTSWEG_SAML_SP_CERT_FILE nötig.")
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsInvalid(f"AMTSWEG_PUBLIC_URL muss mit http:// oder https:// beginnen, nicht „{self.public_url}“.")
        if not 64 * 1024 <= self.max_request_bytes <= 100 * 1024 * 1024:
            raise SettingsInvalid("AMTSWEG_MAX_REQUEST_BYTES muss zwischen 65536 (64 KB) und 104857600 (100 MB) "
                                  f"liegen, nicht {self.max_request_bytes}.")
        if not 1024 <= self.attachment_max_file_bytes <= self.attachment_max_total_bytes <= 80 * 1024 * 1024:
            raise SettingsInvalid("AMTSWEG_ATTACHMENT_MAX_FILE_BYTES (ab 1024) darf nicht über "
                                  "AMTSWEG_ATTACHMENT_MAX_TOTAL_BYTES liegen, und diese nicht über 83886080 (80 MB).")

    @property
    def max_upload_request_bytes(self) -> int:
        """The request limit of a form that uploads files: all of an application's files plus its fields."""
        return self.attachment_max_total_bytes + self.max_request_bytes

    def _check_oidc(self) -> None:
        if not self.oidc_issuer:
            return
        if not (self.oidc_client_id and self.oidc_client_secret):
            raise SettingsInvalid("Mit AMTSWEG_OIDC_ISSUER sind auch AMTSWEG_OIDC_CLIENT_ID und "
                                  "AMTSWEG_OIDC_CLIENT_SECRET nötig.")
        if "openid" not in self.oidc_scopes.split():
            raise SettingsInvalid("AMTSWEG_OIDC_SCOPES muss „openid“ enthalten.")
        if self.mode == "production":
            if not self.oidc_issuer.startswith("https://"):
                raise SettingsInvalid("Im Betrieb muss AMTSWEG_OIDC_ISSUER mit https:// beginnen.")
            if not self.public_url.startswith("https://"):
                raise SettingsInvalid("Im Betrieb ist AMTSWEG_PUBLIC_URL (https://…) nötig: Dorthin kehrt die "
                                      "Anmeldung zurück.")
            if self.oidc_group_map == STAFF_GROUPS_EXAMPLE:
                raise SettingsInvalid("Im Betrieb ist eine eigene Gruppenzuordnung nötig (AMTSWEG_OIDC_GROUP_MAP), "
                                      "nicht die Beispieldatei.")

    @property
    def identity_providers(self) -> tuple[str, ...]:
        """The fully configured ways to sign in besides the demo picker: "saml", "oidc"."""
        found = []
        if self.saml_idp_metadata:
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
