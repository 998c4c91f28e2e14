"""Realistic insides for the golden images, written by real tools.

- Registry hives: an empty hive file (a regf base block and one hive bin holding the root key, as
  in hivex's own `images/minimal`) is filled by hivex's `hivexregedit --merge` from a .reg file
  (Debian: libwin-hivex-perl).
- ntoskrnl.exe: a real PE32+ with a VERSIONINFO resource, compiled by mingw-w64 `windres` + `gcc`
  (Debian: binutils-mingw-w64-x86-64, gcc-mingw-w64-x86-64-win32), without a link timestamp so
  rebuilds are byte-identical.
- Windows/servicing/Packages/*.mum in the structure of real package manifests
  (research/builds.md §5), unattend files, State.ini (UTF-16LE with BOM, as Setup writes it),
  SetupComplete.cmd and AutopilotConfigurationFile.json variants.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("hivexregedit", "x86_64-w64-mingw32-windres", "x86_64-w64-mingw32-gcc")
TOKEN = "31bf3856ad364e35"
CBS = r"Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages"
INSTALLED, SUPERSEDED = 0x70, 0x50


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


@dataclass
class Inside:
    """What one image index holds, as far as the deep rules look."""

    current_build: int
    display_version: str
    ubr: int
    edition: str
    base_build: int | None = None          # binaries' build (22621 on 23H2, 26100 on 25H2)
    installation_type: str = "Client"
    product_name: str = "Windows 10 Enterprise"  # Windows 11 still says "Windows 10" here
    arch: str = "AMD64"
    languages: tuple[str, ...] = ("en-US",)
    kernel_ubr: int | None = None          # defaults to ubr
    rollups: list[tuple[int, str, int]] = field(default_factory=list)  # (ubr, KB, CBS state)
    ssu: int | None = None
    enablement_kb: str | None = None       # KB5027397 (23H2) / KB5054156 (25H2)
    policies: dict[tuple[str, str], int] = field(default_factory=dict)  # (key, value) -> DWORD
    keys: list[str] = field(default_factory=list)
    image_state: str | None = "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"
    unattend: dict[str, str] = field(default_factory=dict)  # path in image -> XML text
    setup_complete: str = "@echo off\r\n"
    autopilot: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes
    winpe: bool = False

    @property
    def binaries_build(self) -> int:
        return self.base_build or self.current_build


def minimal_hive(path: Path) -> None:
    """An empty hive: base block + one 4 KiB bin with the root key (nk) and its security (sk) cell."""

    def cell(body: bytes) -> bytes:
        size = (len(body) + 4 + 7) & ~7
        return struct.pack("<i", -size) + body.ljust(size - 4, b"\0")

    root, name = 0x20, b"ROOT"
    sk_at = root + ((4 + 0x4C + len(name) + 7) & ~7)
    nk = b"nk" + struct.pack("<HQ15I2H", 0x2C, 0, 0, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF,
                             sk_at, 0xFFFFFFFF, 0, 0, 0, 0, 0, len(name), 0) + name
    # self-relative security descriptor with an empty DACL
    sd = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 20) + struct.pack("<BBHHH", 2, 0, 8, 0, 0)
    sk = b"sk" + struct.pack("<HIIII", 0, sk_at, sk_at, 1, len(sd)) + sd
    cells = cell(nk) + cell(sk)
    free = 4096 - 0x20 - len(cells)
    hbin = b"hbin" + struct.pack("<IIIIQI", 0, 4096, 0, 0, 0, 0) + cells + struct.pack("<i", free).ljust(free, b"\0")
    base = bytearray(4096)
    struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, 0, 1, 3, 0, 1, root, 4096, 1)
    checksum = 0
    for (dword,) in struct.iter_unpack("<I", bytes(base[:0x1FC])):
        checksum ^= dword
    struct.pack_into("<I", base, 0x1FC, checksum)
    path.write_bytes(bytes(base) + hbin)


def reg_text(root: str, tree: dict[str, dict[str, object]]) -> str:
    """A regedit file creating every key (parents first) with its values."""
    keys: dict[str, dict[str, object]] = {}
    for key, values in tree.items():
        parts = key.split("\\")
        for n in range(1, len(parts)):
            keys.setdefault("\\".join(parts[:n]), {})
        keys.setdefault(key, {}).update(values)
    lines = ["Windows Registry Editor Version 5.00", ""]
    for key in sorted(keys, key=lambda k: (k.count("\\"), k.lower())):
        lines.append(f"[{root}\\{key}]")
        for name, value in keys[key].items():
            if isinstance(value, int):
                lines.append(f'"{name}"=dword:{value:08x}')
            elif isinstance(value, bytes):
                lines.append(f'"{name}"=hex:' + value.hex(","))
            else:
                lines.append(f'"{name}"="{value}"')
        lines.append("")
    return "\r\n".join(lines)


def write_hive(path: Path, root: str, tree: dict[str, dict[str, object]], work: Path) -> None:
    minimal_hive(path)
    reg = work / f"{path.name}.reg"
    reg.write_text(reg_text(root, tree), encoding="utf-8")
    subprocess.run(["hivexregedit", "--merge", "--prefix", root, "--encoding", "UTF-16LE", str(path), str(reg)],
                   check=True)


def software_tree(inside: Inside) -> dict[str, dict[str, object]]:
    cv = {"CurrentBuild": str(inside.current_build), "CurrentBuildNumber": str(inside.current_build),
          "DisplayVersion": inside.display_version, "UBR": 1 if inside.winpe else inside.ubr,
          "EditionID": inside.edition, "InstallationType": inside.installation_type,
          "ProductName": inside.product_name, "ReleaseId": "2009", "CurrentMajorVersionNumber": 10,
          "CurrentMinorVersionNumber": 0,
          "BuildLabEx": f"{inside.binaries_build}.1.amd64fre.ge_release.240331-1435"}
    tree: dict[str, dict[str, object]] = {r"Microsoft\Windows NT\CurrentVersion": cv}
    if inside.image_state:
        tree[r"Microsoft\Windows\CurrentVersion\Setup\State"] = {"ImageState": inside.image_state}
    for identity, state in package_states(inside).items():
        tree[f"{CBS}\\{identity}"] = {"CurrentState": state, "InstallClient": "DISM Package Manager Provider"}
    for (key, value), data in inside.policies.items():
        tree.setdefault(key, {})[value] = data
    for key in inside.keys:
        tree.setdefault(key, {})
    return tree


def system_tree(inside: Inside) -> dict[str, dict[str, object]]:
    control = r"ControlSet001\Control"
    tree: dict[str, dict[str, object]] = {
        "Select": {"Current": 1, "Default": 1, "LastKnownGood": 1, "Failed": 0},
        f"{control}\\Session Manager\\Environment": {"PROCESSOR_ARCHITECTURE": inside.arch},
        f"{control}\\Nls\\Language": {"InstallLanguage": "0409", "Default": "0409"},
        f"{control}\\ProductOptions": {"ProductType": "WinNT"},
    }
    for lang in inside.languages:
        tree[f"{control}\\MUI\\UILanguages\\{lang}"] = {"Type": 0x92}
    return tree


def arch_name(inside: Inside) -> str:
    return {"AMD64": "amd64", "x86": "x86", "ARM64": "arm64"}[inside.arch]


def package_files(inside: Inside) -> dict[str, tuple[str, str, str, str]]:
    """identity -> (name, version, KB, release type) for every .mum the image carries."""
    arch = arch_name(inside)
    base = inside.binaries_build
    found = {}
    for ubr, kb, _state in inside.rollups:
        version = f"{base}.{ubr}.1.10"
        found[f"Package_for_RollupFix~{TOKEN}~{arch}~~{version}"] = ("Package_for_RollupFix", version, kb,
                                                                    "Security Update")
    if inside.ssu:
        version = f"{base}.{inside.ssu}.1.1"
        # The SSU ships inside the LCU (research/builds.md §5) and carries no KB of its own.
        found[f"Package_for_ServicingStack_{inside.ssu}~{TOKEN}~{arch}~~{version}"] = (
            f"Package_for_ServicingStack_{inside.ssu}", version, f"ServicingStack 10.0.{base}.{inside.ssu}",
            "Update")
    if inside.enablement_kb:
        version = {"KB5027397": "22621.2355.1.1", "KB5054156": "26100.6717.1.4"}[inside.enablement_kb]
        found[f"Package_for_{inside.enablement_kb}~{TOKEN}~{arch}~~{version}"] = (
            f"Package_for_{inside.enablement_kb}", version, inside.enablement_kb, "Feature Pack")
    return found


def package_states(inside: Inside) -> dict[str, int]:
    states = {}
    for identity in package_files(inside):
        states[identity] = INSTALLED
    arch, base = arch_name(inside), inside.binaries_build
    for ubr, _kb, state in inside.rollups:
        states[f"Package_for_RollupFix~{TOKEN}~{arch}~~{base}.{ubr}.1.10"] = state
    return states


def mum_text(identity: str, name: str, version: str, kb: str, release_type: str, arch: str, base: int) -> str:
    help_page = kb[2:] if kb.startswith("KB") else ""
    identifier = kb if kb.startswith("KB") else "ServicingStack"
    return f"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v3" manifestVersion="1.0" description="Fix for {kb}" \
displayName="default" company="Microsoft Corporation" copyright="Microsoft Corporation" \
supportInformation="https://support.microsoft.com/help/{help_page}" creationTimeStamp="2026-08-05T10:12:44Z" \
lastUpdateTimeStamp="2026-08-05T10:12:44Z">
  <assemblyIdentity name="{name}" version="{version}" processorArchitecture="{arch}" language="neutral" \
publicKeyToken="{TOKEN}"/>
  <package identifier="{identifier}" releaseType="{release_type}" restart="possible" targetPartition="MainOS" \
binaryPartition="false" permanence="removable">
    <parent buildCompare="EQ" revisionCompare="GE" integrate="separate" disposition="detect">
      <assemblyIdentity name="Microsoft-Windows-Foundation-Package" version="10.0.{base}.1" \
processorArchitecture="{arch}" language="neutral" publicKeyToken="{TOKEN}"/>
    </parent>
    <installerAssembly name="Microsoft-Windows-ServicingStack" version="6.0.0.0" processorArchitecture="{arch}" \
language="neutral" publicKeyToken="{TOKEN}"/>
    <update name="{kb.split()[0]}-1_neutral_PACKAGE">
      <package integrate="hidden">
        <assemblyIdentity name="Package_1_for_{kb.split()[0]}" version="{version}" processorArchitecture="{arch}" \
language="neutral" publicKeyToken="{TOKEN}"/>
      </package>
    </update>
  </package>
</assembly>
"""


class KernelBuilder:
    """ntoskrnl.exe stand-ins: a tiny PE32+ whose only resource is the VERSIONINFO of the real one."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.built: dict[tuple[int, int, int, int], Path] = {}

    def __call__(self, version: tuple[int, int, int, int]) -> Path:
        if version in self.built:
            return self.built[version]
        v = ",".join(map(str, version))
        dotted = ".".join(map(str, version))
        stem = self.work / f"ntoskrnl-{'_'.join(map(str, version))}"
        rc = stem.with_suffix(".rc")
        rc.write_text(f"""1 VERSIONINFO
FILEVERSION {v}
PRODUCTVERSION {v}
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "Microsoft Corporation"
      VALUE "FileDescription", "NT Kernel & System"
      VALUE "FileVersion", "{dotted} (WinBuild.160101.0800)"
      VALUE "InternalName", "ntkrnlmp.exe"
      VALUE "OriginalFilename", "ntkrnlmp.exe"
      VALUE "ProductName", "Microsoft\\256 Windows\\256 Operating System"
      VALUE "ProductVersion", "{dotted}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
""", encoding="utf-8")
        src = stem.with_suffix(".c")
        src.write_text("void __stdcall KiSystemStartup(void *loader_block) { (void)loader_block; }\n")
        res = stem.with_suffix(".res.o")
        exe = stem.with_suffix(".exe")
        subprocess.run(["x86_64-w64-mingw32-windres", str(rc), "-O", "coff", "-o", str(res)], check=True)
        subprocess.run(["x86_64-w64-mingw32-gcc", "-O2", "-s", "-nostdlib", "-Wl,--no-insert-timestamp",
                        "-Wl,--subsystem,native", "-Wl,--entry,KiSystemStartup", str(src), str(res), "-o", str(exe)],
                       check=True)
        self.built[version] = exe
        return exe


def write_tree(root: Path, inside: Inside, kernels: KernelBuilder, work: Path) -> None:
    """An offline Windows tree holding exactly the files deep inspection reads, and a few others."""
    config = root / "Windows/System32/config"
    config.mkdir(parents=True, exist_ok=True)
    write_hive(config / "SOFTWARE", r"HKEY_LOCAL_MACHINE\SOFTWARE", software_tree(inside), work)
    write_hive(config / "SYSTEM", r"HKEY_LOCAL_MACHINE\SYSTEM", system_tree(inside), work)
    kernel = (10, 0, inside.binaries_build, inside.kernel_ubr if inside.kernel_ubr is not None else inside.ubr)
    shutil.copyfile(kernels(kernel), root / "Windows/System32/ntoskrnl.exe")
    packages = root / "Windows/servicing/Packages"
    packages.mkdir(parents=True, exist_ok=True)
    for identity, (name, version, kb, kind) in package_files(inside).items():
        text = mum_text(identity, name, version, kb, kind, arch_name(inside), inside.binaries_build)
        (packages / f"{identity}.mum").write_text(text, encoding="utf-8")
    if inside.image_state:
        state = root / "Windows/Setup/State/State.ini"
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_bytes(b"\xff\xfe" + f"[State]\r\nImageState={inside.image_state}\r\n".encode("utf-16-le"))
    if not inside.winpe:
        scripts = root / "Windows/Setup/Scripts"
        scripts.mkdir(parents=True, exist_ok=True)
        (scripts / "SetupComplete.cmd").write_text(inside.setup_complete, encoding="ascii", newline="")
    for rel, text in inside.unattend.items():
        target = root / rel.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for name, data in inside.autopilot.items():
        target = root / "Windows/Provisioning/Autopilot" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel, data in {"Windows/System32/drivers/etc/hosts": b"# Copyright (c) 1993-2009 Microsoft Corp.\r\n",
                      "Windows/INF/setupapi.dev.log": b"[Device Install Log]\r\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


# --- Autopilot file variants (research/intune.md §2) -------------------------------------------

AAD_SERVER_DATA = json.dumps({"ZeroTouchConfig": {"CloudAssignedTenantUpn": "",
                                                  "ForcedEnrollment": 1,
                                                  "CloudAssignedTenantDomain": "contoso.onmicrosoft.com"}})


def autopilot_json(domain_join: int = 0, oobe_config: int = 1310, **extra: object) -> dict:
    doc = {
        "CloudAssignedTenantId": "8a2b3c4d-1e2f-4a5b-9c8d-7e6f5a4b3c2d",
        "CloudAssignedDeviceName": "",
        "CloudAssignedAutopilotUpdateTimeout": 1800000,
        "CloudAssignedForcedEnrollment": 1,
        "Version": 2049,
        "CloudAssignedAutopilotUpdateDisabled": 1,
        "ZtdCorrelationId": "1b7d8e2a-6c4f-4d3e-9a1b-2c3d4e5f6a7b",
        "CloudAssignedDomainJoinMethod": domain_join,
        "CloudAssignedOobeConfig": oobe_config,
        "CloudAssignedTenantDomain": "contoso.onmicrosoft.com",
        "CloudAssignedAadServerData": AAD_SERVER_DATA,
        "CloudAssignedLanguage": "os-default",
        "Comment_File": "Profile Contoso user-driven",
    }
    doc.update(extra)
    return doc


def autopilot_bytes(doc: dict, encoding: str = "ascii", twice: bool = False) -> bytes:
    text = json.dumps(doc, indent=4)
    if twice:
        text = text + "\r\n" + text
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode("ascii")


def temp_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="oobe-ready-golden-")
