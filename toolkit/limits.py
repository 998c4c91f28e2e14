"""Resource limits for untrusted inputs, in one place so the docs and the tests can name them.

Every limit ends in a clear error or a not-evaluated result naming the file, never a hang.
"""

from __future__ import annotations

MiB = 1024 * 1024

# Files taken out of an image. A real SOFTWARE hive is 60-150 MiB, SYSTEM 10-30 MiB,
# ntoskrnl.exe about 12 MiB; everything else read from inside an image is a few KiB.
MAX_HIVE_BYTES = 1024 * MiB
MAX_PE_BYTES = 128 * MiB
MAX_SMALL_FILE_BYTES = 4 * MiB          # .mum, unattend, State.ini, SetupComplete.cmd, Autopilot JSON
MAX_EXTRACTED_FILE_BYTES = MAX_HIVE_BYTES  # enforced on the backend process itself (RLIMIT_FSIZE)
MAX_SMALL_FILES = 2000                  # servicing packages and JSON files matched per index

# Time limits (seconds). Extraction of a 150 MiB hive from a solid ESD takes a few seconds.
EXTRACT_TIMEOUT = 600.0
LIST_TIMEOUT = 120.0
PARSE_TIMEOUT = 60.0                    # one hive or PE file
MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # a saved manifest read back by `render` and `attest`
