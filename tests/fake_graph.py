"""A loopback Microsoft Graph and Entra token endpoint over HTTPS, serving real object shapes (the golden
tenant export) for `oobe-ready snapshot`: paging, throttling (429 + Retry-After), a 403 for a kind, 404s,
and the OAuth token and OpenID configuration documents MSAL reads. No test reaches the internet."""

from __future__ import annotations

import datetime
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, unquote, urlparse

TOKEN = "fake-graph-token"
OIDC_REQUEST_TOKEN = "fake-actions-request-token"
TENANT = "2f9d6e5a-6c1b-4c8e-9a47-5d3c1b2a0f11"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (the client trusts it through its CA bundle)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class Tenant:
    """What the fake serves: collections by Graph path, assignments by object id, groups by id."""

    collections: dict[str, list[dict]] = field(default_factory=dict)
    assignments: dict[str, list[dict]] = field(default_factory=dict)
    singles: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)
    forbidden: set[str] = field(default_factory=set)    # paths answered 403
    throttle: dict[str, int] = field(default_factory=dict)  # path -> 429s (or throttle_status) before the answer
    throttle_status: int = 429
    raw: dict[str, bytes] = field(default_factory=dict)  # path -> a 200 body sent as it is
    page_size: int = 1
    requests: list[str] = field(default_factory=list)
    token_requests: list[dict] = field(default_factory=list)
    oidc_requests: list[str] = field(default_factory=list)  # GitHub's OIDC token endpoint: the audiences asked


class FakeGraph:
    def __init__(self, tenant: Tenant, folder: Path) -> None:
        self.tenant = tenant
        self.cert, key = make_certificate(folder)
        handler = type("Handler", (_Handler,), {"tenant": tenant, "fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGraph:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def env(self) -> dict[str, str]:
        """Point a run at this fake, trusting its certificate (httpx: SSL_CERT_FILE; MSAL's requests:
        REQUESTS_CA_BUNDLE)."""
        return {"OOBE_READY_GRAPH_URL": self.url, "OOBE_READY_LOGIN_URL": self.url,
                "SSL_CERT_FILE": str(self.cert), "REQUESTS_CA_BUNDLE": str(self.cert)}


class _Handler(BaseHTTPRequestHandler):
    tenant: Tenant
    fake: FakeGraph

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # the OAuth 2.0 token endpoint
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.tenant.token_requests.append(form)
        if urlparse(self.path).path.endswith("/oauth2/v2.0/token"):
            if form.get("grant_type") == "client_credentials" and form.get("client_secret") != "s3cret" \
                    and "client_assertion" not in form:
                return self._send(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid "
                                                                                         "client secret provided."})
            return self._send(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": TOKEN})
        if urlparse(self.path).path.endswith("/oauth2/v2.0/devicecode"):
            return self._send(200, {"device_code": "dc-1", "user_code": "FAKE-CODE", "expires_in": 900, "interval": 1,
                                    "verification_uri": "https://microsoft.com/devicelogin",
                                    "message": "To sign in, use a web browser to open the page "
                                               "https://microsoft.com/devicelogin and enter the code FAKE-CODE."})
        return self._send(404, {"error": "not_found"})

    def do_GET(self) -> None:
        parsed = urlparse(self.path)
        path = unquote(parsed.path)
        if path.endswith("/v2.0/.well-known/openid-configuration"):
            base = f"{self.fake.url}/{TENANT}"
            return self._send(200, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                                    "issuer": f"{self.fake.url}/{TENANT}/v2.0"})
        if path == "/_actions/oidc":  # GitHub Actions' ID token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)
            if self.headers.get("Authorization") != f"Bearer {OIDC_REQUEST_TOKEN}":
                return self._send(401, {"message": "Bad credentials"})
            self.tenant.oidc_requests.append(dict(parse_qsl(parsed.query)).get("audience", ""))
            return self._send(200, {"count": 1, "value": f"github-oidc-{len(self.tenant.oidc_requests)}"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            error = {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}
            return self._send(401, {"error": error})
        params = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k != "$skiptoken"]
        key = path + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
        self.tenant.requests.append(key)
        if key in self.tenant.raw:
            body = self.tenant.raw[key]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if self.tenant.throttle.get(key, 0) > 0:
            self.tenant.throttle[key] -= 1
            return self._send(self.tenant.throttle_status,
                              {"error": {"code": "TooManyRequests", "message": "Too many requests"}},
                              {"Retry-After": "0"})
        if any(key.startswith(f) for f in self.tenant.forbidden):
            return self._send(403, {"error": {"code": "Authorization_RequestDenied",
                                              "message": "Insufficient privileges to complete the operation."}})
        if key in self.tenant.collections:
            items = self.tenant.collections[key]
            skip = int(parse_qs(parsed.query).get("$skiptoken", ["0"])[0])
            page = {"@odata.context": f"{self.fake.url}/$metadata", "value": items[skip:skip + self.tenant.page_size]}
            if skip + self.tenant.page_size < len(items):
                separator = "&" if "?" in key else "?"
                page["@odata.nextLink"] = f"{self.fake.url}{key}{separator}$skiptoken={skip + self.tenant.page_size}"
            return self._send(200, page)
        if path.endswith("/assignments"):
            object_id = path.split("/")[-2]
            if object_id.endswith("_WindowsRestore"):  # Graph: the tenant-wide setting is not targetable
                return self._send(400, {"error": {"code": "BadRequest", "message": "Not supported"}})
            return self._send(200, {"value": self.tenant.assignments.get(object_id, [])})
        if key in self.tenant.singles:
            return self._send(200, self.tenant.singles[key])
        if path.startswith("/v1.0/groups/"):
            group = self.tenant.groups.get(path.rsplit("/", 1)[1])
            if group:
                return self._send(200, group)
        return self._send(404, {"error": {"code": "Request_ResourceNotFound", "message": f"{path} not found"}})
