"""Small text files from inside an image: Windows/Setup/State/State.ini and SetupComplete.cmd."""

from __future__ import annotations

import configparser

from toolkit.sources.inside import UnreadableFile


def decode_text(raw: bytes) -> str:
    """By BOM (Setup writes State.ini as UTF-16LE with BOM), else UTF-8, else Windows-1252 (batch files)."""
    from toolkit.errors import InputError
    from toolkit.text import decode, sniff

    try:
        return decode(raw, None)
    except InputError as exc:
        if sniff(raw)[0] != "utf-8":
            raise UnreadableFile(exc.problem) from None
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
