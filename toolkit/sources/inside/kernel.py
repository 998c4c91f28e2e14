"""The file version of ntoskrnl.exe, from its VS_FIXEDFILEINFO resource (pefile, fast_load,
resource directory only, parsed from bytes so no file handle or mmap stays open)."""

from __future__ import annotations

from toolkit.facts.inside import KernelFacts
from toolkit.limits import MAX_PE_BYTES, PARSE_TIMEOUT
from toolkit.sources.inside import UnreadableFile, time_limit

MACHINES = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64", 0x1C4: "arm"}
FIXED_SIGNATURE = 0xFEEF04BD


def read_kernel(data: bytes) -> KernelFacts:
    if len(data) > MAX_PE_BYTES:
        raise UnreadableFile(f"PE file is {len(data)} bytes, over the {MAX_PE_BYTES}-byte limit")
    import pefile

    try:
        with time_limit(PARSE_TIMEOUT, "PE file"):
            # Parsed from bytes: no file or map to close. PE.close() would only run a full gc.collect()
            # (~20 ms against a 1 ms parse), so it is not called; the bytes are let go explicitly.
            pe = pefile.PE(data=data, fast_load=True)
            try:
                pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
                fixed = [f for f in getattr(pe, "VS_FIXEDFILEINFO", []) if f.Signature == FIXED_SIGNATURE]
                machine = MACHINES.get(pe.FILE_HEADER.Machine)
            finally:
                pe.__data__ = b""
    except pefile.PEFormatError as exc:
        raise UnreadableFile(f"not a PE file ({exc.value})") from None
    if not fixed:
        raise UnreadableFile("PE file has no version resource (VS_FIXEDFILEINFO)")
    f = fixed[0]
    version = (f.FileVersionMS >> 16, f.FileVersionMS & 0xFFFF, f.FileVersionLS >> 16, f.FileVersionLS & 0xFFFF)
    return KernelFacts(version, machine)
