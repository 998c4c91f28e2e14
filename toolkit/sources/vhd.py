"""Virtual disks (VHD and VHDX, fixed and dynamic: Windows 365 and Azure Virtual Desktop custom
images): the NTFS volume holding Windows, found through the partition table (GPT or MBR), read as an
offline Windows installation. libvhdi reads the container, libfsntfs the volume; nothing is mounted
or written, and no privilege is needed.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from toolkit.errors import InputError, open_regular
from toolkit.facts import SOFTWARE_HIVE, ImageSource
from toolkit.sources.byteview import ByteView
from toolkit.text import brief

SECTOR = 512
MAX_PARTITIONS = 128
DIFFERENCING = 4  # libvhdi's disk type: 2 fixed, 3 dynamic, 4 differencing
_GPT_BASIC_DATA = bytes.fromhex("a2a0d0ebe5b9334487c068b6b72699c7")  # EBD0A0A2-B9E5-4433-87C0-68B6B72699C7
_MBR_NTFS = 0x07


def read_disk_image(path: str | Path, kind: str) -> ImageSource:
    """The Windows volume of a VHD/VHDX as an offline Windows source (its facts from its hives)."""
    import pyfsntfs
    import pyvhdi

    from toolkit.sources.extract.ntfs import NtfsBackend
    from toolkit.sources.offline import read_offline

    with open_regular(path, "disk image") as fh:
        disk = pyvhdi.file()
        try:
            disk.open_file_object(fh)
        except (OSError, ValueError) as exc:
            raise InputError(path, f"not a readable {kind.upper()} ({brief(exc)})") from None
        try:
            if disk.disk_type == DIFFERENCING:
                raise InputError(path, f"a differencing {kind.upper()} (its data is in a parent disk): merge it "
                                 "into a full disk first (qemu-img convert, or Hyper-V's Edit Disk)")
            found, damaged = [], []
            for number, offset, length in _partitions(path, disk):
                window = ByteView(disk, ((offset, length),))
                if window.read(11)[3:] != b"NTFS    ":
                    continue  # FAT (an EFI system partition), ReFS, or nothing
                volume = pyfsntfs.volume()
                try:
                    volume.open_file_object(window)
                    if volume.get_file_entry_by_path(SOFTWARE_HIVE.replace("/", "\\")) is not None:
                        found.append((number, volume))
                        continue
                except (OSError, ValueError) as exc:
                    damaged.append(f"partition {number}: NTFS volume unreadable ({brief(exc)})")
                    continue
                volume.close()
            try:
                if not found:
                    raise InputError(path, f"{kind.upper()} holds no NTFS volume with Windows on it ("
                                     f"{'; '.join(damaged) or 'no Windows/System32/config/SOFTWARE in any partition'})")
                if len(found) > 1:
                    numbers = ", ".join(str(n) for n, _ in found)
                    raise InputError(path, f"{kind.upper()} holds {len(found)} Windows volumes (partitions {numbers}); "
                                     "which one boots cannot be told from the disk alone")
                number, volume = found[0]
                note = f"{kind.upper()} disk, Windows on partition {number}: facts read from its registry hives"
                return read_offline(path, NtfsBackend(volume), kind, note, os.fstat(fh.fileno()).st_size)
            finally:
                for _, volume in found:
                    volume.close()
        finally:
            disk.close()


def _partitions(path: str | Path, disk) -> list[tuple[int, int, int]]:
    """(number, byte offset, length) of each partition that can hold NTFS: GPT basic data partitions,
    MBR type 0x07 ones, or the whole disk when it holds a volume without a partition table. Addresses
    count the disk's logical sectors (512 bytes, or 4096 on a 4K-native VHDX)."""
    size = disk.media_size
    sector = disk.bytes_per_sector if disk.bytes_per_sector in (512, 4096) else SECTOR
    disk.seek(0)
    mbr = disk.read(SECTOR)
    if len(mbr) < SECTOR:
        raise InputError(path, "the virtual disk is smaller than one sector")
    if mbr[3:11] == b"NTFS    ":
        return [(1, 0, size)]
    if mbr[510:512] != b"\x55\xaa":
        raise InputError(path, "the virtual disk has no partition table (no MBR signature) and no NTFS volume")
    entries = [struct.unpack_from("<B3xB3xII", mbr, 446 + 16 * n) for n in range(4)]
    if any(kind == 0xEE for _, kind, _, _ in entries):  # protective MBR: the GPT follows
        return _gpt(path, disk, size, sector)
    return [(n, first * sector, count * sector) for n, (_, kind, first, count) in enumerate(entries, 1)
            if kind == _MBR_NTFS and first and count and (first + count) * sector <= size]


def _gpt(path: str | Path, disk, size: int, sector: int) -> list[tuple[int, int, int]]:
    disk.seek(sector)  # LBA 1
    header = disk.read(92)
    if header[:8] != b"EFI PART":
        raise InputError(path, "the virtual disk has a protective MBR but no GPT header")
    entries_lba, count, entry_size = struct.unpack_from("<QII", header, 72)
    if not 0 < count <= MAX_PARTITIONS or not 128 <= entry_size <= 1024:
        raise InputError(path, f"GPT header lists {count} partitions of {entry_size} bytes: not a plausible table")
    disk.seek(entries_lba * sector)
    table = disk.read(count * entry_size)
    found = []
    for n in range(count):
        entry = table[n * entry_size:(n + 1) * entry_size]
        if len(entry) < 48 or entry[:16] != _GPT_BASIC_DATA:
            continue
        first, last = struct.unpack_from("<QQ", entry, 32)
        if first <= last and (last + 1) * sector <= size:
            found.append((n + 1, first * sector, (last - first + 1) * sector))
    return found
