"""The WIM/ESD/SWM/XML reader on the committed golden images (real wimlib-imagex output)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from conftest import GOLDEN, SAMPLES, with_xml, xml_of

from toolkit.sources.images import read_image_source

MULTI = [
    ("Enterprise", "Client", 26100, 9168, ("en-US",), None),
    ("Education", "Client", 26100, 9168, ("en-US",), None),
    ("Professional", "Client", 26100, 9168, ("en-US", "de-DE"), None),
]
# file -> (kind, [(edition, installation type, build, spbuild, languages, boot image)])
EXPECTED = {
    "win11_24h2_multi.wim": ("wim", MULTI),
    "win11_23h2_enterprise.wim": ("wim", [("Enterprise", "Client", 22621, 2861, ("en-US",), None)]),
    "win10_22h2_enterprise.wim": ("wim", [("Enterprise", "Client", 19041, 6216, ("en-US",), None)]),
    "win11_se_cloudedition.wim": ("wim", [("CloudEdition", "Client", 26100, 4946, ("en-US",), None)]),
    "win11_multisession.wim": ("wim", [("ServerRdsh", "Client", 26100, 4946, ("en-US",), None)]),
    "server2022_standard.wim": ("wim", [("ServerStandard", "Server", 20348, 4052, ("en-US",), None)]),
    "boot.wim": ("wim", [
        ("WindowsPE", "WindowsPE", 26100, 4946, ("en-US",), "WinPE"),
        ("WindowsPE", "WindowsPE", 26100, 4946, ("en-US",), "Setup"),
    ]),
    "win11_24h2_broken_xml.wim": ("wim", [(None, None, 26100, 7920, (), None)]),
    "win11_24h2.esd": ("esd", MULTI),
    "win11_24h2_split.swm": ("swm", [("Enterprise", "Client", 26100, 9168, ("en-US",), None)]),
    "win11_24h2_split2.swm": ("swm", [("Enterprise", "Client", 26100, 9168, ("en-US",), None)]),
    "win11_24h2_split3.swm": ("swm", [("Enterprise", "Client", 26100, 9168, ("en-US",), None)]),
    "win11_24h2_multi.xml": ("xml", MULTI),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_image_facts(name):
    kind, rows = EXPECTED[name]
    source = read_image_source(GOLDEN / name)
    assert source.kind == kind
    got = [(i.edition_id, i.installation_type, i.version.build, i.version.spbuild, i.languages,
            i.boot_image) for i in source.images]
    assert got == rows
    assert all(i.arch == "x64" for i in source.images)


def test_container_facts_of_a_plain_wim():
    s = read_image_source(GOLDEN / "boot.wim")
    h = s.header
    assert (h.version, h.compression, h.solid, h.spanned) == (0x10D00, "LZX", False, False)
    assert (h.part_number, h.total_parts, h.image_count, h.boot_index) == (1, 1, 2, 2)
    assert h.chunk_size == 32768 and len(h.guid) == 32


def test_esd_is_solid_lzms():
    h = read_image_source(GOLDEN / "win11_24h2.esd").header
    assert (h.version, h.compression, h.solid) == (0xE00, "LZMS", True)


def test_every_split_part_gives_the_metadata():
    one = read_image_source(GOLDEN / "win11_24h2_split.swm")
    two = read_image_source(GOLDEN / "win11_24h2_split2.swm")
    assert (one.header.part_number, one.header.total_parts) == (1, 3)
    assert (two.header.part_number, two.header.total_parts) == (2, 3)
    assert one.header.spanned and two.header.spanned
    assert one.header.guid == two.header.guid
    assert one.images == tuple(
        type(i)(**{**i.__dict__, "source": one.path}) for i in two.images
    )


def test_raw_xml_document_matches_its_wim():
    wim = read_image_source(GOLDEN / "win11_24h2_multi.wim")
    xml = read_image_source(GOLDEN / "win11_24h2_multi.xml")
    assert xml.header is None
    assert [i.__dict__ | {"source": ""} for i in xml.images] == \
           [i.__dict__ | {"source": ""} for i in wim.images]
    assert xml.xml_sha256 == wim.xml_sha256


def test_raw_xml_document_in_utf8(tmp_path):
    text = (GOLDEN / "win11_24h2_multi.xml").read_bytes()[2:].decode("utf-16-le")
    for variant, data in (("plain", text.encode()), ("bom", b"\xef\xbb\xbf" + text.encode())):
        path = tmp_path / f"{variant}.xml"
        path.write_bytes(data)
        assert [i.edition_id for i in read_image_source(path).images] == \
               ["Enterprise", "Education", "Professional"]


def test_times_are_filetimes_in_utc():
    image = read_image_source(GOLDEN / "win11_24h2_multi.wim").images[0]
    assert image.created == datetime(2025, 8, 14, 9, 0, tzinfo=timezone.utc)
    assert image.modified == datetime(2025, 8, 14, 10, 30, tzinfo=timezone.utc)


def test_missing_elements_stay_missing_never_defaulted():
    image = read_image_source(GOLDEN / "win11_24h2_broken_xml.wim").images[0]
    assert image.edition_id is None and image.installation_type is None
    assert image.languages == () and image.default_language is None
    assert image.product_type is None and image.flags is None


def _sample_fields(text: str, field: str) -> list[str]:
    return re.findall(rf"^{field}:\s+(.*)$", text, flags=re.M)


def test_mirror_of_real_microsoft_media_reads_like_the_real_dump():
    """The 11-edition Windows 10 media dumped by lxd-imagebuilder: our reader gives the same
    per-index values wimlib printed for the real file."""
    text = (SAMPLES / "wim" / "lxd-imagebuilder_w10_install_wim_info.txt").read_text()
    images = read_image_source(GOLDEN / "win10_install_lxd_mirror.wim").images
    assert len(images) == 11
    assert [i.name for i in images] == _sample_fields(text, "Name")
    assert [i.edition_id for i in images] == _sample_fields(text, "Edition ID")
    assert [str(i.version.build) for i in images] == _sample_fields(text, "Build")
    assert [str(i.version.spbuild) for i in images] == _sample_fields(text, "Service Pack Build")
    assert [i.created.strftime("%a %b %d %H:%M:%S %Y UTC") for i in images] == \
           _sample_fields(text, "Creation Time")


def test_encrypted_esd_is_recognised(tmp_path):
    wim = (GOLDEN / "win11_24h2.esd").read_bytes()
    xml = xml_of(wim).decode("utf-16-le").replace(
        "</WIM>", "<ESD><ENCRYPTED>1</ENCRYPTED></ESD></WIM>").encode("utf-16-le")
    path = tmp_path / "encrypted.esd"
    path.write_bytes(with_xml(wim, xml))
    source = read_image_source(path)
    assert source.encrypted
    assert any("encrypted" in note for note in source.notes)


def test_malformed_numbers_are_reported_not_guessed(tmp_path):
    wim = (GOLDEN / "win11_24h2_multi.wim").read_bytes()
    xml = xml_of(wim).decode("utf-16-le").replace("<BUILD>26100</BUILD>", "<BUILD>26l00</BUILD>", 1)
    path = tmp_path / "badbuild.wim"
    path.write_bytes(with_xml(wim, b"\xff\xfe" + xml.lstrip("\ufeff").encode("utf-16-le")))
    image = read_image_source(path).images[0]
    assert image.version.build is None
    assert image.malformed == {"WINDOWS/VERSION/BUILD": "26l00"}
