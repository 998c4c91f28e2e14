"""The HTML report in a real browser: Debian's Chromium, headless, as a reviewer would open it."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from conftest import GOLDEN, require_tool

BLOCKED = (GOLDEN / "win11_23h2_enterprise.wim", "--intune", GOLDEN / "intune" / "blocked")
READY = (GOLDEN / "win11_24h2_multi.wim", "--index", "1", "--intune", GOLDEN / "intune" / "ready")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-extensions", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND"]  # nothing may load from the network


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    browser = require_tool("chromium")
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={cwd / 'profile'}", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    """One pixel of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, _height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw, stride, prev = zlib.decompress(idat), width * bpp, bytearray(width * bpp)
    for row in range(y + 1):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        prev = line
    return tuple(prev[x * bpp:x * bpp + 3])


@pytest.mark.parametrize("args, verdict, banner", [(BLOCKED, "BLOCKED", (0xC6, 0x28, 0x28)),
                                                   (READY, "READY", (0x2E, 0x7D, 0x32))])
def test_report_renders_in_chromium(cli, deep_tools, tmp_path, monkeypatch, args, verdict, banner):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795219200")
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")  # the evaluation date
    report = tmp_path / "report.html"
    cli("check", *args, "-o", f"html={report}")
    dom = chromium("--dump-dom", report.as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert f"<h1>{verdict}</h1>" in dom.stdout and 'id="matrix"' in dom.stdout
    assert '<html lang="en" class="js">' in dom.stdout  # the inline script ran under the report's own CSP
    shot = tmp_path / "report.png"
    done = chromium("--window-size=1280,1600", f"--screenshot={shot}", report.as_uri(), cwd=tmp_path)
    assert done.returncode == 0 and shot.stat().st_size > 20_000, done.stderr[-2000:]
    # the inline stylesheet applied: the verdict banner is painted in the verdict's colour
    assert pixel(shot.read_bytes(), 200, 40) == banner


PROBE = """<script>
window.addEventListener('load', function () {
  var bad = [];
  document.querySelectorAll('article.finding, .tiles, .meta, .banner').forEach(function (card) {
    var box = card.getBoundingClientRect();
    card.querySelectorAll('*').forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) {
        bad.push(el.tagName + ' ' + (el.textContent || '').slice(0, 60));
      }
    });
  });
  var page = document.documentElement.scrollWidth <= window.innerWidth;
  var f = document.getElementById('filter');
  var shown = function () { return document.querySelectorAll('article.finding:not(.hidden)').length; };
  var all = shown();
  f.outcome.value = 'fail'; f.dispatchEvent(new Event('change'));
  var fails = shown();
  f.outcome.value = ''; f.subject.value = '#4'; f.dispatchEvent(new Event('input'));
  var index4 = shown();
  f.subject.value = 'no-such-subject'; f.dispatchEvent(new Event('input'));
  var none = shown();
  document.body.setAttribute('data-probe', JSON.stringify(
    {bad: bad.slice(0, 10), page: page, all: all, fails: fails, index4: index4, none: none}));
});
</script>"""


@pytest.mark.parametrize("width", [1400, 800])
def test_report_fits_and_filters_in_chromium(cli, deep_tools, tmp_path, monkeypatch, width):
    """The 11-edition media with the blocked tenant: at a desktop and a narrow width nothing spills out
    of its card and the page does not scroll sideways (the matrix scrolls in its own box); the filter
    works through the DOM as a reviewer uses it."""
    import json
    import re

    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")
    report = tmp_path / "report.html"
    cli("check", GOLDEN / "win10_install_lxd_mirror.wim", "--intune", GOLDEN / "intune" / "blocked",
        "-o", f"html={report}")
    html = report.read_text(encoding="utf-8")
    manifest_fails = len(re.findall(r'data-outcome="fail"', html))
    probed = tmp_path / "probed.html"  # the copy a test may script: its policy allows the probe too
    probed.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
                      .replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(f"--window-size={width},2000", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri(),
                   cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    probe = json.loads(re.search(r"data-probe=\"([^\"]+)\"", dom.stdout).group(1).replace("&quot;", '"'))
    assert probe["bad"] == [] and probe["page"], probe
    assert probe["all"] > 5 and probe["fails"] == manifest_fails and probe["none"] == 0
    assert 0 < probe["index4"] < probe["all"]
    shot = tmp_path / "report.png"
    done = chromium(f"--window-size={width},1600", f"--screenshot={shot}", report.as_uri(), cwd=tmp_path)
    assert done.returncode == 0 and shot.stat().st_size > 20_000, done.stderr[-2000:]
    assert pixel(shot.read_bytes(), 200, 40) == (0xC6, 0x28, 0x28)  # the CSP keeps the inline stylesheet
