"""Every documented limit, at its boundary: the limit itself is accepted, one more is a clear error.

Limits measured in megabytes are lowered for the test (the check is the same comparison); the
documented values are asserted against docs/limits.md so the table cannot drift.
"""

from __future__ import annotations

import json
import re
import shutil
import sys

import pytest
from conftest import GOLDEN, ROOT

from toolkit import limits
from toolkit.sources.extract.process import ExtractionError, run_tool
from toolkit.sources.inside import UnreadableFile


def test_docs_list_every_limit_with_its_value():
    doc = (ROOT / "docs" / "limits.md").read_text()
    names = [n for n in dir(limits) if n.isupper() and n != "MiB"]
    for name in names:
        row = re.search(rf"^\| `{name}` \| ([^|]+) \|", doc, re.M)
        assert row, f"{name} is not documented in docs/limits.md"
        value = getattr(limits, name)
        shown = row.group(1).strip()
        expected = f"{value // limits.MiB} MiB" if isinstance(value, int) and value >= limits.MiB and \
            value % limits.MiB == 0 else (f"{value:g} s" if isinstance(value, float) else f"{value:,}")
        assert shown == expected, (name, shown, expected)


def test_xml_size_boundary(cli, tmp_path, monkeypatch):
    xml = (GOLDEN / "win11_24h2_multi.xml").read_bytes()
    monkeypatch.setattr("toolkit.sources.wim.MAX_XML_BYTES", len(xml))
    monkeypatch.setattr("toolkit.sources.safexml.MAX_XML_BYTES", len(xml))
    exact = tmp_path / "exact.xml"
    exact.write_bytes(xml)
    assert cli("inspect", exact).code == 0
    over = tmp_path / "over.xml"
    over.write_bytes(xml + b"\n")
    result = cli("inspect", over)
    assert result.code == 2 and f"over the {len(xml)}-byte limit" in result.err and str(over) in result.err


def export(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_json_size_boundary(cli, tmp_path, monkeypatch):
    doc = json.dumps({"@odata.type": "#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration",
                      "id": "x", "state": "enabled"})
    monkeypatch.setattr("toolkit.sources.intune.MAX_JSON_BYTES", len(doc))
    assert cli("check", "--intune", export(tmp_path, "exact.json", doc), "-o", "json").code in (0, 3)
    result = cli("check", "--intune", export(tmp_path, "over.json", doc + " "))
    assert result.code == 2 and f"JSON file is over the {len(doc)}-byte limit" in result.err


def test_json_depth_boundary(cli, tmp_path):
    depth = limits.MAX_JSON_DEPTH

    def nested(levels: int) -> str:  # an object holding arrays, `levels` containers deep in all
        return ('{"id": "x_WindowsRestore", "state": "enabled", "a": '
                + "[" * (levels - 1) + "]" * (levels - 1) + "}")

    assert cli("check", "--intune", export(tmp_path, "deep.json", nested(depth)), "-o", "json").code != 2
    result = cli("check", "--intune", export(tmp_path, "deeper.json", nested(depth + 1)))
    assert result.code == 2 and f"JSON nested deeper than {depth} levels" in result.err
    # far deeper than Python's recursion limit: still one clear line
    result = cli("check", "--intune", export(tmp_path, "abyss.json", "[" * 200_000 + "]" * 200_000))
    assert result.code == 2 and "abyss.json" in result.err and "Traceback" not in result.err


def test_export_folder_file_count_boundary(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("toolkit.sources.intune.MAX_EXPORT_FILES", 3)
    folder = tmp_path / "export"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.json").write_text(json.dumps({"id": f"{n}_WindowsRestore", "state": "enabled"}))
    assert cli("check", "--intune", folder, "-o", "json").code != 2
    (folder / "3.json").write_text('{"id": "3"}')
    result = cli("check", "--intune", folder)
    assert result.code == 2 and "export folder holds more than 3 files, over the limit" in result.err


def test_autopilot_file_size_boundary(cli, tmp_path, monkeypatch):
    sample = (ROOT / "tests" / "fuzz" / "corpus" / "autopilot").iterdir().__next__().read_bytes()
    monkeypatch.setattr("toolkit.sources.autopilot_file.MAX_AUTOPILOT_BYTES", len(sample))
    folder = tmp_path / "a"
    folder.mkdir()
    path = folder / "AutopilotConfigurationFile.json"
    path.write_bytes(sample)
    assert cli("check", "--autopilot-file", path, "-o", "json").code != 2
    path.write_bytes(sample + b" ")
    result = cli("check", "--autopilot-file", path)
    assert result.code == 2 and f"over the {len(sample)}-byte limit" in result.err


def test_hive_size_boundary(tmp_path, monkeypatch):
    from toolkit.sources.inside.hives import read_system

    hive = tmp_path / "SYSTEM"
    shutil.copy(ROOT / "tests" / "fuzz" / "corpus" / "hive" / "SYSTEM", hive)
    size = hive.stat().st_size
    monkeypatch.setattr("toolkit.sources.inside.hives.MAX_HIVE_BYTES", size)
    assert read_system(hive).control_set
    monkeypatch.setattr("toolkit.sources.inside.hives.MAX_HIVE_BYTES", size - 1)
    with pytest.raises(UnreadableFile, match=f"hive is {size} bytes, over the {size - 1}-byte limit"):
        read_system(hive)


def test_pe_size_boundary(monkeypatch):
    from toolkit.sources.inside.kernel import read_kernel

    pe = (ROOT / "tests" / "fuzz" / "corpus" / "pe" / "ntoskrnl.exe").read_bytes()
    monkeypatch.setattr("toolkit.sources.inside.kernel.MAX_PE_BYTES", len(pe))
    assert read_kernel(pe).version
    monkeypatch.setattr("toolkit.sources.inside.kernel.MAX_PE_BYTES", len(pe) - 1)
    with pytest.raises(UnreadableFile, match="over the"):
        read_kernel(pe)


def test_extracted_bytes_boundary(tmp_path):
    """RLIMIT_FSIZE on the tool: a file of exactly the limit is written, one byte more stops it."""
    def write(name: str, size: int):  # a C tool, like wimlib: the kernel stops it with SIGXFSZ
        return run_tool(["sh", "-c", f"head -c {size} /dev/zero > {tmp_path / name}"], timeout=30, fsize_limit=4096)

    assert write("ok", 4096).returncode == 0 and (tmp_path / "ok").stat().st_size == 4096
    with pytest.raises(ExtractionError, match="larger than the 4096-byte limit"):
        write("big", 4097)


def test_extraction_time_boundary(tmp_path):
    run_tool([sys.executable, "-c", "import time; time.sleep(0.2)"], timeout=5)
    with pytest.raises(ExtractionError, match=r"timed out after 0\.5 s"):
        run_tool([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


def test_images_per_source_boundary(cli, tmp_path, monkeypatch):
    xml = GOLDEN / "win11_24h2_multi.xml"
    count = xml.read_bytes().decode("utf-16").count("<IMAGE ")
    monkeypatch.setattr("toolkit.sources.wim.MAX_IMAGES", count)
    assert cli("inspect", xml).code == 0
    monkeypatch.setattr("toolkit.sources.wim.MAX_IMAGES", count - 1)
    result = cli("inspect", xml)
    assert result.code == 2 and f"describes {count} images, over the limit of {count - 1}" in result.err


def test_export_objects_per_run_boundary(cli, tmp_path, monkeypatch):
    restore = {"@odata.type": "#microsoft.graph.windowsRestoreDeviceEnrollmentConfiguration", "state": "enabled"}
    doc = export(tmp_path, "list.json", json.dumps({"value": [dict(restore, id=f"{n}_WindowsRestore")
                                                              for n in range(3)]}))
    monkeypatch.setattr("toolkit.sources.intune.MAX_EXPORT_OBJECTS", 3)
    assert cli("check", "--intune", doc, "-o", "json").code in (0, 1, 3)
    monkeypatch.setattr("toolkit.sources.intune.MAX_EXPORT_OBJECTS", 2)
    result = cli("check", "--intune", doc)
    assert result.code == 2 and "more than 2 Intune/Entra objects in this run" in result.err


def _smallest_passing(read, monkeypatch, name: str, high: int) -> int:
    """The smallest value of limit `name` with which `read()` succeeds (it fails below it)."""
    low = 0
    while low < high:
        middle = (low + high) // 2
        monkeypatch.setattr(f"toolkit.sources.inside.hives.{name}", middle)
        try:
            read()
            high = middle
        except UnreadableFile:
            low = middle + 1
    return low


@pytest.mark.parametrize("name, message", [
    ("MAX_HIVE_VALUE_BYTES", "bytes, over the {}-byte limit"),
    ("MAX_HIVE_READ_BYTES", "the values read from the hive hold more than {} bytes"),
    ("MAX_HIVE_KEY_VALUES", "values, over the limit of {}"),
])
def test_hive_read_boundaries(monkeypatch, name, message):
    from toolkit.sources.inside.hives import read_software

    hive = ROOT / "tests" / "fuzz" / "corpus" / "hive" / "SOFTWARE"
    edge = _smallest_passing(lambda: read_software(hive), monkeypatch, name, 1 << 20)
    assert edge > 0
    monkeypatch.setattr(f"toolkit.sources.inside.hives.{name}", edge)
    assert read_software(hive).current_version
    monkeypatch.setattr(f"toolkit.sources.inside.hives.{name}", edge - 1)
    with pytest.raises(UnreadableFile, match=re.escape(message.format(edge - 1))):
        read_software(hive)


def test_extraction_budget_boundary():
    from toolkit.sources.extract import ByteBudget

    budget = ByteBudget(100, each=60)
    budget.take(60, "first")  # exactly one extraction's limit
    with pytest.raises(ExtractionError, match="would write 61 bytes, over the 60-byte limit for one index"):
        budget.take(61, "big")
    budget.take(40, "second")  # exactly the run's budget
    with pytest.raises(ExtractionError, match="third would write 1 bytes; the run may write 100 bytes in all and 0"):
        budget.take(1, "third")


@pytest.mark.parametrize("extractor", ["wimlib", "7z"])
def test_a_run_over_its_extraction_budget_is_not_evaluated(check_json, deep_tools, monkeypatch, extractor):
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", extractor)
    monkeypatch.setattr("toolkit.sources.deep.MAX_RUN_EXTRACTED_BYTES", 4096)
    manifest = check_json(GOLDEN / "win11_25h2_enterprise.wim")
    svc = next(r for r in manifest["results"] if r["rule"] == "SVC003")
    assert svc["outcome"] == "not-evaluated" and "the run may write 4096 bytes in all" in svc["message"]


def test_run_parse_budget(check_json, deep_tools, monkeypatch):
    monkeypatch.setattr("toolkit.sources.deep.RUN_PARSE_TIMEOUT", -1.0)  # spent before the first hive
    manifest = check_json(GOLDEN / "win11_25h2_enterprise.wim")
    svc = next(r for r in manifest["results"] if r["rule"] == "SVC003")
    assert svc["outcome"] == "not-evaluated" and "parsing time budget of -1 s is spent" in svc["message"]
