"""SOFTWARE and SYSTEM hives, read with regipy: only the keys and values the rules ask for.

Every lookup walks a fixed path from the root, so a crafted hive cannot send the reader round a
cycle; the file size is capped and the whole read runs under a time limit. A hive that is damaged
(truncated, dirty, bad base block checksum) or is not the hive it should be is unreadable: what it
does not say is unknown, never "not set".
"""

from __future__ import annotations

import mmap
import struct
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from toolkit.facts.inside import SoftwareFacts, SystemFacts
from toolkit.limits import (
    MAX_HIVE_BYTES,
    MAX_HIVE_KEY_VALUES,
    MAX_HIVE_READ_BYTES,
    MAX_HIVE_VALUE_BYTES,
    MAX_LISTED_SUBKEYS,
    PARSE_TIMEOUT,
)
from toolkit.sources.inside import UnreadableFile, time_limit

CURRENT_VERSION = r"Microsoft\Windows NT\CurrentVersion"
CURRENT_VERSION_VALUES = ("CurrentBuild", "CurrentBuildNumber", "DisplayVersion", "UBR", "EditionID",
                          "InstallationType", "ProductName", "BuildLabEx", "LCUVer")
SETUP_STATE = r"Microsoft\Windows\CurrentVersion\Setup\State"
CBS_PACKAGES = r"Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages"
CBS_PREFIXES = ("package_for_rollupfix", "package_for_servicingstack", "package_for_kb")
T = TypeVar("T")
BASE_BLOCK = 4096
_BUDGET = threading.local()  # value bytes the hive being read may still yield (per thread)


class ForeignHive(UnreadableFile):
    """A readable hive that is not the one asked for (a SYSTEM hive where SOFTWARE should be)."""


class Hive:
    """Path lookups over a regipy hive: each key's children indexed once (regipy's get_subkey parses
    every sibling key record on every call, thousands per lookup on a wide hive), each key's values
    read once."""

    def __init__(self, hive) -> None:
        self._keys: dict[str, object | None] = {"": hive.root}
        self._children: dict[str, dict[str, object]] = {}
        self._values: dict[str, dict[str, object]] = {}

    def key(self, path: str):
        if path not in self._keys:
            parent, _, name = path.rpartition("\\")
            node = self.key(parent)
            self._keys[path] = None if node is None else self._index(parent, node).get(name.upper())
        return self._keys[path]

    def _index(self, path: str, node) -> dict[str, object]:
        if path not in self._children:
            index: dict[str, object] = {}
            for child in node.iter_subkeys() if node.subkey_count else ():
                index.setdefault(child.name.upper(), child)  # the first of twins, as get_subkey finds it
            self._children[path] = index
        return self._children[path]

    def value(self, path: str, name: str) -> object | None:
        if path not in self._values:
            node = self.key(path)
            self._values[path] = {} if node is None else values_of(node)
        return self._values[path].get(name.lower())

    def children(self, path: str, prefixes: tuple[str, ...] = ("",)) -> list:
        node = self.key(path)
        if node is None or not node.subkey_count:
            return []
        found = []
        for n, child in enumerate(node.iter_subkeys()):
            if n >= MAX_LISTED_SUBKEYS:
                break
            if child.name.lower().startswith(prefixes):
                found.append(child)
        return found


def values_of(node) -> dict[str, object]:
    if node.values_count > MAX_HIVE_KEY_VALUES:
        raise UnreadableFile(f"key {node.name} lists {node.values_count} values, over the limit of "
                             f"{MAX_HIVE_KEY_VALUES}")
    return {v.name.lower(): _text(v) for v in node.iter_values(trim_values=False)}


def _text(value) -> object:
    """A string value regipy could not decode (UTF-16 with an unpaired surrogate, which Windows allows)
    comes back as bytes: decode it losslessly, so it stays a string in every fact and format."""
    data = value.value
    if isinstance(data, bytes) and value.value_type in ("REG_SZ", "REG_EXPAND_SZ"):
        return data.decode("utf-16-le", "surrogatepass").split("\0", 1)[0]
    return data


def _bound_regipy_value_reads() -> None:
    """regipy reads `data_size` bytes for every value, but a size with the high bit set means the
    data sits inline in the value record: it then copies the rest of the hive (tens of MiB) for
    each DWORD. Read nothing in that case; regipy takes inline data from the record itself."""
    from regipy import registry

    if getattr(registry.NKRecord.read_value, "bounded", False):
        return

    def read_value(vk, stream):
        size = vk.data_size
        wanted = 0 if size >= 0x80000000 else size
        if wanted > MAX_HIVE_VALUE_BYTES:
            raise UnreadableFile(f"a value holds {wanted} bytes, over the {MAX_HIVE_VALUE_BYTES}-byte limit")
        left = getattr(_BUDGET, "left", MAX_HIVE_READ_BYTES)
        if wanted > left:
            raise UnreadableFile(f"the values read from the hive hold more than {MAX_HIVE_READ_BYTES} bytes")
        _BUDGET.left = left - wanted
        stream.seek(registry.REGF_HEADER_SIZE + 4 + vk.data_offset)
        data = stream.read(wanted)
        return registry.VKRecord(value_type=vk.data_type, value_type_str=str(vk.data_type), value=data, size=size)

    read_value.bounded = True
    registry.NKRecord.read_value = staticmethod(read_value)


def read_hive(path: Path, reader: Callable[[Hive], T]) -> T:
    """Open `path` as a hive and run `reader` on it, bounded in size and time."""
    size = path.stat().st_size
    if size > MAX_HIVE_BYTES:
        raise UnreadableFile(f"hive is {size} bytes, over the {MAX_HIVE_BYTES}-byte limit")
    with path.open("rb") as fh:
        _check_base_block(fh.read(BASE_BLOCK), size)
    _BUDGET.left = MAX_HIVE_READ_BYTES  # value bytes this hive may still yield
    try:
        # Memory-mapped, not copied: only the pages of the keys asked for are read, and the map is
        # closed here, not whenever the cycle collector gets to regipy's records.
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as stream, \
                time_limit(PARSE_TIMEOUT, "registry hive"):
            _bound_regipy_value_reads()
            return reader(Hive(_regipy_hive(MappedStream(stream))))
    except UnreadableFile:
        raise
    except Exception as exc:  # regipy raises construct and its own errors on damaged hives
        raise UnreadableFile(f"not a readable registry hive ({type(exc).__name__}: {exc})"[:300]) from None


class MappedStream:
    """A read-only file view over a memory map with BytesIO's seek semantics: regipy seeks past the end
    (to the "offset" of data held inline in a value record) and reads nothing there."""

    __slots__ = ("_map", "_pos")

    def __init__(self, view: mmap.mmap) -> None:
        self._map, self._pos = view, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._map) if size is None or size < 0 else self._pos + size
        data = self._map[self._pos:end]
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._map))[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos


def _regipy_hive(stream):
    """regipy's RegistryHive over an open stream (its constructor copies the whole file into memory)."""
    from regipy.registry import REGF_HEADER, NKRecord, RegistryHive
    from regipy.utils import boomerang_stream

    hive = RegistryHive.__new__(RegistryHive)
    hive.partial_hive_path = hive.hive_type = None
    hive._stream = stream
    with boomerang_stream(stream) as s:
        hive.header = REGF_HEADER.parse_stream(s)
        hive.root = NKRecord(next(hive.get_hbin_at_offset().iter_cells(s)), s)
    hive.name = hive.header.file_name
    return hive


def _check_base_block(block: bytes, size: int) -> None:
    """The hive header's own integrity fields (the regf base block, as Windows writes it)."""
    if block[:4] != b"regf":
        raise UnreadableFile("not a registry hive (no 'regf' signature)")
    if len(block) < BASE_BLOCK:
        raise UnreadableFile(f"damaged hive: {size} bytes, shorter than its {BASE_BLOCK}-byte base block")
    primary, secondary = struct.unpack_from("<II", block, 4)
    if primary != secondary:
        raise UnreadableFile(f"dirty hive: sequence numbers differ ({primary} and {secondary}); its last write did "
                             "not finish and the transaction logs (.LOG1/.LOG2) are not replayed here")
    checksum = 0
    for (word,) in struct.iter_unpack("<I", block[:508]):
        checksum ^= word
    checksum = {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(checksum, checksum)
    stored = struct.unpack_from("<I", block, 508)[0]
    if checksum != stored:
        raise UnreadableFile(f"damaged hive: base block checksum {stored:#010x}, computed {checksum:#010x}")
    bins = struct.unpack_from("<I", block, 0x28)[0]
    if size < BASE_BLOCK + bins:
        raise UnreadableFile(f"damaged hive: truncated to {size} bytes, its header says {BASE_BLOCK + bins}")


def read_software(path: Path, values: Iterable[tuple[str, str]] = (), keys: Iterable[str] = (),
                  package_states: bool = True) -> SoftwareFacts:
    def read(hive: Hive) -> SoftwareFacts:
        if hive.key(CURRENT_VERSION) is None:
            raise ForeignHive(f"not a SOFTWARE hive: no {CURRENT_VERSION} key")
        cv = {name: data for name in CURRENT_VERSION_VALUES
              if (data := hive.value(CURRENT_VERSION, name)) is not None}
        state = hive.value(SETUP_STATE, "ImageState")
        asked = {(k, n): data for k, n in values if (data := hive.value(k, n)) is not None}
        cbs = {}
        for child in hive.children(CBS_PACKAGES, CBS_PREFIXES) if package_states else ():
            data = values_of(child).get("currentstate")
            cbs[child.name] = data if isinstance(data, int) else None
        return SoftwareFacts(cv, state if isinstance(state, str) else None, asked,
                             frozenset(k for k in keys if hive.key(k) is not None), cbs)

    return read_hive(path, read)


def _language_tag(lcid: object) -> str | None:
    """InstallLanguage is a hexadecimal LCID ("0409"): the language the image was installed in."""
    import locale

    try:
        name = locale.windows_locale.get(int(str(lcid), 16))
    except ValueError:
        return None
    return name.replace("_", "-") if name else None


def read_system(path: Path) -> SystemFacts:
    """Architecture and UI languages, from the control set the Select key names as current."""

    def read(hive: Hive) -> SystemFacts:
        if hive.key("Select") is None:
            raise ForeignHive("not a SYSTEM hive: no Select key")
        current = hive.value("Select", "Current")
        control = f"ControlSet{current:03d}" if isinstance(current, int) and 0 < current < 1000 else "ControlSet001"
        arch = hive.value(f"{control}\\Control\\Session Manager\\Environment", "PROCESSOR_ARCHITECTURE")
        languages = tuple(sorted(c.name for c in hive.children(f"{control}\\Control\\MUI\\UILanguages")))
        lcid = hive.value(f"{control}\\Control\\Nls\\Language", "InstallLanguage")
        return SystemFacts(control, arch if isinstance(arch, str) else None, languages, _language_tag(lcid))

    return read_hive(path, read)
