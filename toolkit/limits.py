"""Resource limits for untrusted inputs, in one place so the docs and the tests can name them.

Every limit ends in a clear error or a not-evaluated result naming the file, never a hang.
"""

from __future__ import annotations

MiB = 1024 * 1024

# Files the user names.
MAX_XML_BYTES = 16 * MiB                # a WIM's XML resource, or a raw XML document (real media: < 100 KiB)
MAX_IMAGES = 1024                       # images in one source: WIM header or XML (real media: <= 30)
MAX_JSON_BYTES = 32 * MiB               # one export JSON file
MAX_JSON_DEPTH = 64                     # nesting of arrays/objects in an export (Graph objects: < 15)
MAX_EXPORT_FILES = 20_000               # files in one export folder
MAX_EXPORT_OBJECTS = 100_000            # Graph objects recognised in one run (a large tenant: ~10,000)
MAX_AUTOPILOT_BYTES = 1 * MiB           # an offline AutopilotConfigurationFile.json (real: < 2 KiB)
MAX_FOLDER_ENTRIES = 100_000           # entries in one ISO or NTFS folder looked through (System32: ~5,000)
MAX_MANIFEST_BYTES = 256 * MiB          # a saved manifest read back by `render` and `attest`

# Files taken out of an image. A real SOFTWARE hive is 60-150 MiB, SYSTEM 10-30 MiB,
# ntoskrnl.exe about 12 MiB; everything else read from inside an image is a few KiB.
MAX_HIVE_BYTES = 512 * MiB             # regipy holds the whole hive in memory
MAX_HIVE_VALUE_BYTES = 4 * MiB          # one value's data (what the rules read: a few hundred bytes)
MAX_HIVE_READ_BYTES = 64 * MiB          # value data read from one hive in all
MAX_HIVE_KEY_VALUES = 16_384            # values listed under one key (CurrentVersion: ~40)
MAX_PE_BYTES = 128 * MiB
MAX_SMALL_FILE_BYTES = 4 * MiB          # .mum, unattend, State.ini, SetupComplete.cmd, Autopilot JSON
MAX_EXTRACTED_FILE_BYTES = MAX_HIVE_BYTES  # enforced on the backend process itself (RLIMIT_FSIZE)
MAX_INDEX_EXTRACTED_BYTES = 1024 * MiB   # one index's extraction (hives, kernel, small files: ~150 MiB)
MAX_RUN_EXTRACTED_BYTES = 4 * 1024 * MiB  # written by extraction tools in one run (11 editions: ~1.5 GiB)
MAX_RUN_COPIED_BYTES = 32 * 1024 * MiB  # images copied out of ISOs for the extraction tools (install.wim: ~6 GiB)
MAX_SMALL_FILES = 2000                  # servicing packages and JSON files matched per index
MAX_LISTED_SUBKEYS = 200_000            # subkeys listed under one hive key (CBS packages: ~2,000)
MAX_TOOL_OUTPUT = 64 * MiB              # stdout of the extraction tool (`dir` of a whole tree: ~40 MiB)

# Time limits (seconds). Extraction of a 150 MiB hive from a solid ESD takes a few seconds.
EXTRACT_TIMEOUT = 600.0
LIST_TIMEOUT = 120.0
PARSE_TIMEOUT = 60.0                    # one hive or PE file
RUN_PARSE_TIMEOUT = 600.0               # parsing every hive and PE file of one run
