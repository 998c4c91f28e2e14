"""An offline AutopilotConfigurationFile.json as read, byte-exact: its defects are findings."""

from __future__ import annotations

import os

from toolkit.records import record

FILE_NAME = "AutopilotConfigurationFile.json"


@record
class AutopilotFile:
    path: str
    sha256: str
    raw: bytes
    bom: str | None            # utf-8 | utf-16-le | utf-16-be
    non_ascii_at: int | None   # first byte offset above 0x7F (after any BOM)
    objects: int               # top-level JSON values in the file
    data: dict | None          # the first object, when one could be decoded
    problem: str | None        # why no object could be read
    image_path: str | None = None  # path inside the image, when it came from one

    @property
    def name(self) -> str:
        return os.path.basename(self.image_path or self.path)
