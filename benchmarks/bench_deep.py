#!/usr/bin/env python3
"""Deep inspection at the floor: media that look like Microsoft's, against bare wimlib extractions.

Builds, with the same real tools as the golden images (hivexregedit, mingw-w64, wimlib-imagex), an
offline Windows tree whose SOFTWARE hive is realistically wide and large (~M MiB: 500 keys beside
Microsoft\\Windows, 150 beside Microsoft\\Windows\\CurrentVersion, 100 beside Windows NT\\CurrentVersion,
1,000 Component Based Servicing packages, 2,000 Classes keys holding the bytes; hivex leaves outgrown
subkey lists behind, so the hive holds fewer keys than Windows would pack in the same size: the
widths on the paths the reader walks are real, the density is not) and whose ntoskrnl.exe has a real
kernel's size (12 MiB), then captures:
  - a 1-index WIM;
  - an 11-index WIM whose editions each have their own SOFTWARE hive (EditionID differs, so the
    content does too, as on Microsoft media), sharing the kernel and the packages;
  - a 1-index WIM with a hive twice as large (memory must not grow with it).
Records medians of (issue 16 targets):
  (c) deep inspection of one index, in-process ÷ a bare `wimlib-imagex extract` of the same files <= 1.2;
  (d) deep inspection of 11 indexes ÷ 11 bare extractions run two at a time <= 1.2;
  (e) peak memory (`/usr/bin/time -v` maximum resident set) of deep inspection of (c), (d) and the
      large hive, each in its own process <= 64 MiB, independent of the hive's size.

Usage: python benchmarks/bench_deep.py [--runs N] [--hive-mib M] [--write]
Needs wimlib-imagex, hivexregedit, mingw-w64 and /usr/bin/time; ~6x M MiB of disk.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
from toolkit.sources.images import read_image_source  # noqa: E402

CBS = insides.CBS
HIVE = "Windows/System32/config/SOFTWARE"
KERNEL_BYTES = 12 * 2**20  # ntoskrnl.exe of Windows 11 24H2 is about 12 MiB
CLASSES = 2000
SHAPE_BYTES = 27_400_000  # this shape with 256-byte values, written by hivexregedit (measured)
MARKER = "EDITION-VARIANT-00"  # patched per edition (same length) so each edition's hive differs


def blob(size: int) -> bytes:
    """Half random, half zeros: compresses about as well as a real hive does with LZX."""
    return os.urandom(size // 2) + bytes(size - size // 2)


def wide_software(tree: Path, inside: insides.Inside, mib: int, work: Path) -> None:
    """The tree's SOFTWARE hive made realistically wide and ~`mib` MiB, same CurrentVersion."""
    content = insides.software_tree(inside)
    content[r"Microsoft\Windows NT\CurrentVersion"]["EditionSubManufacturer"] = MARKER
    siblings = {"Microsoft": 500, r"Microsoft\Windows\CurrentVersion": 150,
                r"Microsoft\Windows NT\CurrentVersion": 100}
    for parent, count in siblings.items():
        for n in range(count):
            content[f"{parent}\\Component{n:04d}"] = {"Version": f"10.0.{n}", "Flags": n}
    for n in range(1000):
        content[f"{CBS}\\Package_{n:04d}_for_KB50{n:05d}~31bf3856ad364e35~amd64~~26100.{n}.1.1"] = {
            "CurrentState": 0x70, "InstallName": f"Package_{n:04d}.mum", "InstallLocation": "\\\\?\\C:\\Windows"}
    # 2,000 Classes keys carry the bytes: hivex leaves each outgrown subkey list behind, so what a
    # hive of this shape takes without the data (SHAPE_BYTES, measured) is counted off first
    per_key = max(256, (mib * 2**20 - SHAPE_BYTES) // CLASSES)
    for n in range(CLASSES):
        content[f"Classes\\.ext{n:05d}"] = {"Content Type": f"application/x-{n}", "Data": blob(per_key)}
    insides.write_hive(tree / HIVE, r"HKEY_LOCAL_MACHINE\SOFTWARE", content, work)


def real_size_kernel(tree: Path) -> None:
    """The stand-in kernel padded to a real kernel's size (overlay bytes after its sections)."""
    kernel = tree / "Windows/System32/ntoskrnl.exe"
    with kernel.open("ab") as fh:
        fh.write(blob(KERNEL_BYTES - kernel.stat().st_size))


def set_variant(tree: Path, n: int) -> None:
    hive = tree / HIVE
    variant = re.compile(re.escape(MARKER[:-2].encode("utf-16-le")) + b"(?:[0-9]\0){2}")
    new = f"{MARKER[:-2]}{n:02d}".encode("utf-16-le")
    hive.write_bytes(variant.sub(new, hive.read_bytes(), count=1))


def capture(wim: Path, tree: Path, names: list[str], distinct: bool = False) -> None:
    wim.unlink(missing_ok=True)
    for n, name in enumerate(names):
        if distinct:
            set_variant(tree, n)
        image = golden.win11("Enterprise", name)
        props = [a for k, v in image.properties() for a in ("--image-property", f"{k}={v}")]
        subprocess.run(["wimlib-imagex", "capture" if n == 0 else "append", str(tree), str(wim), name, *props],
                       check=True, stdout=subprocess.DEVNULL)


def build(work: Path, mib: int) -> Path:
    inside = golden.v24h2()
    tree = work / f"tree-{mib}"
    insides.write_tree(tree, inside, insides.KernelBuilder(work), work)
    wide_software(tree, inside, mib, work)
    real_size_kernel(tree)
    return tree


def bare_extract(wim: Path, index: int, work: Path) -> None:
    dest = work / f"bare-{index}"
    shutil.rmtree(dest, ignore_errors=True)
    listfile = work / "bare.list"
    subprocess.run(["wimlib-imagex", "extract", str(wim), str(index), f"@{listfile}", f"--dest-dir={dest}",
                    "--preserve-dir-structure", "--nullglob", "--no-acls"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "WIMLIB_IMAGEX_IGNORE_CASE": "1"})
    shutil.rmtree(dest)


def bare_all(wim: Path, count: int, work: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda n: bare_extract(wim, n, work), range(1, count + 1)))


PEAK = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def peak_mib(wim: Path) -> float:
    """Maximum resident set of a process that imports oobe-ready and deep-inspects every index of `wim`."""
    code = ("import sys; from toolkit.sources.images import read_image_source; from toolkit.sources.deep import "
            "deep_inspect; deep_inspect([read_image_source(sys.argv[1])])")
    err = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", code, str(wim)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stderr
    return int(PEAK.search(err).group(1)) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hive-mib", type=int, default=100)
    ap.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="oobe-ready-bench-") as tmp:
        work = Path(tmp)
        (work / "bare.list").write_text("".join(p + "\n" for p in [*BIG.values(), *SMALL]))
        started = time.perf_counter()
        tree = build(work, args.hive_mib)
        hive_bytes = (tree / HIVE).stat().st_size
        one, eleven, large = work / "one.wim", work / "eleven.wim", work / "large.wim"
        capture(one, tree, ["Windows 11 Enterprise"])
        capture(eleven, tree, [f"Windows 11 edition {n}" for n in range(1, 12)], distinct=True)
        shutil.rmtree(tree)
        large_tree = build(work, 2 * args.hive_mib)
        large_hive = (large_tree / HIVE).stat().st_size
        capture(large, large_tree, ["Windows 11 Enterprise"])
        shutil.rmtree(large_tree)
        setup = time.perf_counter() - started
        src_one, src_eleven = read_image_source(one), read_image_source(eleven)
        bare = median(lambda: bare_extract(one, 1, work), args.runs)
        deep_one = median(lambda: deep_inspect([src_one]), args.runs)
        bare_eleven = median(lambda: bare_all(eleven, 11, work), args.runs)
        deep_eleven = median(lambda: deep_inspect([src_eleven]), args.runs)
        cli_one = median(lambda: oobe_ready_check(one), args.runs)
        memory = {label: max(peak_mib(wim) for _ in range(3)) for label, wim in
                  (("one", one), ("eleven", eleven), ("large", large))}
        imports = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", "import toolkit.sources.deep, "
                                  "toolkit.sources.inside.hives, toolkit.sources.inside.kernel, regipy.registry, "
                                  "pefile"], cwd=ROOT, capture_output=True, text=True, check=True).stderr
        import_mib = int(PEAK.search(imports).group(1)) / 1024
        sizes = (one.stat().st_size, eleven.stat().st_size, large.stat().st_size)

    version = subprocess.run(["wimlib-imagex", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    mem = lambda label: f"{memory[label]:.1f} MiB"  # noqa: E731
    lines = [
        f"## deep: Microsoft-like media against bare extractions ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {version}. "
        f"Median of {args.runs} runs; memory the largest of 3. SOFTWARE hive {hive_bytes:,} B (large: "
        f"{large_hive:,} B) written by hivexregedit, realistically wide; ntoskrnl.exe {KERNEL_BYTES:,} B; "
        f"WIM (LZX) {sizes[0]:,} B with 1 index, {sizes[1]:,} B with 11 editions each with its own hive, "
        f"{sizes[2]:,} B with the large hive. Setup {setup:.0f} s. Command: `python benchmarks/bench_deep.py "
        f"--runs {args.runs} --hive-mib {args.hive_mib} --write`.",
        "",
        "| measurement | time / memory | ratio | target |",
        "|---|---|---|---|",
        f"| (c) bare `wimlib-imagex extract` of the files deep inspection reads, 1 index | {ms(bare)} | 1 | |",
        f"| (c) deep inspection of 1 index, in-process (extract + parse) | {ms(deep_one)} | "
        f"**{deep_one / bare:.2f}** | <= 1.2 |",
        f"| (d) 11 bare extractions, two at a time | {ms(bare_eleven)} | 1 | |",
        f"| (d) deep inspection of 11 editions with distinct hives, in-process | {ms(deep_eleven)} | "
        f"**{deep_eleven / bare_eleven:.2f}** | <= 1.2 |",
        f"| `oobe-ready check -o json` of the 1-index WIM (whole process) | {ms(cli_one)} | "
        f"{cli_one / bare:.2f} vs bare extract | |",
        f"| (e) peak memory, deep inspection of 1 index | {mem('one')} | | <= 64 MiB |",
        f"| (e) peak memory, deep inspection of 11 editions | {mem('eleven')} | | <= 64 MiB |",
        f"| (e) peak memory, deep inspection of the {2 * args.hive_mib} MiB hive | {mem('large')} | "
        f"**{memory['large'] / memory['one']:.2f}** vs the {args.hive_mib} MiB hive | <= 64 MiB, flat |",
        f"| peak memory of the imports alone (Python, regipy, pefile, lxml) | {import_mib:.1f} MiB | | |",
        "",
        "Hives are memory-mapped and only the keys asked for are parsed (each key's children indexed once),"
        " so memory does not follow the hive's size; each index is read as soon as its files are extracted,"
        " while the next indexes extract.",
        "",
    ]
    publish("deep", lines, args.write)


if __name__ == "__main__":
    main()
