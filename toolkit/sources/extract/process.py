"""Run an extraction tool as a child process under a time limit and a per-file size limit.

The child gets its own process group, so a timeout or Ctrl-C kills the tool and anything it
started; RLIMIT_FSIZE makes the kernel stop it from writing any file larger than the cap.
"""

from __future__ import annotations

import contextlib
import os
import resource
import selectors
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toolkit.limits import MAX_TOOL_OUTPUT


class ExtractionError(Exception):
    """Files could not be read out of an image. The message is one line for the user."""


@dataclass(frozen=True)
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
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def allow_tools() -> None:
    """A new run may start tools again (stop_running_tools ended the previous one)."""
    _STOPPING.clear()


def run_tool(argv: Sequence[str], *, timeout: float, fsize_limit: int | None = None,
             env: dict[str, str] | None = None, on_output: Callable[[str], None] | None = None) -> ToolResult:
    """Run `argv`, feeding stdout chunks to `on_output` (progress) as they arrive."""

    def limit_child() -> None:
        if fsize_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    name = os.path.basename(argv[0])
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                    env={**os.environ, **(env or {})}, start_new_session=True,
                                    preexec_fn=limit_child)
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
        try:
            assert proc.stdout is not None
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise ExtractionError(f"{name} timed out after {timeout:g} s")
                    if not sel.select(timeout=min(left, 0.5)):
                        continue
                    chunk = os.read(proc.stdout.fileno(), 65536)
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
    if fsize_limit is not None and code in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ):
        raise ExtractionError(f"{name} stopped: a file in the image is larger than the {fsize_limit}-byte limit")
    return ToolResult(code, b"".join(chunks).decode("utf-8", "replace"), stderr)


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
