"""A real SAML 2.0 identity provider for the SSO tests (pysaml2 with Debian's xmlsec1), served
on loopback from a thread: it signs a response for whatever email the test types in.

Without xmlsec1 the SAML test skips on a laptop; under CI=true it fails."""

import datetime
import html
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"SAML tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _key_and_certificate(folder: Path) -> tuple[Path, Path, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "talenthub-test-idp")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "idp.key", folder / "idp.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(pem)
    body = "".join(line for line in pem.decode().splitlines() if "CERTIFICATE" not in line)
    return key_path, cert_path, body


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class SamlIdentityProvider:
    """Start with `start()`, give it the SP's metadata with `trust()`, stop with `stop()`."""

    def __init__(self):
        if shutil.which("xmlsec1") is None:
            _unavailable("xmlsec1 is not installed (bin/install-test-services installs it)")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.entity_id = f"{self.base}/metadata"
        self.sso_url = f"{self.base}/sso"
        self.folder = Path(tempfile.mkdtemp(prefix="talenthub-idp-"))
        self.key_path, self.cert_path, self.certificate = _key_and_certificate(self.folder)
        self.server = None
        self.httpd = make_server("127.0.0.1", self.port, self.app, handler_class=_Quiet)

    def trust(self, sp_metadata: str) -> None:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS
        from saml2.server import Server

        metadata = self.folder / "sp.xml"
        metadata.write_text(sp_metadata, encoding="utf-8")
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {"default": {"name_form": NAME_FORMAT_BASIC}},
                    }
                },
                "key_file": str(self.key_path),
                "cert_file": str(self.cert_path),
                "metadata": {"local": [str(metadata)]},
                "xmlsec_binary": shutil.which("xmlsec1"),
                "allow_unknown_attributes": True,
            }
        )
        self.server = Server(config=config)

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def app(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "GET":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            form = (
                '<form method="post"><label>Email <input name="email"></label>'
                '<input type="hidden" name="SAMLRequest" value="{}">'
                '<input type="hidden" name="RelayState" value="{}">'
                '<button type="submit">Sign in</button></form>'
            ).format(
                html.escape(query.get("SAMLRequest", [""])[0]),
                html.escape(query.get("RelayState", [""])[0]),
            )
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [form.encode()]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        posted = parse_qs(environ["wsgi.input"].read(size).decode())
        return self._respond(posted, start_response)

    def _respond(self, posted: dict, start_response):
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID

        email = posted["email"][0]
        request = self.server.parse_authn_request(posted["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        sp_entity_id = request.message.issuer.text
        destination = request.message.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity={"uid": [email], "email": [email]},
            in_response_to=request.message.id,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_response=True,
            sign_assertion=True,
            # python3-saml rejects SHA-1 signatures (rightly).
            sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        )
        binding = self.server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            destination,
            posted.get("RelayState", [""])[0],
            response=True,
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [binding["data"].encode()]
