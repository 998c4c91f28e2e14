"""Where a snapshot signs in and reads Graph: the cloud's endpoints (facts/clouds.py), unless
OOBE_READY_LOGIN_URL and OOBE_READY_GRAPH_URL point a run at another host (a proxy, or the tests'
loopback Graph)."""

from __future__ import annotations

import os

from toolkit.facts.clouds import CLOUDS


def endpoints(cloud: str) -> tuple[str, str]:
    """(sign-in authority host, Graph base URL) for the cloud, overrides applied."""
    login, graph = CLOUDS[cloud]
    return (os.environ.get("OOBE_READY_LOGIN_URL", "").rstrip("/") or login,
            os.environ.get("OOBE_READY_GRAPH_URL", "").rstrip("/") or graph)
