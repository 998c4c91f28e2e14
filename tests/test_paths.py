"""Issue 16: input paths spelled as pathlib spells them (the manifest names inputs so), and Graph hosts
read from @odata.context as urlparse reads them, without loading pathlib or urllib.parse for the usual case."""

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
