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
    shot = tmp_path / "report.png"
    done = chromium("--window-size=1280,1600", f"--screenshot={shot}", report.as_uri(), cwd=tmp_path)
    assert done.returncode == 0 and shot.stat().st_size > 20_000, done.stderr[-2000:]
    # the inline stylesheet applied: the verdict banner is painted in the verdict's colour
    assert pixel(shot.read_bytes(), 200, 40) == banner
