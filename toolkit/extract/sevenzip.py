"""7-Zip backend, the fallback when wimlib is absent: `l -slt` lists files with their WIM SHA-1,
`x` extracts them. A WIM with several images shows each one as a top folder named by its index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from toolkit.extract import ByteProgress, Entry, files_under
from toolkit.extract.process import ExtractionError, run_tool
from toolkit.limits import EXTRACT_TIMEOUT, LIST_TIMEOUT, MAX_EXTRACTED_FILE_BYTES

# -ssc-: names are case-insensitive as on Windows; -ba: no banner; -bd: no progress indicator
COMMON = ("-ssc-", "-ba", "-bd", "-y", "-p")  # -p with no password: never prompt


class SevenZipBackend:
    def __init__(self, source, tool: str) -> None:
        if source.encrypted:
            raise ExtractionError("the ESD has encrypted segments; decrypt it before deep inspection")
        if source.kind == "swm":
            raise ExtractionError("7-Zip cannot read a split WIM set; install wimlib-imagex")
        self.tool = tool
        self.archive = Path(source.path)
        self.prefixed = len(source.images) > 1
        self.name = "7-Zip"

    def _in_archive(self, index: int, path: str) -> str:
        path = path.lstrip("/")
        return f"{index}/{path}" if self.prefixed else path

    def _from_archive(self, name: str) -> str:
        return "/" + (name.split("/", 1)[1] if self.prefixed and "/" in name else name)

    def stat(self, index: int, path: str) -> list[Entry]:
        result = run_tool([self.tool, "l", "-slt", *COMMON, str(self.archive), self._in_archive(index, path)],
                          timeout=LIST_TIMEOUT)
        if result.returncode != 0:
            problem = result.problem(result.stdout + result.stderr)
            raise ExtractionError(f"7-Zip could not list {self.archive.name}: {problem}")
        entries = []
        for block in result.stdout.replace("\r\n", "\n").split("\n\n"):
            fields = dict(line.partition(" = ")[::2] for line in block.splitlines() if " = " in line)
            if "Path" not in fields or fields.get("Folder") == "+" or fields.get("Link"):
                continue
            size = fields.get("Size", "")
            entries.append(Entry(self._from_archive(fields["Path"].replace("\\", "/")),
                                 int(size) if size.isdigit() else 0, fields.get("SHA-1") or None))
        return entries

    def extract(self, index: int, paths: Sequence[str], dest: Path,
                progress: ByteProgress | None = None) -> dict[str, Path]:
        out = dest / "7z"
        wanted = [self._in_archive(index, p) for p in paths]
        result = run_tool([self.tool, "x", *COMMON, f"-o{out}", str(self.archive), *wanted],
                          timeout=EXTRACT_TIMEOUT, fsize_limit=MAX_EXTRACTED_FILE_BYTES)
        if result.returncode != 0:
            raise ExtractionError(f"7-Zip could not extract from {self.archive.name}: "
                                  f"{result.problem(result.stdout + result.stderr)}")
        return files_under(out / str(index) if self.prefixed else out)
