#!/usr/bin/env python3
"""Build the golden images with real tools: `wimlib-imagex` captures a small offline Windows tree per
index and sets the WIM XML with --image-property, exactly the elements Microsoft media carry. The
trees hold what deep inspection reads, made by real tools (golden_images/insides.py): hives written
by hivexregedit, ntoskrnl.exe compiled by mingw-w64 with a VERSIONINFO resource, .mum manifests,
unattend files, State.ini and Autopilot files. Installation ISOs of them are written by genisoimage
(UDF bridge) and xorriso (ISO 9660); virtual disks by mkntfs, wimlib (NTFS-3G mode), sfdisk and qemu-img.

Usage: python golden_images/build.py [OUT_DIR]    (default: golden_images/)
Needs: wimlib-imagex (wimtools), genisoimage, xorriso, mkntfs (ntfs-3g), sfdisk (fdisk), qemu-img
(qemu-utils), hivexregedit (libwin-hivex-perl), x86_64-w64-mingw32-windres and
-gcc (binutils-mingw-w64-x86-64, gcc-mingw-w64-x86-64-win32).

The outputs are committed so tests also run where wimlib is absent; CI rebuilds them into a
temporary directory and checks they read back the same (tests/test_golden_build.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from insides import (  # noqa: E402  (a sibling module of this script)
    SUPERSEDED,
    Inside,
    KernelBuilder,
    autopilot_bytes,
    autopilot_json,
    missing_tools,
    write_tree,
)


@dataclass
class Image:
    name: str
    edition: str | None
    build: int
    spbuild: int
    installation_type: str | None = "Client"
    product_type: str | None = "WinNT"
    product_suite: str | None = "Terminal Server"
    languages: tuple[str, ...] = ("en-US",)
    default_language: str | None = "en-US"
    arch: int = 9
    flags: str | None = None  # defaults to the edition, as on install media
    description: str | None = None
    display_name: str | None = None
    image_state: str | None = "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"
    # Fixed times, so a rebuilt image's XML is comparable with the committed one.
    created: tuple[str, str] = field(default_factory=lambda: filetime("Thu Aug 14 09:00:00 2025 UTC"))
    modified: tuple[str, str] = field(default_factory=lambda: filetime("Thu Aug 14 10:30:00 2025 UTC"))
    extra: list[tuple[str, str]] = field(default_factory=list)
    inside: Inside | None = None
    winre: Image | None = None  # Windows/System32/Recovery/Winre.wim inside this index

    def properties(self) -> list[tuple[str, str]]:
        """Element paths in the order Microsoft media write them (research/wim.md §2)."""
        props: list[tuple[str, str]] = [
            ("CREATIONTIME/HIGHPART", self.created[0]), ("CREATIONTIME/LOWPART", self.created[1]),
            ("LASTMODIFICATIONTIME/HIGHPART", self.modified[0]),
            ("LASTMODIFICATIONTIME/LOWPART", self.modified[1]),
            ("WIMBOOT", "0"),
            ("WINDOWS/ARCH", str(self.arch)),
            ("WINDOWS/PRODUCTNAME", "Microsoft® Windows® Operating System"),
        ]
        optional = [
            ("WINDOWS/EDITIONID", self.edition),
            ("WINDOWS/INSTALLATIONTYPE", self.installation_type),
            ("WINDOWS/SERVICINGDATA/IMAGESTATE", self.image_state),
            ("WINDOWS/PRODUCTTYPE", self.product_type),
            ("WINDOWS/PRODUCTSUITE", self.product_suite),
        ]
        # An empty value deletes what wimlib itself read from the hives on capture.
        props += [(k, v if v is not None else "") for k, v in optional]
        for i, lang in enumerate(self.languages, 1):
            props.append(("WINDOWS/LANGUAGES/LANGUAGE" + (f"[{i}]" if i > 1 else ""), lang))
        if self.default_language:
            props.append(("WINDOWS/LANGUAGES/DEFAULT", self.default_language))
        props += [
            ("WINDOWS/VERSION/MAJOR", "10"), ("WINDOWS/VERSION/MINOR", "0"),
            ("WINDOWS/VERSION/BUILD", str(self.build)), ("WINDOWS/VERSION/SPBUILD", str(self.spbuild)),
            ("WINDOWS/VERSION/SPLEVEL", "0"), ("WINDOWS/SYSTEMROOT", "WINDOWS"),
            ("DESCRIPTION", self.description or self.name),
            ("FLAGS", self.flags if self.flags is not None else (self.edition or "")),
            ("DISPLAYNAME", self.display_name or self.name),
            ("DISPLAYDESCRIPTION", self.display_name or self.name),
        ]
        if not self.languages:
            props += [("WINDOWS/LANGUAGES", "")]
        deletable = {*dict(optional), "WINDOWS/LANGUAGES", "FLAGS"}
        return [(k, v) for k, v in props + self.extra if v != "" or k in deletable]


def win11(edition: str | None, name: str, spbuild: int = 9168, build: int = 26100, **kw) -> Image:
    return Image(name=name, edition=edition, build=build, spbuild=spbuild, **kw)


# A real Microsoft multi-edition media: the Windows 10 install.wim dumped by lxd-imagebuilder's
# tests (tests/samples/wim/lxd-imagebuilder_w10_install_wim_info.txt): 11 editions, BUILD 19041
# SPBUILD 2965 as real 21H2/22H2 media report it. Every value is read from that dump.
LXD_W10_INFO = HERE.parent / "tests/samples/wim/lxd-imagebuilder_w10_install_wim_info.txt"


def filetime(text: str) -> tuple[str, str]:
    """'Fri May 05 12:37:37 2023 UTC' -> FILETIME (HIGHPART, LOWPART) hex strings."""
    moment = datetime.strptime(text, "%a %b %d %H:%M:%S %Y UTC").replace(tzinfo=timezone.utc)
    ticks = int((moment - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 10**7
    return f"0x{ticks >> 32:08X}", f"0x{ticks & 0xFFFFFFFF:08X}"


def images_from_wimlib_info(path: Path) -> list[Image]:
    images = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields = dict(
            (k.strip(), v.strip()) for k, _, v in
            (line.partition(":") for line in block.splitlines() if ":" in line)
        )
        if "Index" not in fields or "Edition ID" not in fields:
            continue
        images.append(Image(
            name=fields["Name"], edition=fields["Edition ID"], build=int(fields["Build"]),
            spbuild=int(fields["Service Pack Build"]),
            installation_type=fields["Installation Type"], product_type=fields["Product Type"],
            product_suite=fields["Product Suite"], languages=tuple(fields["Languages"].split()),
            default_language=fields["Default Language"], flags=fields["Flags"],
            description=fields["Description"], display_name=fields["Display Name"], image_state=None,
            created=filetime(fields["Creation Time"]),
            modified=filetime(fields["Last Modification Time"]),
        ))
    return images



PRODUCT = {"Enterprise": "Windows 10 Enterprise", "Education": "Windows 10 Education",
           "Professional": "Windows 10 Pro", "CloudEdition": "Windows 10 SE",
           "ServerRdsh": "Windows 10 Enterprise multi-session", "ServerStandard": "Windows Server 2022 Standard",
           "WindowsPE": "Windows PE"}
# Cumulative updates the insides carry: UBR -> KB (manifests/catalog/windows-releases.json).
KB = {2861: "KB5033375", 2428: "KB5031354", 4652: "KB5062553", 4946: "KB5063878", 7920: "KB5077181",
      9168: "KB5121003", 6216: "KB5063709", 2965: "KB5026361", 4052: "KB5063880"}
SSU = {9168: 9156, 4946: 4940, 4652: 4646, 2861: 2855, 7920: 7915, 6216: 6210, 2965: 2960, 4052: 4050}


def inside(edition: str, build: int, ubr: int, display: str, base: int | None = None, **kw) -> Inside:
    """A serviced install image: hive, kernel, installed LCU and SSU all at `ubr`."""
    kw.setdefault("rollups", [(ubr, KB[ubr], 0x70)])
    kw.setdefault("ssu", SSU[ubr])
    kw.setdefault("product_name", PRODUCT.get(edition, f"Windows 10 {edition}"))
    return Inside(current_build=build, display_version=display, ubr=ubr, edition=edition, base_build=base, **kw)


def v24h2(edition: str = "Enterprise", ubr: int = 9168, **kw) -> Inside:
    return inside(edition, 26100, ubr, "24H2", **kw)


def winpe(ubr: int) -> Inside:
    # WinPE/WinRE hives keep UBR = 1; the kernel and the XML carry the real revision.
    return Inside(current_build=26100, display_version="24H2", ubr=ubr, edition="WindowsPE",
                  installation_type="WindowsPE", product_name="Windows PE", image_state=None, winpe=True)


def winre(ubr: int) -> Image:
    """The recovery environment an install image carries (one WinPE index, its own servicing level)."""
    return win11("WindowsPE", "Microsoft Windows Recovery Environment (amd64)", spbuild=ubr,
                 installation_type="WindowsPE", product_suite=None, flags="9", image_state=None, inside=winpe(ubr))


DOMAIN_JOIN = """<?xml version="1.0" encoding="utf-8"?>
<u:unattend xmlns:u="urn:schemas-microsoft-com:unattend" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State">
  <u:settings pass="specialize">
    <u:component name="Microsoft-Windows-UnattendedJoin" processorArchitecture="amd64"
        publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
      <u:Identification>
        <u:Credentials>
          <u:Domain>corp.contoso.com</u:Domain>
          <u:Username>svc-join</u:Username>
          <u:Password>*SENSITIVE*DATA*DELETED*</u:Password>
        </u:Credentials>
        <u:JoinDomain>corp.contoso.com</u:JoinDomain>
        <u:MachineObjectOU>OU=Workstations,DC=corp,DC=contoso,DC=com</u:MachineObjectOU>
      </u:Identification>
    </u:component>
  </u:settings>
</u:unattend>
"""
OOBE_UNATTEND = """<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="oobeSystem">
    <component name="Microsoft-Windows-Shell-Setup" processorArchitecture="amd64"
        publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">
      <OOBE>
        <HideEULAPage>true</HideEULAPage>
        <ProtectYourPC>3</ProtectYourPC>
      </OOBE>
      <TimeZone>UTC</TimeZone>
    </component>
  </settings>
  <!-- A join written outside the unattend namespace is not read by Setup and not a finding. -->
  <Identification xmlns="urn:example:not-unattend"><JoinDomain>ignored.example</JoinDomain></Identification>
</unattend>
"""
SYSTEM_POLICY = r"Policies\Microsoft\Windows\System"
APF = "AutopilotConfigurationFile.json"


def lxd_mirror() -> list[Image]:
    images = images_from_wimlib_info(LXD_W10_INFO)
    for image in images:  # 19041 media with the 22H2 enablement: hive 19045 / 22H2
        image.inside = inside(image.edition or "Professional", 19045, image.spbuild, "22H2", base=19041)
    return images


GOLDEN: dict[str, list[Image]] = {
    # Ready: Windows 11 24H2 at the August 2026 security update, three editions (each edition has
    # its own SOFTWARE hive, as on Microsoft media; the kernel and packages are shared blobs).
    "win11_24h2_multi.wim": [
        win11("Enterprise", "Windows 11 Enterprise", inside=v24h2("Enterprise", unattend={
            "/Windows/Panther/unattend.xml": OOBE_UNATTEND})),
        win11("Education", "Windows 11 Education", inside=v24h2("Education")),
        win11("Professional", "Windows 11 Pro", languages=("en-US", "de-DE"),
              inside=v24h2("Professional", languages=("en-US", "de-DE"))),
    ],
    # 25H2 = 24H2 + KB5054156: the XML and binaries say 26100, the hive 26200 / 25H2.
    "win11_25h2_enterprise.wim": [
        win11("Enterprise", "Windows 11 Enterprise",
              inside=inside("Enterprise", 26200, 9168, "25H2", base=26100, enablement_kb="KB5054156")),
    ],
    # 23H2 media carry the 22H2 base build in the XML (AveYo/MediaCreationTool.bat#375: 22621.2861);
    # the hive says 22631 / 23H2; a superseded older LCU is still in the package store.
    "win11_23h2_enterprise.wim": [
        win11("Enterprise", "Windows 11 Enterprise", build=22621, spbuild=2861,
              inside=inside("Enterprise", 22631, 2861, "23H2", base=22621, enablement_kb="KB5027397",
                            rollups=[(2428, KB[2428], SUPERSEDED), (2861, KB[2861], 0x70)])),
    ],
    # Windows 10 22H2 media report 19041 (rufus#2424); August 2025 security update.
    "win10_22h2_enterprise.wim": [
        Image(name="Windows 10 Enterprise", edition="Enterprise", build=19041, spbuild=6216,
              inside=inside("Enterprise", 19045, 6216, "22H2", base=19041)),
    ],
    "win11_se_cloudedition.wim": [
        win11("CloudEdition", "Windows 11 SE", spbuild=4946, inside=v24h2("CloudEdition", 4946)),
    ],
    "win11_multisession.wim": [
        win11("ServerRdsh", "Windows 11 Enterprise multi-session", spbuild=4946, product_type="ServerNT",
              inside=v24h2("ServerRdsh", 4946)),
    ],
    "server2022_standard.wim": [
        Image(name="Windows Server 2022 SERVERSTANDARD", edition="ServerStandard", build=20348,
              spbuild=4052, installation_type="Server", product_type="ServerNT",
              product_suite="Enterprise", flags="ServerStandard",
              inside=inside("ServerStandard", 20348, 4052, "21H2", installation_type="Server")),
    ],
    # A WinPE boot.wim as on install media: index 1 WinPE, index 2 Setup (bootable).
    "boot.wim": [
        win11("WindowsPE", "Microsoft Windows PE (amd64)", spbuild=4946,
              installation_type="WindowsPE", product_suite=None, flags="9", image_state=None, inside=winpe(4946)),
        win11("WindowsPE", "Microsoft Windows Setup (amd64)", spbuild=4946,
              installation_type="WindowsPE", product_suite=None, flags="2", image_state=None, inside=winpe(4946)),
    ],
    # XML rewritten by a third-party tool (ChrisTitusTech/winutil#4443): EDITIONID, INSTALLATIONTYPE,
    # PRODUCTTYPE/SUITE and LANGUAGES gone.
    "win11_24h2_broken_xml.wim": [
        win11(None, "Windows 11 Pro", spbuild=7920, installation_type=None, product_type=None,
              product_suite=None, languages=(), default_language=None, flags="",
              inside=v24h2("Professional", 7920)),
    ],
    "win10_install_lxd_mirror.wim": lxd_mirror(),
    # --- deep-inspection cases: the WIM XML alone says "ready" for every one of these ---
    # Stale XML: SPBUILD says 9168 (August 2026), the hive, the installed LCU and the kernel 4652.
    "win11_24h2_stale_xml.wim": [win11("Enterprise", "Windows 11 Enterprise", inside=v24h2(ubr=4652))],
    "win11_24h2_policy_blocked.wim": [win11("Enterprise", "Windows 11 Enterprise", inside=v24h2(policies={
        (SYSTEM_POLICY, "EnableActivityFeed"): 0,
        (SYSTEM_POLICY, "EnableCdp"): 1,  # set, but to the harmless value
        (r"Microsoft\PolicyManager\current\device\Connectivity", "AllowConnectedDevices"): 0}))],
    "win11_24h2_domain_join.wim": [win11("Enterprise", "Windows 11 Enterprise", inside=v24h2(unattend={
        "/Windows/Panther/Unattend/unattend.xml": DOMAIN_JOIN}))],
    "win11_24h2_gpo_enroll.wim": [win11("Enterprise", "Windows 11 Enterprise", inside=v24h2(policies={
        (r"Policies\Microsoft\Windows\CurrentVersion\MDM", "AutoEnrollMDM"): 1,
        (r"Policies\Microsoft\Windows\CurrentVersion\MDM", "UseAADCredentialType"): 1}))],
    "win11_24h2_configmgr.wim": [win11("Enterprise", "Windows 11 Enterprise", inside=v24h2(
        keys=[r"Microsoft\CCMSetup"],
        setup_complete="@echo off\r\n%WINDIR%\\ccmsetup\\ccmsetup.exe /mp:https://cmg.contoso.com "
                       "SMSSITECODE=P01\r\n"))],
    "win11_24h2_shared_pc.wim": [win11("Education", "Windows 11 Education", inside=v24h2("Education", policies={
        (r"Microsoft\Windows\CurrentVersion\SharedPC\NodeValues", "01"): 1,
        (r"Microsoft\Windows\CurrentVersion\SharedPC\NodeValues", "05"): 1}))],
    # XML relabelled by a tool to a newer release than the image holds: the hive is 23H2 22631.2861.
    "win11_23h2_relabeled.wim": [win11("Enterprise", "Windows 11 Enterprise", inside=inside(
        "Enterprise", 22631, 2861, "23H2", base=22621, enablement_kb="KB5027397"))],
    # Captured without sysprep /generalize /oobe.
    "win11_24h2_not_generalized.wim": [win11("Enterprise", "Windows 11 Enterprise", image_state=None,
                                             inside=v24h2(image_state="IMAGE_STATE_COMPLETE"))],
    # WinRE inside the image (Windows/System32/Recovery/Winre.wim): serviced with the image, and left at
    # the August 2025 update while the image has the August 2026 one.
    "win11_24h2_winre.wim": [
        win11("Enterprise", "Windows 11 Enterprise", inside=v24h2(), winre=winre(9168)),
        win11("Enterprise", "Windows 11 Enterprise (stale WinRE)", inside=v24h2(), winre=winre(4946)),
    ],
    # Offline Autopilot file variants (research/intune.md §2), one per index.
    "win11_24h2_autopilot.wim": [
        win11("Enterprise", "Autopilot good", inside=v24h2(autopilot={APF: autopilot_bytes(autopilot_json())})),
        win11("Enterprise", "Autopilot UTF-16 with BOM",
              inside=v24h2(autopilot={APF: autopilot_bytes(autopilot_json(), encoding="utf-16")})),
        win11("Enterprise", "Autopilot two objects",
              inside=v24h2(autopilot={APF: autopilot_bytes(autopilot_json(), twice=True)})),
        win11("Enterprise", "Autopilot hybrid join",
              inside=v24h2(autopilot={APF: autopilot_bytes(autopilot_json(domain_join=1))})),
        win11("Enterprise", "Autopilot self-deploying",
              inside=v24h2(autopilot={APF: autopilot_bytes(autopilot_json(oobe_config=1310 | 32 | 64))})),
    ],
}

# Derived containers: (output, source, how)
DERIVED = [
    ("win11_24h2.esd", "win11_24h2_multi.wim", "esd"),
    ("win11_24h2_split.swm", "win11_24h2_split_src.wim", "split"),
    ("win11_24h2_multi.xml", "win11_24h2_multi.wim", "xml"),
]
SPLIT_SOURCE = [win11("Enterprise", "Windows 11 Enterprise", inside=v24h2())]
# An applied image: the files of win11_25h2_enterprise.wim index 1 in a directory.
OFFLINE_DIR = ("offline_win11_25h2", "win11_25h2_enterprise.wim")
# Installation ISOs holding golden images under sources/, written by the two real ISO writers:
# genisoimage a UDF bridge (UDF, ISO 9660 and Joliet; Microsoft's media are UDF), xorriso ISO 9660
# with Rock Ridge and Joliet (a Media Creation Tool ISO holds install.esd).
MEDIA = {
    "win11_25h2_media.iso": ("genisoimage", {"sources/install.wim": "win11_25h2_enterprise.wim",
                                             "sources/boot.wim": "boot.wim"}),
    "win11_24h2_media_esd.iso": ("xorriso", {"sources/install.esd": "win11_24h2.esd",
                                             "sources/boot.wim": "boot.wim"}),
}
ISO_TOOLS = ("genisoimage", "xorriso")
# Virtual disks (Windows 365 / AVD custom images): an NTFS volume made by mkntfs, the image applied to
# it by wimlib's NTFS-3G mode (as DISM applies one), placed in a partition by sfdisk, converted by qemu-img.
DISKS = {
    "win11_25h2.vhdx": ("win11_25h2_enterprise.wim", "vhdx", "dynamic", "gpt"),
    "win11_25h2_fixed.vhd": ("win11_25h2_enterprise.wim", "vpc", "fixed", "dos"),
}
DISK_TOOLS = ("mkntfs", "sfdisk", "qemu-img")
VOLUME_MIB = 2


def write_disk(out: Path, wim: Path, fmt: str, subformat: str, table: str, work: Path) -> None:
    """A VHD (qemu-img's `vpc`) or VHDX of one partition (GPT basic data, or MBR type 7) holding index 1
    of `wim` applied to a fresh NTFS volume."""
    volume, raw = work / f"{out.name}.ntfs", work / f"{out.name}.raw"
    for leftover in (volume, raw, out):
        leftover.unlink(missing_ok=True)
    run = lambda *argv, **kw: subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, **kw)  # noqa: E731
    with volume.open("wb") as fh:
        fh.truncate(VOLUME_MIB << 20)
    run("mkntfs", "-q", "-F", "-Q", "-L", "Windows", str(volume), stderr=subprocess.DEVNULL)
    run("wimlib-imagex", "apply", str(wim), "1", str(volume))  # a file target: NTFS-3G mode, no mount
    sectors = (VOLUME_MIB << 20) // 512
    with raw.open("wb") as fh:
        fh.truncate((VOLUME_MIB + 2) << 20)  # 1 MiB before the partition, room for the backup GPT after
    kind = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" if table == "gpt" else "7"
    run("sfdisk", "-q", str(raw), input=f"label: {table}\nstart=2048, size={sectors}, type={kind}\n".encode())
    with raw.open("r+b") as fh, volume.open("rb") as src:
        fh.seek(2048 * 512)
        fh.write(src.read())
    options = f"subformat={subformat}" + (",block_size=1M,log_size=1M" if fmt == "vhdx" else "")
    run("qemu-img", "convert", "-f", "raw", "-O", fmt, "-o", options, str(raw), str(out))


def write_iso(out: Path, tool: str, tree: Path) -> None:
    """An ISO of `tree` by `tool`, written sparse (zero blocks left as holes) so that a test ISO holding
    a > 4 GiB sparse image costs little disk."""
    if tool == "genisoimage":  # -allow-limited-size: files over 4 GiB get their true size in UDF
        argv = ["genisoimage", "-quiet", "-udf", "-iso-level", "3", "-allow-limited-size", "-J", "-joliet-long",
                "-V", "CCCOMA_X64FRE_EN-US_DV9", str(tree)]
    else:  # ISO 9660 level 3: files over 4 GiB as multi-extent records
        argv = ["xorriso", "-outdev", "stdio:/dev/stdout", "-volid", "CCCOMA_X64FRE_EN-US_DV9", "-joliet", "on",
                "-map", str(tree), "/"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # xorriso: fixed volume dates
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as proc, \
            out.open("wb") as fh:
        assert proc.stdout is not None
        while chunk := proc.stdout.read(1 << 20):
            if chunk.count(0) == len(chunk):
                fh.seek(len(chunk), os.SEEK_CUR)
            else:
                fh.write(chunk)
        fh.truncate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, argv)


def media_tree(root: Path, files: dict[str, Path]) -> Path:
    """A media folder: each file linked (or copied) to its place, e.g. sources/install.wim."""
    for name, source in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    return root


def make_tree(root: Path, image: Image, kernels: KernelBuilder, work: Path, payload: int = 0) -> None:
    """The offline Windows tree of one index. `payload` bytes of incompressible data make a WIM
    large enough to split."""
    assert image.inside is not None, image.name
    write_tree(root, image.inside, kernels, work)
    if payload:
        (root / "Windows/System32/payload.bin").write_bytes(os.urandom(payload))
    if image.winre is not None:
        recovery = root / "Windows/System32/Recovery"
        recovery.mkdir(parents=True, exist_ok=True)
        tree = work / f"winre-{root.name}"
        make_tree(tree, image.winre, kernels, work)
        # uncompressed: its size, which the outer image's XML counts, does not vary with hive timestamps
        write_wim(recovery / "Winre.wim", [image.winre], [tree], compress="none")



def wimlib(*args: str) -> None:
    subprocess.run(["wimlib-imagex", *args], check=True, stdout=subprocess.DEVNULL)


def write_wim(out: Path, images: list[Image], trees: list[Path], boot: int | None = None,
              compress: str | None = None) -> None:
    out.unlink(missing_ok=True)
    for n, (image, tree) in enumerate(zip(images, trees, strict=True)):
        props = [a for k, v in image.properties() for a in ("--image-property", f"{k}={v}")]
        options = [f"--compress={compress}"] if compress and n == 0 else []
        wimlib("capture" if n == 0 else "append", str(tree), str(out), image.name, *props, *options)
    if boot:
        wimlib("info", str(out), str(boot), "--boot")
    # wimlib stamps LASTMODIFICATIONTIME on every write; pin each index's times last.
    for n, image in enumerate(images, 1):
        times = [a for k, v in image.properties() if k.endswith("TIME/HIGHPART") or k.endswith("TIME/LOWPART")
                 for a in ("--image-property", f"{k}={v}")]
        wimlib("info", str(out), str(n), *times)


def build(out_dir: Path) -> list[Path]:
    missing = [t for t in ("wimlib-imagex", *ISO_TOOLS, *DISK_TOOLS) if shutil.which(t) is None] + missing_tools()
    if missing:
        sys.exit(f"missing tools: {', '.join(missing)} (apt-get install wimtools genisoimage xorriso ntfs-3g "
                 "fdisk qemu-utils libwin-hivex-perl binutils-mingw-w64-x86-64 gcc-mingw-w64-x86-64-win32)")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="oobe-ready-golden-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        kernels = KernelBuilder(work)

        def trees(name: str, images: list[Image], payload: int = 0) -> list[Path]:
            roots = []
            for n, image in enumerate(images, 1):
                root = Path(tmp) / f"{name}-{n}"
                make_tree(root, image, kernels, work, payload)
                roots.append(root)
            return roots

        for name, images in GOLDEN.items():
            write_wim(out_dir / name, images, trees(name, images), boot=2 if name == "boot.wim" else None)
            written.append(out_dir / name)
        split_src = Path(tmp) / "win11_24h2_split_src.wim"
        write_wim(split_src, SPLIT_SOURCE, trees("split", SPLIT_SOURCE, payload=1536 * 1024))
        for out, src, how in DERIVED:
            target = out_dir / out
            source = split_src if how == "split" else out_dir / src
            if how == "esd":
                target.unlink(missing_ok=True)
                wimlib("export", str(source), "all", str(target), "--solid")
            elif how == "split":
                for old in out_dir.glob("win11_24h2_split*.swm"):
                    old.unlink()
                wimlib("split", str(source), str(target), "1")
                written += sorted(out_dir.glob("win11_24h2_split*.swm"))
                continue
            else:
                wimlib("info", str(source), "--extract-xml", str(target))
            written.append(target)
        name, src = OFFLINE_DIR
        target = out_dir / name
        shutil.rmtree(target, ignore_errors=True)
        # --no-acls: a Linux applier cannot set Windows security descriptors
        subprocess.run(["wimlib-imagex", "apply", str(out_dir / src), "1", str(target), "--no-acls"],
                       check=True, stdout=subprocess.DEVNULL)
        written.append(target)
        for name, (wim, fmt, subformat, table) in DISKS.items():
            write_disk(out_dir / name, out_dir / wim, fmt, subformat, table, work)
            written.append(out_dir / name)
        for name, (tool, files) in MEDIA.items():
            tree = media_tree(Path(tmp) / name, {k: out_dir / v for k, v in files.items()})
            write_iso(out_dir / name, tool, tree)
            written.append(out_dir / name)
    return written


if __name__ == "__main__":
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build(destination):
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
        print(f"{size:>9}  {path}")
