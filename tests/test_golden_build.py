"""The golden images are reproducible with the real tool, and our reader agrees with wimlib."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import GOLDEN, ROOT, require_tool

from toolkit.pipeline.inspect import deep_document
from toolkit.sources.deep import deep_inspect
from toolkit.sources.images import read_image_source, read_image_sources

IMAGES = sorted(p.name for p in GOLDEN.iterdir() if p.suffix in (".wim", ".esd", ".swm"))


def wimlib_info(path) -> tuple[dict[str, str], list[dict[str, str]]]:
    out = subprocess.run([require_tool("wimlib-imagex"), "info", str(path)], check=True,
                         capture_output=True, text=True).stdout
    head, _, body = out.partition("Available Images:")
    fields = lambda block: dict(re.findall(r"^([A-Za-z][\w /]*?):\s+(.*)$", block, flags=re.M))  # noqa: E731
    images = [fields(b) for b in re.split(r"\n(?=Index:)", body) if "Index:" in b]
    return fields(head), images


@pytest.mark.parametrize("name", IMAGES)
def test_reader_agrees_with_wimlib_imagex_info(name):
    header, images = wimlib_info(GOLDEN / name)
    source = read_image_source(GOLDEN / name)
    h = source.header
    assert header["GUID"] == "0x" + h.guid
    assert header["Image Count"] == str(h.image_count) == str(len(images))
    assert header["Part Number"] == f"{h.part_number}/{h.total_parts}"
    assert header["Boot Index"] == str(h.boot_index)
    assert header["Compression"] == h.compression
    assert int(header["Version"]) == h.version
    for theirs, ours in zip(images, source.images, strict=True):
        assert theirs["Name"] == ours.name
        assert theirs.get("Edition ID") == ours.edition_id
        assert theirs.get("Installation Type") == ours.installation_type
        assert theirs["Build"] == str(ours.version.build)
        assert theirs["Service Pack Build"] == str(ours.version.spbuild)
        assert theirs.get("Languages", "").split() == list(ours.languages)
        assert theirs["Architecture"] == {"x64": "x86_64"}.get(ours.arch, ours.arch)


def test_build_script_reproduces_the_committed_images(tmp_path):
    for tool in ("wimlib-imagex", "hivexregedit", "x86_64-w64-mingw32-windres", "x86_64-w64-mingw32-gcc",
                 "genisoimage", "xorriso", "mkntfs", "sfdisk", "qemu-img"):
        require_tool(tool)
    subprocess.run([sys.executable, str(ROOT / "golden_images/build.py"), str(tmp_path)],
                   check=True, capture_output=True)
    rebuilt = sorted(p.name for p in tmp_path.iterdir())
    built = (".wim", ".esd", ".swm", ".xml", ".iso", ".vhd", ".vhdx")
    committed = sorted(p.name for p in GOLDEN.iterdir() if p.suffix in built or p.name.startswith("offline_"))
    assert rebuilt == committed
    fresh_sources = deep_inspect([s for n in rebuilt for s in read_image_sources(tmp_path / n)])
    kept_sources = deep_inspect([s for n in rebuilt for s in read_image_sources(GOLDEN / n)])
    names = [s.path.replace(str(GOLDEN) + "/", "") for s in kept_sources]
    for name, fresh, kept in zip(names, fresh_sources, kept_sources, strict=True):
        assert fresh.kind == kept.kind, name
        for a, b in zip(fresh.images, kept.images, strict=True):
            # the same XML facts, and the same evidence inside (hives, kernel, packages, ...)
            facts = lambda i: {**i.__dict__, "source": "", "locator": "", "deep": None}  # noqa: E731
            assert facts(a) == facts(b), name
            inside = lambda i: {k: v for k, v in (deep_document(i) or {}).items() if k != "files"}  # noqa: E731
            assert inside(a) == inside(b), name
