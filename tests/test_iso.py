"""Installation ISOs: the images under sources/ read in place, judged as the WIMs they hold.

The ISOs are written by the real tools (golden_images/build.py: genisoimage's UDF bridge, xorriso's
ISO 9660 with Rock Ridge and Joliet); the > 4 GiB ones are built here, sparse, from a golden WIM whose
XML resource is moved past 4.5 GiB (a real multi-extent file in ISO 9660, several allocation
descriptors in UDF).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from pathlib import Path

import pytest
from conftest import GOLDEN, XML_RESHDR_OFFSET, golden_build, require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import InputError
from toolkit.sources.images import read_image_source, read_image_sources

UDF_ISO = GOLDEN / "win11_25h2_media.iso"   # genisoimage -udf: install.wim + boot.wim
ESD_ISO = GOLDEN / "win11_24h2_media_esd.iso"  # xorriso: install.esd + boot.wim
BIG = 4 * 2**30 + 512 * 2**20


def facts(source) -> list[dict]:
    """What an image says about itself, whatever file it was read from."""
    return [{**i.__dict__, "source": "", "deep": None} for i in source.images]


@pytest.mark.parametrize(("iso", "members"), [
    (UDF_ISO, {"sources/install.wim": "win11_25h2_enterprise.wim", "sources/boot.wim": "boot.wim"}),
    (ESD_ISO, {"sources/install.esd": "win11_24h2.esd", "sources/boot.wim": "boot.wim"}),
])
def test_each_image_in_the_iso_reads_as_the_file_it_was_made_from(iso, members):
    sources = read_image_sources(iso)
    assert [s.path for s in sources] == [f"{iso}!{m}" for m in members]
    for source, (member, name) in zip(sources, members.items(), strict=True):
        alone = read_image_source(GOLDEN / name)
        assert source.container == str(iso)
        assert (source.kind, source.size, source.header, source.xml_sha256) == \
            (alone.kind, alone.size, alone.header, alone.xml_sha256), member
        assert facts(source) == facts(alone)
        assert [i.source for i in source.images] == [f"{iso}!{member}"] * len(source.images)


def test_one_image_of_an_iso_can_be_named(cli):
    named = f"{UDF_ISO}!sources/boot.wim"
    assert [s.path for s in read_image_sources(named)] == [named]
    doc = json.loads(cli("inspect", named, "-o", "json").out)
    assert [s["path"] for s in doc["sources"]] == [named]
    assert doc["sources"][0]["container"] == str(UDF_ISO)


def test_inspect_names_every_image_and_its_iso(cli):
    result = cli("inspect", UDF_ISO, "-o", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert [(s["path"], s["kind"], s["container"]) for s in doc["sources"]] == [
        (f"{UDF_ISO}!sources/install.wim", "wim", str(UDF_ISO)), (f"{UDF_ISO}!sources/boot.wim", "wim", str(UDF_ISO))]
    boot = doc["sources"][1]["images"]
    assert [i["boot_image"] for i in boot] == ["WinPE", "Setup"]


def _outcomes(manifest: dict, rename: dict[str, str]) -> list[tuple]:
    subject = lambda s: next((s.replace(a, b) for a, b in rename.items() if s.startswith(a)), s)  # noqa: E731
    return sorted((r["rule"], subject(r["subject"]), r["outcome"], r["message"].replace(str(UDF_ISO) + "!", ""))
                  for r in manifest["results"])


def test_check_of_the_iso_gives_the_verdict_of_the_images_it_holds(cli, deep_tools, tmp_path, monkeypatch):
    """Deep inspection too: the image is copied out of the ISO for the extraction tool, then removed."""
    install, boot = GOLDEN / "win11_25h2_enterprise.wim", GOLDEN / "boot.wim"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    via_iso = cli("check", UDF_ISO, "-o", "json", "--as-of", "2026-09-01")
    monkeypatch.undo()
    direct = cli("check", install, boot, "-o", "json", "--as-of", "2026-09-01")
    assert via_iso.code == direct.code
    a, b = json.loads(via_iso.out), json.loads(direct.out)
    assert a["summary"]["verdict"] == b["summary"]["verdict"]
    rename = {f"{UDF_ISO}!sources/install.wim": str(install), f"{UDF_ISO}!sources/boot.wim": str(boot)}
    assert _outcomes(a, rename) == _outcomes(b, {})
    assert {s["id"] for s in a["subjects"]} == {f"{UDF_ISO}!sources/install.wim#1", f"{UDF_ISO}!sources/boot.wim#1",
                                                f"{UDF_ISO}!sources/boot.wim#2"}
    deep = [s["facts"]["deep"] for s in a["subjects"]]
    assert all(d and not d.get("unavailable") for d in deep)
    assert list(tmp_path.iterdir()) == []  # the copy is gone


def test_manifest_lists_the_iso_and_attest_names_it(cli, tmp_path):
    out = tmp_path / "m.json"
    result = cli("check", ESD_ISO, "--no-deep", "--hash-images", "-o", f"json={out}")
    assert result.code == 3, result.err  # IMG006: WIM XML alone cannot tell 24H2 from 25H2 for one edition
    inputs = json.loads(out.read_text())["inputs"]
    iso = [i for i in inputs if i["kind"] == "iso"]
    assert iso == [{"path": str(ESD_ISO), "kind": "iso", "size": ESD_ISO.stat().st_size,
                    "sha256": __import__("hashlib").sha256(ESD_ISO.read_bytes()).hexdigest()}]
    inside = [i for i in inputs if i.get("container") == str(ESD_ISO)]
    assert [(i["path"], i["kind"], i["sha256"]) for i in inside] == [
        (f"{ESD_ISO}!sources/install.esd", "esd", None), (f"{ESD_ISO}!sources/boot.wim", "wim", None)]
    statement = json.loads(cli("attest", out).out)
    assert [s["name"] for s in statement["subject"]] == [str(ESD_ISO)]


def test_attest_refuses_an_iso_whose_images_changed(cli, tmp_path):
    iso = tmp_path / "media.iso"
    iso.write_bytes(UDF_ISO.read_bytes())
    out = tmp_path / "m.json"
    assert cli("check", iso, "--no-deep", "-o", f"json={out}").code == 0
    # same size, another image inside: the boot.wim's GUID changes
    sources = read_image_sources(iso)
    boot_offset = _extent_offset(iso, sources[1])
    data = bytearray(iso.read_bytes())
    data[boot_offset + 0x18] ^= 0xFF  # a byte of the header GUID
    iso.write_bytes(bytes(data))
    result = cli("attest", out)
    assert result.code == 2
    assert "changed since the manifest was written" in result.err and "GUID of" in result.err


def _extent_offset(iso: Path, source) -> int:
    from toolkit.sources.iso import _members

    with iso.open("rb") as fh:
        return _members(iso, fh, iso.stat().st_size)[source.path.split("!")[1]][0][0]


@pytest.fixture(scope="module")
def big_wim(tmp_path_factory) -> Path:
    """The golden enterprise WIM with its XML resource moved past 4.5 GiB: a sparse 4.5 GiB install.wim."""
    folder = tmp_path_factory.mktemp("big") / "media" / "sources"
    folder.mkdir(parents=True)
    raw = (GOLDEN / "win11_25h2_enterprise.wim").read_bytes()
    packed, offset, original = struct.unpack_from("<QQQ", raw, XML_RESHDR_OFFSET)
    xml = raw[offset:offset + (packed & ((1 << 56) - 1))]
    header = bytearray(raw[:208])
    struct.pack_into("<QQQ", header, XML_RESHDR_OFFSET, packed, BIG, original)
    struct.pack_into("<QQQ", header, XML_RESHDR_OFFSET + 24 + 24 + 4, 0, 0, 0)  # no integrity table
    wim = folder / "install.wim"
    with wim.open("wb") as fh:
        fh.write(bytes(header) + raw[208:])
        fh.seek(BIG)
        fh.write(xml)
    return wim


@pytest.mark.parametrize("tool", ["xorriso", "genisoimage"])
def test_a_sparse_image_over_4_gib_is_read_in_place(tool, big_wim, tmp_path, cli, monkeypatch):
    require_tool(tool)
    iso = tmp_path / f"big-{tool}.iso"
    golden_build().write_iso(iso, tool, big_wim.parent.parent)
    assert iso.stat().st_size > BIG
    # no temporary disk: the temporary folder does not exist, so any copy out of the ISO would fail
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "none"))
    result = cli("inspect", iso, "-o", "json")
    assert result.code == 0, result.err
    (source,) = json.loads(result.out)["sources"]
    assert (source["path"], source["size"]) == (f"{iso}!sources/install.wim", big_wim.stat().st_size)
    alone = read_image_source(big_wim)
    assert facts(read_image_source(f"{iso}!sources/install.wim")) == facts(alone)


def test_a_truncated_iso_is_one_line_naming_it(cli, tmp_path):
    iso = tmp_path / "cut.iso"
    data = UDF_ISO.read_bytes()
    offset = _extent_offset(UDF_ISO, read_image_sources(UDF_ISO)[1])
    iso.write_bytes(data[:offset + 100])
    result = cli("inspect", iso)
    assert result.code == 2 and result.out == ""
    assert result.err.strip().splitlines() == [result.err.strip()]
    assert str(iso) in result.err and "is cut short: the volume is" in result.err


def test_an_iso_without_windows_images_is_not_installation_media(cli, tmp_path):
    require_tool("xorriso")
    tree = tmp_path / "tree"
    (tree / "docs").mkdir(parents=True)
    (tree / "docs" / "readme.txt").write_text("not Windows media")
    iso = tmp_path / "data.iso"
    golden_build().write_iso(iso, "xorriso", tree)
    result = cli("inspect", iso)
    assert result.code == 2
    assert "holds no sources/install.wim, sources/install.esd, sources/boot.wim: not Windows installation media" \
        in result.err


def test_damaged_directories_are_an_input_error(tmp_path):
    data = bytearray(UDF_ISO.read_bytes())
    data[16 * 2048 + 6: 16 * 2048 + 200] = b"\xff" * 194  # the primary volume descriptor
    iso = tmp_path / "damaged.iso"
    iso.write_bytes(bytes(data))
    with pytest.raises(InputError, match="not a readable ISO image"):
        read_image_sources(iso)


def test_a_split_wim_inside_an_iso_is_refused(tmp_path):
    require_tool("xorriso")
    tree = tmp_path / "tree" / "sources"
    tree.mkdir(parents=True)
    os.link(GOLDEN / "win11_24h2_split.swm", tree / "install.wim")  # part 1 of 3 under the install.wim name
    iso = tmp_path / "split.iso"
    golden_build().write_iso(iso, "xorriso", tree.parent)
    with pytest.raises(InputError, match="split WIM inside an ISO"):
        read_image_sources(iso)


def test_copy_out_respects_the_run_budget(monkeypatch, deep_tools):
    import toolkit.sources.deep as deep

    monkeypatch.setattr(deep, "MAX_RUN_COPIED_BYTES", 1000)
    (install, _boot) = deep.deep_inspect(read_image_sources(UDF_ISO))
    why = install.images[0].deep.unavailable
    assert why and "copying the image out of the ISO" in why and "1000 are left" in why


def test_index_picks_from_the_images_of_the_iso_that_have_it(cli):
    doc = json.loads(cli("inspect", ESD_ISO, "--index", "3", "-o", "json").out)
    assert [(s["path"], [i["index"] for i in s["images"]]) for s in doc["sources"]] == \
        [(f"{ESD_ISO}!sources/install.esd", [3])]  # boot.wim has indexes 1 and 2
    both = json.loads(cli("inspect", ESD_ISO, "--index", "2", "-o", "json").out)
    assert [len(s["images"]) for s in both["sources"]] == [1, 1]
    none = cli("inspect", ESD_ISO, "--index", "9")
    assert none.code == 2 and "has no image index 9" in none.err


def test_a_folder_past_the_entry_limit_is_refused(monkeypatch):
    import toolkit.sources.iso as iso

    monkeypatch.setattr(iso, "MAX_FOLDER_ENTRIES", 1)
    with pytest.raises(InputError, match="a folder lists over 1 entries"):
        read_image_sources(ESD_ISO)
    monkeypatch.setattr(iso, "MAX_FOLDER_ENTRIES", 8)  # / and sources/ each list fewer
    assert len(read_image_sources(ESD_ISO)) == 2


@pytest.mark.parametrize("kernel_copy", [True, False], ids=["copy_file_range", "through-memory"])
def test_an_image_copied_out_is_byte_exact(kernel_copy, tmp_path, monkeypatch):
    import hashlib

    import toolkit.sources.iso as iso

    if not kernel_copy:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    monkeypatch.setattr(iso, "COPY_CHUNK", 4096)  # several chunks, and progress after each
    seen: list[tuple[int, int]] = []
    copy = iso.copy_member(read_image_sources(UDF_ISO)[0], tmp_path / "install.wim", lambda *a: seen.append(a))
    wim = GOLDEN / "win11_25h2_enterprise.wim"
    assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(wim.read_bytes()).digest()
    assert seen[-1] == (wim.stat().st_size, wim.stat().st_size) and len(seen) == -(-wim.stat().st_size // 4096)


def test_annotations_and_code_scanning_point_at_the_iso(cli, tmp_path):
    """A result about an image inside an ISO is located at the ISO, the file a runner or code scanning
    can open; the image is named in the result's logical location and text."""
    sarif = tmp_path / "r.sarif"
    result = cli("check", UDF_ISO, "--no-deep", "-o", f"sarif={sarif}", "-o", "github")
    run = json.loads(sarif.read_text())["runs"][0]
    located = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert located == {UDF_ISO.as_uri()}  # the path as given (absolute here)
    names = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in run["results"]}
    assert f"{UDF_ISO}!sources/install.wim#1" in names
    assert f"file={UDF_ISO}," in result.out


def test_a_waiver_by_image_sha256_names_the_iso(cli, tmp_path):
    import hashlib

    ledger = tmp_path / "waivers.toml"
    ledger.write_text(f"""[[waiver]]
rule = "IMG007"
scope = {{ image_sha256 = "{hashlib.sha256(UDF_ISO.read_bytes()).hexdigest()}" }}
ticket = "CHG-1"
owner = "imaging@contoso.com"
expires = 2026-12-31
justification = "November update lands next week"
""", encoding="utf-8")
    result = cli("check", UDF_ISO, "--no-deep", "--waivers", ledger, "--as-of", "2026-11-29", "-o", "json")
    manifest = json.loads(result.out or "null") or pytest.fail(result.err)
    (img007,) = [r for r in manifest["results"] if r["rule"] == "IMG007" and "install.wim" in r["subject"]]
    assert img007["outcome"] == "waived" and img007["waiver"]["ticket"] == "CHG-1"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_an_image_view_reads_what_its_extents_hold(data):
    """Any extents of a file read as their concatenation: any seek (from the start, here or the end),
    any read size, across extent boundaries and past the end."""
    import io

    from toolkit.sources.byteview import ByteView

    backing = bytes(range(256)) * 4
    extents = data.draw(st.lists(st.tuples(st.integers(0, 900), st.integers(0, 120)), min_size=1, max_size=6))
    extents = tuple((offset, min(length, len(backing) - offset)) for offset, length in extents)
    whole = b"".join(backing[o:o + n] for o, n in extents)
    reader = ByteView(io.BytesIO(backing), extents)
    for _ in range(data.draw(st.integers(1, 5))):
        whence = data.draw(st.sampled_from((0, 1, 2)))
        pos = reader.seek(data.draw(st.integers(-50, len(whole) + 50)), whence)
        size = data.draw(st.integers(-1, len(whole) + 10))
        got = reader.read(size)
        assert got == (whole[pos:] if size < 0 else whole[pos:pos + size])
        assert reader.tell() == pos + len(got)


def test_attest_refuses_an_iso_that_lost_an_image(cli, tmp_path):
    out = tmp_path / "m.json"
    assert cli("check", UDF_ISO, "--no-deep", "-o", f"json={out}").code == 0
    manifest = json.loads(out.read_text())
    inside = next(i for i in manifest["inputs"] if i.get("container") and i["path"].endswith("boot.wim"))
    inside["path"] = inside["path"].replace("boot.wim", "install.esd")  # an image the ISO does not hold
    out.write_text(json.dumps(manifest))
    result = cli("attest", out)
    assert result.code == 2 and f"{UDF_ISO}!sources/install.esd is no longer in it" in result.err


def test_the_manifest_gives_the_iso_size_it_read(tmp_path):
    """The ISO's size in the manifest is the one its images were read from: a file removed or replaced
    before the manifest is written changes nothing (and is no internal error)."""
    import shutil

    from toolkit.providers.images import PROVIDER, ImageInputs

    iso = tmp_path / "media.iso"
    shutil.copyfile(UDF_ISO, iso)
    sources = read_image_sources(str(iso))
    iso.unlink()
    entries = PROVIDER.manifest_inputs(ImageInputs(sources, deep=False), {})
    assert [e["size"] for e in entries if e["kind"] == "iso"] == [UDF_ISO.stat().st_size]
