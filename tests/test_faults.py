"""Faults: a backend that hangs or dies, a full disk, Ctrl-C, a missing split part, an encrypted ESD.

Each ends in its documented exit code with one clear line, and leaves no temporary file behind.
The misbehaving backend is a stand-in `wimlib-imagex` script put first on PATH.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import GOLDEN, ROOT, require_tool, with_xml

IMAGE = GOLDEN / "win11_24h2_multi.wim"
VERSION = '[ "$1" = --version ] && echo "wimlib-imagex 1.13.5 (fake)" && exit 0\n'
HANG = VERSION + "echo $$ > {marker}\nexec sleep 300\n"
DIE = VERSION + 'for a in "$@"; do case "$a" in --dest-dir=*) d="${{a#--dest-dir=}}";; esac; done\n' \
      '[ -n "$d" ] && mkdir -p "$d/Windows" && head -c 100 /dev/zero > "$d/Windows/partial"\n' \
      'echo "[ERROR] simulated crash" >&2\nkill -KILL $$\n'


def fake_backend(tmp_path: Path, body: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "wimlib-imagex"
    tool.write_text("#!/bin/sh\n" + body.format(marker=tmp_path / "tool.pid"))
    tool.chmod(0o755)
    return bin_dir


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """TMPDIR for the run, so the test can see that nothing is left in it."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def svc(manifest: dict) -> list[dict]:
    return [r for r in manifest["results"] if r["rule"].startswith("SVC")]


@pytest.mark.parametrize("index", ["1", None])  # one index (no listing) and every index (listing in threads)
def test_a_hanging_backend_times_out(cli, tmp_path, monkeypatch, private_tmp, index):
    monkeypatch.setenv("PATH", f"{fake_backend(tmp_path, HANG)}:{os.environ['PATH']}")
    monkeypatch.setattr("toolkit.sources.extract.wimlib.EXTRACT_TIMEOUT", 0.3)
    monkeypatch.setattr("toolkit.sources.extract.wimlib.LIST_TIMEOUT", 0.3)
    started = time.monotonic()
    result = cli("check", IMAGE, *(("--index", index) if index else ()), "-o", "json")
    assert time.monotonic() - started < 20
    assert result.code == 3, result.err
    import json

    outcomes = svc(json.loads(result.out))
    assert outcomes and all(r["outcome"] == "not-evaluated" and "timed out after 0.3 s" in r["message"]
                            for r in outcomes)
    assert list(private_tmp.iterdir()) == []


def test_a_backend_dying_mid_extraction_is_not_evaluated(cli, tmp_path, monkeypatch, private_tmp):
    import json

    monkeypatch.setenv("PATH", f"{fake_backend(tmp_path, DIE)}:{os.environ['PATH']}")
    result = cli("check", IMAGE, "--index", "1", "-o", "json")
    assert result.code == 3
    outcomes = svc(json.loads(result.out))
    assert outcomes and all(r["outcome"] == "not-evaluated" for r in outcomes)
    assert outcomes[0]["message"].endswith("extract failed: [ERROR] simulated crash (killed by SIGKILL)"), outcomes[0]
    assert list(private_tmp.iterdir()) == []


NAME = "\u30c6" * 100 + ".xml"  # 100 NTFS characters, 300 bytes in UTF-8: over Linux's 255-byte name limit
BAD_NAME = VERSION + ("cat >&2 <<'END'\n"  # what wimlib prints when the file system refuses a name
                      f'[ERROR] Can\'t create regular file "/tmp/x/Windows/Panther/{NAME}": File name too long\n'
                      "ERROR: Exiting with error code 4:\n       Failed to create a file.\nEND\nexit 4\n")


def test_a_name_the_backend_cannot_extract_is_named(cli, tmp_path, monkeypatch, private_tmp):
    import json

    monkeypatch.setenv("PATH", f"{fake_backend(tmp_path, BAD_NAME)}:{os.environ['PATH']}")
    result = cli("check", IMAGE, "--index", "1", "-o", "json")
    assert result.code == 3
    message = svc(json.loads(result.out))[0]["message"]
    assert f"Windows/Panther/{NAME}" in message and "File name too long" in message
    assert message.endswith("(Failed to create a file.)")


def run_cli(*args: str, env: dict | None = None, preexec=None, **kw) -> subprocess.Popen:
    def child() -> None:
        # Ctrl-C as at a terminal: a suite started as a background job (`pytest &`) hands its children
        # SIGINT ignored, and a program rightly keeps an ignored SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if preexec is not None:
            preexec()

    return subprocess.Popen([sys.executable, "-m", "toolkit", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                            **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}, text=True,
                            preexec_fn=child)


@pytest.mark.parametrize("index", ["1", None])
def test_ctrl_c_during_extraction_exits_130_and_cleans_up(tmp_path, index):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    bin_dir = fake_backend(tmp_path, HANG)
    proc = run_cli("check", str(IMAGE), *(("--index", index) if index else ()),
                   env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(scratch)})
    marker = tmp_path / "tool.pid"
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text().strip()):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    tool_pid = int(marker.read_text())
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "oobe-ready: interrupted" and "Traceback" not in err
    assert list(scratch.iterdir()) == []
    assert not running(tool_pid)  # the tool was killed with the run


def running(pid: int) -> bool:
    """Alive and not a zombie (a killed child whose parent exited first may wait for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_disk_full_while_writing_an_output_leaves_no_partial_file(tmp_path):
    """RLIMIT_FSIZE makes every write past 16 KiB fail, as a full disk would (the report is ~28 KiB)."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    target = out_dir / "report.html"
    proc = run_cli("check", str(GOLDEN / "win11_23h2_enterprise.wim"), "--intune", str(GOLDEN / "intune" / "blocked"),
                   "--no-deep", "-o", f"html={target}", preexec=small_disk)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert err.count("\n") == 1 and str(target) in err and "cannot write" in err
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("args", [
    ("check", "--intune", str(GOLDEN / "intune" / "ready"), "-o", "json"),  # a document
    ("check", "--intune", str(GOLDEN / "intune" / "ready")),                # the table, drawn on the terminal
    ("inspect", str(GOLDEN / "win11_24h2_multi.wim")),
    ("rules", "-o", "json"),
    ("config",),
    ("config", "-o", "json"),
])
def test_stdout_on_a_full_disk_is_one_line_and_exit_2(args):
    """stdout redirected to a full disk is an output that cannot be written, as a FILE target would be:
    one line naming it, exit 2; not an internal error (exit 4)."""
    with open("/dev/full", "w") as full:
        proc = run_cli(*args, stdout=full)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert err == "oobe-ready: error: <stdout>: cannot write (No space left on device)\n"


def test_split_set_with_a_missing_part_is_incomplete_with_one_line(cli, deep_tools, tmp_path):
    import json
    import shutil

    for n in ("", "2"):
        shutil.copy(GOLDEN / f"win11_24h2_split{n}.swm", tmp_path)
    result = cli("check", tmp_path / "win11_24h2_split.swm", "-o", "json")
    assert result.code == 3
    messages = {r["message"] for r in svc(json.loads(result.out))}
    assert len(messages) == 1 and "part(s) 3 of 3 not found" in messages.pop()


def test_encrypted_esd_is_incomplete_and_says_how_to_fix(cli, deep_tools, tmp_path):
    import json

    from conftest import xml_of

    wim = (GOLDEN / "win11_24h2.esd").read_bytes()
    xml = xml_of(wim).decode("utf-16-le").replace("</WIM>", "<ESD><ENCRYPTED>1</ENCRYPTED></ESD></WIM>")
    esd = tmp_path / "encrypted.esd"
    esd.write_bytes(with_xml(wim, xml.encode("utf-16-le")))
    result = cli("check", esd, "-o", "json")
    assert result.code == 3, result.err
    outcomes = svc(json.loads(result.out))
    assert outcomes and all("encrypted segments; decrypt it before deep inspection" in r["message"]
                            for r in outcomes)
    assert "encrypted" in cli("inspect", esd).out


@pytest.fixture(scope="module")
def large_image(tmp_path_factory) -> Path:
    """A real WIM whose SOFTWARE hive takes wimlib a second or more to extract (480 MiB of zeros)."""
    wimlib = require_tool("wimlib-imagex")
    root = tmp_path_factory.mktemp("large")
    config = root / "tree/Windows/System32/config"
    config.mkdir(parents=True)
    with (config / "SOFTWARE").open("wb") as fh:
        fh.truncate(480 * 1024 * 1024)
    subprocess.run([wimlib, "capture", str(root / "tree"), str(root / "large.wim"), "Windows 11 Enterprise",
                    "--compress=fast"], check=True, capture_output=True)
    (config / "SOFTWARE").unlink()
    return root / "large.wim"


def _tools_running(image: Path) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"wimlib-imagex") and str(image).encode() in cmdline:
            found.append(int(pid))
    return found


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c_with_a_real_backend(large_image, tmp_path, signum, code):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = run_cli("check", str(large_image), "-o", "json", env={"TMPDIR": str(scratch)})
    deadline = time.monotonic() + 30
    while not _tools_running(large_image):  # wimlib is extracting the hive
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert err.strip().endswith(f"oobe-ready: stopped by {signal.Signals(signum).name}")
    assert list(scratch.iterdir()) == []
    time.sleep(0.2)
    assert _tools_running(large_image) == []


def test_a_tool_starting_while_the_run_stops_is_killed_not_missed():
    from toolkit.sources.extract.process import ExtractionError, allow_tools, run_tool, stop_running_tools

    stop_running_tools()
    try:
        started = time.monotonic()
        with pytest.raises(ExtractionError, match="stopped: the run is being cancelled"):
            run_tool(["sleep", "30"], timeout=60)
        assert time.monotonic() - started < 5
    finally:
        allow_tools()
