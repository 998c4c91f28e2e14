"""One encoding sniffer for every text input (exports, WIM XML and raw XML documents, config-like
files from inside images): a BOM decides (UTF-8, UTF-16 LE/BE, as Windows PowerShell 5.1 `Out-File`
and Setup write them); without one, bytes that look like UTF-16 (a NUL in the first two bytes) are
read as such, else UTF-8."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def sniff(raw: bytes) -> tuple[str, bytes]:
    """(the encoding, the bytes without their BOM)."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return encoding, raw[len(bom):]
    if raw[1:2] == b"\0" and raw[:1] != b"\0":
        return "utf-16-le", raw
    if raw[:1] == b"\0":
        return "utf-16-be", raw
    return "utf-8", raw


def decode(raw: bytes, path: str | Path | None, what: str = "text") -> str:
    """The text, or an InputError naming the file and the first byte that is not valid."""
    encoding, body = sniff(raw)
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"{what} is not valid {encoding.upper()} ({exc.reason} at byte {exc.start})") from None


def brief(value: object, limit: int = 200) -> str:
    """The first sentence of an error's first line, bounded: parsers and sign-in libraries (libyal,
    pycdlib, MSAL) chain a whole call stack or a paragraph into one message."""
    text = str(value).strip()
    first = text.splitlines()[0].split(". ")[0] if text else ""
    if not first and isinstance(value, BaseException):
        first = type(value).__name__
    return first[:limit]
