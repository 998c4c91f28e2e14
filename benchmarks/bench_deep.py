#!/usr/bin/env python3
"""Deep inspection cost: one index vs a bare extraction, and 11 indexes vs one.

Builds, with the same real tools as the golden images, an offline Windows tree whose SOFTWARE
hive has a realistic size (~100 MiB: thousands of Component Based Servicing package keys written
by hivexregedit), captures it as a 1-index WIM and as an 11-index WIM (one index per edition
name, the files shared as on media built from one reference image), then records medians of:
  - `wimlib-imagex extract` of exactly the files deep inspection reads (the floor);
  - deep inspection of that index in-process (extract + parse hives, kernel, packages, ...);
  - `oobe-ready check --index 1` (whole process: start-up, deep inspection, rules, manifest);
  - `oobe-ready check` of all 11 indexes, and its ratio to one index.
Targets (issue 4): deep one index / bare extract <= 1.3; 11 indexes / 1 index <= 1.5.

Usage: python benchmarks/bench_deep.py [--runs N] [--hive-mib M] [--write]
Needs wimlib-imagex, hivexregedit and mingw-w64 (as golden_images/build.py); ~3x M MiB of disk.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "golden_images"))

import build as golden  # noqa: E402
import insides  # noqa: E402
from results import median, oobe_ready_check, publish  # noqa: E402

from toolkit.sources.deep import BIG, SMALL, deep_inspect  # noqa: E402
from toolkit.sources.wim import read_image_source  # noqa: E402

CBS = insides.CBS
VALUE_BYTES = 16000  # hivex writes values up to ~1 MiB; real CBS keys hold many small values
BYTES_PER_KEY = 35_500  # what one such key costs in a hive written by hivex (measured)


def big_software(tree: Path, inside: insides.Inside, mib: int, work: Path) -> None:
    """Replace the tree's SOFTWARE hive by one of ~`mib` MiB with the same CurrentVersion."""
    content = insides.software_tree(inside)
    half = VALUE_BYTES // 2
    for n in range(mib * 1024 * 1024 // BYTES_PER_KEY):
        # half random, half repeated: compresses about as well as a real hive does with LZX
        blob = os.urandom(half) + bytes(half)
        content[f"{CBS}\\Package_{n:05d}_for_KB5121003~31bf3856ad364e35~amd64~~26100.9168.1.10"] = {
            "CurrentState": 0x70, "InstallName": f"Package_{n:05d}_for_KB5121003.mum", "Bits": blob}
    insides.write_hive(tree / "Windows/System32/config/SOFTWARE", r"HKEY_LOCAL_MACHINE\SOFTWARE", content, work)


def capture(wim: Path, tree: Path, names: list[str]) -> None:
    wim.unlink(missing_ok=True)
    for n, name in enumerate(names):
        image = golden.win11("Enterprise", name)
        props = [a for k, v in image.properties() for a in ("--image-property", f"{k}={v}")]
        subprocess.run(["wimlib-imagex", "capture" if n == 0 else "append", str(tree), str(wim), name, *props],
                       check=True, stdout=subprocess.DEVNULL)


def bare_extract(wim: Path, work: Path) -> None:
    dest = work / "bare"
    shutil.rmtree(dest, ignore_errors=True)
    listfile = work / "bare.list"
    listfile.write_text("".join(p + "\n" for p in [*BIG.values(), *SMALL]))
    subprocess.run(["wimlib-imagex", "extract", str(wim), "1", f"@{listfile}", f"--dest-dir={dest}",
                    "--preserve-dir-structure", "--nullglob", "--no-acls"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "WIMLIB_IMAGEX_IGNORE_CASE": "1"})
    shutil.rmtree(dest)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hive-mib", type=int, default=100)
    ap.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="oobe-ready-bench-") as tmp:
        work = Path(tmp)
        inside = golden.v24h2()
        tree = work / "tree"
        insides.write_tree(tree, inside, insides.KernelBuilder(work), work)
        started = time.perf_counter()
        big_software(tree, inside, args.hive_mib, work)
        hive_bytes = (tree / "Windows/System32/config/SOFTWARE").stat().st_size
        one, eleven = work / "one.wim", work / "eleven.wim"
        capture(one, tree, ["Windows 11 Enterprise"])
        capture(eleven, tree, [f"Windows 11 edition {n}" for n in range(1, 12)])
        setup = time.perf_counter() - started
        src_one, src_eleven = read_image_source(one), read_image_source(eleven)
        bare = median(lambda: bare_extract(one, work), args.runs)
        deep_one = median(lambda: deep_inspect([src_one]), args.runs)
        deep_eleven = median(lambda: deep_inspect([src_eleven]), args.runs)
        cli_one = median(lambda: oobe_ready_check(eleven, "--index", "1"), args.runs)
        cli_eleven = median(lambda: oobe_ready_check(eleven), args.runs)
        sizes = (one.stat().st_size, eleven.stat().st_size)

    version = subprocess.run(["wimlib-imagex", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    lines = [
        f"## deep: inside the image, one index and eleven ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {version}. "
        f"Median of {args.runs} runs. SOFTWARE hive {hive_bytes:,} B written by hivexregedit; WIM (LZX) "
        f"{sizes[0]:,} B with 1 index, {sizes[1]:,} B with 11 (the indexes share their file blobs). "
        f"Setup {setup:.0f} s. Command: `python benchmarks/bench_deep.py --runs {args.runs} "
        f"--hive-mib {args.hive_mib} --write`.",
        "",
        "| measurement | time | ratio | target |",
        "|---|---|---|---|",
        f"| bare `wimlib-imagex extract` of the files deep inspection reads (1 index) | {ms(bare)} | 1 | |",
        f"| deep inspection of 1 index, in-process (extract + parse) | {ms(deep_one)} | "
        f"**{deep_one / bare:.2f}** vs bare extract | <= 1.3 |",
        f"| deep inspection of 11 indexes, in-process | {ms(deep_eleven)} | "
        f"**{deep_eleven / deep_one:.2f}** vs 1 index | <= 1.5 |",
        f"| `oobe-ready check --index 1 -o json` (whole process) | {ms(cli_one)} | "
        f"{cli_one / bare:.2f} vs bare extract | |",
        f"| `oobe-ready check -o json`, all 11 indexes (whole process) | {ms(cli_eleven)} | "
        f"**{cli_eleven / cli_one:.2f}** vs 1 index | <= 1.5 |",
        "",
        "Shared work is done once: the hives and the kernel are listed with their WIM blob SHA-1 "
        "(`wimlib-imagex dir --detailed`) and a content already read for another index is neither "
        "extracted nor parsed again; per index only the listing and the small files remain. The "
        "whole-process rows add interpreter start-up and imports (click, lxml, regipy, pefile: about "
        "200 ms) and the rules and manifest. These indexes share one SOFTWARE hive; Microsoft media "
        "give each edition its own (EditionID differs), and each distinct hive is read once.",
        "",
    ]
    publish("deep", lines, args.write)


if __name__ == "__main__":
    main()
