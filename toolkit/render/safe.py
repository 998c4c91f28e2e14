"""The one output sanitiser: text taken from inputs never acts on the terminal or the CI runner.

Images, exports and the names inside them are written by other people, and `oobe-ready` prints
them into CI logs. GitHub's runner executes a line that starts with `::` (and the legacy `##[`
anywhere in a line), Azure's agent any line holding `##vso[`, on stdout and stderr alike; a
terminal obeys ESC / CSI / OSC sequences; bidi overrides make text read differently than it is.
So every data-derived string a person or runner reads goes through `text()`:

- C0 and C1 controls (ESC, CSI, line breaks, NUL ...), DEL, Unicode line/paragraph separators,
  bidi embeddings, overrides and isolates, and lone surrogates are shown as visible escapes
  (`\\x1b`, `\\u202e`), so one field is always one line and no sequence reaches the terminal;
- `::` and `##` get a WORD JOINER (U+2060) between their characters, so no runner command can
  start or appear inside data. Only the tool's own annotation lines are commands.

Machine formats keep the data exact instead: `json_text()` writes the same characters as JSON
escapes (`\\u003a`, `\\u0023`, `\\u009b` ...), which parse back to the original, and non-finite
numbers as strings, so the manifest and SARIF stay valid JSON.
"""

from __future__ import annotations

import math
import re

JOINER = "\u2060"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Patterns as text: re compiles (and caches) one the first time data needs it, not at every start-up.
# characters shown as escapes in text: controls, separators, bidi, surrogates
_UNSAFE = f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI}\\ud800-\\udfff]"
_COMMAND = r"(?<=:)(?=:)|(?<=#)(?=#)"


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text(value: object) -> str:
    """A data-derived value as one inert line of text."""
    s = str(value)
    if s.isprintable() and "::" not in s and "##" not in s:
        return s
    return re.sub(_COMMAND, JOINER, re.sub(_UNSAFE, _escape, s))


def deep(value: object) -> object:
    """Every string in a document (keys too) through text(): what the human formats render from."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {text(k) if isinstance(k, str) else k: deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [deep(v) for v in value]
    return value


# in JSON text, these can only occur inside strings: escaping them keeps the value and the syntax
# (every `:` after a `:` and `#` after a `#`, so no `::` or `##` is left; written without look-behinds,
# which would keep the engine from skipping ahead to the next candidate character)
_JSON_UNSAFE = f"[\\x7f-\\x9f\\u2028\\u2029{BIDI}\\ud800-\\udfff]|::+|##+"


def json_text(text_: str) -> str:
    """JSON text with nothing a runner or terminal acts on; it parses back to the same document."""
    # ASCII text (most manifests; isascii() is a flag check) can hold only DEL and runs of : or #; sre
    # finds a two-character literal in megabytes of text twice as fast as `in` does
    if text_.isascii() and "\x7f" not in text_ and not re.search("::", text_) and not re.search("##", text_):
        return text_
    return re.sub(_JSON_UNSAFE, _escape_run, text_)


def _escape_run(match: re.Match) -> str:
    found = match.group()
    kept = found[0] if found[0] in ":#" else ""  # the first of a run of colons or hashes stays
    return kept + "".join(f"\\u{ord(c):04x}" for c in found[len(kept):])


def finite(value: object) -> object:
    """The document with NaN and infinities as strings: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value
