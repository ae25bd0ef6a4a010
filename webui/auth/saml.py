"""Citizens sign in with SAML 2.0: BundID and the Länder service accounts (Servicekonten).

Amtsweg is the service provider (pysaml2 with xmlsec1): it publishes its metadata for the identity
provider's operator (GET /saml/metadata), sends a signed AuthnRequest by HTTP-Redirect
(GET /anmelden/buerger?kommune=plauen&niveau=substanziell&weiter=/portal/...) and takes the answer
at the Assertion Consumer Service by HTTP-POST (POST /saml/acs). An answer counts only with a
signed assertion from the configured identity provider (its key from the metadata, never the one
the message brings), for this service provider (audience), sent here (destination, recipient),
within its validity window, answering our outstanding request (InResponseTo, bound to this browser
by a signed cookie) and never seen before (replay: the ``signin`` system keeps accepted assertion
ids until they expire, in the database, so every web worker sees them).

The assertion's attributes become the principal's ``identity`` (``BUNDID_ATTRIBUTES``, or the map
of ``saml_attribute_map``), its AuthnContextClassRef the ``trust_level``; the municipality comes
from the portal (``kommune``). Then ``webui.auth.sign_in(principal)``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
from datetime import UTC, datetime
from types import MappingProxyType

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from processes.access import TRUST_LEVELS, Principal
from processes.municipalities import municipalities

from . import _local_path, limit_sign_in, sign_in

log = logging.getLogger(__name__)

bp = Blueprint("saml", __name__, template_folder="templates")

# AuthnContextClassRef -> trust level. BundID and the Länder accounts speak STORK-QAA (level 1/2:
# user name and password; 3: ELSTER certificate; 4: the eID card's online function); eIDAS nodes
# speak the eIDAS levels of assurance.
LEVEL_OF_CLASS_REF = {
    "STORK-QAA-Level-1": "basis",
    "STORK-QAA-Level-2": "basis",
    "STORK-QAA-Level-3": "substanziell",
    "STORK-QAA-Level-4": "hoch",
    "http://eidas.europa.eu/LoA/low": "basis",
    "http://eidas.europa.eu/LoA/substantial": "substanziell",
    "http://eidas.europa.eu/LoA/high": "hoch",
}
# What a request asks for (comparison="minimum"): BundID's vocabulary.
CLASS_REF_OF_LEVEL = {"basis": "STORK-QAA-Level-1", "substanziell": "STORK-QAA-Level-3", "hoch": "STORK-QAA-Level-4"}

# SAML attribute name (BundID / eID, NameFormat uri) -> key of Principal.identity. The keys are what
# bpmn-models/*/service.json "prefill" names.
BUNDID_ATTRIBUTES = {
    "urn:oid:2.5.4.42": "given_name",
    "urn:oid:2.5.4.4": "family_name",
    "urn:oid:1.2.40.0.10.2.1.1.225566": "birth_name",
    "urn:oid:1.3.6.1.5.5.7.9.1": "birth_date",
    "urn:oid:1.3.6.1.5.5.7.9.2": "birth_place",
    "urn:oid:2.5.4.16": "postal_address",
    "urn:oid:2.5.4.9": "street_address",
    "urn:oid:2.5.4.17": "postal_code",
    "urn:oid:2.5.4.7": "locality",
    "urn:oid:0.9.2342.19200300.100.1.3": "email",
    "urn:oid:1.3.6.1.4.1.25484.494450.3": "bpk2",  # BundID's pseudonym of the person for this service provider
}
IDENTITY_KEYS = frozenset(BUNDID_ATTRIBUTES.values())
MAX_ATTRIBUTE_CHARS = 300  # no name or address is longer; longer values are dropped, not cut
PENDING_COOKIE = "amtsweg_saml"
PENDING_SECONDS = 600  # how long a citizen may take at the identity provider
CLOCK_SKEW_SECONDS = 60  # tolerated difference between the identity provider's clock and ours


class SignInRefused(Exception):
    """A SAML answer that does not sign anyone in; the message is German and shown to the citizen."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


# --- configuration --------------------------------------------------------------------------------

def _settings():
    return current_app.extensions["amtsweg"].installation.settings


def acs_url(settings) -> str:
    return f"{settings.public_url}/saml/acs"


def sp_config(settings, with_idp: bool = True):
    """The pysaml2 configuration of Amtsweg as service provider."""
    from saml2 import BINDING_HTTP_POST
    from saml2.config import SPConfig
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    if not (settings.saml_sp_key_file and settings.saml_sp_cert_file):
        raise SignInRefused("Die Anmeldung mit einem Servicekonto ist hier nicht eingerichtet.", 404)
    data = {
        "entityid": settings.saml_entity_id,
        "key_file": str(settings.saml_sp_key_file),
        "cert_file": str(settings.saml_sp_cert_file),
        "xmlsec_binary": shutil.which("xmlsec1"),
        "accepted_time_diff": CLOCK_SKEW_SECONDS,
        "allow_unknown_attributes": True,  # we read the raw attribute statement (identity_of)
        "only_use_keys_in_metadata": True,  # never trust a certificate the message brings along
        "signing_algorithm": SIG_RSA_SHA256,  # pysaml2's default is still SHA-1
        "digest_algorithm": DIGEST_SHA256,
        "service": {"sp": {
            "name": "Amtsweg",
            "endpoints": {"assertion_consumer_service": [(acs_url(settings), BINDING_HTTP_POST)]},
            "authn_requests_signed": True,
            "want_assertions_signed": True,
            "want_response_signed": False,
            "allow_unsolicited": False,
            "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
            "name_id_format_allow_create": True,
        }},
    }
    if with_idp:
        source = settings.saml_idp_metadata
        if not source:
            raise SignInRefused("Die Anmeldung mit einem Servicekonto ist hier nicht eingerichtet.", 404)
        data["metadata"] = ({"remote": [{"url": source}]} if source.startswith(("http://", "https://"))
                            else {"local": [source]})
    config = SPConfig()
    config.load(data)
    return config


_client_lock = threading.Lock()


def _client():
    """One pysaml2 client per app, built on first use (loading the identity provider's metadata)."""
    cached = current_app.extensions.get("amtsweg_saml_client")
    if cached is not None:
        return cached
    from saml2.client import Saml2Client

    with _client_lock:
        cached = current_app.extensions.get("amtsweg_saml_client")
        if cached is None:
            try:
                cached = Saml2Client(config=sp_config(_settings()))
            except SignInRefused:
                raise
            except Exception as err:  # noqa: BLE001  (metadata unreadable or unreachable)
                log.warning("SAML identity provider metadata not loaded: %s: %s", type(err).__name__, err)
                raise SignInRefused("Die Anmeldung mit einem Servicekonto ist gerade nicht erreichbar. "
                                    "Bitte versuchen Sie es später noch einmal.", 503) from None
            idps = list(cached.metadata.with_descriptor("idpsso"))
            if len(idps) != 1:
                log.warning("SAML metadata names %d identity providers, expected one", len(idps))
                raise SignInRefused("Die Anmeldung mit einem Servicekonto ist nicht richtig eingerichtet.", 503)
            current_app.extensions["amtsweg_saml_client"] = cached
    return cached


def _attribute_map(settings) -> dict[str, str]:
    if settings.saml_attribute_map is None:
        return BUNDID_ATTRIBUTES
    return json.loads(settings.saml_attribute_map.read_text(encoding="utf-8"))


def _pending_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="amtsweg-saml-authn-request")


# --- endpoints ------------------------------------------------------------------------------------

@bp.get("/saml/metadata")
def metadata():
    """Amtsweg's SP metadata, for the identity provider's operator."""
    from saml2.metadata import entity_descriptor

    try:
        descriptor = entity_descriptor(sp_config(_settings(), with_idp=False))
    except SignInRefused as err:
        return _refused(err)
    return current_app.response_class(str(descriptor), mimetype="application/samlmetadata+xml")


@bp.get("/anmelden/buerger")
@limit_sign_in()
def login():
    """Starts the sign-in at the identity provider: for a municipality, at least at a trust level."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import AuthnContextClassRef
    from saml2.samlp import RequestedAuthnContext
    from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

    places = municipalities()
    tenant = request.args.get("kommune", "")
    if tenant not in places:
        return render_template("auth/saml_choose.html", municipalities=places.values(),
                               weiter=request.args.get("weiter", ""), niveau=request.args.get("niveau", "")), \
            (404 if tenant else 200)
    level = request.args.get("niveau") or "basis"
    if level not in TRUST_LEVELS:
        level = "basis"
    target = request.args.get("weiter") or ""
    if not _local_path(target):
        target = url_for("portal.home")
    try:
        client = _client()
        idp = next(iter(client.metadata.with_descriptor("idpsso")))
        wanted = RequestedAuthnContext(authn_context_class_ref=[AuthnContextClassRef(text=CLASS_REF_OF_LEVEL[level])],
                                       comparison="minimum")
        request_id, info = client.prepare_for_authenticate(
            entityid=idp, relay_state=target, binding=BINDING_HTTP_REDIRECT, sign=True, sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256, requested_authn_context=wanted)
    except SignInRefused as err:
        return _refused(err)
    location = dict(info["headers"])["Location"]
    response = redirect(location)
    pending = _pending_serializer().dumps({"id": request_id, "tenant": tenant, "level": level, "target": target})
    secure = _settings().public_url.startswith("https://")
    # The identity provider posts back from its own site: with HTTPS the cookie must be SameSite=None
    # to come along; over plain HTTP (development) browsers only accept Lax.
    response.set_cookie(PENDING_COOKIE, pending, max_age=PENDING_SECONDS, path="/saml/", httponly=True,
                        secure=secure, samesite="None" if secure else "Lax")
    return response


@bp.post("/saml/acs")
@limit_sign_in()
def acs():
    """The identity provider's answer (HTTP-POST): sign the citizen in, or a German refusal and no session."""
    try:
        principal, target = _accept(request.form.get("SAMLResponse", ""), request.form.get("RelayState", ""))
    except SignInRefused as err:
        response = _refused(err)
        response.delete_cookie(PENDING_COOKIE, path="/saml/")
        return response
    sign_in(principal)
    response = redirect(target)
    response.delete_cookie(PENDING_COOKIE, path="/saml/")
    return response


def _refused(err: SignInRefused):
    return current_app.make_response((render_template("error.html", title="Anmeldung nicht möglich",
                                                      message=str(err)), err.status))


# --- checking an answer ---------------------------------------------------------------------------

def _accept(saml_response: str, relay_state: str) -> tuple[Principal, str]:
    from saml2 import BINDING_HTTP_POST

    if not saml_response:
        raise SignInRefused("Es kam keine Antwort Ihres Servicekontos an. Bitte melden Sie sich erneut an.", 400)
    try:
        pending = _pending_serializer().loads(request.cookies.get(PENDING_COOKIE, ""), max_age=PENDING_SECONDS)
    except BadSignature:
        raise SignInRefused("Ihre Anmeldung ist abgelaufen oder wurde in einem anderen Browserfenster begonnen. "
                            "Bitte melden Sie sich erneut an.", 400) from None
    if relay_state and relay_state != pending["target"]:
        raise SignInRefused("Die Antwort Ihres Servicekontos passt nicht zu Ihrer Anmeldung. "
                            "Bitte melden Sie sich erneut an.")
    client = _client()
    try:
        answer = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST,
                                                     outstanding={pending["id"]: pending["target"]})
    except Exception as err:  # noqa: BLE001  pysaml2 raises many types: signature, lifetime, audience, destination, status
        log.warning("SAML response refused: %s: %s", type(err).__name__, err)
        raise SignInRefused(_why(err)) from None
    if answer is None or answer.assertion is None:
        log.warning("SAML response without a usable assertion")
        raise SignInRefused("Die Antwort Ihres Servicekontos enthält keine gültige Anmeldung.")
    # pysaml2 checked these; checked again here so that a change of its defaults cannot open them
    assertion = answer.assertion
    if answer.in_response_to != pending["id"]:
        raise SignInRefused("Die Antwort Ihres Servicekontos gehört zu einer anderen Anmeldung.")
    audiences = {a.text for c in [assertion.conditions] if c for r in c.audience_restriction for a in r.audience}
    if audiences != {client.config.entityid}:
        raise SignInRefused("Die Anmeldung war nicht für diesen Dienst bestimmt.")
    settings = _settings()
    recipients = {d.recipient for sc in assertion.subject.subject_confirmation
                  for d in [sc.subject_confirmation_data] if d is not None}
    if recipients != {acs_url(settings)}:
        raise SignInRefused("Die Anmeldung war für eine andere Adresse bestimmt.")

    level = _level(answer)
    if level is None:
        raise SignInRefused("Ihr Servicekonto hat kein bekanntes Vertrauensniveau bestätigt.")
    if TRUST_LEVELS.index(level) < TRUST_LEVELS.index(pending["level"]):
        raise SignInRefused(f"Für diesen Dienst ist das Vertrauensniveau „{pending['level']}“ nötig, "
                            f"Ihr Servicekonto hat nur „{level}“ bestätigt. Bitte melden Sie sich "
                            "mit einem stärkeren Nachweis an, zum Beispiel mit der Online-Ausweisfunktion.")

    issuer = assertion.issuer.text if assertion.issuer is not None else ""
    if not current_app.extensions["amtsweg"].installation.registry.system("signin").accept_once(
            issuer, assertion.id, _expiry(assertion)):
        log.warning("SAML assertion replayed: issuer %s", issuer)
        raise SignInRefused("Diese Anmeldung wurde bereits verwendet. Bitte melden Sie sich erneut an.")

    identity = identity_of(assertion, _attribute_map(settings))
    subject = identity.pop("bpk2", None) or (assertion.subject.name_id.text if assertion.subject.name_id else "")
    if not subject:
        raise SignInRefused("Ihr Servicekonto hat Sie nicht eindeutig benannt.")
    name = " ".join(p for p in (identity.get("given_name"), identity.get("family_name")) if p) or "Bürger/in"
    principal = Principal(id=citizen_id(issuer, subject), name=name, tenant=pending["tenant"],
                          roles=frozenset({"citizen"}), trust_level=level, identity=MappingProxyType(identity))
    return principal, pending["target"]


def _why(err: Exception) -> str:
    kind = type(err).__name__
    if "AudienceRestrictions" in str(err):
        return "Die Anmeldung war nicht für diesen Dienst bestimmt."
    if kind in ("SignatureError", "IncorrectlySigned", "BadSignature", "MissingKey", "CertificateError"):
        return "Die Anmeldung ist nicht gültig signiert und wurde abgelehnt."
    if kind in ("ResponseLifetimeExceed", "ToEarly", "TimeUtilError"):
        return "Die Anmeldung ist abgelaufen oder noch nicht gültig. Bitte melden Sie sich erneut an."
    if kind == "UnsolicitedResponse":
        return "Die Antwort Ihres Servicekontos gehört zu keiner Anmeldung, die hier begonnen wurde."
    if kind.startswith("Status"):
        return "Ihr Servicekonto hat die Anmeldung nicht bestätigt."
    return "Die Antwort Ihres Servicekontos konnte nicht geprüft werden und wurde abgelehnt."


def _level(answer) -> str | None:
    levels = [LEVEL_OF_CLASS_REF.get(ref) for ref, *_ in answer.authn_info()]
    known = [lvl for lvl in levels if lvl]
    return min(known, key=TRUST_LEVELS.index) if known and len(known) == len(levels) else None


def _expiry(assertion) -> datetime:
    """The latest moment the assertion could still be accepted: its validity plus our clock skew."""
    from saml2.time_util import str_to_time

    moments = [assertion.conditions.not_on_or_after] if assertion.conditions else []
    moments += [sc.subject_confirmation_data.not_on_or_after for sc in assertion.subject.subject_confirmation
                if sc.subject_confirmation_data is not None]
    stamps = [datetime(*str_to_time(m)[:6], tzinfo=UTC) for m in moments if m]
    latest = max(stamps) if stamps else datetime.now(UTC)
    return latest.replace(microsecond=0) + _skew()


def _skew():
    from datetime import timedelta

    return timedelta(seconds=CLOCK_SKEW_SECONDS)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def identity_of(assertion, attribute_map: dict[str, str]) -> dict[str, str]:
    """The attributes of the assertion as identity keys: first value, bounded, without control characters."""
    identity: dict[str, str] = {}
    for statement in assertion.attribute_statement:
        for attribute in statement.attribute:
            key = attribute_map.get(attribute.name) or attribute_map.get(attribute.friendly_name or "")
            values = [v.text.strip() for v in attribute.attribute_value if v.text and v.text.strip()]
            if key is None or not values or len(values[0]) > MAX_ATTRIBUTE_CHARS or _CONTROL.search(values[0]):
                continue
            identity[key] = values[0]
    if "birth_date" in identity:
        identity["birth_date"] = _iso_date(identity["birth_date"])
    return {k: v for k, v in identity.items() if v}


def _iso_date(value: str) -> str:
    """The eID gives YYYY-MM-DD or YYYYMMDD; anything else is not used to fill a form."""
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""


def citizen_id(issuer: str, subject: str) -> str:
    """A stable id for the person at this identity provider (drafts and cases belong to it)."""
    return "saml:" + hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()[:40]


