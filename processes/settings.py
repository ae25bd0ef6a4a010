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
    # where browsers reach the web app; the SAML endpoints the identity provider sends citizens to hang off it
    public_url: str = "http://127.0.0.1:5000"
    # citizens' sign-in (SAML 2.0: BundID, the Länder service accounts); empty: no SAML sign-in offered
    saml_idp_metadata: str = ""  # path or URL of the identity provider's metadata
    saml_sp_entity_id: str = ""  # Amtsweg's entity id at the identity provider; empty: <public_url>/saml/metadata
    saml_sp_key_file: Path | None = None  # the key Amtsweg signs its AuthnRequests with (PEM)
    saml_sp_cert_file: Path | None = None  # its certificate, published in the SP metadata (PEM)
    saml_attribute_map: Path | None = None  # JSON {"SAML attribute name": "identity key"}, replaces the BundID map

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """AMTSWEG_DATABASE_URL, AMTSWEG_MODE, AMTSWEG_SECRET_KEY, AMTSWEG_SMTP_HOST, AMTSWEG_SMTP_PORT,
        AMTSWEG_MAIL_FROM, AMTSWEG_PLUGIN_MODULES (comma-separated), AMTSWEG_LOCK_SECONDS,
        AMTSWEG_MAIL_DIR, AMTSWEG_XGEWERBEANZEIGE_XSD, AMTSWEG_MAX_REQUEST_BYTES, AMTSWEG_DEBUG, AMTSWEG_PUBLIC_URL,
        AMTSWEG_SAML_IDP_METADATA, AMTSWEG_SAML_SP_ENTITY_ID, AMTSWEG_SAML_SP_KEY_FILE, AMTSWEG_SAML_SP_CERT_FILE,
        AMTSWEG_SAML_ATTRIBUTE_MAP."""
        path = lambda name: Path(get(name)) if get(name) else None
        get = environ.get
        defaults, smtp = cls(), SmtpSettings()
        try:
            settings = cls(
                database_url=get("AMTSWEG_DATABASE_URL", defaults.database_url),
                mode=get("AMTSWEG_MODE", defaults.mode),
                secret_key=get("AMTSWEG_SECRET_KEY", defaults.secret_key),
                smtp=SmtpSettings(host=get("AMTSWEG_SMTP_HOST", smtp.host), port=int(get("AMTSWEG_SMTP_PORT", smtp.port)),
                                  sender=get("AMTSWEG_MAIL_FROM", smtp.sender)),
                plugin_modules=tuple(m.strip() for m in get("AMTSWEG_PLUGIN_MODULES", "").split(",") if m.strip()),
                lock_seconds=int(get("AMTSWEG_LOCK_SECONDS", defaults.lock_seconds)),
                mail_dir=Path(get("AMTSWEG_MAIL_DIR", defaults.mail_dir)),
                xgewerbeanzeige_xsd=Path(get("AMTSWEG_XGEWERBEANZEIGE_XSD", defaults.xgewerbeanzeige_xsd)),
                max_request_bytes=int(get("AMTSWEG_MAX_REQUEST_BYTES", defaults.max_request_bytes)),
                debug=get("AMTSWEG_DEBUG", "") == "1",
                public_url=get("AMTSWEG_PUBLIC_URL", defaults.public_url).rstrip("/"),
                saml_idp_metadata=get("AMTSWEG_SAML_IDP_METADATA", defaults.saml_idp_metadata),
                saml_sp_entity_id=get("AMTSWEG_SAML_SP_ENTITY_ID", defaults.saml_sp_entity_id),
                saml_sp_key_file=path("AMTSWEG_SAML_SP_KEY_FILE"),
                saml_sp_cert_file=path("AMTSWEG_SAML_SP_CERT_FILE"),
                saml_attribute_map=path("AMTSWEG_SAML_ATTRIBUTE_MAP"),
            )
        except ValueError as err:
            raise SettingsInvalid(f"Ungültige Einstellung in der Umgebung: {err}") from None
        settings.check()
        return settings

    @property
    def saml_entity_id(self) -> str:
        return self.saml_sp_entity_id or f"{self.public_url}/saml/metadata"

    def check(self) -> None:
        if self.mode not in ("demo", "production"):
            raise SettingsInvalid(f"AMTSWEG_MODE muss „demo“ oder „production“ sein, nicht „{self.mode}“.")
        if self.mode == "production" and self.secret_key == DEMO_SECRET_KEY:
            raise SettingsInvalid("Im Betrieb (AMTSWEG_MODE=production) ist ein eigener AMTSWEG_SECRET_KEY nötig.")
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
