#!/usr/bin/env python3
"""Batch scale: `check` over 20 images in one call (parallel vs serial extraction), and a tenant
export folder of 5,000 JSON objects.

Builds 20 WIMs with the same real tools as the golden images, each with its own SOFTWARE hive
(~M MiB, distinct content, so nothing is shared between them), then records medians of:
  - `oobe-ready check IMG1 ... IMG20 -o json` with OOBE_READY_WORKERS=1 (serial extraction) and
    with the default (one extraction per core), and their ratio;
  - (g) ... and the peak temporary disk of each (TMPDIR polled every 10 ms);
  - (f) `oobe-ready check --intune FOLDER -o json` over 5,000 export files made from the golden
    tenant export (profiles, ESPs, Conditional Access and settings catalog policies) ÷ a bare
    `python -c` that json.loads the same files (target <= 2.5), and ÷ the same with the collector off
    (like for like: the CLI turns it off for that work), and the rate in objects per second.

Usage: python benchmarks/bench_scale.py [--runs N] [--images K] [--hive-mib M] [--objects N] [--write]
Needs wimlib-imagex, hivexregedit and mingw-w64 (as golden_images/build.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_deep import capture, golden, insides, wide_software  # noqa: E402
from results import median, paired_medians, publish  # noqa: E402
from results import oobe_ready_check as check  # noqa: E402

EXPORT = ROOT / "golden_images" / "intune" / "ready"


def build_images(work: Path, count: int, mib: int) -> list[Path]:
    inside = golden.v24h2()
    tree = work / "tree"
    insides.write_tree(tree, inside, insides.KernelBuilder(work), work)
    images = []
    for n in range(count):
        wide_software(tree, inside, mib, work)  # random payload: every image has its own hive
        wim = work / f"image{n:02d}.wim"
        capture(wim, tree, ["Windows 11 Enterprise"])
        images.append(wim)
    return images


def build_export(folder: Path, objects: int) -> int:
    """`objects` export files cloned from the golden export with fresh ids and names."""
    from toolkit.sources.intune import _load  # the golden export holds UTF-16 files too

    templates = [_load(p)[0] for p in sorted(EXPORT.rglob("*.json"))]
    templates = [t for t in templates if isinstance(t, dict) and "@odata.type" in t]
    folder.mkdir()
    for n in range(objects):
        doc = dict(templates[n % len(templates)])
        doc["id"] = f"{n:08d}-0000-4000-8000-000000000000"
        doc["displayName"] = f"{doc.get('displayName', 'object')} {n}"
        (folder / f"{n:05d}.json").write_text(json.dumps(doc), encoding="utf-8")
    return len(templates)


def disk_peak(fn, tmp: Path) -> int:
    """Run `fn` while polling the bytes under `tmp` (the run's TMPDIR); the largest seen."""
    peak, done = 0, threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            total = 0
            for folder, _, names in os.walk(tmp):  # os.walk skips folders removed while walked
                for name in names:
                    with contextlib.suppress(OSError):  # removed while counted
                        total += os.stat(os.path.join(folder, name), follow_symlinks=False).st_size
            peak = max(peak, total)
            time.sleep(0.01)

    watcher = threading.Thread(target=poll)
    watcher.start()
    try:
        fn()
    finally:
        done.set()
        watcher.join()
    return peak


def bare_json_load(folder: Path, collector: bool = True) -> None:
    """The floor: json.load of every file. Without the collector (`gc.disable()` first), like for like
    with the CLI, which pauses it while exports are parsed and keeps it off once they are read."""
    code = "import json, pathlib, sys; [json.load(p.open('rb')) for p in pathlib.Path(sys.argv[1]).rglob('*.json')]"
    subprocess.run([sys.executable, "-c", code if collector else "import gc; gc.disable(); " + code, str(folder)],
                   check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--hive-mib", type=int, default=16)
    ap.add_argument("--objects", type=int, default=5000)
    ap.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="oobe-ready-scale-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        images = build_images(work, args.images, args.hive_mib)
        setup = time.perf_counter() - started
        scratch = work / "scratch"
        scratch.mkdir()
        serial = median(lambda: check(*images, env={"OOBE_READY_WORKERS": "1"}), args.runs)
        parallel = median(lambda: check(*images), args.runs)
        disk_serial = disk_peak(lambda: check(*images, env={"OOBE_READY_WORKERS": "1", "TMPDIR": str(scratch)}),
                                scratch)
        disk_parallel = disk_peak(lambda: check(*images, env={"TMPDIR": str(scratch)}), scratch)
        total_bytes = sum(p.stat().st_size for p in images)
        shutil.rmtree(work / "tree")
        export = work / "export"
        kinds = build_export(export, args.objects)
        # in turn, so that drift between blocks cannot skew the ratio
        paired = paired_medians({"tenant": lambda: check("--intune", export), "bare": lambda: bare_json_load(export),
                                 "bare without gc": lambda: bare_json_load(export, collector=False)}, args.runs * 5)
        tenant, bare, bare_no_gc = paired["tenant"], paired["bare"], paired["bare without gc"]
        one_file = median(lambda: check("--intune", EXPORT), args.runs)

    version = subprocess.run(["wimlib-imagex", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    workers = min(8, os.cpu_count() or 1)
    lines = [
        f"## scale: {args.images} images in one call, a {args.objects:,}-object tenant export "
        f"({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {version}. "
        f"Median of {args.runs} runs of the whole process (`python -m toolkit check ... -o json`). "
        f"{args.images} WIMs, each with its own ~{args.hive_mib} MiB SOFTWARE hive ({total_bytes:,} B in all); "
        f"setup {setup:.0f} s. Command: `python benchmarks/bench_scale.py --runs {args.runs} --images "
        f"{args.images} --hive-mib {args.hive_mib} --objects {args.objects} --write`.",
        "",
        "| measurement | time | ratio | peak temporary disk |",
        "|---|---|---|---|",
        f"| (g) `check` of {args.images} images, serial extraction (`OOBE_READY_WORKERS=1`) | {serial:.2f} s | 1 | "
        f"{disk_serial / 2**20:,.0f} MiB |",
        f"| (g) `check` of {args.images} images, parallel extraction ({workers} workers, the default) | "
        f"{parallel:.2f} s | **{serial / parallel:.2f}x** faster | {disk_parallel / 2**20:,.0f} MiB |",
        f"| `check --intune` of the 7-file golden export | {one_file * 1000:.0f} ms | | |",
        f"| bare `python -c` json.load of the same {args.objects:,} files ({args.runs * 5} runs of each in turn) | "
        f"{bare:.2f} s | 1 | |",
        f"| (f) `check --intune` of {args.objects:,} export files ({kinds} object kinds) | {tenant:.2f} s | "
        f"**{tenant / bare:.2f}** (target <= 2.5); {args.objects / tenant:,.0f} objects/s | |",
        "",
        f"Like for like, against a bare json.load that also turns the garbage collector off as the CLI does "
        f"({bare_no_gc:.2f} s): {tenant / bare_no_gc:.2f}.",
        "",
        "Deep inspection runs one extraction tool per core across every image of the call (at most 8, "
        "`OOBE_READY_WORKERS` overrides); hives and kernels are parsed in order as each index's files "
        "arrive, while the next indexes extract, so at most one index more than there are workers waits on "
        "disk. The speed-up is bounded by the cores and by the parsing, which stays serial. The export rows "
        "include interpreter start-up.",
        "",
    ]
    publish("scale", lines, args.write)


if __name__ == "__main__":
    main()
