"""What every benchmark shares: median timing, running the CLI, and recording a section in
benchmarks/RESULTS.md (replacing that section's previous figures)."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
ROOT = RESULTS.parent.parent


def median(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls of `fn`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall time of each of `fns`, called in turn `runs` times (one of each per round), in seconds:
    a ratio of two is then not skewed by the machine getting faster or slower between two blocks."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run(cmd: list[str], env: dict | None = None, check: bool = True) -> None:
    """A whole process, output discarded (what a pipeline step costs)."""
    subprocess.run(cmd, cwd=ROOT, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, **(env or {})})


def oobe_ready_check(*args: object, env: dict | None = None) -> None:
    """`python -m toolkit check ARGS -o json`; its exit code is the verdict, not a failure."""
    run([sys.executable, "-m", "toolkit", "check", *map(str, args), "-o", "json"], env=env, check=False)


def record(section: str, report: str) -> None:
    """`report` starts with '## {section}: ...'; any earlier section of that name is replaced."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    text = re.sub(rf"## {re.escape(section)}: .*?(?=\n## |\Z)", "", text, flags=re.S).rstrip()
    RESULTS.write_text(text + "\n\n" + report)


def publish(section: str, lines: list[str], write: bool) -> None:
    """Print the report; with --write, also record it in RESULTS.md."""
    report = "\n".join(lines)
    print(report)
    if write:
        record(section, report)
