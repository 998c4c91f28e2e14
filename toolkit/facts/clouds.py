"""Microsoft's clouds: where each signs in and serves Graph (Microsoft Learn: national cloud deployments).

GCC uses the commercial endpoints; GCC High and DoD sign in at login.microsoftonline.us and read their
own Graph hosts; 21Vianet (china) has its own of both. One table for the `--cloud` choices, the
snapshot's endpoints and the hosts TEN006 tells apart."""

from __future__ import annotations

CLOUDS = {  # cloud -> (sign-in authority host, Graph base URL)
    "public": ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "gcc": ("https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "gcch": ("https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "dod": ("https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    "china": ("https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}


def graph_host(cloud: str) -> str:
    """The host name of the cloud's Graph, as an export's @odata.context names it."""
    return CLOUDS[cloud][1].removeprefix("https://")
