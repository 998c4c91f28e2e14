"""Deep inspection: take the named files out of each image index and read them into DeepFacts.

Work shared between indexes is done once: the big files (hives, kernel) are listed first with
their content hash, and a content already read for another index (of any source in this run) is
neither extracted nor parsed again. Indexes are extracted in parallel (the work runs in the backend
processes) into one private temporary directory; each index's files are removed once read, and the
directory always is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

from toolkit.facts import (
    AUTOPILOT_FOLDER,
    KERNEL,
    SETUP_COMPLETE,
    SOFTWARE_HIVE,
    STATE_INI,
    SYSTEM_HIVE,
    UNATTEND_LOCATIONS,
    WINRE,
    DeepFacts,
    ImageFacts,
    ImageSource,
    InsideFile,
)
from toolkit.limits import (
    MAX_INDEX_EXTRACTED_BYTES,
    MAX_RUN_COPIED_BYTES,
    MAX_RUN_EXTRACTED_BYTES,
    MAX_SMALL_FILE_BYTES,
    MAX_SMALL_FILES,
    RUN_PARSE_TIMEOUT,
)
from toolkit.records import replace
from toolkit.sources.extract import (
    INSTALL_HINT,
    LINK,
    NO_BACKEND,
    Backend,
    ByteBudget,
    Entry,
    Extracted,
    ExtractionError,
    backend_for,
    read_capped,
)
from toolkit.sources.extract.process import allow_tools, stop_running_tools
from toolkit.sources.inside import UnreadableFile

PACKAGES = "/Windows/servicing/Packages"
PACKAGE_GLOBS = tuple(f"{PACKAGES}/{p}*.mum" for p in
                      ("Package_for_RollupFix", "Package_for_ServicingStack", "Package_for_KB"))
AUTOPILOT_GLOB = AUTOPILOT_FOLDER + "/*.json"
BIG = {"software": SOFTWARE_HIVE, "system": SYSTEM_HIVE, "kernel": KERNEL, "winre": WINRE}
OPTIONAL = {"winre"}  # a captured image may carry no Winre.wim (reagentc keeps it on the recovery partition)
SMALL = (STATE_INI, SETUP_COMPLETE, *UNATTEND_LOCATIONS, *PACKAGE_GLOBS, AUTOPILOT_GLOB)

Progress = Callable[[str, int, int], None]  # (what, bytes done, bytes total)


def deep_inspect(sources: list[ImageSource], progress: Progress | None = None,
                 prefer: str | None = None) -> list[ImageSource]:
    """The sources with DeepFacts attached to every image index (raw XML sources have no files).

    Three phases: list the big files of every index, extract (each distinct content once, the
    indexes in parallel: the work happens in the backend processes), then read them in order."""
    allow_tools()
    with tempfile.TemporaryDirectory(prefix="oobe-ready-") as tmp, \
            ThreadPoolExecutor(max_workers=workers()) as pool:
        try:
            jobs, unavailable = _plan(sources, prefer, Path(tmp), progress)
            deep = _run_jobs(jobs, pool, Path(tmp), progress)
        except BaseException:  # Ctrl-C or a bug: stop the workers' tools before the pool waits for them
            stop_running_tools()
            raise
    out = []
    for source in sources:
        if source.path in unavailable:
            images = tuple(replace(i, deep=DeepFacts(f"{source.path}#{i.index}", unavailable=unavailable[source.path]))
                           for i in source.images)
        else:
            images = tuple(replace(i, deep=deep.get(f"{source.path}#{i.index}", i.deep)) for i in source.images)
        out.append(replace(source, images=images))
    return out


def _plan(sources: list[ImageSource], prefer: str | None, tmp: Path,
          progress: Progress | None) -> tuple[list[Job], dict[str, str]]:
    """A job for each index to read, and why the sources that cannot be read are not."""
    jobs: list[Job] = []
    unavailable: dict[str, str] = {}
    copied = ByteBudget(MAX_RUN_COPIED_BYTES)
    for n, source in enumerate(sources):
        if source.kind == "xml" or all(i.deep is not None for i in source.images):
            continue  # raw XML has no files; an offline directory was read already
        try:
            backend = backend_for(source, prefer)
            if backend is not None and source.container is not None:  # the tool reads a copy of its own
                copy = _copied_out(source, tmp / f"image{n}{Path(source.path).suffix}", copied, progress)
                backend = backend_for(copy, prefer)
        except ExtractionError as exc:
            backend, unavailable[source.path] = None, str(exc)
        if backend is None:
            unavailable.setdefault(source.path, f"{NO_BACKEND}: {INSTALL_HINT}")
            continue
        jobs += [Job(backend, image, f"{source.path}#{image.index}") for image in source.images]
    return jobs, unavailable


def _copied_out(source: ImageSource, dest: Path, budget: ByteBudget, progress: Progress | None) -> ImageSource:
    """An image inside an ISO as a file of its own, which the extraction tools can open: copied out
    within the run's copy budget and the free disk."""
    from toolkit.sources.iso import copy_member

    free = shutil.disk_usage(dest.parent).free
    if source.size > free:
        raise ExtractionError(f"copying the image out of the ISO needs {source.size} bytes of temporary disk; "
                              f"{free} are free (set TMPDIR to a larger disk)")
    budget.take(source.size, "copying the image out of the ISO")
    report = None if progress is None else (lambda done, total: progress(f"{source.path}: copying out", done, total))
    return replace(source, path=str(copy_member(source, dest, report)), container=None, container_size=None)


def workers() -> int:
    """Extraction tools run in parallel: one per core (at most 8), or OOBE_READY_WORKERS."""
    value = os.environ.get("OOBE_READY_WORKERS", "")
    return int(value) if value.isdigit() and int(value) > 0 else max(1, min(8, os.cpu_count() or 1))


def _run_jobs(jobs: list[Job], pool: ThreadPoolExecutor, tmp: Path, progress) -> dict[str, DeepFacts]:
    """List (to share contents between indexes), extract in parallel, then read in order."""
    if len(jobs) == 1:  # nothing to share: skip the listing, extract the big files by name
        jobs[0].fresh = list(BIG.values())
    else:
        list(pool.map(_list, jobs))
        owners: set[str] = set()
        for job in jobs:  # the first index holding a content extracts it
            job.fresh = [e.path for e in job.big.values()
                         if e is not None and (key := job.key(e)) not in owners and not owners.add(key)]
    for n, job in enumerate(jobs):
        job.work = tmp / str(n)
        job.work.mkdir()
    budget = ByteBudget(MAX_RUN_EXTRACTED_BYTES, MAX_INDEX_EXTRACTED_BYTES)
    # Read each index as soon as it is extracted, in order (the first holder of a shared content reads
    # it for the others), while the next ones extract: at most one index more than there are workers
    # waits on disk, so temporary disk stays a few indexes' worth however many indexes there are.
    window = workers() + 1  # the pool's size, as deep_inspect made it
    queued = iter(jobs)
    running = deque((job, pool.submit(_extract, job, progress, budget)) for job in islice(queued, window))
    deep: dict[str, DeepFacts] = {}
    cache: dict[str, object] = {}
    deadline = time.monotonic() + RUN_PARSE_TIMEOUT
    while running:
        job, extraction = running.popleft()
        extraction.result()
        if (following := next(queued, None)) is not None:
            running.append((following, pool.submit(_extract, following, progress, budget)))
        deep[job.origin] = job.read(cache, deadline)
        shutil.rmtree(job.work, ignore_errors=True)  # free the disk as soon as an index is read
    return deep


class Job:
    """One image index through the three phases."""

    def __init__(self, backend: Backend, image: ImageFacts, origin: str) -> None:
        self.backend, self.image, self.origin = backend, image, origin
        self.big: dict[str, Entry | None] = {}
        self.fresh: list[str] = []
        self.files = Extracted()
        self.unusable: dict[str, str] = {}  # role -> why its file cannot be evidence (from the listing)
        self.work = Path()
        self.failed: str | None = None

    def key(self, entry: Entry) -> str:
        """Content identity: the blob hash when the container has one, else the file itself."""
        return f"sha1:{entry.sha1}" if entry.sha1 else f"{self.origin}:{entry.path.lower()}"

    def read(self, cache: dict, deadline: float = float("inf")) -> DeepFacts:
        if self.failed:
            return DeepFacts(self.origin, self.backend.name, unavailable=self.failed)
        found: dict[str, InsideFile] = {}
        problems: dict[str, str] = {}
        parsed: dict[str, object] = {}
        small = _small_files(self.files, self.origin, found, problems)
        # Package states only matter to pick the newest installed of several cumulative updates;
        # listing Component Based Servicing\Packages is the costliest part of reading the hive.
        states = sum(p.kind == "rollup" for p in small["packages"]) > 1
        readers = {"software": lambda path: _software(path, states), "system": _system, "kernel": _kernel,
                   "winre": _winre}
        for role, entry in self.big.items():
            why = self.unusable.get(role) or self.files.why_unusable(BIG[role])
            if why:
                problems[role] = f"{BIG[role]}: {why}"
                continue
            if entry is None:
                if role not in OPTIONAL:
                    problems[role] = f"{BIG[role]} not found in the image"
                continue
            found[role] = InsideFile(entry.path, entry.size, entry.sha1)
            key = self.key(entry) + (":states" if role == "software" and states else "")
            if key not in cache:
                local = self.files.files.get(entry.path.lower())
                if time.monotonic() > deadline:
                    cache[key] = UnreadableFile(f"not parsed: the run's parsing time budget of {RUN_PARSE_TIMEOUT:g} s "
                                                "is spent")
                else:
                    cache[key] = readers[role](local) if local else UnreadableFile("listed but not extracted")
            result = cache[key]
            if isinstance(result, UnreadableFile):
                problems[role] = f"{entry.path}: {result}"
            else:
                parsed[role] = result
        return DeepFacts(origin=self.origin, backend=self.backend.name, files=found, problems=problems,
                         software=parsed.get("software"), system=parsed.get("system"),
                         kernel=parsed.get("kernel"), winre=parsed.get("winre"), **small)


def _list(job: Job) -> None:
    """The hives and the kernel with their content hashes, so shared contents are read once."""
    try:
        index = job.image.index
        listed = [e for path in ("/Windows/System32/config", KERNEL, WINRE) for e in job.backend.stat(index, path)]
    except ExtractionError as exc:
        job.failed = str(exc)
        return
    by_path: dict[str, list[Entry]] = {}
    for entry in listed:
        by_path.setdefault(entry.path.lower(), []).append(entry)
    for role, path in BIG.items():
        found = by_path.get(path.lower(), [])
        if len(found) > 1:
            names = ", ".join(sorted(e.path for e in found))
            job.unusable[role] = f"{len(found)} case-insensitive matches ({names})"
        elif found and found[0].link:
            job.unusable[role] = LINK
    job.big = {role: found[0] if len(found := by_path.get(path.lower(), [])) == 1 and not found[0].link else None
               for role, path in BIG.items()}


def _extract(job: Job, progress: Progress | None, budget: ByteBudget | None = None) -> None:
    if job.failed:
        return

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(f"{job.origin}: extracting", done, total)

    try:
        job.files = job.backend.extract(job.image.index, job.fresh + list(SMALL), job.work / "x", report, budget)
    except ExtractionError as exc:
        job.failed = str(exc)
        return
    if not job.big:  # not listed first: what was extracted is what exists
        job.big = {role: Entry(_image_path(path.lower(), local), local.stat().st_size, None)
                   if (local := job.files.files.get(path.lower())) else None for role, path in BIG.items()}


def inspect_index(backend: Backend, image: ImageFacts, origin: str, work: Path) -> DeepFacts:
    """Deep inspection of one index on its own (an offline directory)."""
    job = Job(backend, image, origin)
    job.fresh = list(BIG.values())
    job.work = work  # a directory backend reads in place and never writes here
    _extract(job, None)
    return job.read({})


def _software(path: Path, package_states: bool = True):
    from toolkit.registry_checks import registry_checks
    from toolkit.sources.inside.hives import read_software

    checks = registry_checks()
    return _guard(lambda: read_software(path, checks.values(), checks.configmgr_keys, package_states))


def _system(path: Path):
    from toolkit.sources.inside.hives import read_system

    return _guard(lambda: read_system(path))


def _kernel(path: Path):
    from toolkit.limits import MAX_PE_BYTES
    from toolkit.sources.inside.kernel import read_kernel

    return _guard(lambda: read_kernel(read_capped(path, MAX_PE_BYTES)))


def _winre(path: Path):
    """Winre.wim's first index, from its header and WIM XML (the WIM reader's own bounds apply)."""
    from toolkit.errors import InputError
    from toolkit.sources.wim import read_image_file

    def read() -> object:
        try:
            source = read_image_file(path)
        except InputError as exc:
            raise UnreadableFile(exc.problem) from None
        if not source.images:
            raise UnreadableFile("a WIM with no image")
        return replace(source.images[0], source=WINRE)  # where it is in the image, not the scratch copy

    return _guard(read)


def _guard(read: Callable[[], object]) -> object:
    try:
        return read()
    except UnreadableFile as exc:
        return exc
    except ExtractionError as exc:
        return UnreadableFile(str(exc))


def _small_files(extracted: Extracted, origin: str, found: dict[str, InsideFile],
                 problems: dict[str, str]) -> dict:
    from toolkit.sources.autopilot_file import autopilot_file_from_bytes
    from toolkit.sources.inside.packages import read_mum
    from toolkit.sources.inside.textfiles import decode_text, read_state_ini
    from toolkit.sources.inside.unattend import read_unattend

    files = extracted.files
    # A link, a case-insensitive twin or a cut listing where evidence may be: named, never "absent".
    problems.update(extracted.unusable)

    def read(path_lower: str) -> tuple[str, bytes] | None:
        local = files[path_lower]
        image_path = _image_path(path_lower, local)
        try:
            raw = read_capped(local, MAX_SMALL_FILE_BYTES)
        except ExtractionError as exc:
            problems[image_path] = str(exc)
            return None
        return image_path, raw

    def parse(path_lower: str, reader: Callable[[str, bytes], object], role: str | None = None,
              note: bool = True) -> object:
        """Read one small file, note where it was found (by role, else path), and parse it;
        None when absent or unreadable."""
        if path_lower not in files or (got := read(path_lower)) is None:
            return None
        if note:
            found[role or got[0]] = InsideFile(got[0], len(got[1]))
        try:
            return reader(*got)
        except UnreadableFile as exc:
            problems[got[0]] = str(exc)
            return None

    mums = sorted(p for p in files if p.startswith(PACKAGES.lower() + "/") and p.endswith(".mum"))
    if len(mums) > MAX_SMALL_FILES:
        problems[PACKAGES] = f"{len(mums)} package manifests, over the limit of {MAX_SMALL_FILES}"
        mums = mums[:MAX_SMALL_FILES]
    packages = [p for m in mums if (p := parse(m, lambda path, raw: read_mum(raw, Path(path).name), note=False))]
    unattend = [u for loc in UNATTEND_LOCATIONS
                if (u := parse(loc.lower(), lambda path, raw: (path, read_unattend(raw, path))))]
    state = parse(STATE_INI.lower(), lambda path, raw: read_state_ini(raw), "state_ini")
    setup = parse(SETUP_COMPLETE.lower(), lambda path, raw: decode_text(raw), "setup_complete")
    prefix = AUTOPILOT_GLOB.rsplit("/", 1)[0].lower() + "/"
    jsons = sorted(p for p in files if p.startswith(prefix) and p.endswith(".json"))
    if len(jsons) > MAX_SMALL_FILES:
        problems[prefix.rstrip("/")] = f"{len(jsons)} JSON files, over the limit of {MAX_SMALL_FILES}"
        jsons = jsons[:MAX_SMALL_FILES]
    autopilot = [parse(p, lambda path, raw: autopilot_file_from_bytes(raw, f"{origin}:{path}", image_path=path))
                 for p in jsons]
    autopilot = [a for a in autopilot if a is not None]
    return {"packages": tuple(packages), "unattend": tuple(unattend), "state_ini": state,
            "setup_complete": setup, "autopilot_files": tuple(autopilot)}


def _image_path(path_lower: str, local: Path) -> str:
    """The path as the image spells it: the lower-case key with the extracted file's real case."""
    parts = path_lower.strip("/").split("/")
    real = local.as_posix().split("/")[-len(parts):]
    return "/" + "/".join(real) if [r.lower() for r in real] == parts else path_lower
