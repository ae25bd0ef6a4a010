"""The installation's settings come from the environment in one place, checked."""
from pathlib import Path

import pytest

from processes.settings import DEMO_SECRET_KEY, Settings, SettingsInvalid
from tasks.notifications import SmtpSettings


def test_settings_from_environment():
    settings = Settings.from_env({
        "AMTSWEG_DATABASE_URL": "postgresql://amtsweg@db/amtsweg", "AMTSWEG_SMTP_HOST": "mail.plauen.example",
        "AMTSWEG_SMTP_PORT": "2525", "AMTSWEG_MAIL_FROM": "Stadt Plauen <noreply@plauen.example>",
        "AMTSWEG_PLUGIN_MODULES": "plauen.efile, plauen.kasse", "AMTSWEG_LOCK_SECONDS": "60",
        "AMTSWEG_XGEWERBEANZEIGE_XSD": "/srv/xsd/xgewerbeanzeige.xsd",
    })
    assert settings.database_url == "postgresql://amtsweg@db/amtsweg"
    assert settings.smtp == SmtpSettings("mail.plauen.example", 2525, "Stadt Plauen <noreply@plauen.example>")
    assert settings.plugin_modules == ("plauen.efile", "plauen.kasse")
    assert settings.lock_seconds == 60
    assert settings.xgewerbeanzeige_xsd == Path("/srv/xsd/xgewerbeanzeige.xsd")
    assert settings.mode == "demo" and settings.secret_key == DEMO_SECRET_KEY


def test_defaults_run_the_embedded_demo():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///") and settings.mode == "demo"


@pytest.mark.parametrize("environ, message", [
    ({"AMTSWEG_MODE": "production"}, "eigener AMTSWEG_SECRET_KEY"),
    ({"AMTSWEG_MODE": "test"}, "„demo“ oder „production“"),
    ({"AMTSWEG_SMTP_PORT": "fünfundzwanzig"}, "Ungültige Einstellung"),
    ({"AMTSWEG_LOCK_SECONDS": "0"}, "mindestens 1"),
    ({"AMTSWEG_STAGED_UPLOAD_DAYS": "29"}, "AMTSWEG_STAGED_UPLOAD_DAYS muss zwischen 30 \\(so lange bleibt ein Entwurf\\)"),
    ({"AMTSWEG_STAGED_UPLOAD_DAYS": "sieben"}, "Ungültige Einstellung"),
])
def test_unusable_settings_are_refused_with_a_german_message(environ, message):
    with pytest.raises(SettingsInvalid, match=message):
        Settings.from_env(environ)


def test_staff_sign_in_settings_from_environment():
    settings = Settings.from_env({
        "AMTSWEG_OIDC_ISSUER": "https://login.plauen.example/realms/verwaltung/",
        "AMTSWEG_OIDC_CLIENT_ID": "amtsweg", "AMTSWEG_OIDC_CLIENT_SECRET": "geheim",
        "AMTSWEG_OIDC_SCOPES": "openid profile groups", "AMTSWEG_OIDC_GROUPS_CLAIM": "realm_access.roles",
        "AMTSWEG_OIDC_GROUP_MAP": "/etc/amtsweg/gruppen.json", "AMTSWEG_PUBLIC_URL": "https://amtsweg.plauen.example/",
    })
    assert settings.oidc_issuer == "https://login.plauen.example/realms/verwaltung"
    assert (settings.oidc_client_id, settings.oidc_client_secret) == ("amtsweg", "geheim")
    assert settings.oidc_scopes == "openid profile groups" and settings.oidc_groups_claim == "realm_access.roles"
    assert settings.oidc_group_map == Path("/etc/amtsweg/gruppen.json")
    assert settings.public_url == "https://amtsweg.plauen.example"
    assert Settings.from_env({}).oidc_issuer == ""  # staff sign-in off


PRODUCTION = {"AMTSWEG_MODE": "production", "AMTSWEG_SECRET_KEY": "x" * 40,
              "AMTSWEG_OIDC_ISSUER": "https://login.plauen.example", "AMTSWEG_OIDC_CLIENT_ID": "amtsweg",
              "AMTSWEG_OIDC_CLIENT_SECRET": "geheim", "AMTSWEG_PUBLIC_URL": "https://amtsweg.plauen.example",
              "AMTSWEG_OIDC_GROUP_MAP": "/etc/amtsweg/gruppen.json",
              "AMTSWEG_ATTACHMENT_SCANNER": "clamd:/run/clamav/clamd.ctl"}


@pytest.mark.parametrize("change, message", [
    ({"AMTSWEG_OIDC_CLIENT_SECRET": ""}, "AMTSWEG_OIDC_CLIENT_SECRET nötig"),
    ({"AMTSWEG_OIDC_SCOPES": "profile"}, "„openid“"),
    ({"AMTSWEG_OIDC_ISSUER": "http://login.plauen.example"}, "https://"),
    ({"AMTSWEG_PUBLIC_URL": ""}, "AMTSWEG_PUBLIC_URL"),
    ({"AMTSWEG_OIDC_GROUP_MAP": ""}, "eigene Gruppenzuordnung"),
])
def test_unusable_staff_sign_in_settings_are_refused(change, message):
    assert Settings.from_env(PRODUCTION).oidc_client_id == "amtsweg"
    environ = {**PRODUCTION, **change}
    if change.get("AMTSWEG_OIDC_GROUP_MAP") == "":
        del environ["AMTSWEG_OIDC_GROUP_MAP"]
    with pytest.raises(SettingsInvalid, match=message):
        Settings.from_env(environ)


def test_production_starts_with_its_own_secret_an_identity_provider_and_secure_cookies():
    settings = Settings.from_env(PRODUCTION)
    assert settings.mode == "production" and settings.identity_providers == ("oidc",)
    assert settings.session_cookie_secure  # the default in production


@pytest.mark.parametrize("change, message", [
    ({"AMTSWEG_OIDC_ISSUER": ""}, "Identitätsanbieter"),
    ({"AMTSWEG_SESSION_COOKIE_SECURE": "0"}, "AMTSWEG_SESSION_COOKIE_SECURE muss 1"),
    ({"AMTSWEG_SESSION_COOKIE_SECURE": "ja"}, "Ungültige Einstellung"),
    ({"AMTSWEG_STAFF_IDLE_MINUTES": "600"}, "AMTSWEG_STAFF_SESSION_HOURS"),
    ({"AMTSWEG_SIGN_IN_ATTEMPTS_PER_MINUTE": "0"}, "mindestens 1"),
    ({"AMTSWEG_ATTACHMENT_SCANNER": ""}, "echter Virenscanner"),
    ({"AMTSWEG_ATTACHMENT_SCANNER": "builtin"}, "echter Virenscanner"),
])
def test_production_without_identity_provider_or_secure_cookies_is_refused(change, message):
    with pytest.raises(SettingsInvalid, match=message):
        Settings.from_env({**PRODUCTION, **change})


def test_saml_alone_is_an_identity_provider():
    settings = Settings.from_env({**PRODUCTION, "AMTSWEG_OIDC_ISSUER": "", "AMTSWEG_SAML_IDP_METADATA":
                                  "https://id.bund.example/metadata", "AMTSWEG_SAML_SP_KEY_FILE": "/etc/amtsweg/sp.key",
                                  "AMTSWEG_SAML_SP_CERT_FILE": "/etc/amtsweg/sp.crt"})
    assert settings.identity_providers == ("saml",)
    assert settings.saml_idp_metadata == "https://id.bund.example/metadata"


def test_demo_mode_keeps_plain_cookies_and_needs_no_identity_provider():
    settings = Settings.from_env({})
    assert not settings.session_cookie_secure and settings.identity_providers == ()
