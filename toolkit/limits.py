"""Resource limits for untrusted inputs, in one place so the docs and the tests can name them.

Every limit ends in a clear error or a not-evaluated result naming the file, never a hang.
"""

from __future__ import annotations

MiB = 1024 * 1024

# Files the user names.
MAX_XML_BYTES = 16 * MiB                # a WIM's XML resource, or a raw XML document (real media: < 100 KiB)
MAX_IMAGES = 65535                      # image count in a WIM header
MAX_JSON_BYTES = 32 * MiB               # one export JSON file
MAX_JSON_DEPTH = 64                     # nesting of arrays/objects in an export (Graph objects: < 15)
MAX_EXPORT_FILES = 20_000               # files in one export folder
MAX_AUTOPILOT_BYTES = 1 * MiB           # an offline AutopilotConfigurationFile.json (real: < 2 KiB)
MAX_MANIFEST_BYTES = 256 * MiB          # a saved manifest read back by `render` and `attest`

# Files taken out of an image. A real SOFTWARE hive is 60-150 MiB, SYSTEM 10-30 MiB,
# ntoskrnl.exe about 12 MiB; everything else read from inside an image is a few KiB.
MAX_HIVE_BYTES = 1024 * MiB
MAX_PE_BYTES = 128 * MiB
MAX_SMALL_FILE_BYTES = 4 * MiB          # .mum, unattend, State.ini, SetupComplete.cmd, Autopilot JSON
MAX_EXTRACTED_FILE_BYTES = MAX_HIVE_BYTES  # enforced on the backend process itself (RLIMIT_FSIZE)
MAX_SMALL_FILES = 2000                  # servicing packages and JSON files matched per index
MAX_LISTED_SUBKEYS = 200_000            # subkeys listed under one hive key (CBS packages: ~2,000)
MAX_TOOL_OUTPUT = 64 * MiB              # stdout of the extraction tool (`dir` of a whole tree: ~40 MiB)

# Time limits (seconds). Extraction of a 150 MiB hive from a solid ESD takes a few seconds.
EXTRACT_TIMEOUT = 600.0
LIST_TIMEOUT = 120.0
PARSE_TIMEOUT = 60.0                    # one hive or PE file
