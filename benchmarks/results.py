"""Record a benchmark's section in benchmarks/RESULTS.md, replacing its previous figures."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


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
