"""Where each Microsoft cloud's sign-in and Graph live (Microsoft Learn: national cloud deployments).

GCC uses the commercial endpoints; GCC High and DoD sign in at login.microsoftonline.us and read their
own Graph hosts; 21Vianet (china) has its own of both. OOBE_READY_LOGIN_URL and OOBE_READY_GRAPH_URL
point a run at another host (a proxy, or the tests' loopback Graph)."""

from __future__ import annotations

import os

CLOUDS = {
    "public": ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "gcc": ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "gcch": ("https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "dod": ("https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    "china": ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}


def endpoints(cloud: str) -> tuple[str, str]:
    """(sign-in authority host, Graph base URL) for the cloud, overrides applied."""
    login, graph = CLOUDS[cloud]
    return (os.environ.get("OOBE_READY_LOGIN_URL", "").rstrip("/") or login,
            os.environ.get("OOBE_READY_GRAPH_URL", "").rstrip("/") or graph)
