"""Small text files from inside an image: Windows/Setup/State/State.ini and SetupComplete.cmd."""

from __future__ import annotations

import configparser

from toolkit.inside import UnreadableFile


def decode_text(raw: bytes) -> str:
    """By BOM (Setup writes State.ini as UTF-16LE with BOM), else UTF-8, else Windows-1252."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"not valid {encoding} text ({exc.reason})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def read_state_ini(raw: bytes) -> str | None:
    """[State] ImageState, e.g. IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE; None when absent."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(decode_text(raw))
    except configparser.Error as exc:
        raise UnreadableFile(f"State.ini is not an INI file ({exc.message.splitlines()[0]})") from None
    for section in parser.sections():
        if section.lower() == "state":
            return parser[section].get("ImageState")
    return None
