"""Bad input: one clear line naming the file and the problem, exit 2, never a traceback."""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

import pytest
from conftest import GOLDEN, with_xml, xml_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import InputError
from toolkit.sources.images import read_image_source

REAL = (GOLDEN / "win11_24h2_multi.wim").read_bytes()
REAL_XML = xml_of(REAL)


def assert_input_error(result, path: Path, *fragments: str) -> None:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert str(path) in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_not_a_wim(cli, tmp_path):
    path = write(tmp_path, "notes.wim", b"PK\x03\x04 this is a zip file" * 20)
    assert_input_error(cli("inspect", path), path, "not a WIM image")


def test_empty_file(cli, tmp_path):
    path = write(tmp_path, "empty.wim", b"")
    assert_input_error(cli("inspect", path), path, "empty file")


def test_truncated_at_every_byte_of_the_header(cli, tmp_path):
    for n in range(1, 208):
        path = write(tmp_path, f"cut{n}.wim", REAL[:n])
        result = cli("inspect", path)
        assert_input_error(result, path, "truncated WIM header", f"({n} of 208 bytes)")


def test_truncated_after_the_header_leaves_xml_beyond_end(cli, tmp_path):
    path = write(tmp_path, "cut.wim", REAL[:4096] if len(REAL) > 4096 else REAL[:-10])
    assert_input_error(cli("inspect", path), path, "lies beyond the end of the file")


def test_xml_resource_beyond_end_of_file(cli, tmp_path):
    data = with_xml(REAL, REAL_XML, offset=len(REAL) + 1_000_000)
    path = write(tmp_path, "far.wim", data)
    assert_input_error(cli("inspect", path), path, "XML resource", "beyond the end of the file")


def test_compressed_xml_is_refused(cli, tmp_path):
    path = write(tmp_path, "compressed.wim", with_xml(REAL, REAL_XML, flags=0x02 | 0x04))
    assert_input_error(cli("inspect", path), path, "XML resource is compressed")


def test_image_count_mismatch(cli, tmp_path):
    data = bytearray(REAL)
    struct.pack_into("<I", data, 0x2C, 5)
    path = write(tmp_path, "count.wim", bytes(data))
    assert_input_error(cli("inspect", path), path, "header says 5 images but the XML describes 3")


@pytest.mark.parametrize("xml, fragment", [
    (os.urandom(64) + b"\x00\xd8", "XML"),  # garbage
    (b"\xff\xfe" + '<WIM><IMAGE INDEX="1">'.encode("utf-16-le") + b"\x00\xdc\x41\x00",
     "not valid UTF-16-LE"),
    (b"\xff\xfe" + "<WIM><IMAGE INDEX='1'>".encode("utf-16-le"), "not well-formed"),
    (b"\xff\xfe" + "<NOTWIM/>".encode("utf-16-le"), "expected <WIM>"),
    (b"\xff\xfe" + "<WIM><IMAGE INDEX='2'/><IMAGE INDEX='3'/><IMAGE INDEX='4'/></WIM>".encode("utf-16-le"),
     "not 1..3"),
    (b"\xff\xfe" + "<WIM><IMAGE INDEX='x'/></WIM>".encode("utf-16-le"), "invalid INDEX"),
])
def test_broken_xml(cli, tmp_path, xml, fragment):
    path = write(tmp_path, "broken.wim", with_xml(REAL, xml))
    assert_input_error(cli("inspect", path), path, fragment)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE WIM [
 <!ENTITY a "lol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<WIM><IMAGE INDEX="1"><NAME>&d;</NAME></IMAGE></WIM>"""


def test_billion_laughs_is_refused(cli, tmp_path):
    xml = b"\xff\xfe" + BILLION_LAUGHS.encode("utf-16-le")
    path = write(tmp_path, "laughs.wim", with_xml(REAL, xml))
    assert_input_error(cli("inspect", path), path, "DTD or entity")


def test_external_entity_is_never_read(cli, tmp_path):
    secret = write(tmp_path, "secret.txt", b"TOP-SECRET-CONTENT")
    doc = (f'<?xml version="1.0"?><!DOCTYPE WIM [<!ENTITY x SYSTEM "file://{secret}">]>'
           '<WIM><IMAGE INDEX="1"><NAME>&x;</NAME></IMAGE></WIM>')
    for name, data in (("xxe.wim", with_xml(REAL, b"\xff\xfe" + doc.encode("utf-16-le"))),
                       ("xxe.xml", doc.encode())):
        path = write(tmp_path, name, data)
        result = cli("inspect", path, "--format", "json")
        assert_input_error(result, path, "DTD or entity")
        assert "TOP-SECRET" not in result.out + result.err


def test_oversized_xml_resource(cli, tmp_path):
    from toolkit.limits import MAX_XML_BYTES

    data = bytearray(REAL)
    struct.pack_into("<QQQ", data, 0x48, (MAX_XML_BYTES + 2) | (0x02 << 56), 208, MAX_XML_BYTES + 2)
    path = write(tmp_path, "huge.wim", bytes(data) + bytes(MAX_XML_BYTES + 2))
    assert_input_error(cli("inspect", path), path, "limit")


@pytest.mark.parametrize("offset, value, fragment", [
    (0x08, 200, "header size is 200"),
    (0x0C, 0x10C00, "unsupported WIM version 0x10c00"),
    (0x28, 3, "invalid split-WIM part number 3 of 1"),
    (0x2C, 70000, "over the limit"),
])
def test_bad_header_fields(cli, tmp_path, offset, value, fragment):
    data = bytearray(REAL)
    struct.pack_into("<H" if offset == 0x28 else "<I", data, offset, value)
    path = write(tmp_path, "hdr.wim", bytes(data))
    assert_input_error(cli("inspect", path), path, fragment)


def test_pipable_wim_is_unsupported(cli, tmp_path):
    path = write(tmp_path, "pipe.wim", b"WLPWM\0\0\0" + REAL[8:])
    assert_input_error(cli("inspect", path), path, "pipable WIM", "not supported")


def test_directory_and_missing_path(cli, tmp_path):
    assert_input_error(cli("inspect", tmp_path), tmp_path, "is a directory")
    missing = tmp_path / "nope.wim"
    assert_input_error(cli("inspect", missing), missing, "no such file")


def test_fifo_is_not_a_regular_file(cli, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_input_error(cli("inspect", fifo), fifo, "not a regular file")


def test_unreadable_file(cli, tmp_path, monkeypatch):
    path = write(tmp_path, "locked.wim", REAL)
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: make open() fail the way a locked file does
        real_open = os.open

        def deny(name, *args, **kwargs):
            if str(name) == str(path):
                raise PermissionError(13, "Permission denied", str(name))
            return real_open(name, *args, **kwargs)
        monkeypatch.setattr(os, "open", deny)
    assert_input_error(cli("inspect", path), path, "cannot read", "Permission denied")


def test_index_out_of_range(cli):
    path = GOLDEN / "boot.wim"
    assert_input_error(cli("inspect", path, "--index", "3"), path, "no image index 3", "1..2")


def test_inputs_are_never_modified(cli):
    files = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".wim", ".esd", ".swm", ".xml"))
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in files}
    for fmt in ("table", "json"):
        assert cli("inspect", *files, "--format", fmt).code == 0
    after = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in files}
    assert before == after


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(REAL)), junk=st.binary(max_size=64), at=st.integers(0, len(REAL)))
def test_mutated_wims_fail_only_with_input_error(tmp_path, cut, junk, at):
    data = REAL[:at] + junk + REAL[at + len(junk):cut] if cut > at else REAL[:cut]
    path = tmp_path / "fuzz.wim"
    path.write_bytes(data)
    try:
        read_image_source(path)
    except InputError as exc:
        assert str(path) in str(exc)


def test_a_file_that_grows_while_read_is_read_whole_or_cut_at_the_limit(tmp_path, monkeypatch):
    """Sized by fstat, read unbuffered: a file longer than fstat said (it grew) is still read to its
    end, and refused once it passes the limit, however the reads are split."""
    import toolkit.errors as errors
    from toolkit.errors import read_input

    path = tmp_path / "growing.json"
    path.write_bytes(b"x" * 1000)
    opened = errors._open_regular_fd
    monkeypatch.setattr(errors, "_open_regular_fd", lambda p, w: (opened(p, w)[0], 10))  # fstat saw 10 bytes
    assert read_input(path, 1000, "JSON file") == b"x" * 1000
    with pytest.raises(InputError, match="over the 999-byte limit"):
        read_input(path, 999, "JSON file")
    monkeypatch.setattr(errors, "_open_regular_fd", opened)
    assert read_input(path, 1000, "JSON file") == b"x" * 1000
    with pytest.raises(InputError, match="over the 999-byte limit"):
        read_input(path, 999, "JSON file")
