"""Property-based fuzzing of every reader of untrusted bytes (hypothesis, seeded from tests/fuzz/corpus).

Properties, for inputs mutated from real seeds (byte flips, inserts, deletions, truncations,
splices, random bytes):
- only the documented error type escapes (InputError for files the user names, UnreadableFile
  for files read from inside an image);
- every input finishes within a second (hypothesis deadline);
- nothing outside the input is opened (a Python audit hook records every open).
Inputs that once failed are kept in tests/fuzz/regressions/<target>/ and replayed on every run.
`OOBE_READY_FUZZ_EXAMPLES` sets the examples per target (CI: the default, about a minute in all).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import InputError
from toolkit.sources.inside import UnreadableFile

FUZZ = Path(__file__).parent / "fuzz"
EXAMPLES = int(os.environ.get("OOBE_READY_FUZZ_EXAMPLES", "250"))
# code, not data: the interpreter, installed packages and the toolkit itself (lazy imports)
LIBRARY_ROOTS = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix,
                       str(Path(__file__).resolve().parent.parent / "toolkit")})


def _wim(data: bytes, path: Path) -> None:
    from toolkit.sources.images import read_image_source

    read_image_source(_write(path.with_suffix(".wim"), data))


def _iso(data: bytes, path: Path) -> None:
    from toolkit.sources.images import read_image_sources

    read_image_sources(_write(path.with_suffix(".iso"), data))


def _xml(data: bytes, path: Path) -> None:
    from toolkit.sources.images import read_image_source

    read_image_source(_write(path.with_suffix(".xml"), data))


def _intune(data: bytes, path: Path) -> None:
    from toolkit.sources.intune import read_exports

    read_exports([_write(path.with_suffix(".json"), data)])


def _autopilot(data: bytes, path: Path) -> None:
    from toolkit.sources.autopilot_file import read_autopilot_file

    read_autopilot_file(_write(path.with_name("AutopilotConfigurationFile.json"), data))


def _mum(data: bytes, path: Path) -> None:
    from toolkit.sources.inside.packages import read_mum

    read_mum(data, "Package_for_RollupFix~31bf3856ad364e35~amd64~~26100.1.1.1.mum")


def _unattend(data: bytes, path: Path) -> None:
    from toolkit.sources.inside.unattend import read_unattend

    read_unattend(data, "unattend.xml")


def _state_ini(data: bytes, path: Path) -> None:
    from toolkit.sources.inside.textfiles import read_state_ini

    read_state_ini(data)


def _hive(data: bytes, path: Path) -> None:
    from toolkit.sources.inside.hives import ForeignHive, read_software, read_system

    hive = _write(path.with_name("HIVE"), data)
    for read in (lambda: read_software(hive, values=[("Policies\\Microsoft\\Windows\\System", "EnableCdp")],
                                       keys=["Microsoft\\CCMSetup"]), lambda: read_system(hive)):
        with contextlib.suppress(ForeignHive):  # each seed is one kind of hive; the other reader says so
            read()


def _pe(data: bytes, path: Path) -> None:
    from toolkit.sources.inside.kernel import read_kernel

    read_kernel(data)


# target -> (reader, the one error type it may raise)
TARGETS: dict[str, tuple[Callable[[bytes, Path], None], type[Exception]]] = {
    "wim": (_wim, InputError), "iso": (_iso, InputError), "xml": (_xml, InputError), "intune": (_intune, InputError),
    "autopilot": (_autopilot, InputError), "mum": (_mum, UnreadableFile), "unattend": (_unattend, UnreadableFile),
    "stateini": (_state_ini, UnreadableFile), "hive": (_hive, UnreadableFile), "pe": (_pe, UnreadableFile),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def seeds(target: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((FUZZ / "corpus" / target).iterdir())]


@st.composite
def mutated(draw, corpus: list[bytes]) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=4096))
    data = bytearray(draw(st.sampled_from(corpus)))
    for _ in range(draw(st.integers(1, 6))):
        size = len(data)
        at = draw(st.integers(0, size))
        op = draw(st.sampled_from(("flip", "set", "insert", "delete", "truncate", "splice")))
        if op == "flip" and at < size:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and at < size:
            data[at] = draw(st.sampled_from((0x00, 0xFF, 0x7F, 0x80, 0x3C, 0x22, 0x7B)))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[at:]
        elif op == "splice":
            other = draw(st.sampled_from(corpus))
            start = draw(st.integers(0, len(other)))
            data[at:at] = other[start:start + draw(st.integers(1, 512))]
    return bytes(data)


class OpenAudit:
    """Records files opened while active (imports of library code excluded)."""

    active: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.active is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            path = os.path.realpath(os.fsdecode(args[0]))
            if not path.startswith(LIBRARY_ROOTS):
                cls.active.append(path)


sys.addaudithook(OpenAudit.hook)


def run_one(target: str, data: bytes, workdir: Path) -> None:
    reader, allowed = TARGETS[target]
    for leftover in workdir.iterdir():
        leftover.unlink()
    OpenAudit.active = []
    try:
        reader(data, workdir / "input")
    except allowed:
        pass
    finally:
        opened, OpenAudit.active = OpenAudit.active, None
    inputs = {str(p.resolve()) for p in workdir.iterdir()}
    strays = [p for p in opened if p not in inputs]
    assert not strays, f"{target} reader opened files outside its input: {strays}"


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_reader_survives_mutated_input(target, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"fuzz-{target}")
    run_one(target, seeds(target)[0], workdir)  # warm up: imports happen outside the timed examples

    @settings(max_examples=EXAMPLES, deadline=1000, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=mutated(seeds(target)))
    def fuzz(data: bytes) -> None:
        run_one(target, data, workdir)

    fuzz()


@pytest.mark.parametrize("case", sorted(p for p in (FUZZ / "regressions").rglob("*") if p.is_file()),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_regression_inputs(case, tmp_path):
    run_one(case.parent.name, case.read_bytes(), tmp_path)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_seeds_are_read_cleanly(target, tmp_path):
    """The seed corpus is real data: every seed reads without any error."""
    reader, _ = TARGETS[target]
    for n, seed in enumerate(seeds(target)):
        work = tmp_path / str(n)
        work.mkdir()
        reader(seed, work / "input")
