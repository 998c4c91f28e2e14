"""Issue 16: hive reading memory-maps the file and indexes each key's children once instead of
regipy's whole-file copy and per-lookup sibling scan. regipy stays the parser of record: on every hive
in the golden images, the fuzz corpus and regipy's own test hives, every key and value a lookup
reaches is the one regipy's `RegistryHive` + `get_subkey` reach, and the facts read are identical."""

from __future__ import annotations

import lzma
import mmap
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.sources.inside import UnreadableFile, hives
from toolkit.sources.inside.hives import Hive, read_hive, read_software, read_system, values_of

ROOT = Path(__file__).resolve().parent.parent
REGIPY = sorted((ROOT / "tests/samples/hives/regipy").glob("*.xz"))
PLAIN = [ROOT / "golden_images/offline_win11_25h2/Windows/System32/config/SOFTWARE",
         ROOT / "golden_images/offline_win11_25h2/Windows/System32/config/SYSTEM",
         ROOT / "tests/fuzz/corpus/hive/SOFTWARE", ROOT / "tests/fuzz/corpus/hive/SYSTEM"]
IN_IMAGES = [("win11_24h2_multi.wim", 1), ("win11_24h2_multi.wim", 2), ("win11_24h2_policy_blocked.wim", 1),
             ("win11_24h2_shared_pc.wim", 1), ("win11_24h2_configmgr.wim", 1), ("win11_23h2_enterprise.wim", 1),
             ("win10_22h2_enterprise.wim", 1), ("boot.wim", 1)]
SAMPLED_KEYS = 400


class RegipyWalk:
    """The reference: regipy's RegistryHive over its in-memory copy, each lookup by get_subkey from the root."""

    def __init__(self, path: Path) -> None:
        from regipy.registry import RegistryHive

        self.hive = RegistryHive(str(path))

    def key(self, path: str):
        node = self.hive.root
        for part in path.split("\\"):
            node = node.get_subkey(part, raise_on_missing=False) if node.subkey_count else None
            if node is None:
                return None
        return node


def hive_files(tmp: Path) -> list[Path]:
    files = list(PLAIN)
    for packed in REGIPY:
        out = tmp / packed.stem
        out.write_bytes(lzma.decompress(packed.read_bytes()))
        files.append(out)
    for wim, index in IN_IMAGES:
        dest = tmp / f"{wim}-{index}"
        subprocess.run([shutil.which("wimlib-imagex"), "extract", str(ROOT / "golden_images" / wim), str(index),
                        "/Windows/System32/config/SOFTWARE", "/Windows/System32/config/SYSTEM", "--dest-dir",
                        str(dest), "--no-acls", "--nullglob"], check=True, capture_output=True)
        files += sorted(p for p in dest.iterdir() if p.is_file())
    return files


@pytest.fixture(scope="module")
def every_hive(tmp_path_factory) -> list[Path]:
    from conftest import require_tool

    require_tool("wimlib-imagex")
    return hive_files(tmp_path_factory.mktemp("hives"))


def key_paths(reference: RegipyWalk) -> list[str]:
    """Every key path regipy's own recursion finds, sampled evenly, plus one that does not exist."""
    paths = [p for s in reference.hive.recurse_subkeys(fetch_values=False) if (p := s.path.lstrip("\\"))]
    step = max(1, len(paths) // SAMPLED_KEYS)
    return [*paths[::step], paths[0] + "\\NoSuchKeyHere" if paths else "NoSuchKeyHere"]


def test_lookups_and_values_match_regipy(every_hive):
    assert len(every_hive) >= 20
    compared = 0
    for path in every_hive:
        if path.name.startswith("corrupted"):
            continue
        reference = RegipyWalk(path)

        def same(hive: Hive, path=path, reference=reference) -> int:
            n = 0
            for key in key_paths(reference):
                mine, theirs = hive.key(key), reference.key(key)
                assert (mine is None) == (theirs is None), f"{path}: {key}"
                if theirs is not None:
                    assert mine.name == theirs.name and values_of(mine) == values_of(theirs), f"{path}: {key}"
                    n += 1
            return n

        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
            compared += same(Hive(hives._regipy_hive(hives.MappedStream(view))))  # dirty ones too
    assert compared > 1000


def test_facts_read_match_regipy(every_hive, monkeypatch):
    """read_software / read_system over the memory map and the index, then over regipy's own objects."""
    def reference_read(path: Path, reader):
        hives._check_base_block(path.read_bytes()[:hives.BASE_BLOCK], path.stat().st_size)
        hives._BUDGET.left = hives.MAX_HIVE_READ_BYTES
        hives._bound_regipy_value_reads()
        walk = RegipyWalk(path)
        hive = Hive(walk.hive)
        hive.key = walk.key  # every lookup as regipy does it
        try:
            return reader(hive)
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(f"not a readable registry hive ({type(exc).__name__}: {exc})"[:300]) from None

    def outcome(read, path):
        try:
            return read(path)
        except UnreadableFile as exc:
            return ("unreadable", str(exc).split(" (")[0])

    mine = [(outcome(read_software, p), outcome(read_system, p)) for p in every_hive]
    monkeypatch.setattr(hives, "read_hive", reference_read)
    theirs = [(outcome(read_software, p), outcome(read_system, p)) for p in every_hive]
    assert mine == theirs
    assert sum(isinstance(s, hives.SoftwareFacts) for s, _ in mine) >= 8  # the comparison reached real facts
    assert sum(isinstance(s, hives.SystemFacts) for _, s in mine) >= 8


def test_the_map_is_closed_when_the_read_returns(tmp_path):
    kept = []
    read_hive(PLAIN[0], lambda hive: kept.append(hive.key(hives.CURRENT_VERSION)))
    with pytest.raises(ValueError):  # regipy's records point into a closed map: nothing keeps the file mapped
        values_of(kept[0])
