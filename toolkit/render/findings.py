"""What every renderer asks of a manifest: which results are findings, which block, where they live."""

from __future__ import annotations

FINDINGS = ("fail", "warn", "not-evaluated", "waived")


def original(result: dict) -> str:
    """The outcome the result has, or would have had without its waiver."""
    return result.get("original_outcome", result["outcome"])


def findings(manifest: dict) -> list[dict]:
    return [r for r in manifest["results"] if r["outcome"] in FINDINGS]


def input_file(manifest: dict, result: dict) -> str | None:
    """The input file a result is about: the longest input path its subject or evidence starts with (for
    an image inside an ISO, the ISO: the file annotations and code scanning can point at)."""
    candidates = [result["subject"], *(str(e["source"]) for e in result["evidence"])]
    best = None
    for item in manifest["inputs"]:
        path = item["path"]
        hit = any(c == path or c.startswith((path + "#", path + ":")) for c in candidates)
        if hit and (best is None or len(path) > len(best["path"])):
            best = item
    return best.get("container") or best["path"] if best else None


def waiver_text(result: dict) -> str:
    w = result["waiver"]
    return (f"waived ({original(result)}) by {w['ticket']}, owner {w['owner']}, until {w['expires']}: "
            f"{w['justification']}")


def waiver_notices(manifest: dict) -> list[str]:
    """One line per waiver that needs attention (expired, expiring, unused), for stderr and the renderers."""
    report = manifest["waivers"]
    lines = []
    for e in report["expired"]:
        again = f"; {e['rule']} counts again on {', '.join(e['subjects'])}" if e["subjects"] else ""
        lines.append(f"waiver {e['ticket']} ({e['rule']}, owner {e['owner']}) expired on {e['expires']}{again}")
    for e in report["expiring"]:
        lines.append(f"waiver {e['ticket']} ({e['rule']}, owner {e['owner']}) expires on {e['expires']} "
                     f"({e['days_left']} days left)")
    for e in report["unused"]:
        lines.append(f"waiver {e['ticket']} ({e['rule']}, owner {e['owner']}) matched no finding: remove it "
                     "or fix its scope")
    return lines
