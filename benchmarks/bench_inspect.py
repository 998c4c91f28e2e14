#!/usr/bin/env python3
"""Metadata reading must not grow with the WIM's size, and start-up must stay light.

Builds a 4 MiB and a 2 GiB WIM with wimlib-imagex (uncompressed, so the file really is that
large), then records the median of several runs of (issue 16 targets):
  - (a) `oobe-ready inspect --format json` on the small WIM ÷ a bare `python -c 'import click, lxml.etree'`,
    the floor of any Python CLI that parses XML (target <= 1.3), and ÷ the same import followed by
    `gc.freeze()`, which the CLI does after start-up (like for like);
  - (b) `oobe-ready inspect --format json` on each (whole process), and their ratio (target <= 1.05);
  - the same for an installation ISO holding each WIM (xorriso; read in place through the ISO's
    directory, so it must not grow either);
  - the in-process header+XML read on each;
  - `wimlib-imagex info` on the same files;
  - the CLI import time (`python -X importtime -c 'import toolkit.cli'`) and `oobe-ready --version`.

Usage: python benchmarks/bench_inspect.py [--runs N] [--big-gib G] [--write]
  --write appends nothing; it rewrites the 'inspect' section of benchmarks/RESULTS.md.
Needs ~G GiB of free disk in benchmarks/work/ (removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "golden_images"))

import build as golden  # noqa: E402  (golden_images/build.py: the same XML as the fixtures)
from results import median, paired_medians, publish, run  # noqa: E402

from toolkit.sources.images import read_image_source  # noqa: E402


def make_wim(path: Path, payload_bytes: int, work: Path) -> None:
    tree = work / f"tree-{path.stem}"
    shutil.rmtree(tree, ignore_errors=True)
    image = golden.win11("Enterprise", "Windows 11 Enterprise", inside=golden.v24h2())
    golden.make_tree(tree, image, golden.KernelBuilder(work), work)
    blob = tree / "Windows/System32/payload.bin"
    with blob.open("wb") as fh:  # sparse file with a little random data: wimlib reads it all
        fh.truncate(payload_bytes)
        fh.write(os.urandom(4096))
    props = [a for k, v in image.properties() for a in ("--image-property", f"{k}={v}")]
    path.unlink(missing_ok=True)
    subprocess.run(["wimlib-imagex", "capture", str(tree), str(path), image.name, "--compress=none",
                    *props], check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(tree)


def import_time_us() -> tuple[int, list[str]]:
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import toolkit.cli"],
                         capture_output=True, text=True, check=True).stderr
    rows = [re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line) for line in err.splitlines()]
    rows = [r for r in rows if r]
    total = next(int(r.group(2)) for r in rows if r.group(4) == "toolkit.cli")
    # direct children of the top-level imports, i.e. what `import toolkit.cli` pulls in
    top = sorted(((int(r.group(2)), r.group(4)) for r in rows if len(r.group(3)) == 3), reverse=True)[:5]
    return total, [f"{name} {us / 1000:.1f} ms" for us, name in top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--big-gib", type=float, default=2.0)
    ap.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = ap.parse_args()
    if not shutil.which("wimlib-imagex"):
        sys.exit("wimlib-imagex not found: apt-get install wimtools")

    # As pip leaves an installed package: byte-compiled (a checkout run with PYTHONDONTWRITEBYTECODE=1,
    # as this machine sets it, would otherwise compile every toolkit module at each start)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "toolkit")], check=True)
    work = HERE / "work"
    work.mkdir(exist_ok=True)
    small, big = work / "small-4MiB.wim", work / f"big-{args.big_gib:g}GiB.wim"
    try:
        print("building WIMs with wimlib-imagex ...", flush=True)
        make_wim(small, 4 * 2**20, work)
        make_wim(big, int(args.big_gib * 2**30), work)
        isos = {}
        for label, wim in (("small", small), ("big", big)):
            media = golden.media_tree(work / f"media-{label}", {"sources/install.wim": wim})
            isos[label] = work / f"{label}.iso"
            golden.write_iso(isos[label], "xorriso", media)
        cli = [sys.executable, "-m", "toolkit"]
        rows = {}
        for label, wim in (("small", small), ("big", big)):
            rows[label] = {
                "size": wim.stat().st_size,
                "inspect": median(lambda w=wim: run([*cli, "inspect", str(w), "--format", "json"]), args.runs),
                "iso": median(lambda i=isos[label]: run([*cli, "inspect", str(i), "--format", "json"]), args.runs),
                "read": median(lambda w=wim: read_image_source(w), args.runs * 20),
                "wimlib": median(lambda w=wim: run(["wimlib-imagex", "info", str(w)]), args.runs),
            }
        version = median(lambda: run([*cli, "--version"]), args.runs)
        # (a) in turn, so that drift between blocks cannot skew it; the CLI freezes what start-up loaded out
        # of the collector's reach (cli.main): the like-for-like floor does too
        paired = paired_medians({
            "inspect": lambda: run([*cli, "inspect", str(small), "--format", "json"]),
            "bare": lambda: run([sys.executable, "-c", "import click, lxml.etree"]),
            "frozen": lambda: run([sys.executable, "-c", "import gc, click, lxml.etree; gc.freeze()"]),
        }, args.runs * 2)
        import_us, top = import_time_us()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ratio = rows["big"]["inspect"] / rows["small"]["inspect"]
    wimlib_version = subprocess.run(["wimlib-imagex", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0]
    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    lines = [
        f"## inspect: metadata read vs WIM size ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{wimlib_version}. Median of {args.runs} runs (in-process read: {args.runs * 20}). "
        f"Command: `python benchmarks/bench_inspect.py --runs {args.runs} "
        f"--big-gib {args.big_gib:g} --write`.",
        "",
        "| measurement | 4 MiB WIM | big WIM | ratio big/small |",
        "|---|---|---|---|",
        f"| file size | {rows['small']['size']:,} B | {rows['big']['size']:,} B | "
        f"{rows['big']['size'] / rows['small']['size']:.0f}x |",
        f"| (b) `oobe-ready inspect --format json` (whole process) | {ms(rows['small']['inspect'])} | "
        f"{ms(rows['big']['inspect'])} | **{ratio:.3f}** (target <= 1.05) |",
        f"| `oobe-ready inspect --format json` of an ISO holding it | {ms(rows['small']['iso'])} | "
        f"{ms(rows['big']['iso'])} | **{rows['big']['iso'] / rows['small']['iso']:.3f}** |",
        f"| header + XML read in-process | {ms(rows['small']['read'])} | {ms(rows['big']['read'])} | "
        f"{rows['big']['read'] / rows['small']['read']:.3f} |",
        f"| `wimlib-imagex info` | {ms(rows['small']['wimlib'])} | {ms(rows['big']['wimlib'])} | "
        f"{rows['big']['wimlib'] / rows['small']['wimlib']:.3f} |",
        "",
        f"(a) `inspect --format json` on the small WIM ({ms(paired['inspect'])}) ÷ a bare `python -c 'import "
        f"click, lxml.etree'` ({ms(paired['bare'])}), {args.runs * 2} runs of each in turn: "
        f"**{paired['inspect'] / paired['bare']:.2f}** (target <= 1.3). Like for like, against a bare import that "
        f"also calls `gc.freeze()` as the CLI does after start-up ({ms(paired['frozen'])}): "
        f"{paired['inspect'] / paired['frozen']:.2f}.",
        "",
        f"`inspect --format json` vs `wimlib-imagex info` on the big WIM: "
        f"{rows['big']['inspect'] / rows['big']['wimlib']:.1f}x (Python interpreter start-up dominates; "
        f"the read itself is {ms(rows['big']['read'])}).",
        "",
        f"Start-up: `import toolkit.cli` {import_us / 1000:.1f} ms cumulative (`python -X importtime`); "
        f"`oobe-ready --version` {ms(version)} whole process. Largest imports: {', '.join(top)}.",
        "",
    ]
    publish("inspect", lines, args.write)


if __name__ == "__main__":
    main()
