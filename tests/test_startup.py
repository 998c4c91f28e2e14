"""Issue 16: start-up at the bare imports. `inspect` without --deep reads the WIM header and XML only:
it must not load the extraction backends, deep inspection, the hive, PE or package readers, packaging,
tempfile, hashlib, pathlib or dataclasses (measured with `python -X importtime`, as a user would)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_ON_THE_PLAIN_PATH = ("toolkit.sources.extract", "toolkit.sources.deep", "toolkit.sources.inside.hives",
                         "toolkit.sources.inside.kernel", "toolkit.sources.inside.packages", "regipy", "pefile",
                         "packaging", "tempfile", "platformdirs", "jsonschema", "rich", "toolkit.providers",
                         "toolkit.facts.intune", "toolkit.sources.iso", "toolkit.sources.vhd", "pycdlib", "pyvhdi",
                         "pyfsntfs", "toolkit.snapshot", "msal", "httpx",
                         # stdlib modules that cost start-up (OpenSSL's binding ~3 ms, pathlib with urllib ~3 ms)
                         "hashlib", "_hashlib", "pathlib", "urllib", "dataclasses", "copy",
                         # the other commands' modules (toolkit/cli/ loads the one run)
                         "toolkit.cli.check", "toolkit.cli.snapshot", "toolkit.cli.catalog", "toolkit.cli.rules",
                         "toolkit.cli.settings", "toolkit.cli.attest")


def imported(*args: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OOBE_READY_DATA_DIR", None)
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", *args], capture_output=True,
                         text=True, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


def test_inspect_without_deep_loads_only_what_it_uses():
    modules = imported("inspect", "--format", "json", "golden_images/win11_24h2_multi.wim")
    assert "lxml.etree" in modules and "toolkit.sources.wim" in modules  # the measurement sees imports
    below = tuple(f"{name}." for name in NOT_ON_THE_PLAIN_PATH)
    loaded = sorted(m for m in modules if m in NOT_ON_THE_PLAIN_PATH or m.startswith(below))
    assert loaded == []


def test_check_of_an_export_loads_no_path_or_url_library():
    """`check --intune` of a Graph export (contexts and all) spells paths and reads hosts without them."""
    modules = imported("check", "--intune", "golden_images/intune/ready", "-o", "json")
    assert "toolkit.sources.intune" in modules
    assert not {"pathlib", "urllib", "urllib.parse", "ipaddress", "dataclasses"} & modules


def test_inspect_with_deep_loads_the_readers():
    modules = imported("inspect", "--deep", "--format", "json", "golden_images/win11_24h2_multi.wim")
    assert {"toolkit.sources.deep", "toolkit.sources.inside.hives", "regipy", "pefile"} <= modules


def test_only_the_program_freezes_the_collector():
    """The CLI moves start-up's objects out of the cyclic collector's reach when it runs as the program;
    an in-process caller (a test, an embedding tool) keeps its collector as it was."""
    import gc

    import pytest

    from toolkit.cli import main

    before = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        main(["rules", "-o", "json"])
    assert gc.get_freeze_count() == before
    run = subprocess.run([sys.executable, "-c", "import gc, sys; from toolkit.cli import main; sys.argv[1:] = "
                          "['rules', '-o', 'json']; import atexit; atexit.register(lambda: "
                          "print(gc.get_freeze_count() > 0, file=sys.stderr)); main()"],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert run.returncode == 0 and run.stderr.strip() == "True"


def test_every_command_resolves_to_its_module():
    """The lazy command table names a module and a command for each: `--help` and a run agree."""
    import click

    from toolkit.cli import COMMANDS, cli

    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        assert cli.get_command(ctx, name).name == name
    assert cli.get_command(ctx, "nosuch") is None


def test_a_one_shot_run_freezes_the_facts_it_read():
    """settle() keeps what a one-shot run has read out of the collector's walks and turns it off for the
    rest of the run; in-process it does nothing."""
    code = ("import gc; from toolkit.lifetime import settle, start_one_shot; settle(); "
            "assert gc.get_freeze_count() == 0 and gc.isenabled(); start_one_shot(); before = gc.get_freeze_count(); "
            "facts = [[n] for n in range(1000)]; settle(); assert gc.get_freeze_count() >= before + 1000; "
            "assert not gc.isenabled()")
    run_fresh(code)


def run_fresh(code: str) -> None:
    """`code` in a fresh interpreter (the collector's state is per process), which must exit 0."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def test_the_collector_pauses_only_in_a_one_shot_run_and_resumes():
    code = ("import gc; from toolkit.lifetime import acyclic, start_one_shot\n"
            "with acyclic(): assert gc.isenabled()  # in-process: as it was\n"
            "start_one_shot()\n"
            "before = gc.get_freeze_count()\n"
            "try:\n"
            "    with acyclic(): assert not gc.isenabled(); kept = [[n] for n in range(1000)]; raise KeyError\n"
            "except KeyError: pass\n"
            "assert gc.isenabled()  # on again, even after an error\n"
            "assert gc.get_freeze_count() >= before + 1000  # what it made: frozen, not left for one long pass\n"
            "gc.disable()\n"
            "with acyclic(): pass\n"
            "assert not gc.isenabled()  # off stays off")
    run_fresh(code)
