"""What every renderer asks of a manifest: which results are findings, which block, where they live."""

from __future__ import annotations

FINDINGS = ("fail", "warn", "not-evaluated", "waived")


def original(result: dict) -> str:
    """The outcome the result has, or would have had without its waiver."""
    return result.get("original_outcome", result["outcome"])


def findings(manifest: dict) -> list[dict]:
    return [r for r in manifest["results"] if r["outcome"] in FINDINGS]


def input_file(manifest: dict, result: dict) -> str | None:
    """The input file a result is about: the longest input path its subject or evidence starts with."""
    candidates = [result["subject"], *(str(e["source"]) for e in result["evidence"])]
    best = None
    for item in manifest["inputs"]:
        path = item["path"]
        hit = any(c == path or c.startswith((path + "#", path + ":")) for c in candidates)
        if hit and (best is None or len(path) > len(best)):
            best = path
    return best


def waiver_text(result: dict) -> str:
    w = result["waiver"]
    return (f"waived ({original(result)}) by {w['ticket']}, owner {w['owner']}, until {w['expires']}: "
            f"{w['justification']}")


def waiver_notices(manifest: dict) -> list[str]:
    from toolkit.waivers import notices

    return notices(manifest["waivers"])
