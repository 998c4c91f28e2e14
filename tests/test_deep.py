"""Deep inspection end to end: real wimlib (and 7-Zip) extraction from the golden images, real
hives, kernels and package manifests, and the verdicts that change because of them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
from conftest import GOLDEN, require_tool

from toolkit.sources.extract.process import ExtractionError, run_tool

W = lambda name: str(GOLDEN / name)  # noqa: E731
APF_PATH = "/Windows/Provisioning/Autopilot/AutopilotConfigurationFile.json"


@pytest.fixture
def wimlib(deep_tools):
    return deep_tools


@pytest.fixture
def check(check_json):
    return check_json


def results(manifest: dict, rule: str) -> list[dict]:
    return [r for r in manifest["results"] if r["rule"] == rule]


def one(manifest: dict, rule: str) -> dict:
    (found,) = results(manifest, rule)
    return found


def test_23h2_media_identified_from_the_hive(cli, wimlib):
    xml_only = json.loads(cli("inspect", W("win11_23h2_enterprise.wim"), "--format", "json").out)
    deep = json.loads(cli("inspect", W("win11_23h2_enterprise.wim"), "--deep", "--format", "json").out)
    assert xml_only["sources"][0]["images"][0]["feature_release"]["label"] == "22H2 or 23H2"
    image = deep["sources"][0]["images"][0]
    assert image["feature_release"]["label"] == "23H2"
    assert image["feature_release"]["evidence"] == "software-hive"
    assert image["deep"]["current_version"]["CurrentBuild"] == "22631"
    assert image["deep"]["kernel_version"] == "10.0.22621.2861"  # binaries keep the base build
    assert {p["kb"] for p in image["deep"]["packages"]} >= {"KB5027397", "KB5033375"}


def test_stale_xml_is_caught_by_the_hive_kernel_and_package(check, wimlib):
    xml_only = check(W("win11_24h2_stale_xml.wim"), "--no-deep")
    assert one(xml_only, "IMG004")["outcome"] == "pass" and xml_only["summary"]["verdict"] == "ready"
    assert one(xml_only, "SVC002")["outcome"] == "skipped"
    deep = check(W("win11_24h2_stale_xml.wim"))
    img004 = one(deep, "IMG004")
    assert img004["outcome"] == "fail" and "26100.4652" in img004["message"]
    assert img004["remediation"][0].startswith("Apply KB5121003")
    svc002 = one(deep, "SVC002")
    assert svc002["outcome"] == "fail" and "wim-xml 9168, hive 4652, rollup 4652, kernel 4652" in svc002["message"]
    assert {e["source"].rsplit(":", 1)[-1] for e in svc002["evidence"]} >= {
        "/Windows/System32/config/SOFTWARE", "/Windows/System32/ntoskrnl.exe"}
    assert deep["summary"]["verdict"] == "blocked"


def test_winpe_keeps_hive_ubr_1_without_a_finding(check, wimlib):
    m = check(W("boot.wim"))
    for r in results(m, "SVC002"):
        assert r["outcome"] == "pass" and "UBR 1 is expected" in r["message"]
    assert {r["outcome"] for r in results(m, "SVC003")} == {"not-applicable"}
    # boot images alone judge no install image: nothing judged is never ready
    assert m["summary"]["verdict"] == "incomplete"
    assert m["summary"]["gaps"] == [
        "no install image among the sources: every index is a boot image (Setup, WinPE); pass the install.wim / "
        "install.esd the devices are imaged from"]


def test_unattend_outside_its_namespace_is_not_a_join(check, wimlib):
    svc004 = one(check(W("win11_24h2_multi.wim"), "--index", "1"), "SVC004")
    assert svc004["outcome"] == "pass" and "1 unattend file(s), none joins a domain" in svc004["message"]


def test_domain_join_evidence_names_file_and_element(check, wimlib):
    svc004 = one(check(W("win11_24h2_domain_join.wim")), "SVC004")
    assert "corp.contoso.com" in svc004["message"]
    (ev,) = svc004["evidence"]
    assert ev["source"].endswith("#1:/Windows/Panther/Unattend/unattend.xml")
    assert ev["locator"].endswith("/Identification/JoinDomain")
    fsr = one(check(W("win11_24h2_domain_join.wim"), "--path", "first-sign-in"), "SVC004")
    assert fsr["outcome"] == "warn"


def test_autopilot_file_variants_inside_the_image(check, wimlib):
    m = check(W("win11_24h2_autopilot.wim"))
    by_index = {}
    for r in m["results"]:
        if r["rule"].startswith("APF"):
            index = int(r["subject"].split("#")[1].split(":")[0])
            assert r["subject"].endswith(":" + APF_PATH)
            by_index.setdefault(index, {})[r["rule"]] = r["outcome"]
    assert set(by_index[1].values()) == {"pass"}
    assert by_index[2]["APF001"] == "fail"  # UTF-16 with BOM
    assert by_index[3]["APF001"] == "fail"  # two concatenated objects
    assert by_index[4]["APF003"] == "fail"  # hybrid join
    assert by_index[5]["APF004"] == "fail"  # self-deploying bits
    kinds = {i["kind"] for i in m["inputs"]}
    assert "autopilot-file (in image)" in kinds


def test_shared_hive_is_extracted_and_parsed_once(monkeypatch, wimlib):
    import toolkit.sources.deep as deep
    from toolkit.sources.images import read_image_source

    calls = []
    real = deep._software
    monkeypatch.setattr(deep, "_software", lambda path, *a: calls.append(path) or real(path, *a))
    (source,) = deep.deep_inspect([read_image_source(W("win11_24h2_autopilot.wim"))])
    assert len(source.images) == 5 and len(calls) == 1
    assert all(i.deep.software is not None for i in source.images)


def test_offline_directory_is_a_source_of_its_own(cli, check):
    m = check(W("offline_win11_25h2"))
    assert m["summary"]["verdict"] == "ready"
    assert m["inputs"][0]["kind"] == "directory"
    (subject,) = m["subjects"]
    assert subject["facts"]["feature_release"]["label"] == "25H2"
    assert subject["facts"]["edition_id"] == "Enterprise" and subject["facts"]["arch"] == "x64"
    img004 = one(m, "IMG004")
    assert img004["evidence"][0]["locator"].endswith("CurrentVersion\\UBR")
    table = cli("inspect", W("offline_win11_25h2"))
    assert "offline Windows directory" in table.out and "26200.9168" in table.out


def test_a_directory_that_is_not_windows_is_an_input_error(cli, tmp_path):
    result = cli("check", tmp_path)
    assert result.code == 2
    assert result.err.strip() == f"oobe-ready: error: {tmp_path}: is a directory but not an offline Windows " \
                                 "installation (no Windows/System32/config/SOFTWARE)"


def test_missing_backend_fails_closed_with_one_helpful_line(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither wimlib-imagex nor 7z can be found
    result = cli("check", W("win11_24h2_multi.wim"), "--index", "1", "-o", "json")
    assert result.code == 3
    assert result.err.strip() == ("oobe-ready: deep inspection needs wimlib-imagex or 7-Zip: install wimlib "
                                  "(Debian/Ubuntu: apt-get install wimtools; Fedora: dnf install wimlib-utils; "
                                  "macOS: brew install wimlib) or 7-Zip, or pass --no-deep")
    manifest = json.loads(result.out)
    assert {r["outcome"] for r in manifest["results"] if r["rule"].startswith("SVC")} == {"not-evaluated"}
    skipped = cli("check", W("win11_24h2_multi.wim"), "--index", "1", "--no-deep", "-o", "json")
    assert skipped.code == 0 and skipped.err == ""
    manifest = json.loads(skipped.out)
    assert {r["outcome"] for r in manifest["results"] if r["rule"].startswith("SVC")} == {"skipped"}
    assert "deep inspection off (--no-deep)" in manifest["not_checked"]


def test_raw_xml_has_no_files_so_deep_rules_skip(check):
    m = check(W("win11_24h2_multi.xml"), "--index", "1")
    assert {r["outcome"] for r in m["results"] if r["rule"].startswith("SVC")} == {"skipped"}


@pytest.mark.parametrize("name", ["win11_24h2.esd", "win11_24h2_split2.swm"])
def test_esd_and_any_split_part_are_read_inside(check, wimlib, name):
    m = check(W(name), "--index", "1")
    assert one(m, "SVC001")["outcome"] == "pass"
    assert m["subjects"][0]["facts"]["deep"]["backend"].startswith("wimlib-imagex")


def test_split_set_with_a_missing_part_is_not_evaluated(check, wimlib, tmp_path):
    for n in ("", "2"):
        shutil.copy(GOLDEN / f"win11_24h2_split{n}.swm", tmp_path)
    m = check(tmp_path / "win11_24h2_split.swm")
    svc = one(m, "SVC001")
    assert svc["outcome"] == "not-evaluated" and "part(s) 3 of 3 not found" in svc["message"]
    assert m["summary"]["verdict"] == "incomplete"


def test_seven_zip_backend_reads_the_same_evidence(monkeypatch, wimlib):
    require_tool("7z")
    from toolkit.pipeline.inspect import deep_document
    from toolkit.sources.deep import deep_inspect
    from toolkit.sources.images import read_image_source

    source = read_image_source(W("win11_24h2_multi.wim"))
    by_wimlib = deep_inspect([source])[0]
    monkeypatch.setenv("OOBE_READY_EXTRACTOR", "7z")
    by_7z = deep_inspect([source])[0]
    for a, b in zip(by_wimlib.images, by_7z.images, strict=True):
        assert b.deep.backend == "7-Zip"
        strip = lambda i: {k: v for k, v in deep_document(i).items() if k != "backend"}  # noqa: E731
        assert strip(a) == strip(b)


def _fingerprint(paths) -> dict:
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*"))) if p.is_file()}


def test_inputs_are_untouched_and_temp_files_removed(check, wimlib, tmp_path, monkeypatch):
    inputs = [GOLDEN / n for n in ("win11_24h2_multi.wim", "win11_24h2.esd", "win11_24h2_split.swm",
                                   "win11_24h2_split2.swm", "win11_24h2_split3.swm", "offline_win11_25h2")]
    before = _fingerprint(inputs)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # make tempfile honour the new TMPDIR
    for path in inputs[:3] + inputs[5:]:
        check(path)
    assert _fingerprint(inputs) == before
    assert list(scratch.iterdir()) == []


def test_a_link_inside_the_image_is_never_followed(check, wimlib, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("regf-looking secret outside the image")
    tree = tmp_path / "tree/Windows/System32/config"
    tree.mkdir(parents=True)
    (tree / "SOFTWARE").symlink_to(secret)
    wim = tmp_path / "link.wim"
    subprocess.run([wimlib, "capture", str(tmp_path / "tree"), str(wim), "link"], check=True,
                   capture_output=True)
    m = check(wim)
    svc = one(m, "SVC001")
    assert svc["outcome"] == "not-evaluated" and "SOFTWARE: a link or reparse point" in svc["message"]
    assert "secret" not in json.dumps(m)


def test_tool_runner_enforces_time_and_file_size(tmp_path):
    with pytest.raises(ExtractionError, match=r"sleep timed out after 0\.3 s"):
        run_tool(["sleep", "10"], timeout=0.3)
    big = tmp_path / "big"
    with pytest.raises(ExtractionError, match="larger than the 4096-byte limit"):
        run_tool(["sh", "-c", f"exec head -c 100000 /dev/zero > {big}"], timeout=10, fsize_limit=4096)
    assert os.path.getsize(big) <= 4096


def test_damaged_files_inside_are_unreadable_not_crashes(tmp_path):
    from toolkit.sources.inside import UnreadableFile
    from toolkit.sources.inside.hives import read_software
    from toolkit.sources.inside.kernel import read_kernel
    from toolkit.sources.inside.packages import read_mum
    from toolkit.sources.inside.unattend import read_unattend

    hive = tmp_path / "SOFTWARE"
    hive.write_bytes(b"regf" + b"\xff" * 5000)
    with pytest.raises(UnreadableFile, match="damaged hive: base block checksum"):
        read_software(hive)
    with pytest.raises(UnreadableFile, match="not a PE file"):
        read_kernel(b"MZ" + b"\0" * 100)
    with pytest.raises(UnreadableFile, match="not a package manifest"):
        read_mum(b"<assembly/>", "x.mum")
    with pytest.raises(UnreadableFile, match="DTD or entity"):
        read_unattend(b'<!DOCTYPE u [<!ENTITY e "x">]><unattend/>', "unattend.xml")


def test_wimlib_is_only_ever_asked_to_read(monkeypatch, wimlib):
    import toolkit.sources.extract.wimlib as backend
    from toolkit.sources.deep import deep_inspect
    from toolkit.sources.images import read_image_source

    commands = []
    real = backend.run_tool
    monkeypatch.setattr(backend, "run_tool", lambda argv, **kw: commands.append(list(argv)) or real(argv, **kw))
    reported = []
    sources = [read_image_source(W(n)) for n in ("win11_24h2_multi.wim", "win11_24h2_split2.swm")]
    deep_inspect(sources, progress=lambda what, done, total: reported.append((what, done, total)))
    assert {argv[1] for argv in commands} == {"dir", "extract"}
    writing = {"--boot", "--image-property", "--check", "--rebuild", "--compress", "--unsafe-compact"}
    assert not [a for argv in commands for a in argv if a.split("=")[0] in writing]
    split = [argv for argv in commands if argv[2].endswith("win11_24h2_split.swm")]
    assert split and all(sum(a.startswith("--ref=") for a in argv) == 2 for argv in split)  # opened at part 1
    assert reported and all(done <= total for _, done, total in reported)  # the progress bar's feed


def test_inspect_deep_without_a_backend_says_how_to_install_it(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("inspect", "--deep", W("win11_24h2_multi.wim"), "--index", "2", "--format", "json")
    assert result.code == 3 and "apt-get install wimtools" in result.err
    (image,) = json.loads(result.out)["sources"][0]["images"]
    assert image["index"] == 2 and image["deep"]["unavailable"].startswith("no extraction backend")
