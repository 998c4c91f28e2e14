#!/usr/bin/env python3
"""Generate manifests/catalog/windows-releases.json from the public build and lifecycle tables.

Usage: python scripts/build_catalog.py [DATA_DIR]   (default: ../shared/data/builds)

Inputs (MIT, notices copied to manifests/catalog/LICENSES.md):
- DataForGeeks content/ms/win/buildnumbers.json: every update with KB, date and type.
- endoflife.date products/windows.md and windows-server.md: end-of-servicing dates per edition
  family (DataForGeeks' own lifecycle tables are one day late, see research/builds.md §3).
The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "manifests" / "catalog"

# Branches the gate knows. base = the build whose binaries (and WIM XML BUILD) it shares;
# eol = endoflife.date cycles: home_pro (W), enterprise_education (E), ltsc, esu (extended end).
BRANCHES: list[dict] = [
    # Releases before Windows 10, long out of servicing: known so that their images fail with the date
    # servicing ended, never "newer than the catalog".
    dict(id="win7-sp1", product="Windows 7", version="SP1", build=7601, base=7601, os_type="client", dfg=None,
         eol={"home_pro": "7-sp1", "enterprise_education": "7-sp1"}),
    dict(id="win8", product="Windows 8", version="8", build=9200, base=9200, os_type="client", dfg=None,
         eol={"home_pro": "8", "enterprise_education": "8"}),
    dict(id="win81", product="Windows 8.1", version="8.1", build=9600, base=9600, os_type="client", dfg=None,
         eol={"home_pro": "8.1", "enterprise_education": "8.1"}),
    # Windows 10 before 2004: long out of servicing for Home/Pro and Enterprise, but images of them
    # exist (and LTSB/LTSC editions of 1507, 1607 and 1809 are serviced for years): every build from
    # 10240 on is a known release, never "newer than the catalog".
    dict(id="win10-1507", product="Windows 10", version="1507", build=10240, base=10240,
         os_type="client", dfg=None, eol={"home_pro": "10-1507", "enterprise_education": "10-1507",
                                          "ltsc": "10-1507-e-lts"}),
    dict(id="win10-1511", product="Windows 10", version="1511", build=10586, base=10586,
         os_type="client", dfg="1511", eol={"home_pro": "10-1511", "enterprise_education": "10-1511"}),
    dict(id="win10-1607", product="Windows 10", version="1607", build=14393, base=14393,
         os_type="client", dfg="1607", eol={"home_pro": "10-1607-w", "enterprise_education": "10-1607-e",
                                            "ltsc": "10-1607-e-lts"}),
    dict(id="win10-1703", product="Windows 10", version="1703", build=15063, base=15063,
         os_type="client", dfg="1703", eol={"home_pro": "10-1703-w", "enterprise_education": "10-1703-e"}),
    dict(id="win10-1709", product="Windows 10", version="1709", build=16299, base=16299,
         os_type="client", dfg="1709", eol={"home_pro": "10-1709-w", "enterprise_education": "10-1709-e"}),
    dict(id="win10-1803", product="Windows 10", version="1803", build=17134, base=17134,
         os_type="client", dfg="1803", eol={"home_pro": "10-1803-w", "enterprise_education": "10-1803-e"}),
    # client LTSC 2019 shares build 17763 with Windows Server 2019, but is a client release
    dict(id="win10-1809", product="Windows 10", version="1809", build=17763, base=17763,
         os_type="client", dfg="1809", eol={"home_pro": "10-1809-w", "enterprise_education": "10-1809-e",
                                            "ltsc": "10-1809-e-lts"}),
    dict(id="win10-1903", product="Windows 10", version="1903", build=18362, base=18362,
         os_type="client", dfg="1903", eol={"home_pro": "10-1903", "enterprise_education": "10-1903"}),
    dict(id="win10-1909", product="Windows 10", version="1909", build=18363, base=18362,
         os_type="client", dfg="1909", eol={"home_pro": "10-1909-w", "enterprise_education": "10-1909-e"}),
    dict(id="win10-2004", product="Windows 10", version="2004", build=19041, base=19041,
         os_type="client", dfg="2004", eol={"home_pro": "10-2004", "enterprise_education": "10-2004"}),
    dict(id="win10-20h2", product="Windows 10", version="20H2", build=19042, base=19041,
         os_type="client", dfg="20H2", eol={"home_pro": "10-20h2-w", "enterprise_education": "10-20h2-e"}),
    dict(id="win10-21h1", product="Windows 10", version="21H1", build=19043, base=19041,
         os_type="client", dfg="21H1", eol={"home_pro": "10-21h1", "enterprise_education": "10-21h1"}),
    dict(id="win10-21h2", product="Windows 10", version="21H2", build=19044, base=19041,
         os_type="client", dfg="21H2", eol={"home_pro": "10-21h2-w", "enterprise_education": "10-21h2-e",
                                            "ltsc": "10-21h2-e-lts"}),
    dict(id="win10-22h2", product="Windows 10", version="22H2", build=19045, base=19041,
         os_type="client", dfg="22H2", enablement_kb="KB5015684",
         eol={"home_pro": "10-22h2", "enterprise_education": "10-22h2"}, esu="10-22h2"),
    dict(id="win11-21h2", product="Windows 11", version="21H2", build=22000, base=22000,
         os_type="client", dfg="21H2", eol={"home_pro": "11-21h2-w", "enterprise_education": "11-21h2-e"}),
    dict(id="win11-22h2", product="Windows 11", version="22H2", build=22621, base=22621,
         os_type="client", dfg="22H2", eol={"home_pro": "11-22h2-w", "enterprise_education": "11-22h2-e"}),
    dict(id="win11-23h2", product="Windows 11", version="23H2", build=22631, base=22621,
         os_type="client", dfg="23H2", enablement_kb="KB5027397",
         eol={"home_pro": "11-23h2-w", "enterprise_education": "11-23h2-e"}),
    dict(id="win11-24h2", product="Windows 11", version="24H2", build=26100, base=26100,
         os_type="client", dfg="24H2", eol={"home_pro": "11-24h2-w", "enterprise_education": "11-24h2-e",
                                            "ltsc": "11-24h2-e-lts"}),
    # 25H2 went GA on 2025-09-30 at 26200.6584 without its own KB row (research/builds.md §2,
    # release-health row "General Availability Channel 2025-09-30 26200.6584").
    dict(id="win11-25h2", product="Windows 11", version="25H2", build=26200, base=26100,
         os_type="client", dfg="25H2", enablement_kb="KB5054156", ga_ubr=6584,
         eol={"home_pro": "11-25h2-w", "enterprise_education": "11-25h2-e"}),
    # 26H2 went GA on 2026-09-29 as an enablement package on the 24H2/25H2 servicing branch; no table
    # above lists it yet (research/requirements-2026.md §4: build 26300, media reported at .9457, the
    # enablement KB reported as KB5121794 but unconfirmed, so not required by SVC001).
    dict(id="win11-26h2", product="Windows 11", version="26H2", build=26300, base=26100,
         os_type="client", dfg=None, ga_ubr=9457, ga_date="2026-09-29",
         lifecycle={"home_pro": "2028-10-10", "enterprise_education": "2029-10-09"},
         cycles={"home_pro": "windows/11-26h2-w", "enterprise_education": "windows/11-26h2-e"}),
    dict(id="win11-26h1", product="Windows 11", version="26H1", build=28000, base=28000,
         os_type="client", dfg="26H1", eol={"home_pro": "11-26h1-w", "enterprise_education": "11-26h1-e"}),
    dict(id="server-2019", product="Windows Server", version="2019", build=17763, base=17763,
         os_type="server", dfg="1809", eol={"server": "2019"}),
    dict(id="server-2022", product="Windows Server", version="2022", build=20348, base=20348,
         os_type="server", dfg="2022", eol={"server": "2022"}),
    dict(id="server-23h2", product="Windows Server", version="23H2", build=25398, base=25398,
         os_type="server", dfg="23H2", eol={"server": "23h2-ac"}),
    dict(id="server-2025", product="Windows Server", version="2025", build=26100, base=26100,
         os_type="server", dfg="2025", eol={"server": "2025"}),
]

# Builds that GA/RTM and volume-licensing media carry but no update-history row names (research/
# requirements-2026.md §7): releases without a KB, dated by the release's general availability.
MEDIA = {19042: [572], 19044: [1288], 22000: [194], 22621: [382, 525]}

TYPES = {"Standard": "security", "Preview": "preview", "Out-of-band": "out-of-band",
         "Hotpatch": "hotpatch", "Hotpatch-OOB": "hotpatch-oob"}
BASELINE_MONTHS = {1, 4, 7, 10}  # hotpatch builds sit on the quarterly baseline B release


def parse_eol(path: Path) -> dict[str, dict[str, str]]:
    """The `releases:` list of an endoflife.date product page (flat keys only)."""
    cycles: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in path.read_text(encoding="utf-8").split("\n---", 1)[0].splitlines():
        item = re.match(r'\s*- releaseCycle:\s*"?([^"]+)"?\s*$', line)
        if item:
            current = cycles.setdefault(item.group(1), {})
            continue
        field = re.match(r"\s{4}(\w+):\s*(.+?)\s*$", line)
        if field and current is not None:
            current[field.group(1)] = field.group(2).strip('"')
    return cycles


def hotpatch_baseline(updates: list[dict], hotpatch: dict) -> int | None:
    """UBR of the newest quarterly-baseline security release on or before the hotpatch."""
    best = None
    for u in updates:
        month = date.fromisoformat(u["date"]).month
        on_baseline = u["type"] == "security" and month in BASELINE_MONTHS
        if on_baseline and u["date"] <= hotpatch["date"] and (best is None or u["date"] > best["date"]):
            best = u
    return best["ubr"] if best else None


def build(data_dir: Path) -> dict:
    dfg_doc = json.loads((data_dir / "dataforgeeks" / "buildnumbers.json").read_text(encoding="utf-8"))
    eol = parse_eol(data_dir / "endoflife_date" / "windows.md")
    eol_server = parse_eol(data_dir / "endoflife_date" / "windows-server.md")
    branches = []
    for spec in BRANCHES:
        updates: dict[int, dict] = {}
        for row in dfg_doc["data"] if spec["dfg"] else ():
            b, _, ubr = row["build"].partition(".")
            if row["os_type"] != spec["os_type"] or row["windows_version"] != spec["dfg"]:
                continue
            if int(b) != spec["build"] or not ubr.isdigit():
                continue
            entry = {"ubr": int(ubr), "kb": row["kb_article"], "date": row["release_date"],
                     "type": TYPES[row["release_type"]]}
            if row.get("is_expired"):
                entry["expired"] = True
            updates.setdefault(int(ubr), entry)
        table = eol_server if spec["os_type"] == "server" else eol
        ga = spec.get("ga_date") or table[next(iter(spec["eol"].values()))]["releaseDate"]
        for ubr in MEDIA.get(spec["build"], []):
            updates.setdefault(ubr, {"ubr": ubr, "kb": "media", "date": ga, "type": "media"})
        ordered = sorted(updates.values(), key=lambda u: u["ubr"])
        for u in ordered:
            if u["type"].startswith("hotpatch"):
                u["baseline_ubr"] = hotpatch_baseline(ordered, u)
        lifecycle = dict(spec.get("lifecycle", {}))
        for family, cycle in spec.get("eol", {}).items():
            c = table[cycle]
            lifecycle[family] = c["eol"]
            if family == "server":
                lifecycle["server_mainstream"] = c["eoas"]
        if "esu" in spec:
            lifecycle["esu"] = table[spec["esu"]]["eoes"]
        first_ubr = ordered[0]["ubr"] if ordered else 0
        # where `catalog update` refreshes each lifecycle date: endoflife.date API product/cycle#field
        product = "windows-server" if spec["os_type"] == "server" else "windows"
        cycles = {family: f"{product}/{cycle}" for family, cycle in spec.get("eol", {}).items()}
        if "server" in cycles:
            cycles["server_mainstream"] = cycles["server"] + "#support"
        if "esu" in spec:
            cycles["esu"] = f"windows/{spec['esu']}#extendedSupport"
        cycles.update(spec.get("cycles", {}))
        branches.append({
            "id": spec["id"], "product": spec["product"], "version": spec["version"],
            "build": spec["build"], "base_build": spec["base"], "os_type": spec["os_type"],
            "enablement_kb": spec.get("enablement_kb"),
            "ga": {"date": ga, "ubr": spec.get("ga_ubr", first_ubr)},
            "lifecycle": lifecycle, "eol_cycles": cycles, "updates": ordered,
        })
    as_of = dfg_doc["metadata"]["lastModified"][:10]
    return {
        "schema": "oobe-ready/catalog/v1",
        "as_of": as_of,
        "sources": [
            {"name": "DataForGeeks buildnumbers.json", "url": "https://github.com/altrhombus/DataForGeeks",
             "commit": "6846a6a0", "collected": as_of, "license": "MIT"},
            {"name": "endoflife.date products/windows.md, windows-server.md",
             "url": "https://github.com/endoflife-date/endoflife.date", "commit": "a70eca33",
             "license": "MIT"},
        ],
        "branches": branches,
    }


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "builds"
    catalog = build(data_dir)
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(catalog, indent=1, sort_keys=False) + "\n"
    (OUT / "windows-releases.json").write_text(text, encoding="utf-8")
    notices = ["# Licenses of the data in windows-releases.json\n"]
    for folder, what in (("dataforgeeks", "DataForGeeks (update history)"),
                         ("endoflife_date", "endoflife.date (lifecycle dates)")):
        notices.append(f"## {what}\n\n```\n{(data_dir / folder / 'LICENSE').read_text().strip()}\n```\n")
    (OUT / "LICENSES.md").write_text("\n".join(notices), encoding="utf-8")
    total = sum(len(b["updates"]) for b in catalog["branches"])
    print(f"wrote {OUT / 'windows-releases.json'}: {len(catalog['branches'])} branches, "
          f"{total} updates, as of {catalog['as_of']}")


if __name__ == "__main__":
    main()
