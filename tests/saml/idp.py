"""A real SAML identity provider on loopback for the tests: pysaml2's ``saml2.server.Server`` behind a
tiny WSGI app, served by werkzeug in a thread. It verifies the service provider's signed AuthnRequest
(HTTP-Redirect), and answers at once (no login page) for its configured person with a signed Response
(HTTP-POST form), at the level the request asks for as far as the person's means reach. ``mode`` makes
it misbehave on purpose: "forged" (another key, same entity id), "audience", "recipient"."""
from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

from processes.access import TRUST_LEVELS
from webui.auth.saml import BUNDID_ATTRIBUTES, CLASS_REF_OF_LEVEL, LEVEL_OF_CLASS_REF

ERIKA = {"given_name": "Erika", "family_name": "Mustermann", "birth_name": "Gabler", "birth_date": "1990-03-14",
         "birth_place": "Plauen", "street_address": "Bahnhofstraße 12", "postal_code": "08523", "locality": "Plauen",
         "email": "erika.mustermann@example.org"}


def write_keypair(folder: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class IdentityProvider:
    def __init__(self, folder: Path):
        self.folder = folder
        self.key_file, self.cert_file = write_keypair(folder, "idp")
        self.forger_key, self.forger_cert = write_keypair(folder, "forger")
        maps = folder / "attributemaps"
        maps.mkdir()
        to = {key: oid for oid, key in BUNDID_ATTRIBUTES.items()}
        (maps / "bundid.py").write_text(
            f"MAP = {{'identifier': 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri', 'fro': {BUNDID_ATTRIBUTES!r},"
            f" 'to': {to!r}}}\n", encoding="utf-8")
        self.attribute_maps = maps
        self.http = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.port}"
        self.entity_id = f"{self.url}/idp"
        self.metadata_url = f"{self.url}/idp/metadata"
        self.metadata_xml = self._metadata()
        self.metadata_file = folder / "idp-metadata.xml"
        self.metadata_file.write_text(self.metadata_xml, encoding="utf-8")
        self.reset()
        self._thread = threading.Thread(target=self.http.serve_forever, name="test-idp", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.person = dict(ERIKA)
        self.subject = "bpk2-erika-0001"
        self.means = "hoch"  # the strongest level the person can sign in at (eID card: hoch)
        self.answer_level: str | None = None  # set: answer at this level, whatever was asked
        self.mode: str | None = None
        self.requests: list = []  # the AuthnRequests received (verified)
        self.sigalgs: list = []  # the SigAlg of each

    def stop(self) -> None:
        self.http.shutdown()

    # --- configuration ---------------------------------------------------------------------------

    def _config(self, sp_metadata: Path | None, key_file: Path, cert_file: Path, lifetime_minutes: int = 5):
        """The assertion is valid for ``lifetime_minutes`` (conditions NotOnOrAfter)."""
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
        from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

        data = {
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "entityid": self.entity_id,
            "key_file": str(key_file),
            "cert_file": str(cert_file),
            "xmlsec_binary": shutil.which("xmlsec1"),
            "attribute_map_dir": str(self.attribute_maps),
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(f"{self.url}/idp/sso", BINDING_HTTP_REDIRECT)]},
                "want_authn_requests_signed": True,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "policy": {"default": {"lifetime": {"minutes": lifetime_minutes}, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_URI}},
            }},
        }
        if sp_metadata is not None:
            data["metadata"] = {"local": [str(sp_metadata)]}
        config = IdPConfig()
        config.load(data)
        return config

    def _metadata(self) -> str:
        from saml2.metadata import entity_descriptor

        return str(entity_descriptor(self._config(None, self.key_file, self.cert_file)))

    def trust_sp(self, sp_metadata_xml: str) -> None:
        """The SP's metadata, as its operator would hand it over (fetched from GET /saml/metadata)."""
        from saml2.server import Server

        path = self.folder / "sp-metadata.xml"
        path.write_text(sp_metadata_xml, encoding="utf-8")
        self.server = Server(config=self._config(path, self.key_file, self.cert_file))
        self.forger = Server(config=self._config(path, self.forger_key, self.forger_cert))

    # --- HTTP ------------------------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/idp/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata_xml.encode()]
        if path == "/idp/sso":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:
                page = self.answer(query)
            except Exception as err:  # noqa: BLE001  a request the IdP refuses: the test sees a 400 with the reason
                start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
                return [f"{type(err).__name__}: {err}".encode()]
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def answer(self, query: dict) -> str:
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

        parsed = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT,
                                                 relay_state=query.get("RelayState"), sigalg=query.get("SigAlg"),
                                                 signature=query.get("Signature"))
        if parsed is None or not query.get("Signature"):
            raise ValueError("unsigned AuthnRequest")
        request = parsed.message
        self.requests.append(request)
        self.sigalgs.append(query["SigAlg"])
        level = self.answer_level or self._level_for(request)
        server = self.forger if self.mode == "forged" else self.server
        acs = request.assertion_consumer_service_url
        sp = request.issuer.text
        kwargs = {}
        if self.mode == "audience":
            sp = "https://andere-behoerde.example/saml/metadata"
        if self.mode == "recipient":
            kwargs["farg"] = {"assertion": {"subject": {"subject_confirmation": {
                "method": "urn:oasis:names:tc:SAML:2.0:cm:bearer",
                "subject_confirmation_data": {"recipient": "https://andere-behoerde.example/saml/acs",
                                              "in_response_to": request.id}}}}}
        response = server.create_authn_response(
            {k: [v] for k, v in self.person.items()}, in_response_to=request.id, destination=acs, sp_entity_id=sp,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.subject),
            authn={"class_ref": CLASS_REF_OF_LEVEL[level], "authn_auth": self.entity_id},
            sign_assertion=True, sign_response=False,
            **kwargs)
        return server.apply_binding(BINDING_HTTP_POST, str(response), acs, query.get("RelayState", ""),
                                    response=True)["data"]

    def _level_for(self, request) -> str:
        """At least what was asked (comparison "minimum"), as far as the person's means reach."""
        asked = "basis"
        wanted = request.requested_authn_context
        if wanted is not None:
            asked = max((LEVEL_OF_CLASS_REF[ref.text] for ref in wanted.authn_context_class_ref),
                        key=TRUST_LEVELS.index)
        return min(asked, self.means, key=TRUST_LEVELS.index)


def post_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the auto-submitting form the IdP answers with."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
    fields = {html.unescape(name): html.unescape(value) for name, value in
              re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)}
    return action, fields
