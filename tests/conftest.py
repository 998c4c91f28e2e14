from __future__ import annotations

import os
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden_images"
SAMPLES = Path(__file__).resolve().parent / "samples"
XML_RESHDR_OFFSET = 0x48


def _golden_exports():
    """golden_images/intune/build.py: the Graph-shaped export objects the golden exports are made of."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("golden_exports", GOLDEN / "intune" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


exports = _golden_exports()


def golden_build():
    """golden_images/build.py as a module (its writers of ISOs and virtual disks), loaded once."""
    import importlib.util

    if "golden_build" not in sys.modules:
        spec = importlib.util.spec_from_file_location("golden_build", GOLDEN / "build.py")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(GOLDEN))  # it imports its sibling insides.py
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["golden_build"]


def require_tool(name: str) -> str:
    """Path of an external tool. CI sets OOBE_READY_REQUIRE_TOOLS=1 so a missing tool fails
    the run instead of silently skipping the tests that use the real backend."""
    found = shutil.which(name)
    # OOBE_READY_EXTRACTOR=none runs the suite as on a machine without extraction tools.
    hidden = name in ("wimlib-imagex", "7z") and os.environ.get("OOBE_READY_EXTRACTOR") == "none"
    if found and not hidden:
        return found
    if os.environ.get("OOBE_READY_REQUIRE_TOOLS"):
        pytest.fail(f"{name} is required (OOBE_READY_REQUIRE_TOOLS is set) but not installed")
    pytest.skip(f"{name} not installed")


@pytest.fixture(autouse=True)
def private_catalog(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's own release catalog: each gets an empty data directory."""
    from toolkit.catalog_store import _current

    monkeypatch.setenv("OOBE_READY_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    _current.cache_clear()
    yield
    _current.cache_clear()


@pytest.fixture
def deep_tools() -> str:
    """Tests whose verdicts rest on deep inspection need the real extraction backend."""
    return require_tool("wimlib-imagex")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run the real CLI entry point in-process and collect exit code, stdout and stderr."""
    from toolkit.cli import main

    def run(*args: str) -> Result:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(exited.value.code, captured.out, captured.err)

    return run


@pytest.fixture
def check_json(cli):
    """Run `check ... -o json`: the manifest, after asserting its exit code matches the process's."""
    import json

    def go(*args):
        result = cli("check", *args, "-o", "json")
        assert result.code in (0, 1, 3), result.err
        manifest = json.loads(result.out)
        assert manifest["summary"]["exit_code"] == result.code
        return manifest
    return go


def with_xml(wim: bytes, xml: bytes, *, flags: int = 0x02, original: int | None = None,
             offset: int | None = None) -> bytes:
    """A copy of a real WIM whose XML resource is replaced by `xml` appended at the end."""
    at = len(wim) if offset is None else offset
    packed = len(xml) | (flags << 56)
    reshdr = struct.pack("<QQQ", packed, at, len(xml) if original is None else original)
    patched = wim[:XML_RESHDR_OFFSET] + reshdr + wim[XML_RESHDR_OFFSET + 24:]
    return patched + xml if offset is None else patched


def xml_of(wim: bytes) -> bytes:
    packed, offset, _ = struct.unpack_from("<QQQ", wim, XML_RESHDR_OFFSET)
    size = packed & ((1 << 56) - 1)
    return wim[offset:offset + size]


def python() -> str:
    return sys.executable
