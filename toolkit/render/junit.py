"""JUnit XML (the Apache Ant schema) for Azure DevOps PublishTestResults and GitHub test reporters.

One test suite per subject (an image index, an export object, an Autopilot file), one test case
per rule. A finding that blocks at the manifest's --fail-on threshold is a <failure>, so a
pipeline that fails on failed tests agrees with the exit code; a finding that does not block is a
passed case marked "not blocking" and listed in the suite's system-out. Not-evaluated is an <error>
(the gate is incomplete); waived, skipped and not-applicable are <skipped> with the reason.
"""

from __future__ import annotations

from toolkit.render.findings import original, waiver_text

NOT_CHECKED = "not checked (rule-wide)"


def render(manifest: dict) -> str:
    from lxml import etree

    root = etree.Element("testsuites")
    suites: dict[str, list[dict]] = {}
    for result in manifest["results"]:
        suites.setdefault(NOT_CHECKED if result["subject"] == "-" else result["subject"], []).append(result)
    for n, (subject, results) in enumerate(suites.items()):
        _suite(etree, root, manifest, n, subject, results)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _suite(etree, root, manifest: dict, n: int, subject: str, results: list[dict]) -> None:
    cases = [(_kind(r), r) for r in results]
    suite = etree.SubElement(root, "testsuite", {
        "name": subject, "timestamp": manifest["generated_at"].rstrip("Z"), "hostname": "localhost",
        "tests": str(len(cases)), "failures": str(sum(k == "failure" for k, _ in cases)),
        "errors": str(sum(k == "error" for k, _ in cases)), "skipped": str(sum(k == "skipped" for k, _ in cases)),
        "time": "0", "package": "oobe-ready", "id": str(n)})
    properties = etree.SubElement(suite, "properties")
    for name, value in (("verdict", manifest["summary"]["verdict"]), ("exit_code", manifest["summary"]["exit_code"]),
                        ("baseline", manifest["baseline"]["id"]), ("path", manifest["path"]),
                        ("fail_on", manifest["options"]["fail_on"]), ("catalog_as_of", manifest["catalog"]["as_of"]),
                        ("catalog_source", manifest["catalog"].get("source", "shipped")),
                        ("catalog_missing_patch_tuesdays",
                         ",".join(manifest["catalog"].get("missing_patch_tuesdays", [])))):
        etree.SubElement(properties, "property", name=name, value=str(value))
    notes = []
    for kind, result in cases:
        note = f" ({original(result)}, not blocking)" if kind == "warn" else ""
        case = etree.SubElement(suite, "testcase", name=f"[{result['severity'].upper()}] {result['rule']} "
                                f"{result['title']}{note}", classname=subject, time="0")
        if kind in ("failure", "error"):
            etree.SubElement(case, kind, message=result["message"], type=original(result)).text = _details(result)
        elif kind == "skipped":
            reason = waiver_text(result) if result["outcome"] == "waived" else result["message"]
            etree.SubElement(case, "skipped", message=reason)
        elif kind == "warn":
            notes.append(f"{result['rule']} {original(result)} (not blocking at --fail-on "
                         f"{manifest['options']['fail_on']}): {result['message']}")
    etree.SubElement(suite, "system-out").text = "\n".join(notes)
    etree.SubElement(suite, "system-err").text = ""


def _kind(result: dict) -> str:
    outcome = result["outcome"]
    if outcome in ("waived", "skipped", "not-applicable"):
        return "skipped"
    if outcome == "not-evaluated":
        return "error"
    if result["blocking"]:
        return "failure"
    return "warn" if outcome in ("fail", "warn") else "pass"


def _details(result: dict) -> str:
    lines = [result["message"], f"subject: {result['subject']}"]
    lines += [f"evidence: {e['source']} {e['locator']}: expected {e['expected']}, actual {e['actual']}"
              for e in result["evidence"]]
    lines += [f"fix {n}. {step}" for n, step in enumerate(result["remediation"], 1)]
    lines.append(f"docs: {result['docs']}")
    return "\n".join(lines)
