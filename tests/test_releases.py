"""Every client release from Windows 7 to 26H2 is known with its lifecycle: real media metadata
(the `wimlib-imagex info` and `Get-WindowsImage` outputs in tests/samples/wim/) judged on every path
(issue 13). Builds older than the catalog fail; only builds above its newest release are "newer"."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import SAMPLES

ARCH = {"x86_64": 9, "x86": 0, "x64": 9, "arm64": 12}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    monkeypatch.setenv("OOBE_READY_AS_OF", "2026-11-21")


def wimlib_info(name: str, index: int = 1) -> dict:
    """One image's fields from a real `wimlib-imagex info` dump."""
    blocks = (SAMPLES / "wim" / name).read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in block.splitlines())}
        if fields.get("Index") == str(index):
            return {"name": fields["Name"], "edition": fields["Edition ID"], "type": fields["Installation Type"],
                    "arch": ARCH[fields["Architecture"]], "build": fields["Build"],
                    "spbuild": fields["Service Pack Build"], "language": fields["Default Language"]}
    raise AssertionError(f"no index {index} in {name}")


def raw_xml(tmp_path: Path, image: dict, **changes) -> Path:
    """The raw WIM XML (UTF-16LE with BOM, as `wimlib-imagex info --extract-xml` writes it) holding
    those values; `changes` are noted by each test that makes them."""
    image = {**image, **changes}
    xml = (f'<WIM><IMAGE INDEX="1"><NAME>{escape(image["name"])}</NAME><WINDOWS><ARCH>{image["arch"]}</ARCH>'
           f'<PRODUCTNAME>Microsoft® Windows® Operating System</PRODUCTNAME><EDITIONID>{image["edition"]}</EDITIONID>'
           f'<INSTALLATIONTYPE>{image["type"]}</INSTALLATIONTYPE><PRODUCTTYPE>WinNT</PRODUCTTYPE>'
           f'<LANGUAGES><LANGUAGE>{image["language"]}</LANGUAGE><DEFAULT>{image["language"]}</DEFAULT></LANGUAGES>'
           f'<VERSION><MAJOR>10</MAJOR><MINOR>0</MINOR><BUILD>{image["build"]}</BUILD>'
           f'<SPBUILD>{image["spbuild"]}</SPBUILD><SPLEVEL>0</SPLEVEL></VERSION><SYSTEMROOT>WINDOWS</SYSTEMROOT>'
           "</WINDOWS></IMAGE></WIM>")
    path = tmp_path / f"{image['build']}.{image['spbuild']}.xml"
    path.write_bytes(b"\xff\xfe" + xml.encode("utf-16-le"))
    return path


def outcomes(cli, path: Path, restore_path: str) -> tuple[dict, dict]:
    result = cli("check", path, "--path", restore_path, "-o", "json")
    manifest = json.loads(result.out)
    results = manifest["results"]
    return {r["rule"]: r["outcome"] for r in results}, {r["rule"]: r["message"] for r in results}


@pytest.mark.parametrize("sample, release, ended", [
    # Windows 7 RTM media (7600: no release the catalog lists, older than its newest)
    ("lxd-imagebuilder_w7_install_wim_info.txt", "build 7600 is no release the catalog knows", "out of servicing"),
    ("lxd-imagebuilder_w8_install_wim_info.txt", "Windows 8 8", "2016-01-12"),
])
def test_releases_before_windows_10_fail_with_the_day_servicing_ended(cli, tmp_path, sample, release, ended):
    path = raw_xml(tmp_path, wimlib_info(sample))
    for restore_path in ("oobe", "first-sign-in", "backup"):
        outcome, message = outcomes(cli, path, restore_path)
        assert outcome["IMG006"] == "fail" and f"{release}" in message["IMG006"] and ended in message["IMG006"]
        assert outcome["IMG004"] == "fail" and "newer" not in message["IMG004"]
        if restore_path != "backup":
            assert outcome["IMG003"] == "fail"


def test_windows_8_1_and_1507_are_out_of_servicing_not_newer(cli, tmp_path):
    """Real Windows 8 media values with the 8.1 build (9600), and Windows 10 1507 (10240)."""
    base = wimlib_info("lxd-imagebuilder_w8_install_wim_info.txt")
    for build, ended in (("9600", "2023-01-10"), ("10240", "2017-05-09")):
        outcome, message = outcomes(cli, raw_xml(tmp_path, base, build=build, spbuild="0"), "backup")
        assert outcome["IMG006"] == "fail" and ended in message["IMG006"], message["IMG006"]
        assert "newer than" not in json.dumps(message)


def test_client_ltsc_2019_is_a_client_release_serviced_to_2029(cli, tmp_path):
    """Windows Server 2019 media values (17763.1158) as the client LTSC 2019 edition (EnterpriseS)."""
    base = wimlib_info("lxd-imagebuilder_2k19_install_wim_info.txt")
    path = raw_xml(tmp_path, base, edition="EnterpriseS", type="Client", name="Windows 10 Enterprise LTSC 2019")
    outcome, message = outcomes(cli, path, "backup")
    assert outcome["IMG006"] == "pass" and "Windows 10 1809 (ltsc) is serviced until 2029-01-09" in message["IMG006"]
    assert outcome["IMG004"] == "fail" and "not supported on the backup path" in message["IMG004"]
    oobe, _ = outcomes(cli, path, "oobe")
    assert oobe["IMG003"] == "fail"


def test_server_2019_stays_server(cli, tmp_path):
    path = raw_xml(tmp_path, wimlib_info("lxd-imagebuilder_2k19_install_wim_info.txt"))
    outcome, message = outcomes(cli, path, "oobe")
    assert outcome["IMG002"] == "fail" and outcome["IMG003"] == "fail" and "Windows Server" in message["IMG003"]


def test_server_2025_never_passes_img003(cli, tmp_path):
    base = wimlib_info("lxd-imagebuilder_2k19_install_wim_info.txt")
    path = raw_xml(tmp_path, base, build="26100", spbuild="4946", edition="ServerStandard")
    outcome, message = outcomes(cli, path, "first-sign-in")
    assert outcome["IMG003"] == "fail" and "Windows Server" in message["IMG003"]


def test_rtm_media_build_is_a_dated_release_not_an_unknown_update(cli, tmp_path):
    """22621.525: the Windows 11 22H2 media of Get-WindowsImage in the sample (Pro, en-US)."""
    image = {"name": "Windows 11 Pro", "edition": "Professional", "type": "Client", "arch": 9, "build": "22621",
             "spbuild": "525", "language": "en-US"}
    outcome, message = outcomes(cli, raw_xml(tmp_path, image), "oobe")
    assert outcome["IMG007"] == "fail" and "media (2022-09-20)" in message["IMG007"]
    assert "not a released update" not in message["IMG007"]


def test_21h2_volume_media_is_not_only_2004_or_20h2(cli, tmp_path):
    """Windows 10 media report the 19041 base build; at UBR 1288 (21H2 general availability) 21H2 is a
    candidate, with 20H2 and 21H1 that shipped the same UBR."""
    base = wimlib_info("lxd-imagebuilder_w10_install_wim_info.txt", 3)
    path = raw_xml(tmp_path, base, spbuild="1288")
    shown = json.loads(cli("inspect", path, "--format", "json").out)["sources"][0]["images"][0]
    assert {"20H2", "21H1", "21H2"} <= set(shown["feature_release"]["label"].replace(" or ", ", ").split(", "))


def test_26h2_is_known_and_judged_on_its_servicing_branch(cli, tmp_path):
    image = {"name": "Windows 11 Enterprise", "edition": "Enterprise", "type": "Client", "arch": 9,
             "build": "26300", "spbuild": "9457", "language": "en-US"}
    outcome, message = outcomes(cli, raw_xml(tmp_path, image), "oobe")
    assert outcome["IMG006"] == "pass" and "Windows 11 26H2" in message["IMG006"]
    assert outcome["IMG004"] == "pass"
