"""Run an extraction tool as a child process under a time limit and a per-file size limit.

On POSIX the child gets its own process group, so a timeout or Ctrl-C kills the tool and anything it
started, and RLIMIT_FSIZE makes the kernel stop it from writing any file larger than the cap. Where
those do not exist (Windows), the tool itself is killed and a watchdog stops it as soon as a file it
writes grows past the cap. Output is read by a thread, so no pipe is ever polled with select().
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from toolkit.records import record

try:
    import resource  # POSIX only
except ImportError:  # Windows: the watchdog enforces the size cap instead
    resource = None

from toolkit.limits import MAX_TOOL_OUTPUT


class ExtractionError(Exception):
    """Files could not be read out of an image. The message is one line for the user."""


@record
class ToolResult:
    returncode: int
    stdout: str
    stderr: str

    def problem(self, text: str | None = None) -> str:
        """The tool's last message line (from stderr unless `text` is given), and the signal that
        ended it, if one did: a tool killed mid-run often prints nothing."""
        text = self.stderr if text is None else text
        line = last_line(text)
        # wimlib and 7-Zip name the file they could not handle on their first error line and end with
        # a generic summary ("Failed to create a file."): keep both, so the message names the file
        first = next((x.strip() for x in text.replace("\r", "\n").splitlines()
                      if x.strip().startswith(("[ERROR]", "ERROR:")) and "Exiting with error code" not in x), None)
        if first and first != line:
            line = f"{first[:300]} ({line})"
        if self.returncode < 0:
            with contextlib.suppress(ValueError):
                line += f" (killed by {signal.Signals(-self.returncode).name})"
        return line




_RUNNING: set[subprocess.Popen] = set()  # tools started by any thread, until they have exited
_RUNNING_LOCK = threading.Lock()
_STOPPING = threading.Event()  # set by stop_running_tools: a tool started from now on is killed at once


def stop_running_tools() -> None:
    """Kill every tool still running, and any a worker thread starts from now on. Ctrl-C, SIGTERM and
    SIGHUP reach only the main thread; tools started by worker threads would otherwise run on (and
    keep the process alive) until their own time limit."""
    with _RUNNING_LOCK:
        _STOPPING.set()
        running = list(_RUNNING)
    for proc in running:
        _kill_tree(proc)


def allow_tools() -> None:
    """A new run may start tools again (stop_running_tools ended the previous one)."""
    _STOPPING.clear()


def run_tool(argv: Sequence[str], *, timeout: float, fsize_limit: int | None = None,
             env: dict[str, str] | None = None, on_output: Callable[[str], None] | None = None,
             watch: Path | None = None) -> ToolResult:
    """Run `argv`, feeding stdout chunks to `on_output` (progress) as they arrive. `watch` is the folder
    the tool writes to: without RLIMIT_FSIZE, a file there past `fsize_limit` stops the tool."""

    def limit_child() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    name = os.path.basename(argv[0])
    options: dict = {"start_new_session": True} if hasattr(os, "setsid") else {}
    kernel_cap = fsize_limit is not None and resource is not None
    if kernel_cap:
        options["preexec_fn"] = limit_child
    watched = watch if fsize_limit is not None and not kernel_cap else None
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                    env={**os.environ, **(env or {})}, **options)
        except OSError as exc:
            raise ExtractionError(f"cannot run {name}: {exc.strerror}") from None
        with _RUNNING_LOCK:  # registered, or killed if a stop came while it was starting: never missed
            stopping = _STOPPING.is_set()
            if not stopping:
                _RUNNING.add(proc)
        if stopping:
            _kill(proc)
            proc.stdout.close()
            raise ExtractionError(f"{name} stopped: the run is being cancelled")
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + timeout
        output: queue.Queue[bytes] = queue.Queue()
        assert proc.stdout is not None
        threading.Thread(target=_pump, args=(proc.stdout.fileno(), output), daemon=True).start()
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ExtractionError(f"{name} timed out after {timeout:g} s")
                if watched is not None and _oversized(watched, fsize_limit):
                    raise ExtractionError(f"{name} stopped: a file in the image is larger than the "
                                          f"{fsize_limit}-byte limit")
                try:
                    chunk = output.get(timeout=min(left, 0.5))
                except queue.Empty:
                    continue
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_TOOL_OUTPUT:
                    raise ExtractionError(f"{name} printed more than {MAX_TOOL_OUTPUT} bytes")
                chunks.append(chunk)
                if on_output is not None:
                    on_output(chunk.decode("utf-8", "replace"))
            code = proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ExtractionError(f"{name} timed out after {timeout:g} s") from None
        except BaseException:  # timeout, oversized output, Ctrl-C: never leave the tool running
            _kill(proc)
            raise
        finally:
            proc.stdout.close()
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
        err.seek(0)
        stderr = err.read(65536).decode("utf-8", "replace")
    xfsz = getattr(signal, "SIGXFSZ", None)
    if fsize_limit is not None and xfsz is not None and code in (-xfsz, 128 + xfsz):
        raise ExtractionError(f"{name} stopped: a file in the image is larger than the {fsize_limit}-byte limit")
    if watched is not None and _oversized(watched, fsize_limit):
        raise ExtractionError(f"{name} stopped: a file in the image is larger than the {fsize_limit}-byte limit")
    return ToolResult(code, b"".join(chunks).decode("utf-8", "replace"), stderr)


def _pump(fd: int, output: queue.Queue) -> None:
    """Move the tool's stdout into `output` until it ends (an empty chunk says so)."""
    try:
        while chunk := os.read(fd, 65536):
            output.put(chunk)
    except OSError:  # the pipe was closed under us: the tool is being stopped
        pass
    output.put(b"")


def _oversized(folder: Path, limit: int) -> bool:
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):  # written or removed while looked at
                if os.lstat(os.path.join(root, name)).st_size > limit:
                    return True
    return False


def _kill_tree(proc: subprocess.Popen) -> None:
    """The tool and what it started (its process group) where there are groups; else the tool itself."""
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
        else:
            proc.kill()


def _kill(proc: subprocess.Popen) -> None:
    _kill_tree(proc)
    proc.wait()


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
