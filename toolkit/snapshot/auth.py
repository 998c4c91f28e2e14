"""A read-only Graph token, by the sign-in a pipeline or a person has.

- token: a bearer token the pipeline already holds, from OOBE_READY_GRAPH_TOKEN.
- client-credentials: an app registration's secret (OOBE_READY_CLIENT_SECRET) or certificate
  (--certificate PEM with the private key), with MSAL.
- workload-identity: a federated credential (no secret): the token Azure or Kubernetes puts in
  AZURE_FEDERATED_TOKEN_FILE, or the one GitHub Actions issues (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN,
  audience api://AzureADTokenExchange), exchanged with MSAL as a client assertion.
- azure-cli: `az account get-access-token` of the signed-in Azure CLI.
- device-code: a person signs in on another device (MSAL public client); the code goes to stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable

from toolkit.text import brief

# Microsoft Graph Command Line Tools: Microsoft's public client for delegated Graph reads.
DEFAULT_PUBLIC_CLIENT = "14d82eec-204b-4c2f-b7e8-296a70dab67e"


class AuthError(Exception):
    """Sign-in failed: one line saying which method and why."""


def acquire_token(method: str, tenant_id: str, login: str, graph: str, client_id: str | None = None,
                  certificate: str | None = None, notice: Callable[[str], None] | None = None) -> str:
    if method == "token":
        token = os.environ.get("OOBE_READY_GRAPH_TOKEN", "").strip()
        if not token:
            raise AuthError("--auth token reads the bearer token from OOBE_READY_GRAPH_TOKEN, which is not set")
        return token.removeprefix("Bearer ").strip()
    if method == "azure-cli":
        return _azure_cli(tenant_id, graph)
    scopes = [f"{graph}/.default"]
    authority = f"{login}/{tenant_id}"
    if method == "device-code":
        return _device_code(client_id or DEFAULT_PUBLIC_CLIENT, authority, scopes, notice)
    if not client_id:
        raise AuthError(f"--auth {method} needs --client-id (the app registration's application id)")
    credential = _credential(method, certificate)
    import msal

    try:
        app = msal.ConfidentialClientApplication(client_id, client_credential=credential, authority=authority,
                                                 instance_discovery=_discovery(login))
        result = app.acquire_token_for_client(scopes=scopes)
    except (ValueError, OSError) as exc:
        raise AuthError(f"{method}: {brief(exc)}") from None
    return _token(method, result)


def _credential(method: str, certificate: str | None) -> str | dict:
    if method == "workload-identity":
        first = [_federated_assertion()]  # now: a missing one fails with its own line before any sign-in

        def assertion() -> str:  # the one just read, then a fresh one whenever MSAL asks again (they expire)
            return first.pop() if first else _federated_assertion()

        return {"client_assertion": assertion}
    if certificate:
        from toolkit.errors import read_input

        pem = read_input(certificate, 1024 * 1024, "certificate").decode("ascii", "replace")
        return {"private_key": pem, "public_certificate": pem, "thumbprint": _thumbprint(pem, certificate)}
    secret = os.environ.get("OOBE_READY_CLIENT_SECRET", "")
    if not secret:
        raise AuthError("--auth client-credentials needs OOBE_READY_CLIENT_SECRET or --certificate PEM")
    return secret


def _thumbprint(pem: str, path: str) -> str:
    import base64
    import hashlib
    import re

    match = re.search(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", pem, re.S)
    if not match:
        raise AuthError(f"--certificate {path}: holds no certificate (PEM with the certificate and its key)")
    return hashlib.sha1(base64.b64decode("".join(match.group(1).split()))).hexdigest()  # Entra's x5t is SHA-1


def _federated_assertion() -> str:
    path = os.environ.get("AZURE_FEDERATED_TOKEN_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read(64 * 1024).strip()
        except OSError as exc:
            raise AuthError(f"workload-identity: cannot read AZURE_FEDERATED_TOKEN_FILE ({exc.strerror})") from None
    url = os.environ.get("ACTIONS_ID_TOKEN_REQUEST_URL")
    request_token = os.environ.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not request_token:
        raise AuthError("workload-identity needs AZURE_FEDERATED_TOKEN_FILE, or a GitHub Actions job with "
                        "`permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN)")
    import httpx

    try:
        response = httpx.get(url, params={"audience": "api://AzureADTokenExchange"}, timeout=30.0,
                             headers={"Authorization": f"Bearer {request_token}"})
        value = response.json().get("value") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        raise AuthError(f"workload-identity: GitHub's OIDC token request failed ({brief(exc)})") from None
    if not isinstance(value, str):
        raise AuthError(f"workload-identity: GitHub's OIDC token request answered HTTP {response.status_code}")
    return value


def _azure_cli(tenant_id: str, graph: str) -> str:
    az = shutil.which("az")
    if not az:
        raise AuthError("--auth azure-cli needs the Azure CLI (`az`) on PATH, signed in (`az login`)")
    try:
        done = subprocess.run([az, "account", "get-access-token", "--resource", graph, "--tenant", tenant_id,
                               "--output", "json"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuthError(f"azure-cli: {brief(exc)}") from None
    try:
        token = json.loads(done.stdout).get("accessToken") if done.returncode == 0 else None
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise AuthError(f"azure-cli: `az account get-access-token` failed ({brief(done.stderr) or 'no token'})")
    return token


def _device_code(client_id: str, authority: str, scopes: list[str], notice) -> str:
    import msal

    try:
        app = msal.PublicClientApplication(client_id, authority=authority,
                                           instance_discovery=_discovery(authority.rsplit("/", 1)[0]))
        flow = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            raise AuthError(f"device-code: {flow.get('error_description') or flow.get('error') or 'no code'}")
        if notice is not None:
            notice(flow["message"])
        result = app.acquire_token_by_device_flow(flow)
    except (ValueError, OSError) as exc:
        raise AuthError(f"device-code: {brief(exc)}") from None
    return _token("device-code", result)


def _discovery(login: str) -> bool:
    """MSAL checks an authority against Microsoft's instance list; another host (the override) is not on it."""
    from toolkit.facts.clouds import CLOUDS

    return login in {host for host, _ in CLOUDS.values()}


def _token(method: str, result: dict) -> str:
    token = result.get("access_token") if isinstance(result, dict) else None
    if not token:
        detail = (result or {}).get("error_description") or (result or {}).get("error") or "no token"
        raise AuthError(f"{method}: sign-in failed ({brief(detail)})")
    return token
