"""Issue 18 (native Windows, part 4): no Unix-only module or call on any path. The CLI runs in a process
where what Windows lacks is taken away (`resource`, `fcntl`, `signal.SIGALRM`/`setitimer`/`SIGXFSZ`,
`os.killpg`, `os.setsid`, `os.fchmod`): inspect, check with deep inspection through the directory
backend and through wimlib, and every output format work there, and the size cap still stops a tool."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLDEN, require_tool

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_UNIX = """
import os, signal, sys
sys.modules["resource"] = None
sys.modules["fcntl"] = None
for name in ("SIGALRM", "setitimer", "SIGXFSZ"):
    if hasattr(signal, name):
        delattr(signal, name)
for name in ("killpg", "setsid", "fchmod"):
    if hasattr(os, name):
        delattr(os, name)
from toolkit.cli import main
main(sys.argv[1:])
"""
FORMATS = ("json", "sarif", "junit", "markdown", "html", "github", "azure")


def without_unix(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_UNIX, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                                       "OOBE_READY_AS_OF": "2026-11-21", "HOME": str(cwd)})


def test_check_of_an_offline_directory_and_every_format(tmp_path):
    outputs = [x for fmt in FORMATS for x in ("-o", f"{fmt}={tmp_path / ('out.' + fmt)}")]
    run = without_unix("check", GOLDEN / "offline_win11_25h2", "--intune", GOLDEN / "intune" / "ready",
                       *outputs, "-o", "table", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]  # the ready offline installation and tenant
    manifest = json.loads((tmp_path / "out.json").read_text())
    assert manifest["summary"]["exit_code"] == run.returncode
    deep = manifest["subjects"][0]["facts"]["deep"]
    assert deep["backend"] == "directory" and deep["current_version"]["CurrentBuild"] == "26200"
    assert all((tmp_path / f"out.{fmt}").stat().st_size > 100 for fmt in FORMATS)
    assert run.stdout.startswith(manifest["summary"]["verdict"].upper())


def test_inspect_and_deep_inspection_through_wimlib(tmp_path):
    require_tool("wimlib-imagex")
    wim = GOLDEN / "win11_24h2_multi.wim"
    plain = without_unix("inspect", wim, "-o", "json", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr[-3000:]
    deep = without_unix("inspect", "--deep", wim, "-o", "json", cwd=tmp_path)
    assert deep.returncode == 0, deep.stderr[-3000:]
    images = json.loads(deep.stdout)["sources"][0]["images"]
    assert [i["deep"]["current_version"]["EditionID"] for i in images] == ["Enterprise", "Education", "Professional"]


def test_the_size_cap_without_rlimit(tmp_path, monkeypatch):
    """With no RLIMIT_FSIZE, the watchdog stops a tool whose output file grows past the cap."""
    from toolkit.sources.extract import process

    monkeypatch.setattr(process, "resource", None)
    writer = ("import sys, time\nf = open(sys.argv[1], 'wb')\nfor _ in range(200):\n"
              "    f.write(b'x' * 65536); f.flush(); time.sleep(0.02)\n")
    out = tmp_path / "dest"
    out.mkdir()
    with pytest.raises(process.ExtractionError, match="larger than the 1048576-byte limit"):
        process.run_tool([sys.executable, "-c", writer, str(out / "big.bin")], timeout=30,
                         fsize_limit=1024 * 1024, watch=out)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    small = process.run_tool([sys.executable, "-c", "print('ok')"], timeout=30, fsize_limit=1024, watch=fresh)
    assert small.returncode == 0 and small.stdout.strip() == "ok"


def test_tools_in_their_windows_install_folders(tmp_path, monkeypatch):
    from toolkit.sources.extract import find_tool

    (tmp_path / "7-Zip").mkdir()
    (tmp_path / "7-Zip" / "7z.exe").write_bytes(b"MZ")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path))
    assert find_tool("7z") is None  # not Windows: PATH only
    monkeypatch.setattr("os.name", "nt")
    assert find_tool("7z") == str(tmp_path / "7-Zip" / "7z.exe")
    assert find_tool("wimlib-imagex") is None


def test_an_iso_and_a_virtual_disk(tmp_path):
    """The ISO reader's parse timer and the disk readers need nothing Unix-only."""
    run = without_unix("inspect", GOLDEN / "win11_25h2_media.iso", GOLDEN / "win11_25h2.vhdx", "-o", "json",
                       cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    kinds = [(s["kind"], s["images"][0]["build_ubr"]) for s in json.loads(run.stdout)["sources"]]
    assert kinds == [("wim", "26100.9168"), ("wim", "26100.4946"), ("vhdx", "26200.9168")]
