"""Output targets never destroy an input, each other, a device or a pipe (issue 12)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import GOLDEN, ROOT

IMAGE = GOLDEN / "win11_24h2_multi.wim"
RESTORE = {"@odata.type": "#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration",
           "id": "t_WindowsRestore", "state": "enabled"}


@pytest.fixture
def inputs(tmp_path):
    image = tmp_path / "install.wim"
    image.write_bytes(IMAGE.read_bytes())
    export = tmp_path / "export"
    export.mkdir()
    (export / "restore.json").write_text(json.dumps(RESTORE))
    ledger = tmp_path / "waivers.toml"
    ledger.write_text("")
    return image, export, ledger


def snapshot(*paths: Path) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mode) for p in paths}


@pytest.mark.parametrize("which", ["image", "export file", "waiver ledger", "link to the image"])
def test_a_target_that_is_an_input_is_refused(cli, inputs, tmp_path, which):
    image, export, ledger = inputs
    link = tmp_path / "report.json"
    link.symlink_to(image)
    target = {"image": image, "export file": export / "restore.json", "waiver ledger": ledger,
              "link to the image": link}[which]
    before = snapshot(image, export / "restore.json", ledger)
    result = cli("check", image, "--no-deep", "--intune", export, "--waivers", ledger, "-o", f"json={target}")
    assert result.code == 2 and "is an input of this run; refusing to overwrite it" in result.err
    assert result.err.count("\n") == 1 and snapshot(image, export / "restore.json", ledger) == before
    assert link.is_symlink()


def test_render_and_attest_never_overwrite_the_manifest(cli, inputs, tmp_path):
    image, _, _ = inputs
    manifest = tmp_path / "m.json"
    cli("check", image, "--no-deep", "-o", f"json={manifest}")
    before = manifest.read_bytes()
    assert cli("render", manifest, "-o", f"sarif={manifest}").code == 2
    assert cli("attest", manifest, "-o", manifest).code == 2
    assert cli("attest", manifest, "-o", image).code == 2
    assert manifest.read_bytes() == before


def test_two_formats_to_one_file_or_to_stdout_are_refused(cli, inputs, tmp_path):
    image, _, _ = inputs
    same = cli("check", image, "--no-deep", "-o", f"json={tmp_path / 'x'}", "-o", f"sarif={tmp_path / 'x'}")
    assert same.code == 2 and "is the target of both -o json and -o sarif" in same.err
    assert not (tmp_path / "x").exists()
    both = cli("check", image, "--no-deep", "-o", "json", "-o", "sarif")
    assert both.code == 2 and "would all go to stdout" in both.err and both.out == ""


def test_new_files_get_the_umask_mode_and_existing_files_keep_theirs(cli, inputs, tmp_path):
    image, _, _ = inputs
    old = os.umask(0o027)
    try:
        cli("check", image, "--no-deep", "-o", f"json={tmp_path / 'new.json'}")
        kept = tmp_path / "kept.json"
        kept.write_text("{}")
        kept.chmod(0o604)
        cli("check", image, "--no-deep", "-o", f"json={kept}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and json.loads(kept.read_text())["schema"]


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, **kw)


def test_devices_are_written_through_never_replaced():
    result = run("check", str(IMAGE), "--no-deep", "-o", "json=/dev/stdout")
    assert json.loads(result.stdout)["schema"] == "oobe-ready/manifest/v1"
    full = run("check", str(IMAGE), "--no-deep", "-o", "json=/dev/full")
    assert full.returncode == 2 and "/dev/full: cannot write (No space left on device)" in full.stderr
    for device in ("/dev/full", "/dev/null"):
        assert stat.S_ISCHR(os.stat(device).st_mode), device
    assert os.path.islink("/dev/stdout") or stat.S_ISCHR(os.lstat("/dev/stdout").st_mode)


def test_a_pipe_without_a_reader_is_refused_at_once_and_one_with_a_reader_is_written(tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    lonely = run("check", str(IMAGE), "--no-deep", "-o", f"json={fifo}")
    assert lonely.returncode == 2 and "cannot write (No such device or address)" in lonely.stderr
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(Path(fifo).read_bytes()))
    reader.start()
    import time

    time.sleep(0.2)  # the reader is waiting on the pipe
    assert run("check", str(IMAGE), "--no-deep", "-o", f"json={fifo}").returncode in (0, 1, 3)
    reader.join(10)
    assert json.loads(got[0])["schema"] == "oobe-ready/manifest/v1" and stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_exit_code_is_the_verdict_even_when_stdout_closes_early(fmt):
    """`check ... | head -1`: the reader goes away after one line; the verdict still decides."""
    lxd = str(GOLDEN / "win10_install_lxd_mirror.wim")  # 3 x 11 indexes: more output than a pipe holds
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "check", lxd, lxd, lxd, "--no-deep", "--fail-on",
                             "warning", "-o", fmt], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert b"Traceback" not in err and b"Exception ignored" not in err
