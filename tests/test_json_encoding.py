"""Issue 16: the manifest's JSON text is written by a faster encoder and a faster sanitiser; both must
give byte for byte what the standard library and the previous look-behind pattern give."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.render.jsondoc import indented, render_json
from toolkit.render.safe import BIDI, json_text

TRICKY = st.text(alphabet=st.sampled_from(list(':#"\\\n\x00\x1b\x7f\x85\u2028\u2029\ud800é€𝄞 ab') + list(BIDI)))
SCALARS = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | \
    st.floats(allow_nan=False, allow_infinity=False) | TRICKY
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) |
                         st.dictionaries(TRICKY, inner, max_size=4), max_leaves=30)
LOOK_BEHIND = re.compile(f"[\\x7f-\\x9f\\u2028\\u2029{BIDI}\\ud800-\\udfff]|(?<=:):|(?<=#)#")


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS)
def test_indented_is_json_dumps_with_indent_2(document):
    assert indented(document) == json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(TRICKY)
def test_json_text_is_the_look_behind_pattern(text):
    assert json_text(text) == LOOK_BEHIND.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    assert "::" not in json_text(text) and "##" not in json_text(text)


def test_keys_numbers_and_failures_as_json_writes_them():
    class Name(str):
        pass

    document = {7: "a", 2.5: [], True: {}, None: (), "x": [1.0, -0.0, 1e300, 10**20], 3: 1.5, False: None,
                Name("sub"): Name("class"), "n": 2}
    assert indented(document) == json.dumps(document, indent=2, ensure_ascii=False)
    assert render_json({"n": float("nan")}) == '{\n  "n": "nan"\n}\n'  # NaN read from an export: a string
    try:
        indented({"when": object()})
    except TypeError as exc:
        assert str(exc) == "Object of type object is not JSON serializable"
    else:
        raise AssertionError("an unknown type must not be written")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:#\\\"{} \x7f\x00\n")), max_size=40))
def test_json_text_of_ascii_text_is_the_look_behind_pattern(text):
    """The ASCII fast path (DEL, :: and ## are all it can hold) gives the same text as the pattern."""
    assert json_text(text) == LOOK_BEHIND.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


ANY_KEYS = st.recursive(SCALARS | st.floats(), lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) |
                        st.dictionaries(TRICKY | st.integers() | st.booleans() | st.none(), inner, max_size=4),
                        max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(ANY_KEYS)
def test_plain_is_the_json_round_trip(value):
    """The manifest's evidence and facts are made plain by a walk instead of a JSON round trip of the
    whole manifest: the same value (tuples as lists, NaN and infinities as text, keys as JSON writes them)."""
    from toolkit.pipeline.manifest import plain
    from toolkit.render.safe import finite

    expected = json.loads(json.dumps(finite(value), ensure_ascii=False))
    assert json.dumps(plain(value)) == json.dumps(expected) and plain(value) == expected


def test_a_manifest_is_what_its_saved_file_reads_back():
    """Every part of a manifest, built plain or walked, equals its JSON round trip (no tuple, no
    non-text key, no NaN left), so a format rendered now is the one rendered later from the file."""
    from toolkit.pipeline.check import run_check
    from toolkit.pipeline.options import CheckOptions

    for image in ("win11_24h2_multi.wim", "win11_24h2_winre.wim", "offline_win11_25h2", "win11_24h2_split.swm",
                  "win11_24h2_media_esd.iso", "win11_25h2.vhdx", "win11_24h2_autopilot.wim"):
        options = CheckOptions(inputs={"image": (f"golden_images/{image}",),
                                       "intune": ("golden_images/intune/blocked",)})
        manifest = run_check(options)
        assert manifest == json.loads(json.dumps(manifest)), image


def test_normalised_walks_every_part_but_the_results_and_inputs():
    """Facts and options may hold tuples or NaN read from an input: they come out as JSON reads them
    back; the results and the inputs are built plain and kept as they are (not copied again)."""
    from toolkit.pipeline.manifest import normalised

    results, inputs = [{"rule": "X", "evidence": []}], [{"path": "a.json", "kind": "intune-export"}]
    manifest = {"results": results, "inputs": inputs,
                "subjects": [{"facts": {"languages": ("en-US",), "n": float("nan")}}],
                "options": {"require": ("image",), 7: "seven"}}
    out = normalised(manifest)
    assert out["results"] is results and out["inputs"] is inputs
    assert out["subjects"] == [{"facts": {"languages": ["en-US"], "n": "nan"}}]
    assert out["options"] == {"require": ["image"], "7": "seven"}
