"""`catalog update` against a loopback server serving recorded real MSRC CVRF responses, the
air-gapped import, and what an updated or stale catalog makes of an image (issue 13)."""

from __future__ import annotations

import json
import lzma
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import GOLDEN, ROOT

RECORDED = Path(__file__).parent / "samples" / "msrc"
API = "/cvrf/v3.0/"
EOL = "/endoflife/api/"


class Recorded(BaseHTTPRequestHandler):
    """Serves the recorded responses; `faults` maps a path to the statuses to give before the body."""

    routes: ClassVar[dict[str, bytes]] = {}
    faults: ClassVar[dict[str, list[int]]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        pending = self.faults.get(self.path)
        if pending:
            self.send_response(pending.pop(0))
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def endoflife_api(page: str) -> bytes:
    """endoflife.date's API response for a product, from the product page it is generated from."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_catalog", ROOT / "scripts" / "build_catalog.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    cycles = build.parse_eol(Path(__file__).parent / "samples" / "endoflife" / page)
    return json.dumps([{"cycle": name, "releaseDate": c.get("releaseDate"), "eol": c.get("eol", False),
                        "support": c.get("eoas", False), "extendedSupport": c.get("eoes", False),
                        "latest": c.get("latest"), "lts": c.get("lts") == "true"}
                       for name, c in cycles.items()]).encode()


@pytest.fixture
def msrc():
    Recorded.routes = {API + "updates": (RECORDED / "updates.json").read_bytes(),
                       API + "cvrf/2026-Jun": lzma.decompress((RECORDED / "2026-Jun.xml.xz").read_bytes()),
                       API + "cvrf/2026-Jul": lzma.decompress((RECORDED / "2026-Jul.xml.xz").read_bytes()),
                       EOL + "windows.json": endoflife_api("windows.md"),
                       EOL + "windows-server.json": endoflife_api("windows-server.md")}
    Recorded.faults, Recorded.seen = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{API}", Recorded
    # every update here also reads lifecycle dates from this server, never the internet
    server.shutdown()
    server.server_close()


@pytest.fixture
def may_catalog(tmp_path, monkeypatch) -> Path:
    """An installation whose shipped catalog is the real one as it was on 2026-05-20 (updates released
    after that day removed); returns where `catalog update` writes the user catalog."""
    import os

    from toolkit.catalog import Catalog

    doc = json.loads((ROOT / "manifests" / "catalog" / "windows-releases.json").read_text())
    doc["as_of"] = "2026-05-20"
    for branch in doc["branches"]:
        branch["updates"] = [u for u in branch["updates"] if u["date"] <= "2026-05-20"]
    shipped = tmp_path / "shipped-2026-05-20.json"
    shipped.write_text(json.dumps(doc, indent=1))
    monkeypatch.setattr("toolkit.catalog_store.shipped_catalog", lambda: Catalog.from_file(shipped))
    return Path(os.environ["OOBE_READY_DATA_DIR"]) / "windows-releases.json"


def update(cli, base: str, *args: str):
    """`catalog update` from the loopback server: MSRC documents and endoflife.date lifecycle."""
    return cli("catalog", "update", "--from", base, "--lifecycle-from", base.replace(API, EOL), *args)


def image_at(tmp_path: Path, ubr: int) -> Path:
    """The golden 24H2 media XML (index 1) at another servicing level."""
    xml = (GOLDEN / "win11_24h2_multi.xml").read_bytes().decode("utf-16")
    path = tmp_path / f"24h2_{ubr}.xml"
    xml = xml.replace("<SPBUILD>9168</SPBUILD>", f"<SPBUILD>{ubr}</SPBUILD>")
    path.write_bytes(b"\xff\xfe" + xml.encode("utf-16-le"))
    return path


def img007(cli, *args) -> dict:
    manifest = json.loads(cli("check", *args, "--index", "1", "-o", "json").out)
    return next(r for r in manifest["results"] if r["rule"] == "IMG007")


def test_update_merges_the_recorded_june_release_and_then_judges_an_image(cli, msrc, may_catalog, tmp_path):
    base, server = msrc
    image = image_at(tmp_path, 8655)  # June 2026's cumulative update for 24H2 (KB5094126)
    # with the May catalog, after July's Patch Tuesday, the image's date cannot be told
    before = img007(cli, image, "--as-of", "2026-07-20")
    assert before["outcome"] == "warn" and "newer than every update the catalog lists" in before["message"]
    result = update(cli, base, "--as-of", "2026-07-06")
    assert result.code == 0, result.err
    assert "from 1 month(s) (2026-Jun), 0 lifecycle date(s) changed; catalog as of 2026-07-06" in result.out
    # July is not due before its Patch Tuesday; lifecycle dates come from the endoflife.date mirror
    assert server.seen == [API + "updates", API + "cvrf/2026-Jun", EOL + "windows.json", EOL + "windows-server.json"]
    doc = json.loads(may_catalog.read_text())
    branch = next(b for b in doc["branches"] if b["id"] == "win11-24h2")
    assert {"ubr": 8655, "kb": "KB5094126", "date": "2026-06-09", "type": "security",
            "source": "MSRC CVRF 2026-Jun"} in branch["updates"]
    june = next(source for source in doc["sources"] if source["name"] == "MSRC CVRF 2026-Jun")
    assert june["sha256"] == "a85348a9c4f35ff3735d1487d9f7a76d9bce9ebbc6e71a830c593dfe9fbbd936"
    after = img007(cli, image, "--as-of", "2026-07-06")
    assert after["outcome"] == "pass" and "KB5094126 (2026-06-09)" in after["message"]
    shown = cli("catalog", "show").out
    assert "release catalog as of 2026-07-06 (updated)" in shown and "MSRC CVRF 2026-Jun" in shown


def test_a_partial_month_leaves_the_catalog_untouched(cli, msrc, may_catalog):
    base, _ = msrc
    assert not may_catalog.exists()
    result = update(cli, base, "--as-of", "2026-07-20")  # July's Patch Tuesday is due
    assert result.code == 2 and "2026-Jul lists no Windows cumulative update yet (a partial month)" in result.err
    assert not may_catalog.exists()


@pytest.mark.parametrize("fault, code, message", [
    ([503, 503], 0, None),                      # retried, then served
    ([404], 2, "HTTP 404; the catalog was not changed"),
    ([500, 500, 500, 500], 2, "HTTP 500; the catalog was not changed"),
])
def test_server_errors_are_retried_or_refused_cleanly(cli, msrc, may_catalog, fault, code, message):
    base, server = msrc
    server.faults[API + "cvrf/2026-Jun"] = list(fault)
    result = update(cli, base, "--as-of", "2026-07-06")
    assert result.code == code, result.err
    if message:
        assert message in result.err and not may_catalog.exists()


def test_a_malformed_document_is_refused(cli, msrc, may_catalog):
    base, server = msrc
    server.routes[API + "cvrf/2026-Jun"] = b"<cvrf:cvrfdoc><broken"
    result = update(cli, base, "--as-of", "2026-07-06")
    assert result.code == 2 and "cvrf/2026-Jun" in result.err and "not well-formed" in result.err


def test_an_unreachable_server_is_one_line_and_changes_nothing(cli, may_catalog):
    result = cli("catalog", "update", "--from", "http://127.0.0.1:9/cvrf/v3.0/", "--lifecycle-from",
                 "http://127.0.0.1:9/endoflife/api/", "--as-of", "2026-07-06")
    assert result.code == 2 and result.err.count("\n") == 1 and "the catalog was not changed" in result.err


def test_air_gapped_import_and_pinning(cli, msrc, tmp_path, may_catalog):
    base, _ = msrc
    assert update(cli, base, "--as-of", "2026-07-06").code == 0  # on a connected host
    saved = tmp_path / "catalog-from-the-build-server.json"
    saved.write_bytes(may_catalog.read_bytes())
    may_catalog.unlink()  # the air-gapped agent: only the shipped catalog
    assert "(shipped)" in cli("catalog", "show").out
    result = cli("catalog", "update", "--from", saved)
    assert result.code == 0 and "imported" in result.out and may_catalog.read_bytes() == saved.read_bytes()
    manifest = json.loads(cli("check", GOLDEN / "win11_24h2_multi.xml", "-o", "json").out)
    assert manifest["catalog"]["source"] == "updated" and manifest["catalog"]["as_of"] == "2026-07-06"
    shipped = ROOT / "manifests" / "catalog" / "windows-releases.json"
    pinned = json.loads(cli("check", GOLDEN / "win11_24h2_multi.xml", "--catalog", shipped, "-o", "json").out)
    assert pinned["catalog"]["source"] == "pinned" and pinned["catalog"]["as_of"] == "2026-08-12"
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "oobe-ready/catalog/v1", "as_of": "x"}')
    result = cli("catalog", "update", "--from", broken)
    assert result.code == 2 and "not a valid release catalog" in result.err


def test_a_stale_catalog_names_the_months_it_lacks(cli):
    """The image carries the newest update the shipped catalog knows (August 2026); three Patch Tuesdays
    later IMG007 fails and names November, and the catalog's age is said plainly everywhere."""
    result = cli("check", GOLDEN / "win11_24h2_multi.xml", "--index", "1", "--as-of", "2026-11-21", "-o", "json")
    manifest = json.loads(result.out)
    check = next(r for r in manifest["results"] if r["rule"] == "IMG007")
    assert check["outcome"] == "fail"
    assert "the November 2026 security update (Patch Tuesday 2026-11-10)" in check["message"]
    assert "oobe-ready catalog update" in check["remediation"][0]
    assert manifest["catalog"]["missing_patch_tuesdays"] == ["2026-09-08", "2026-10-13", "2026-11-10"]
    table = cli("check", GOLDEN / "win11_24h2_multi.xml", "--index", "1", "--as-of", "2026-11-21").out
    assert "catalog 2026-08-12 (shipped)" in " ".join(table.splitlines()[:2])  # the settings, first
    assert "predates 3 Patch Tuesday(s)" in table
    # the day after the catalog was collected, the same image is current
    assert img007(cli, GOLDEN / "win11_24h2_multi.xml", "--as-of", "2026-08-20")["outcome"] == "pass"


def test_lifecycle_dates_are_refreshed_from_endoflife_date(cli, msrc, may_catalog, tmp_path, monkeypatch):
    """A catalog holding a wrong end date for 24H2 Home/Pro gets endoflife.date's (2026-10-13); 26H2,
    which the recorded data does not list yet, keeps the date the catalog has."""
    from toolkit.catalog import Catalog

    base, _ = msrc
    doc = json.loads((ROOT / "manifests" / "catalog" / "windows-releases.json").read_text())
    branch = next(b for b in doc["branches"] if b["id"] == "win11-24h2")
    branch["lifecycle"]["home_pro"] = "2030-01-01"
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(doc))
    monkeypatch.setattr("toolkit.catalog_store.shipped_catalog", lambda: Catalog.from_file(wrong))
    result = update(cli, base, "--as-of", "2026-08-20")
    assert result.code == 0 and "1 lifecycle date(s) changed" in result.out, result.err
    updated = json.loads(may_catalog.read_text())
    dates = {b["id"]: b["lifecycle"] for b in updated["branches"]}
    assert dates["win11-24h2"]["home_pro"] == "2026-10-13"
    assert dates["win11-26h2"] == {"home_pro": "2028-10-10", "enterprise_education": "2029-10-09"}
    assert dates["win10-22h2"]["esu"] == "2028-10-10"
