"""Offline Autopilot file rules in-process on bytes read by the real reader: every outcome with its
exact message and evidence (issue 15: tests that catch mutations). The base document follows the
shape `ConvertTo-AutopilotConfigurationJSON` writes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from toolkit.rules.autopilot_file import DOC_EXAMPLE_ZTD, FILE_NAME, apf001, apf002, apf003, apf004, apf005
from toolkit.rules.base import FAIL, NOT_EVALUATED, PASS, WARN, Context, Evidence
from toolkit.sources.autopilot_file import autopilot_file_from_bytes

TENANT = "4f0a6b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b"
GOOD = {"CloudAssignedTenantId": TENANT, "CloudAssignedTenantDomain": "contoso.onmicrosoft.com",
        "CloudAssignedDomainJoinMethod": 0, "CloudAssignedOobeConfig": 1310, "CloudAssignedForcedEnrollment": 1,
        "CloudAssignedAadServerData": json.dumps({"ZeroTouchConfig": {"CloudAssignedTenantUpn": ""}}),
        "ZtdCorrelationId": "1b2c3d4e-0000-4000-8000-000000000001", "Version": 2049, "Comment_File": "Profile P"}
BASELINE = {"id": "wbfo-2026-02", "hybrid_allowed_on": ["backup", "first-sign-in"]}


def ctx(path: str = "oobe", tenant_id: str | None = None) -> Context:
    return Context(baseline=BASELINE, path=path, today=date(2026, 11, 21), catalog=None, tenant_id=tenant_id)


def apfile(raw: bytes | None = None, name: str = FILE_NAME, image_path: str | None = None, **changes):
    doc = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    return autopilot_file_from_bytes(raw if raw is not None else json.dumps(doc).encode("ascii"), f"/x/{name}",
                                     image_path)


def test_apf001_passes_plain_ascii_json():
    verdict = apf001.check(apfile(), ctx())
    assert (verdict.outcome, verdict.message) == (PASS, "ASCII, one JSON object, exact name")


@pytest.mark.parametrize("raw, name, image_path, message, evidence", [
    (b"\xef\xbb\xbf" + json.dumps(GOOD).encode(), FILE_NAME, None, "utf-8 byte-order mark",
     [("(bytes)", "ASCII, no BOM", "utf-8 BOM")]),
    (json.dumps({**GOOD, "Comment_File": "Profil é"}, ensure_ascii=False).encode("utf-8"), FILE_NAME, None,
     None, [("(bytes)", "ASCII", "byte 0xc3 at ")]),
    ((json.dumps(GOOD) + json.dumps(GOOD)).encode(), FILE_NAME, None, "2 JSON values instead of one object",
     [("(bytes)", "exactly one object", 2)]),
    (json.dumps(GOOD).encode(), "autopilotconfigurationfile.json", None,
     "file name 'autopilotconfigurationfile.json' is not 'AutopilotConfigurationFile.json'",
     [("(bytes)", FILE_NAME, "autopilotconfigurationfile.json")]),
    (json.dumps(GOOD).encode(), FILE_NAME, "Windows/Provisioning/" + FILE_NAME,
     "located at Windows/Provisioning/AutopilotConfigurationFile.json, not "
     "Windows/Provisioning/Autopilot/AutopilotConfigurationFile.json", []),
])
def test_apf001_failures(raw, name, image_path, message, evidence):
    verdict = apf001.check(apfile(raw, name, image_path), ctx())
    assert verdict.outcome == FAIL
    if message:
        assert verdict.message == message
    assert [(e.locator, e.expected) for e in verdict.evidence] == [(loc, exp) for loc, exp, _ in evidence]
    for e, (_, _, actual) in zip(verdict.evidence, evidence, strict=True):
        assert str(e.actual).startswith(str(actual))


def test_apf001_image_location_compares_without_case_and_leading_slash():
    located = apf001.check(apfile(image_path="/windows/provisioning/autopilot/" + FILE_NAME), ctx())
    assert located.outcome == PASS


def test_apf002_fields_and_types():
    assert (apf002.check(apfile(), ctx()).message) == "all required fields present and typed"
    verdict = apf002.check(apfile(CloudAssignedTenantDomain=None, CloudAssignedOobeConfig=True,
                                  CloudAssignedTenantId="not-a-guid", CloudAssignedAadServerData="[]",
                                  ZtdCorrelationId=1, CloudAssignedForcedEnrollment="1"), ctx())
    assert (verdict.outcome, verdict.message) == (
        FAIL, "missing or mistyped: CloudAssignedTenantId, CloudAssignedTenantDomain, CloudAssignedOobeConfig, "
              "CloudAssignedForcedEnrollment, CloudAssignedAadServerData, ZtdCorrelationId")
    assert verdict.evidence[1] == Evidence("/x/" + FILE_NAME, "/CloudAssignedTenantDomain", "string", "missing")
    assert verdict.evidence[2] == Evidence("/x/" + FILE_NAME, "/CloudAssignedOobeConfig", "int", True)
    blank = apf002.check(apfile(CloudAssignedTenantDomain="  ", CloudAssignedAadServerData="{bad"), ctx())
    assert blank.message == "missing or mistyped: CloudAssignedTenantDomain, CloudAssignedAadServerData"
    broken = apf002.check(apfile(b"[1]"), ctx())
    assert (broken.outcome, broken.message) == (FAIL, "no JSON object to read fields from (not a JSON object)")
    assert broken.evidence == (Evidence("/x/" + FILE_NAME, "(bytes)", "a JSON object", "not a JSON object"),)
    assert apf001.check(apfile(b"[1]"), ctx()).message == "not a JSON object"


@pytest.mark.parametrize("method, path, outcome, message", [
    (0, "oobe", PASS, "Entra join (0)"),
    (1, "oobe", FAIL, "CloudAssignedDomainJoinMethod 1 (hybrid join): no restore for a hybrid joined device on the "
                      "oobe path (wbfo-2026-02)"),
    (1, "backup", PASS, "CloudAssignedDomainJoinMethod 1 (hybrid join): hybrid join is supported on the backup path"),
    (2, "oobe", FAIL, "unknown join method 2"),
    ("0", "oobe", FAIL, "unknown join method '0'"),
])
def test_apf003_join_method(method, path, outcome, message):
    verdict = apf003.check(apfile(CloudAssignedDomainJoinMethod=method), ctx(path))
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence("/x/" + FILE_NAME, "/CloudAssignedDomainJoinMethod", 0, method),)


@pytest.mark.parametrize("config, outcome, message", [
    (1310, PASS, "OOBE config 1310 is user-driven"),
    (31, PASS, "OOBE config 31 is user-driven"),
    (32, FAIL, "OOBE config 32 sets 32 (TPM attestation): self-deploying"),
    (1310 | 64 | 128, FAIL, "OOBE config 1502 sets 64 (Entra device authentication), 128 (Entra TPM required): "
                            "self-deploying"),
    ("1310", NOT_EVALUATED, "CloudAssignedOobeConfig is not a number (see APF002)"),
    (True, NOT_EVALUATED, "CloudAssignedOobeConfig is not a number (see APF002)"),
])
def test_apf004_self_deploying_bits(config, outcome, message):
    verdict = apf004.check(apfile(CloudAssignedOobeConfig=config), ctx())
    assert (verdict.outcome, verdict.message) == (outcome, message)
    assert verdict.evidence == (Evidence("/x/" + FILE_NAME, "/CloudAssignedOobeConfig", "no bits 32, 64, 128",
                                         config),)


@pytest.mark.parametrize("changes, tenant_id, outcome, message", [
    ({}, None, PASS, "correlation id set (no --tenant-id to compare the tenant with)"),
    ({}, TENANT.upper(), PASS, f"tenant matches {TENANT.upper()}"),
    ({"CloudAssignedTenantId": "x"}, TENANT, FAIL, f"tenant 'x' is not {TENANT}"),
    ({"CloudAssignedTenantId": "00000000-0000-0000-0000-000000000001"}, TENANT, FAIL,
     f"tenant '00000000-0000-0000-0000-000000000001' is not {TENANT}"),
    ({"ZtdCorrelationId": DOC_EXAMPLE_ZTD.upper()}, None, WARN, "ZtdCorrelationId is blank or the documentation "
                                                                "example"),
    ({"ZtdCorrelationId": " "}, TENANT, WARN, "ZtdCorrelationId is blank or the documentation example"),
])
def test_apf005_tenant_and_correlation(changes, tenant_id, outcome, message):
    verdict = apf005.check(apfile(**changes), ctx(tenant_id=tenant_id))
    assert (verdict.outcome, verdict.message) == (outcome, message)
    if outcome == FAIL:
        assert verdict.evidence == (Evidence("/x/" + FILE_NAME, "/CloudAssignedTenantId", TENANT,
                                             changes["CloudAssignedTenantId"]),)
    if outcome == WARN:
        assert verdict.evidence == (Evidence("/x/" + FILE_NAME, "/ZtdCorrelationId", "the profile id",
                                             changes["ZtdCorrelationId"]),)


def test_unreadable_file_leaves_field_rules_not_evaluated():
    broken = apfile(b"\xff\xfe{")
    for check in (apf003, apf004, apf005):
        verdict = check.check(broken, ctx())
        assert verdict.outcome == NOT_EVALUATED and verdict.message.startswith("no JSON object to read (")
        assert verdict.message.endswith("; see APF001)")


@pytest.mark.parametrize("raw, name, image_path, fix", [
    (b"\xff\xfe" + json.dumps(GOOD).encode("utf-16-le"), FILE_NAME, None, "Save it as ASCII without a byte-order mark"),
    (json.dumps({**GOOD, "Comment_File": "Profil Équipe"}, ensure_ascii=False).encode(), FILE_NAME, None,
     "Replace the character at byte"),
    (json.dumps(GOOD).encode() * 2, FILE_NAME, None, "Keep exactly one profile's JSON object"),
    (None, "autopilotconfigurationfile.json", None, f"Rename the file to {FILE_NAME}, exactly."),
    (None, FILE_NAME, "/Windows/Provisioning/" + FILE_NAME, "Move it to Windows/Provisioning/Autopilot/"),
])
def test_apf001_fixes_name_what_failed(raw, name, image_path, fix):
    verdict = apf001.check(apfile(raw, name, image_path), ctx())
    assert verdict.outcome == FAIL and verdict.remediation[0].startswith(fix)
    assert len(verdict.remediation) == 1  # only the fix for what failed; the rule's own step follows in reports


def test_apf005_and_apf004_fixes_name_what_failed():
    other = "9e9e9e9e-0000-4000-8000-000000000009"
    mismatch = apf005.check(apfile(), ctx(tenant_id=other))
    assert mismatch.remediation[0].startswith(f"Use the file of tenant {other}")
    blank = apf005.check(apfile(ZtdCorrelationId=DOC_EXAMPLE_ZTD), ctx())
    assert blank.remediation[0].startswith("Set ZtdCorrelationId to the id of the Autopilot profile")
    self_deploying = apf004.check(apfile(CloudAssignedOobeConfig=1310 | 32), ctx())
    assert self_deploying.remediation[0].startswith("Make the file from a user-driven profile")
