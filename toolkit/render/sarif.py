"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Findings only (fail, warn, not-evaluated, waived); a waived result keeps its original kind and
level and carries a `suppressions` entry. Not-evaluated results are kind `open` (the tool could
not decide), which SARIF pairs with level `none`; each is also a tool notification of level
error, because it makes the gate incomplete. Images and tenant settings have no source line, so
locations point at the input file, line 1, and the fingerprint is our own stable hash of rule,
subject and evidence locator.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from urllib.parse import quote

from toolkit.render.findings import findings, input_file, original, waiver_notices

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"blocker": "8.0", "warning": "5.0", "info": "2.0"}
RULE_LEVEL = {"blocker": "error", "warning": "warning", "info": "note"}


def render(manifest: dict) -> str:
    rules = manifest["rules"]
    index = {r["id"]: n for n, r in enumerate(rules)}
    results = [_result(manifest, r, index[r["rule"]]) for r in findings(manifest)]
    summary = manifest["summary"]
    notifications = [_note("error", f"{r['rule']} could not be evaluated on {r['subject']}: {r['message']}")
                     for r in findings(manifest) if original(r) == "not-evaluated"]
    notifications += [_note("note", f"not checked: {reason}") for reason in manifest["not_checked"]]
    notifications += [_note("warning", line) for line in waiver_notices(manifest)]
    run = {
        "tool": {"driver": {
            "name": manifest["tool"]["name"], "version": manifest["tool"]["version"],
            "semanticVersion": manifest["tool"]["version"], "rules": [_rule(r) for r in rules]}},
        "automationDetails": {"id": f"oobe-ready/{manifest['path']}/"},
        "invocations": [{
            "executionSuccessful": True,
            "exitCode": summary["exit_code"],
            "exitCodeDescription": summary["verdict"],
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "properties": {"verdict": summary["verdict"], "baseline": manifest["baseline"]["id"],
                       "path": manifest["path"], "generatedAt": manifest["generated_at"],
                       "catalog": manifest["catalog"]},
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    from toolkit.render.jsondoc import render_json

    return render_json(log)


def _note(level: str, text: str) -> dict:
    return {"level": level, "message": {"text": text}}


def _rule(rule: dict) -> dict:
    steps = "\n".join(f"{n}. {s}" for n, s in enumerate(rule["remediation"], 1))
    text = f"{rule['rationale']}\n\nHow to fix:\n{steps}\n\nDocs: {rule['docs']}" if steps else rule["rationale"]
    markdown = (f"{rule['rationale']}\n\n**How to fix**\n\n{steps}\n\n[Documentation]({rule['docs']})"
                if steps else f"{rule['rationale']}\n\n[Documentation]({rule['docs']})")
    return {
        "id": rule["id"],
        "shortDescription": {"text": rule["title"]},
        "fullDescription": {"text": rule["rationale"]},
        "helpUri": rule["docs"],
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": RULE_LEVEL[rule["severity"]]},
        "properties": {"tags": ["oobe-ready", rule["kind"], "windows-backup-restore"],
                       "security-severity": SECURITY_SEVERITY[rule["severity"]],
                       "severity": rule["severity"], "paths": rule["paths"]},
    }


def _result(manifest: dict, result: dict, rule_index: int) -> dict:
    outcome = original(result)
    doc: dict = {"ruleId": result["rule"], "ruleIndex": rule_index}
    if outcome == "not-evaluated":
        doc.update(kind="open", level="none")
    else:
        doc.update(kind="fail", level=RULE_LEVEL[result["severity"]] if outcome == "fail" else "warning")
    message = result["message"].rstrip(".")
    doc["message"] = {"text": f"{message}. Subject: {result['subject']}."}
    doc["locations"] = [_location(manifest, result)]
    locator = result["evidence"][0]["locator"] if result["evidence"] else ""
    identity = f"{result['rule']}\0{result['subject']}\0{locator}"
    key = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    doc["partialFingerprints"] = {"primaryLocationLineHash": f"{key[:16]}:1", "oobeReadySubject/v1": key}
    if result["outcome"] == "waived":
        w = result["waiver"]
        doc["suppressions"] = [{
            "kind": "external", "status": "accepted",
            "justification": f"{w['justification']} (ticket {w['ticket']}, owner {w['owner']}, expires {w['expires']})",
            "properties": {"ticket": w["ticket"], "owner": w["owner"], "expires": w["expires"]}}]
    doc["properties"] = {"outcome": result["outcome"], "severity": result["severity"],
                         "blocking": result["blocking"], "subject": result["subject"],
                         "evidence": result["evidence"], "remediation": result["remediation"]}
    return doc


def _location(manifest: dict, result: dict) -> dict:
    path = input_file(manifest, result) or (manifest["inputs"][0]["path"] if manifest["inputs"] else "oobe-ready")
    posix = PurePosixPath(path.replace("\\", "/"))
    uri = posix.as_uri() if posix.is_absolute() else quote(str(posix), safe="/")
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": 1}},
            "logicalLocations": [{"fullyQualifiedName": result["subject"], "kind": "resource"}]}
