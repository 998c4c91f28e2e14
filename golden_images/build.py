#!/usr/bin/env python3
"""Build the golden images with real tools: `wimlib-imagex` captures a tiny Windows-like tree and
sets the WIM XML with --image-property, exactly the elements Microsoft media carry.

Usage: python golden_images/build.py [OUT_DIR]    (default: golden_images/)
Needs: wimlib-imagex (Debian: apt-get install wimtools).

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
        props += [(k, v) for k, v in optional if v is not None]
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
        return [(k, v) for k, v in props + self.extra if v != ""]


def win11(edition: str, name: str, spbuild: int = 9168, build: int = 26100, **kw) -> Image:
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


GOLDEN: dict[str, list[Image]] = {
    # Ready: Windows 11 24H2 at the August 2026 security update, three editions.
    "win11_24h2_multi.wim": [
        win11("Enterprise", "Windows 11 Enterprise"),
        win11("Education", "Windows 11 Education"),
        win11("Professional", "Windows 11 Pro", languages=("en-US", "de-DE")),
    ],
    # 23H2 media carry the 22H2 base build in the XML (AveYo/MediaCreationTool.bat#375: 22621.2861).
    "win11_23h2_enterprise.wim": [
        win11("Enterprise", "Windows 11 Enterprise", build=22621, spbuild=2861),
    ],
    # Windows 10 22H2 media report 19041 (rufus#2424); August 2025 security update.
    "win10_22h2_enterprise.wim": [
        Image(name="Windows 10 Enterprise", edition="Enterprise", build=19041, spbuild=6216),
    ],
    "win11_se_cloudedition.wim": [
        win11("CloudEdition", "Windows 11 SE", spbuild=4946),
    ],
    "win11_multisession.wim": [
        win11("ServerRdsh", "Windows 11 Enterprise multi-session", spbuild=4946,
              product_type="ServerNT"),
    ],
    "server2022_standard.wim": [
        Image(name="Windows Server 2022 SERVERSTANDARD", edition="ServerStandard", build=20348,
              spbuild=4052, installation_type="Server", product_type="ServerNT",
              product_suite="Enterprise", flags="ServerStandard"),
    ],
    # A WinPE boot.wim as on install media: index 1 WinPE, index 2 Setup (bootable).
    "boot.wim": [
        win11("WindowsPE", "Microsoft Windows PE (amd64)", spbuild=4946,
              installation_type="WindowsPE", product_suite=None, flags="9", image_state=None),
        win11("WindowsPE", "Microsoft Windows Setup (amd64)", spbuild=4946,
              installation_type="WindowsPE", product_suite=None, flags="2", image_state=None),
    ],
    # XML rewritten by a third-party tool (ChrisTitusTech/winutil#4443): EDITIONID, INSTALLATIONTYPE,
    # PRODUCTTYPE/SUITE and LANGUAGES gone.
    "win11_24h2_broken_xml.wim": [
        win11(None, "Windows 11 Pro", spbuild=7920, installation_type=None, product_type=None,
              product_suite=None, languages=(), default_language=None, flags=""),
    ],
    "win10_install_lxd_mirror.wim": images_from_wimlib_info(LXD_W10_INFO),
}

# Derived containers: (output, source, how)
DERIVED = [
    ("win11_24h2.esd", "win11_24h2_multi.wim", "esd"),
    ("win11_24h2_split.swm", "win11_24h2_split_src.wim", "split"),
    ("win11_24h2_multi.xml", "win11_24h2_multi.wim", "xml"),
]
SPLIT_SOURCE = [win11("Enterprise", "Windows 11 Enterprise")]


def make_tree(root: Path, payload: int = 0) -> None:
    """A tiny Windows-like tree. `payload` bytes of incompressible data make a WIM large enough
    to split. Names wimlib reads on capture (kernel32.dll, config hives) are left for the deep
    inspection images."""
    files = {
        "Windows/System32/drivers/etc/hosts": b"# Copyright (c) 1993-2009 Microsoft Corp.\r\n",
        "Windows/System32/oobe/info/readme.txt": b"golden image fixture\r\n",
        "Windows/Setup/Scripts/SetupComplete.cmd": b"@echo off\r\n",
        "Windows/INF/setupapi.dev.log": b"[Device Install Log]\r\n",
        "Program Files/Common Files/placeholder.txt": b"\r\n",
        "Users/Default/NTUSER.DAT.placeholder": b"\r\n",
    }
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    if payload:
        (root / "Windows/System32/payload.bin").write_bytes(os.urandom(payload))


def wimlib(*args: str) -> None:
    subprocess.run(["wimlib-imagex", *args], check=True, stdout=subprocess.DEVNULL)


def write_wim(out: Path, images: list[Image], tree: Path, boot: int | None = None) -> None:
    out.unlink(missing_ok=True)
    for n, image in enumerate(images):
        props = [a for k, v in image.properties() for a in ("--image-property", f"{k}={v}")]
        wimlib("capture" if n == 0 else "append", str(tree), str(out), image.name, *props)
    if boot:
        wimlib("info", str(out), str(boot), "--boot")
    # wimlib stamps LASTMODIFICATIONTIME on every write; pin each index's times last.
    for n, image in enumerate(images, 1):
        times = [a for k, v in image.properties() if k.endswith("TIME/HIGHPART") or k.endswith("TIME/LOWPART")
                 for a in ("--image-property", f"{k}={v}")]
        wimlib("info", str(out), str(n), *times)


def build(out_dir: Path) -> list[Path]:
    if shutil.which("wimlib-imagex") is None:
        sys.exit("wimlib-imagex not found: apt-get install wimtools")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="oobe-ready-golden-") as tmp:
        tree = Path(tmp) / "tree"
        make_tree(tree)
        for name, images in GOLDEN.items():
            write_wim(out_dir / name, images, tree, boot=2 if name == "boot.wim" else None)
            written.append(out_dir / name)
        big = Path(tmp) / "big"
        make_tree(big, payload=1536 * 1024)
        split_src = Path(tmp) / "win11_24h2_split_src.wim"
        write_wim(split_src, SPLIT_SOURCE, big)
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
    return written


if __name__ == "__main__":
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build(destination):
        print(f"{path.stat().st_size:>9}  {path}")
