"""Offline Autopilot file rules (Windows/Provisioning/Autopilot/AutopilotConfigurationFile.json)."""

from __future__ import annotations

import json
import uuid

from toolkit.facts.autopilot_file import FILE_NAME, AutopilotFile
from toolkit.rules.base import (
    Context,
    Evidence,
    Verdict,
    failed,
    not_evaluated,
    passed,
    rule,
    warned,
)

DOCS = "https://learn.microsoft.com/autopilot/existing-devices"
IMAGE_LOCATION = "Windows/Provisioning/Autopilot/" + FILE_NAME
DOC_EXAMPLE_ZTD = "7f9e6025-1e13-45f3-bf82-a3e8c5b59eac"
SELF_DEPLOYING_BITS = {32: "TPM attestation", 64: "Entra device authentication", 128: "Entra TPM required"}
REGENERATE = ("Regenerate it from a user-driven Entra join profile: `Get-AutopilotProfile | "
              "ConvertTo-AutopilotConfigurationJSON | Set-Content -Encoding Ascii "
              f"{IMAGE_LOCATION.replace('/', chr(92))}` (one profile per file).")
REQUIRED = {
    "CloudAssignedTenantId": "guid", "CloudAssignedTenantDomain": "string",
    "CloudAssignedDomainJoinMethod": "int", "CloudAssignedOobeConfig": "int",
    "CloudAssignedForcedEnrollment": "int", "CloudAssignedAadServerData": "json", "ZtdCorrelationId": "guid",
}


def _ev(f: AutopilotFile, key: str, expected: object, actual: object) -> Evidence:
    return Evidence(f.path, f"/{key}" if key else "(bytes)", expected, actual)


def _field(f: AutopilotFile, key: str) -> Verdict | object:
    if f.data is None:
        return not_evaluated(f"no JSON object to read ({f.problem}; see APF001)")
    return f.data.get(key)


@rule(id="APF001", title="Offline Autopilot file bytes", severity="blocker", kind="autopilot-file",
      rationale="OOBE follows the file only when it is ASCII (no BOM, not UTF-16), holds exactly one JSON "
                "object, and has the exact name and location.",
      remediation=(REGENERATE,), docs=DOCS)
def apf001(f: AutopilotFile, ctx: Context) -> Verdict:
    problems, evidence, fixes = [], [], []
    if f.bom:
        problems.append(f"{f.bom} byte-order mark")
        evidence.append(_ev(f, "", "ASCII, no BOM", f"{f.bom} BOM"))
        fixes.append("Save it as ASCII without a byte-order mark: `Set-Content -Encoding Ascii` (Windows PowerShell "
                     "5.1 `Out-File` and `>` write UTF-16 with a BOM).")
    if f.non_ascii_at is not None and not f.bom:
        problems.append(f"non-ASCII byte at offset {f.non_ascii_at}")
        evidence.append(_ev(f, "", "ASCII", f"byte {f.raw[f.non_ascii_at]:#x} at {f.non_ascii_at}"))
        fixes.append(f"Replace the character at byte {f.non_ascii_at} with ASCII (an accented profile or tenant "
                     "name typed into the file): OOBE reads the file as ASCII.")
    if f.objects != 1:
        problems.append(f"{f.objects} JSON values instead of one object")
        evidence.append(_ev(f, "", "exactly one object", f.objects))
        fixes.append("Keep exactly one profile's JSON object in the file: one profile per file.")
    if f.problem and f.objects == 1:
        problems.append(f.problem)
    if f.name != FILE_NAME:
        problems.append(f"file name {f.name!r} is not {FILE_NAME!r}")
        evidence.append(_ev(f, "", FILE_NAME, f.name))
        fixes.append(f"Rename the file to {FILE_NAME}, exactly.")
    if f.image_path and f.image_path.strip("/").lower() != IMAGE_LOCATION.lower():
        problems.append(f"located at {f.image_path}, not {IMAGE_LOCATION}")
        fixes.append(f"Move it to {IMAGE_LOCATION} in the image.")
    if problems:
        return failed("; ".join(problems), *evidence).fix(*fixes)
    return passed("ASCII, one JSON object, exact name")


@rule(id="APF002", title="Offline Autopilot file fields", severity="blocker", kind="autopilot-file",
      rationale="OOBE needs the tenant, join method, OOBE configuration, forced enrollment, server data and "
                "correlation id, each of the right type.",
      remediation=(REGENERATE,), docs=DOCS)
def apf002(f: AutopilotFile, ctx: Context) -> Verdict:
    if f.data is None:
        return failed(f"no JSON object to read fields from ({f.problem})", _ev(f, "", "a JSON object", f.problem))
    bad = []
    for key, kind in REQUIRED.items():
        value = f.data.get(key)
        if value is None:
            bad.append(_ev(f, key, kind, "missing"))
        elif not _typed(value, kind):
            bad.append(_ev(f, key, kind, value))
    if bad:
        return failed("missing or mistyped: " + ", ".join(e.locator.lstrip("/") for e in bad), *bad)
    return passed("all required fields present and typed")


def _typed(value: object, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str) and bool(value.strip())
    if kind == "guid":
        try:
            uuid.UUID(str(value))
            return isinstance(value, str)
        except ValueError:
            return False
    try:
        return isinstance(json.loads(value), dict) if isinstance(value, str) else False
    except ValueError:
        return False


@rule(id="APF003", title="Entra join in the offline file", severity="blocker", kind="autopilot-file",
      rationale="CloudAssignedDomainJoinMethod 1 is hybrid join: no OOBE restore.",
      remediation=(REGENERATE,), docs=DOCS)
def apf003(f: AutopilotFile, ctx: Context) -> Verdict:
    value = _field(f, "CloudAssignedDomainJoinMethod")
    if isinstance(value, Verdict):
        return value
    ev = _ev(f, "CloudAssignedDomainJoinMethod", 0, value)
    if value == 0:
        return passed("Entra join (0)", ev)
    if value == 1:
        return ctx.hybrid_verdict("CloudAssignedDomainJoinMethod 1 (hybrid join)", ev)
    return failed(f"unknown join method {value!r}", ev)


@rule(id="APF004", title="Not self-deploying", severity="blocker", kind="autopilot-file",
      rationale="OOBE config bits 32/64/128 request TPM attestation: self-deploying, which has no user.",
      remediation=(REGENERATE,), docs=DOCS)
def apf004(f: AutopilotFile, ctx: Context) -> Verdict:
    value = _field(f, "CloudAssignedOobeConfig")
    if isinstance(value, Verdict):
        return value
    ev = _ev(f, "CloudAssignedOobeConfig", "no bits 32, 64, 128", value)
    if not isinstance(value, int) or isinstance(value, bool):
        return not_evaluated("CloudAssignedOobeConfig is not a number (see APF002)", ev)
    set_bits = [f"{bit} ({name})" for bit, name in SELF_DEPLOYING_BITS.items() if value & bit]
    if set_bits:
        return failed(f"OOBE config {value} sets {', '.join(set_bits)}: self-deploying", ev).fix(
            "Make the file from a user-driven profile: self-deploying and pre-provisioning profiles set these bits.")
    return passed(f"OOBE config {value} is user-driven", ev)


@rule(id="APF005", title="Tenant and correlation id", severity="blocker", kind="autopilot-file",
      rationale="A file for another tenant sends the device to the wrong organisation; a copied documentation "
                "correlation id hides which profile the file came from.",
      remediation=(REGENERATE,), docs=DOCS)
def apf005(f: AutopilotFile, ctx: Context) -> Verdict:
    tenant = _field(f, "CloudAssignedTenantId")
    if isinstance(tenant, Verdict):
        return tenant
    if ctx.tenant_id:
        ev = _ev(f, "CloudAssignedTenantId", ctx.tenant_id, tenant)
        try:
            same = uuid.UUID(str(tenant)) == uuid.UUID(ctx.tenant_id)
        except ValueError:
            same = False
        if not same:
            return failed(f"tenant {tenant!r} is not {ctx.tenant_id}", ev).fix(
                f"Use the file of tenant {ctx.tenant_id}: export the profile signed in to that tenant "
                f"(`Connect-MgGraph -TenantId {ctx.tenant_id}`), or correct --tenant-id if the file is right.")
    ztd = str(f.data.get("ZtdCorrelationId") or "").strip().lower()
    if not ztd or ztd == DOC_EXAMPLE_ZTD:
        return warned("ZtdCorrelationId is blank or the documentation example",
                      _ev(f, "ZtdCorrelationId", "the profile id", f.data.get("ZtdCorrelationId"))).fix(
            "Set ZtdCorrelationId to the id of the Autopilot profile the file was made from (`Get-AutopilotProfile "
            "| Select-Object id, displayName`), so a device can be traced to its profile.")
    if not ctx.tenant_id:
        return passed("correlation id set (no --tenant-id to compare the tenant with)")
    return passed(f"tenant matches {ctx.tenant_id}")


RULES = (apf001, apf002, apf003, apf004, apf005)
