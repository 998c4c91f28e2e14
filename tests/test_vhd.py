"""Virtual disks: the Windows volume of a VHD or VHDX read as the offline installation it holds.

The committed disks (golden_images/build.py) hold win11_25h2_enterprise.wim applied to an NTFS volume
by wimlib's NTFS-3G mode, as offline_win11_25h2/ holds it applied to a directory; so each must give
the facts and the verdict of that directory. Other shapes are built here with the same real tools.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLDEN, golden_build, require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import InputError
from toolkit.sources.images import read_image_source

DIRECTORY = GOLDEN / "offline_win11_25h2"
VHDX = GOLDEN / "win11_25h2.vhdx"        # dynamic, GPT
VHD = GOLDEN / "win11_25h2_fixed.vhd"    # fixed, MBR
WIM = GOLDEN / "win11_25h2_enterprise.wim"


def disk_tools() -> None:
    for tool in ("mkntfs", "sfdisk", "qemu-img", "wimlib-imagex"):
        require_tool(tool)


def facts(path) -> dict:
    """What the installation says about itself, whatever holds it."""
    (image,) = read_image_source(path).images
    deep = image.deep
    return {**image.__dict__, "source": "", "deep": None,
            "inside": (deep.software, deep.system, deep.kernel, deep.packages, deep.state_ini, deep.unattend,
                       sorted((r, f.path, f.size) for r, f in deep.files.items()), deep.problems)}


@pytest.mark.parametrize("disk", [VHDX, VHD], ids=["dynamic-vhdx-gpt", "fixed-vhd-mbr"])
def test_the_disk_reads_as_the_directory_it_was_applied_like(disk):
    source = read_image_source(disk)
    assert (source.kind, source.size, source.header) == (disk.suffix[1:], disk.stat().st_size, None)
    assert facts(disk) == facts(DIRECTORY)
    assert source.images[0].deep.backend == "libfsntfs"


@pytest.mark.parametrize(("fmt", "subformat", "table"), [("vhdx", "fixed", "dos"), ("vpc", "dynamic", "gpt")])
def test_other_shapes_built_by_the_real_tools_read_the_same(fmt, subformat, table, tmp_path):
    disk_tools()
    disk = tmp_path / f"disk.{'vhd' if fmt == 'vpc' else 'vhdx'}"
    golden_build().write_disk(disk, WIM, fmt, subformat, table, tmp_path)
    assert facts(disk) == facts(DIRECTORY)


def _outcomes(manifest: dict, subject: str) -> list[tuple]:
    return sorted((r["rule"], r["outcome"], r["message"].replace(subject, "SUBJECT"))
                  for r in manifest["results"])


def test_check_of_the_disk_gives_the_directorys_verdict(cli):
    before = hashlib.sha256(VHDX.read_bytes()).hexdigest()
    on_disk = cli("check", VHDX, "-o", "json", "--as-of", "2026-09-01")
    on_dir = cli("check", DIRECTORY, "-o", "json", "--as-of", "2026-09-01")
    assert on_disk.code == on_dir.code == 0, on_disk.err
    a, b = json.loads(on_disk.out), json.loads(on_dir.out)
    assert a["summary"]["verdict"] == b["summary"]["verdict"] == "ready"
    assert _outcomes(a, str(VHDX)) == _outcomes(b, str(DIRECTORY))
    (entry,) = [i for i in a["inputs"] if i["path"] == str(VHDX)]
    assert (entry["kind"], entry["size"], entry["sha256"]) == ("vhdx", VHDX.stat().st_size, None)
    assert hashlib.sha256(VHDX.read_bytes()).hexdigest() == before  # never written


def test_attest_of_a_disk_needs_the_digest_check_took(cli, tmp_path):
    out = tmp_path / "m.json"
    assert cli("check", VHD, "-o", f"json={out}").code == 0
    refused = cli("attest", out)
    assert refused.code == 2 and "--hash-images" in refused.err
    assert cli("check", VHD, "--hash-images", "-o", f"json={out}").code == 0
    statement = json.loads(cli("attest", out).out)
    digest = hashlib.sha256(VHD.read_bytes()).hexdigest()
    assert statement["subject"] == [{"name": str(VHD), "digest": {"sha256": digest}}]


VOLUME_MIB = 2  # each test volume; an empty partition is 1 MiB


def _raw_disk(tmp_path: Path, volumes: list[Path | None], table: str = "gpt") -> Path:
    """A raw disk with one partition per volume (None: an empty 1 MiB partition), then a VHDX of it."""
    sizes = [VOLUME_MIB if v else 1 for v in volumes]  # MiB
    raw = tmp_path / "disk.raw"
    with raw.open("wb") as fh:
        fh.truncate((1 + sum(sizes) + 1) << 20)  # 1 MiB before the first partition, room for the backup GPT
    kind = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" if table == "gpt" else "7"
    starts = [2048 + 2048 * sum(sizes[:n]) for n in range(len(sizes))]  # 512-byte sectors
    lines = [f"label: {table}",
             *(f"start={s}, size={m * 2048}, type={kind}" for s, m in zip(starts, sizes, strict=True))]
    subprocess.run(["sfdisk", "-q", str(raw)], input="\n".join(lines).encode() + b"\n", check=True,
                   stdout=subprocess.DEVNULL)
    with raw.open("r+b") as fh:
        for start, volume in zip(starts, volumes, strict=True):
            if volume:
                fh.seek(start * 512)
                fh.write(volume.read_bytes())
    out = tmp_path / "disk.vhdx"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", str(raw), str(out)], check=True)
    return out


def _volume(tmp_path: Path, name: str, wim: Path | None) -> Path:
    volume = tmp_path / name
    with volume.open("wb") as fh:
        fh.truncate(VOLUME_MIB << 20)
    subprocess.run(["mkntfs", "-q", "-F", "-Q", str(volume)], check=True, capture_output=True)
    if wim:
        subprocess.run(["wimlib-imagex", "apply", str(wim), "1", str(volume)], check=True, capture_output=True)
    return volume


def test_windows_is_found_beside_other_partitions(tmp_path):
    """A system partition left empty and a data volume before it, as a real disk has EFI and MSR first."""
    disk_tools()
    disk = _raw_disk(tmp_path, [None, _volume(tmp_path, "data", None), _volume(tmp_path, "win", WIM)])
    source = read_image_source(disk)
    assert "Windows on partition 3" in source.notes[0]
    assert facts(disk) == facts(DIRECTORY)


def test_a_disk_without_windows_is_one_line_naming_it(cli, tmp_path):
    disk_tools()
    disk = _raw_disk(tmp_path, [_volume(tmp_path, "data", None)])
    result = cli("inspect", disk)
    assert result.code == 2 and result.out == ""
    assert result.err.strip() == (f"oobe-ready: error: {disk}: VHDX holds no NTFS volume with Windows on it "
                                  "(no Windows/System32/config/SOFTWARE in any partition)")


def test_two_windows_volumes_are_ambiguous(tmp_path):
    disk_tools()
    win = _volume(tmp_path, "win", WIM)
    with pytest.raises(InputError, match=r"holds 2 Windows volumes \(partitions 1, 2\)"):
        read_image_source(_raw_disk(tmp_path, [win, win], table="dos"))


def test_a_damaged_container_is_one_line(cli, tmp_path):
    disk = tmp_path / "broken.vhdx"
    data = bytearray(VHDX.read_bytes())
    data[64 * 1024: 64 * 1024 + 4096] = b"\xa5" * 4096  # both headers' first copy
    data[128 * 1024: 128 * 1024 + 4096] = b"\xa5" * 4096
    disk.write_bytes(bytes(data))
    result = cli("inspect", disk)
    assert result.code == 2, result.err
    assert result.err.startswith(f"oobe-ready: error: {disk}: ") and len(result.err.strip().splitlines()) == 1


def test_mutated_disks_never_crash_the_process(tmp_path):
    """libvhdi and libfsntfs are C: each damaged disk is read in a process of its own, so a crash would
    show as a signal here instead of taking the test run with it. Bytes are changed where the
    structures are: the VHD footer, the MBR, the NTFS boot sector and the MFT's first records."""
    import random

    data = VHD.read_bytes()
    volume = 1 << 20
    hot = [(len(data) - 512, len(data)), (0, 512), (volume, volume + 512), (volume + 4096 * 4, volume + 4096 * 12)]
    rng = random.Random(18)
    for n in range(int(os.environ.get("OOBE_READY_DISK_MUTATIONS", "24"))):
        mutated = bytearray(data)
        lo, hi = hot[n % len(hot)]
        for _ in range(rng.randint(1, 16)):
            mutated[rng.randrange(lo, hi)] = rng.randrange(256)
        disk = tmp_path / f"m{n}.vhd"
        disk.write_bytes(bytes(mutated))
        result = subprocess.run([sys.executable, "-m", "toolkit", "inspect", str(disk), "-o", "json"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode in (0, 2), (n, result.returncode, result.stderr[-500:])
        assert "Traceback" not in result.stderr
        if result.returncode == 2:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_partition_window_reads_only_its_partition(data):
    """Whatever libfsntfs asks for, a read never leaves the partition (a seek before it stops at its start)."""
    import io

    from toolkit.sources.byteview import ByteView

    disk = bytes(range(256)) * 8
    offset = data.draw(st.integers(0, len(disk)))
    length = data.draw(st.integers(0, len(disk) - offset))
    part = disk[offset:offset + length]
    window = ByteView(io.BytesIO(disk), ((offset, length),))
    assert window.get_size() == length
    for _ in range(data.draw(st.integers(1, 4))):
        pos = window.seek(data.draw(st.integers(-length - 20, length + 20)), data.draw(st.sampled_from((0, 1, 2))))
        size = data.draw(st.integers(-1, length + 20))
        got = window.read(size)
        assert got == (part[pos:] if size < 0 else part[pos:pos + size])
        assert window.tell() == pos + len(got)


def test_the_disk_size_is_the_one_it_was_read_at(tmp_path):
    """The disk's size in the manifest is that of the file its facts were read from: removed before the
    manifest is written, it changes nothing (and is no internal error)."""
    import shutil

    from toolkit.providers.images import PROVIDER, ImageInputs

    disk = tmp_path / "disk.vhdx"
    shutil.copyfile(VHDX, disk)
    source = read_image_source(str(disk))
    disk.unlink()
    (entry,) = PROVIDER.manifest_inputs(ImageInputs([source], deep=False), {})
    assert (entry["kind"], entry["size"]) == ("vhdx", VHDX.stat().st_size)
