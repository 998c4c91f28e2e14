"""Issue 16: the fast paths give what the general ones give. Input paths spelled as pathlib spells
them (the manifest names inputs so), Graph hosts read from @odata.context as urlparse reads them
(without loading pathlib or urllib.parse for the usual case), and an export read as UTF-8 without
sniffing when it starts with `{`."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.paths import spelled


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("/.a\\ é")), max_size=12))
def test_spelled_is_what_pathlib_writes(raw):
    assert spelled(raw) == str(Path(raw))


def test_spelled_examples():
    assert spelled("exports/intune") == "exports/intune"
    assert spelled("./exports//intune/") == "exports/intune"
    assert spelled("") == spelled(".") == "."
    assert spelled("//server/share") == "//server/share" and spelled("///x") == "/x"  # as POSIX pathlib has it


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("htps:/[]@?#.-aGM1 \t\x00é")), max_size=30).map(lambda t: "https://" + t)
       | st.text(alphabet=st.sampled_from(list("htps:/[]@?#.-aGM1 é")), max_size=30))
def test_the_context_host_is_what_urlparse_gives(context):
    """@odata.context hosts Graph writes are read without loading urllib.parse; anything else with it."""
    from urllib.parse import urlparse

    from toolkit.sources.intune import _host

    try:
        expected = urlparse(context).hostname or ""
    except ValueError:
        expected = "(malformed @odata.context)"
    assert _host(context) == expected


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=12).map(lambda b: b"{" + b) | st.binary(max_size=12))
def test_an_export_read_without_sniffing_is_read_as_sniffing_reads_it(tmp_path_factory, raw):
    import json

    from toolkit.errors import InputError
    from toolkit.sources.intune import _load, decode_text

    path = tmp_path_factory.mktemp("export") / "x.json"
    path.write_bytes(raw)

    def outcome(read):
        try:
            return read()
        except (InputError, ValueError, RecursionError) as exc:
            return type(exc).__name__, str(exc).split(" (")[0]

    fast = outcome(lambda: _load(str(path))[0])
    general = outcome(lambda: json.loads(decode_text(raw, str(path))))
    assert fast == general or (fast[0] == "InputError" and general[0] in ("JSONDecodeError", "ValueError"))
