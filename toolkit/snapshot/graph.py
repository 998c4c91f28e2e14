"""Read-only Microsoft Graph reads: GET only, every page (@odata.nextLink), 429 and 503 retried after
their Retry-After, bounded in pages, objects, bytes and time. A refusal (401, 403, 404) is an answer
the caller records, never a crash."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import urlparse

MAX_PAGES = 1000          # pages of one collection (Graph pages hold 100-999 objects)
MAX_OBJECTS = 100_000     # objects of one collection (a large tenant: ~10,000 policies)
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
MAX_ATTEMPTS = 5          # one request, retries included
MAX_RETRY_AFTER = 60.0    # seconds one Retry-After may ask for
TIMEOUT = 60.0
RETRIED = (429, 502, 503, 504)


class GraphError(Exception):
    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Graph:
    def __init__(self, base: str, token: str, sleep: Callable[[float], None] = time.sleep,
                 progress: Callable[[str], None] | None = None) -> None:
        import httpx

        self.base, self.sleep, self.progress = base, sleep, progress
        self.origin = urlparse(base)[:2]  # (scheme, host): the only place the token goes
        self.retries = 0  # 429/503 answers waited out, for the snapshot's record
        self.client = httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={
            "Authorization": f"Bearer {token}", "Accept": "application/json",
            "ConsistencyLevel": "eventual", "User-Agent": "oobe-ready snapshot"})

    def close(self) -> None:
        self.client.close()

    def get(self, path_or_url: str) -> dict:
        """One JSON object, retried when Graph asks to wait."""
        import httpx

        url = path_or_url if path_or_url.startswith("https://") or path_or_url.startswith("http://") \
            else self.base + path_or_url
        if urlparse(url)[:2] != self.origin:  # a nextLink elsewhere, or in plain HTTP, would carry the token off
            raise GraphError(None, f"Graph pointed at another host ({urlparse(url).netloc}) or scheme; not followed")
        for attempt in range(MAX_ATTEMPTS):
            try:
                with self.client.stream("GET", url) as response:
                    if response.status_code in RETRIED and attempt < MAX_ATTEMPTS - 1:
                        self.retries += 1
                        wait = _retry_after(response.headers.get("Retry-After", ""), attempt)
                        if self.progress is not None:
                            self.progress(f"Graph answered {response.status_code}: waiting {wait:g} s")
                        self.sleep(wait)
                        continue
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_RESPONSE_BYTES:
                            raise GraphError(None, f"a response over {MAX_RESPONSE_BYTES} bytes")
                    status = response.status_code
            except httpx.HTTPError as exc:
                raise GraphError(None, f"cannot reach Graph ({type(exc).__name__}: {exc})") from None
            if status != 200:
                raise GraphError(status, f"HTTP {status}: {_graph_message(bytes(body))}")
            try:
                doc = json.loads(bytes(body))
            except ValueError:
                raise GraphError(status, "the response is not JSON") from None
            if not isinstance(doc, dict):
                raise GraphError(status, "the response is not a JSON object")
            return doc
        raise GraphError(429, f"Graph still asked to wait after {MAX_ATTEMPTS} attempts")

    def get_all(self, path: str) -> list[dict]:
        """Every object of a collection, following @odata.nextLink until it is absent."""
        objects: list[dict] = []
        url: str | None = path
        for _ in range(MAX_PAGES):
            page = self.get(url)
            value = page.get("value")
            if not isinstance(value, list):
                raise GraphError(200, "a collection without a value list")
            objects += [o for o in value if isinstance(o, dict)]
            if len(objects) > MAX_OBJECTS:
                raise GraphError(200, f"more than {MAX_OBJECTS} objects")
            url = page.get("@odata.nextLink")
            if not url:
                return objects
            if not isinstance(url, str):
                raise GraphError(200, "an @odata.nextLink that is not a URL")
        raise GraphError(200, f"more than {MAX_PAGES} pages")


def _retry_after(value: str, attempt: int) -> float:
    """Retry-After in seconds (an HTTP date is rare from Graph: then the default back-off)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = 2.0 * (attempt + 1)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _graph_message(body: bytes) -> str:
    """Graph's own error code and message ({"error": {"code", "message"}}), one line, bounded."""
    try:
        error = json.loads(body).get("error") or {}
        text = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        text = ""
    return " ".join(text.split())[:200] or "no error detail"
