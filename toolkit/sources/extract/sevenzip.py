"""7-Zip backend, the fallback when wimlib is absent: `l -slt` lists files with their WIM SHA-1,
`x` extracts them. A WIM with several images shows each one as a top folder named by its index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from toolkit.limits import EXTRACT_TIMEOUT, LIST_TIMEOUT, MAX_EXTRACTED_FILE_BYTES
from toolkit.sources.extract import ByteBudget, ByteProgress, Entry, Extracted, files_under
from toolkit.sources.extract.process import ExtractionError, run_tool

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
        return self._list(index, [path])

    def _list(self, index: int, paths: Sequence[str]) -> list[Entry]:
        result = run_tool([self.tool, "l", "-slt", *COMMON, str(self.archive),
                           *(self._in_archive(index, p) for p in paths)], timeout=LIST_TIMEOUT)
        if result.returncode != 0:
            problem = result.problem(result.stdout + result.stderr)
            raise ExtractionError(f"7-Zip could not list {self.archive.name}: {problem}")
        entries = []
        for block in result.stdout.replace("\r\n", "\n").split("\n\n"):
            fields = dict(line.partition(" = ")[::2] for line in block.splitlines() if " = " in line)
            link = bool(fields.get("Link")) or "L" in fields.get("Attributes", "")
            if "Path" not in fields or (fields.get("Folder") == "+" and not link):
                continue
            size = fields.get("Size", "")
            entries.append(Entry(self._from_archive(fields["Path"].replace("\\", "/")),
                                 int(size) if size.isdigit() else 0, None if link else fields.get("SHA-1") or None,
                                 link))
        return entries

    def extract(self, index: int, paths: Sequence[str], dest: Path, progress: ByteProgress | None = None,
                budget: ByteBudget | None = None) -> Extracted:
        out = dest / "7z"
        wanted = [self._in_archive(index, p) for p in paths]
        # 7-Zip writes a link as an empty regular file (or refuses it): find the links first, as wimlib
        # extracts them as links, so that both backends judge the same image the same way.
        listed = self._list(index, paths)
        links = [e.path for e in listed if e.link]
        if budget is not None:
            budget.take(sum(e.size for e in listed if not e.link), "7-Zip extract")
        skip = [f"-x!{self._in_archive(index, p)}" for p in links]
        result = run_tool([self.tool, "x", *COMMON, f"-o{out}", *skip, str(self.archive), *wanted],
                          timeout=EXTRACT_TIMEOUT, fsize_limit=MAX_EXTRACTED_FILE_BYTES, watch=out)
        if result.returncode != 0:
            raise ExtractionError(f"7-Zip could not extract from {self.archive.name}: "
                                  f"{result.problem(result.stdout + result.stderr)}")
        found = files_under(out / str(index) if self.prefixed else out)
        for path in links:
            found.reject(path)
        return found
