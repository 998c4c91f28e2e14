"""wimlib-imagex backend: `dir --detailed` to list files with their blob SHA-1, `extract` to read them.

Only read commands are used (`dir`, `extract`); `info` with arguments, `mount`, `update` and the
other writing commands are never called. Names are matched case-insensitively, as on Windows
(WIMLIB_IMAGEX_IGNORE_CASE=1). Split sets are opened at part 1 with every other part as --ref.
"""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from toolkit.limits import EXTRACT_TIMEOUT, LIST_TIMEOUT, MAX_EXTRACTED_FILE_BYTES
from toolkit.sources.extract import ByteBudget, ByteProgress, Entry, Extracted, files_under, find_tool
from toolkit.sources.extract.process import ExtractionError, run_tool

ENV = {"WIMLIB_IMAGEX_IGNORE_CASE": "1", "LC_ALL": "C"}


def _tool() -> str:
    """wimlib-imagex as found on PATH or in its Windows install folder."""
    return find_tool("wimlib-imagex") or "wimlib-imagex"
PATH_MISSING = 49  # WIMLIB_ERR_PATH_DOES_NOT_EXIST
ATTR_DIRECTORY, ATTR_REPARSE = 0x10, 0x400
_PROGRESS = re.compile(r"(\d+) (bytes|KiB|MiB|GiB|TiB) of (\d+) (bytes|KiB|MiB|GiB|TiB)")
_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


class WimlibBackend:
    def __init__(self, source) -> None:
        if source.encrypted:
            raise ExtractionError("the ESD has encrypted segments; decrypt it before deep inspection")
        self.wim, self.refs = _parts(source)
        self.name = f"wimlib-imagex {_version()}"

    def _argv(self, command: str, index: int, *args: str) -> list[str]:
        return [_tool(), command, str(self.wim), str(index), *args, *(f"--ref={r}" for r in self.refs)]

    def stat(self, index: int, path: str) -> list[Entry]:
        result = run_tool(self._argv("dir", index, f"--path={path}", "--detailed"), timeout=LIST_TIMEOUT, env=ENV)
        if result.returncode == PATH_MISSING:
            return []
        if result.returncode != 0:
            raise ExtractionError(f"wimlib-imagex dir failed: {result.problem()}")
        return _parse_dir(result.stdout)

    def extract(self, index: int, paths: Sequence[str], dest: Path, progress: ByteProgress | None = None,
                budget: ByteBudget | None = None) -> Extracted:
        listfile = dest.parent / f"{dest.name}.list"
        listfile.write_text("".join(p + "\n" for p in paths), encoding="utf-8")
        argv = self._argv("extract", index, f"@{listfile}", f"--dest-dir={dest}", "--preserve-dir-structure",
                          "--nullglob", "--no-acls")

        announced: list[int] = []

        def report(chunk: str) -> None:
            for done, unit, total, total_unit in _PROGRESS.findall(chunk)[-1:]:
                size = int(total) * _UNITS[total_unit]
                if budget is not None and not announced:  # wimlib states the total before writing data
                    announced.append(size)
                    budget.take(size, "wimlib-imagex extract")
                if progress is not None:
                    progress(int(done) * _UNITS[unit], size)

        try:
            result = run_tool(argv, timeout=EXTRACT_TIMEOUT, fsize_limit=MAX_EXTRACTED_FILE_BYTES, env=ENV,
                              on_output=report, watch=dest)
        finally:
            listfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ExtractionError(f"wimlib-imagex extract failed: {result.problem()}")
        return files_under(dest)


def _parse_dir(text: str) -> list[Entry]:
    entries = []
    for block in text.split("-" * 76):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition("=")
            key = key.strip()
            if sep and key not in fields:  # the first Hash/size is the unnamed (default) data stream
                fields[key] = value.strip()
        if "Full Path" not in fields:
            continue
        attributes = int(fields.get("Attributes", "0"), 16)
        link = bool(attributes & ATTR_REPARSE)
        if attributes & ATTR_DIRECTORY and not link:
            continue
        digest = fields.get("Hash", "").removeprefix("0x")
        size = int(fields.get("Uncompressed size", "0 bytes").split()[0])
        entries.append(Entry(fields["Full Path"].strip('"'), size, digest if digest.strip("0") and not link else None,
                             link))
    return entries


def _parts(source) -> tuple[Path, list[Path]]:
    """The WIM to open and the other parts of its split set (wimlib opens a set at part 1)."""
    header = source.header
    if header is None or header.total_parts <= 1:
        return Path(source.path), []
    parts = {number: path for number, path, _size in source.parts}
    missing = [n for n in range(1, header.total_parts + 1) if n not in parts]
    if missing:
        raise ExtractionError(f"split set incomplete: part(s) {', '.join(map(str, missing))} of "
                              f"{header.total_parts} not found next to {Path(source.path).name}")
    return Path(parts[1]), [Path(parts[n]) for n in range(2, header.total_parts + 1)]


@functools.cache  # one run of the tool per process, however many images it reads
def _version() -> str:
    try:
        out = subprocess.run([_tool(), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(r"wimlib-imagex (\S+)", out)
    return match.group(1) if match else "unknown"
