"""`oobe-ready snapshot` and `check --snapshot` against a loopback Graph (tests/fake_graph.py) serving the
golden tenant export's objects: a snapshot judged offline gives the verdict of the objects themselves;
paging, throttling, refusals and sign-in are handled and shown."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import GOLDEN
from fake_graph import TENANT, FakeGraph, Tenant

from toolkit.snapshot.kinds import ACTIVITY_FEED_APP
from toolkit.sources.intune import read_exports

GROUP = "6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a"
PROFILES = "/beta/deviceManagement/windowsAutopilotDeploymentProfiles"
ENROLLMENT = "/beta/deviceManagement/deviceEnrollmentConfigurations"
POLICIES = "/beta/deviceManagement/configurationPolicies"
CUSTOM = "/beta/deviceManagement/deviceConfigurations"
CA = "/v1.0/identity/conditionalAccess/policies"
SP = f"/v1.0/servicePrincipals(appId='{ACTIVITY_FEED_APP}')"


def golden_objects() -> dict[str, list[dict]]:
    """The ready golden export's objects, each with its assignments (the profile gets one, as a live
    tenant's assigned profile has)."""
    facts = read_exports([GOLDEN / "intune" / "ready"])
    objects = {kind: [copy.deepcopy(o.data) for o in found] for kind, found in facts.objects.items()}
    target = {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP}
    for profile in objects["profile"]:
        profile["assignments"] = [{"id": f"{profile['id']}_{GROUP}", "target": target}]
    for found in objects.values():
        for obj in found:
            obj.setdefault("assignments", [])
    objects["group"] = [{"@odata.type": "#microsoft.graph.group", "id": GROUP, "displayName": "Autopilot devices",
                         "groupTypes": [], "securityEnabled": True, "mailEnabled": False, "membershipRule": None}]
    return objects


def fake_tenant(objects: dict[str, list[dict]]) -> Tenant:
    def listed(kind: str) -> list[dict]:
        return [{k: v for k, v in o.items() if k != "assignments"} for o in objects.get(kind, [])]

    other = {"@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration", "id": "limit", "limit": 15}
    ca = [{k: v for k, v in o.items() if k != "@odata.type"} for o in listed("ca")]  # v1.0 lists: no type
    # a settings catalog list carries no settings: they are read per policy, as Graph serves them
    policies = [{k: v for k, v in o.items() if k != "settings"} for o in listed("settings")]
    restrictions = {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "id": "general"}
    return Tenant(
        collections={PROFILES: listed("profile"), ENROLLMENT: listed("esp") + listed("restore") + [other],
                     POLICIES: policies, CUSTOM: [restrictions], CA: ca,
                     **{f"{POLICIES}/{o['id']}/settings": o["settings"] for o in listed("settings")}},
        assignments={o["id"]: o.get("assignments", []) for found in objects.values() for o in found},
        singles={SP: objects["sp"][0]}, groups={g["id"]: g for g in objects["group"]})


@pytest.fixture
def graph(tmp_path, monkeypatch):
    """The fake Graph with the golden tenant, the run pointed at it, signing in with a held token."""
    with FakeGraph(fake_tenant(golden_objects()), tmp_path) as fake:
        for key, value in fake.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("OOBE_READY_GRAPH_TOKEN", "fake-graph-token")
        yield fake


def direct_folder(tmp_path: Path, objects: dict[str, list[dict]]) -> Path:
    """The same objects as Graph JSON files, checked directly."""
    folder = tmp_path / "direct"
    folder.mkdir()
    for kind, found in objects.items():
        for n, obj in enumerate(found):
            (folder / f"{kind}{n}.json").write_text(json.dumps(obj), encoding="utf-8")
    return folder


def outcomes(manifest: dict) -> list[tuple[str, str]]:
    return sorted((r["rule"], r["outcome"]) for r in manifest["results"])


def snapshot(cli, folder: Path, *extra: str):
    return cli("snapshot", "--tenant-id", TENANT, "--auth", "token", *extra, folder)


def test_snapshot_then_check_gives_the_verdict_of_the_objects_themselves(cli, graph, tmp_path):
    graph.tenant.throttle[ENROLLMENT] = 2  # Graph asks to wait twice before answering
    folder = tmp_path / "snap"
    result = snapshot(cli, folder)
    assert result.code == 0, result.err
    doc = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    assert (doc["schema"], doc["tenant_id"], doc["cloud"], doc["auth"]) == \
        ("oobe-ready/snapshot/v1", TENANT, "public", "token")
    assert doc["retries"] == 2
    read = {name: (e["status"], e.get("objects")) for name, e in doc["read"].items()}
    assert read == {"AutopilotProfiles": ("read", 1), "EnrollmentConfigurations": ("read", 3),
                    "SettingsCatalog": ("read", 1), "CustomProfiles": ("read", 0),
                    "ConditionalAccess": ("read", 1), "ServicePrincipals": ("read", 1), "Groups": ("read", 1)}
    assert doc["read"]["EnrollmentConfigurations"]["other_objects"] == 1  # an enrollment limit: not written
    # every page was read: three enrollment configurations, one per page, plus the other
    assert graph.tenant.requests.count(ENROLLMENT) == 2 + 4
    profile = json.loads((folder / "AutopilotProfiles").glob("*.json").__next__().read_text(encoding="utf-8"))
    assert profile["assignments"][0]["target"]["groupId"] == GROUP
    restore = json.loads(next((folder / "EnrollmentConfigurations").glob("*_WindowsRestore.json")).read_text())
    assert "assignments" not in restore  # tenant-wide, not targetable: none asked for
    ca = json.loads(next((folder / "ConditionalAccess").glob("*.json")).read_text(encoding="utf-8"))
    assert ca["@odata.type"] == "#microsoft.graph.conditionalAccessPolicy"

    checked = cli("check", "--intune", folder, "-o", "json")
    direct = cli("check", "--intune", direct_folder(tmp_path, golden_objects()), "-o", "json")
    a, b = json.loads(checked.out), json.loads(direct.out)
    assert checked.code == direct.code
    assert a["summary"]["verdict"] == b["summary"]["verdict"]
    assert outcomes(a) == outcomes(b)
    assert not any(r["outcome"] == "not-evaluated" for r in a["results"] if r["rule"].startswith(("AP", "TEN")))


def test_a_refused_kind_is_shown_and_judged_not_evaluated(cli, graph, tmp_path):
    graph.tenant.forbidden.add(CA)
    folder = tmp_path / "snap"
    result = snapshot(cli, folder)
    assert result.code == 3
    assert ("oobe-ready: ConditionalAccess: not read (HTTP 403: Authorization_RequestDenied: Insufficient "
            "privileges to complete the operation.); grant Policy.Read.All") in result.err
    assert "not read: ConditionalAccess" in result.out
    entry = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))["read"]["ConditionalAccess"]
    assert (entry["status"], entry["permission"], entry["feeds"]) == ("forbidden", "Policy.Read.All", ["ca"])
    manifest = json.loads(cli("check", "--intune", folder, "-o", "json").out)
    assert manifest["summary"]["verdict"] == "incomplete"
    unseen = [r for r in manifest["results"] if r["outcome"] == "not-evaluated"]
    assert unseen and all("could not read ConditionalAccess" in r["message"] for r in unseen)


def test_service_unavailable_is_waited_out_and_endless_throttling_is_a_gap(cli, graph, tmp_path):
    graph.tenant.throttle_status = 503
    graph.tenant.throttle[CA] = 1
    assert snapshot(cli, tmp_path / "once").code == 0
    graph.tenant.throttle[CA] = 99  # Graph never stops asking to wait: five attempts, then recorded
    result = snapshot(cli, tmp_path / "never")
    assert result.code == 3 and "ConditionalAccess: not read (HTTP 503" in result.err


def test_a_missing_service_principal_is_evidence_not_a_gap(cli, graph, tmp_path):
    del graph.tenant.singles[SP]
    folder = tmp_path / "snap"
    assert snapshot(cli, folder).code == 0
    assert json.loads((folder / "snapshot.json").read_text())["read"]["ServicePrincipals"]["status"] == "absent"


def test_a_changed_snapshot_file_is_not_used(cli, graph, tmp_path):
    folder = tmp_path / "snap"
    assert snapshot(cli, folder).code == 0
    esp = next((folder / "EnrollmentConfigurations").glob("*Default*.json"))
    esp.write_text(esp.read_text(encoding="utf-8").replace('"displayName": "', '"displayName": "edited '),
                   encoding="utf-8")
    manifest = json.loads(cli("check", "--intune", folder, "-o", "json").out)
    assert manifest["summary"]["verdict"] == "incomplete"
    assert any("changed since the snapshot was taken" in r["message"] for r in manifest["results"])


def test_check_snapshot_reads_and_judges_in_one_command(cli, graph, tmp_path):
    kept = tmp_path / "kept"
    result = cli("check", "--snapshot", "--tenant-id", TENANT, "--auth", "token", "--snapshot-dir", kept,
                 "-o", "json")
    manifest = json.loads(result.out)
    direct = json.loads(cli("check", "--intune", direct_folder(tmp_path, golden_objects()), "-o", "json").out)
    assert manifest["summary"]["verdict"] == direct["summary"]["verdict"]
    assert outcomes(manifest) == outcomes(direct)
    (entry,) = [i for i in manifest["inputs"] if i["path"] == str(kept / "snapshot.json")]
    assert len(entry["sha256"]) == 64
    assert (kept / "snapshot.json").is_file()


def test_client_credentials_sign_in_through_msal(cli, graph, tmp_path, monkeypatch):
    monkeypatch.setenv("OOBE_READY_CLIENT_SECRET", "s3cret")
    folder = tmp_path / "snap"
    result = cli("snapshot", "--tenant-id", TENANT, "--auth", "client-credentials", "--client-id",
                 "11111111-2222-3333-4444-555555555555", folder)
    assert result.code == 0, result.err
    (request,) = graph.tenant.token_requests
    assert (request["grant_type"], request["client_id"], request["scope"]) == \
        ("client_credentials", "11111111-2222-3333-4444-555555555555", f"{graph.url}/.default")


def test_device_code_shows_the_code_and_signs_in(cli, graph, tmp_path):
    result = cli("snapshot", "--tenant-id", TENANT, "--auth", "device-code", tmp_path / "snap")
    assert result.code == 0, result.err
    assert "enter the code FAKE-CODE" in result.err
    grants = [r.get("grant_type") for r in graph.tenant.token_requests]
    assert grants[-1] == "urn:ietf:params:oauth:grant-type:device_code"
    assert graph.tenant.token_requests[0]["client_id"] == "14d82eec-204b-4c2f-b7e8-296a70dab67e"


def test_a_refused_sign_in_is_one_line(cli, graph, tmp_path, monkeypatch):
    monkeypatch.setenv("OOBE_READY_CLIENT_SECRET", "wrong")
    result = cli("snapshot", "--tenant-id", TENANT, "--auth", "client-credentials", "--client-id",
                 "11111111-2222-3333-4444-555555555555", tmp_path / "snap")
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert "cannot sign in to tenant" in result.err and "AADSTS7000215" in result.err
    assert not (tmp_path / "snap").exists()


def test_workload_identity_exchanges_the_federated_token(cli, graph, tmp_path, monkeypatch):
    assertion = tmp_path / "token"
    assertion.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNvbnRvc28vaW1hZ2VzIn0.c2ln")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(assertion))
    result = cli("snapshot", "--tenant-id", TENANT, "--auth", "workload-identity", "--client-id",
                 "11111111-2222-3333-4444-555555555555", tmp_path / "snap")
    assert result.code == 0, result.err
    (request,) = graph.tenant.token_requests
    assert request["client_assertion"] == assertion.read_text()
    assert request["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_workload_identity_asks_github_for_one_oidc_token_per_sign_in(cli, graph, tmp_path, monkeypatch):
    """In a GitHub Actions job the federated token comes from the job's OIDC endpoint, once: the token it
    answers is the one exchanged (asked early so a missing one fails before any Graph read)."""
    from fake_graph import OIDC_REQUEST_TOKEN

    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", f"{graph.url}/_actions/oidc")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", OIDC_REQUEST_TOKEN)
    result = cli("snapshot", "--tenant-id", TENANT, "--auth", "workload-identity", "--client-id",
                 "11111111-2222-3333-4444-555555555555", tmp_path / "snap")
    assert result.code == 0, result.err
    assert graph.tenant.oidc_requests == ["api://AzureADTokenExchange"]
    (request,) = graph.tenant.token_requests
    assert request["client_assertion"] == "github-oidc-1"


def test_without_a_token_nothing_is_read(cli, graph, tmp_path, monkeypatch):
    monkeypatch.delenv("OOBE_READY_GRAPH_TOKEN")
    result = snapshot(cli, tmp_path / "snap")
    assert result.code == 2
    assert "OOBE_READY_GRAPH_TOKEN, which is not set" in result.err
    assert graph.tenant.requests == []


def test_an_existing_folder_is_never_overwritten(cli, graph, tmp_path):
    folder = tmp_path / "snap"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = snapshot(cli, folder)
    assert result.code == 2 and "never overwrites" in result.err
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("elsewhere", ["https://evil.example/steal", "http://{host}/beta/next"],
                         ids=["another-host", "plain-http"])
def test_a_next_link_to_another_host_is_not_followed(cli, graph, tmp_path, elsewhere):
    # the first page of profiles names a nextLink on another host: the bearer token must not go there
    from fake_graph import _Handler

    send = _Handler._send

    def tampered(self, status, body, headers=None):
        if isinstance(body, dict) and "value" in body and self.path.startswith(PROFILES):
            body = {**body, "@odata.nextLink": elsewhere.format(host=graph.url.split("://")[1])}
        return send(self, status, body, headers)

    _Handler._send = tampered
    try:
        result = snapshot(cli, tmp_path / "snap")
    finally:
        _Handler._send = send
    assert result.code == 3
    entry = json.loads((tmp_path / "snap" / "snapshot.json").read_text())["read"]["AutopilotProfiles"]
    assert entry["status"] == "failed" and "not followed" in entry["error"]
    assert not any(r.startswith("/steal") or r.startswith("/beta/next") for r in graph.tenant.requests)


def test_diff_shows_what_flips_a_rule_and_not_the_noise(cli, graph, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert snapshot(cli, a).code == 0
    tenant = graph.tenant
    restore = next(o for o in tenant.collections[ENROLLMENT] if o["id"].endswith("_WindowsRestore"))
    restore["state"] = "disabled"                              # flips TEN001
    tenant.collections[CA][0]["displayName"] = "CA100 renamed"  # noise: flips nothing
    assert snapshot(cli, b).code == 0
    result = cli("diff", a, b, "--as-of", "2026-09-01", "-o", "json")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    assert (doc["before"]["verdict"], doc["after"]["verdict"]) == ("ready", "blocked")
    assert doc["before"]["taken_at"] and doc["after"]["taken_at"]
    assert [(c["rule"], c["before"], c["after"]) for c in doc["changes"]] == [("TEN001", "pass", "fail")]
    assert doc["changes"][0]["object"] == f"EnrollmentConfigurations/{restore['id']}.json#/"
    table = cli("diff", a, b, "--as-of", "2026-09-01")
    assert "TEN001 Tenant shows the restore page: pass -> fail" in table.out
    assert cli("diff", a, a, "--as-of", "2026-09-01").code == 0


USERS = ["a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002",
         "a0000000-0000-4000-8000-000000000003"]
PILOT = "b0000000-0000-4000-8000-00000000000b"


def with_pilot(tenant: Tenant, backups: dict[str, list[str]]) -> None:
    """The pilot group's users, each with backup settings whose instances were modified at the given times."""
    tenant.collections[f"/v1.0/groups/{PILOT}/transitiveMembers/microsoft.graph.user?$select=id"] = \
        [{"id": u} for u in USERS]
    for user in USERS:
        base = f"/beta/users/{user}/settings/windows"
        stamps = backups.get(user, [])
        tenant.collections[base] = [{"id": "roam", "settingType": "roaming", "payloadType": "windows.data.x"}] + \
            ([{"id": "bk", "settingType": "backup", "windowsDeviceId": "dev1", "payloadType": "windows.data.y"}]
             if stamps else [])
        tenant.collections[f"{base}/bk/instances"] = [{"id": f"i{n}", "lastModifiedDateTime": t}
                                                      for n, t in enumerate(stamps)]
        tenant.collections[f"{base}/roam/instances"] = [{"id": "r", "lastModifiedDateTime": "2099-01-01T00:00:00Z"}]


def ten007(cli, folder: Path) -> list[dict]:
    return [r for r in json.loads(cli("check", "--intune", folder, "-o", "json").out)["results"]
            if r["rule"] == "TEN007"]


def test_the_pilot_probe_counts_users_without_a_recent_backup(cli, graph, tmp_path):
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    recent, old = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), \
        (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with_pilot(graph.tenant, {USERS[0]: [old, recent], USERS[1]: [old]})  # USERS[2]: no backup at all
    folder = tmp_path / "snap"
    result = snapshot(cli, folder, "--pilot-group", PILOT)
    assert result.code == 0, result.err
    probe = json.loads(next((folder / "PilotBackups").glob("*.json")).read_text(encoding="utf-8"))
    assert probe["users"] == [{"id": USERS[0], "newestBackup": recent}, {"id": USERS[1], "newestBackup": old},
                              {"id": USERS[2], "newestBackup": None}]
    assert all(set(u) == {"id", "newestBackup"} for u in probe["users"])  # ids and dates only, never names
    (result,) = ten007(cli, folder)
    assert (result["outcome"], result["severity"]) == ("fail", "warning")
    assert result["message"] == (f"2 of 3 pilot user(s) have no Windows backup newer than 8 days "
                                 f"({USERS[1]}, {USERS[2]})")


def test_the_pilot_probe_passes_when_every_user_has_one(cli, graph, tmp_path):
    from datetime import datetime, timedelta, timezone

    recent = (datetime.now(timezone.utc) - timedelta(days=7, hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with_pilot(graph.tenant, {u: [recent] for u in USERS})
    folder = tmp_path / "snap"
    assert snapshot(cli, folder, "--pilot-group", PILOT).code == 0
    (result,) = ten007(cli, folder)
    assert (result["outcome"], result["message"]) == \
        ("pass", "all 3 pilot user(s) have a Windows backup newer than 8 days")


def test_without_the_delegated_permission_the_probe_is_not_evaluated(cli, graph, tmp_path):
    with_pilot(graph.tenant, {})
    graph.tenant.forbidden.add("/beta/users/")
    folder = tmp_path / "snap"
    result = snapshot(cli, folder, "--pilot-group", PILOT)
    assert result.code == 3
    assert "grant UserWindowsSettings.Read.All (delegated)" in result.err
    (result,) = ten007(cli, folder)
    assert result["outcome"] == "not-evaluated" and "could not read PilotBackups" in result["message"]


def test_no_probe_is_not_supplied(cli, graph, tmp_path):
    folder = tmp_path / "snap"
    assert snapshot(cli, folder).code == 0
    (result,) = ten007(cli, folder)
    assert result["outcome"] == "skipped"


def test_the_probe_is_refused_outside_the_global_cloud(cli, graph, tmp_path):
    folder = tmp_path / "snap"
    result = cli("snapshot", "--tenant-id", TENANT, "--auth", "token", "--cloud", "gcch", "--pilot-group", PILOT,
                 folder)
    assert result.code == 3 and "global cloud only" in result.err
    entry = json.loads((folder / "snapshot.json").read_text())["read"]["PilotBackups"]
    assert (entry["status"], entry["feeds"]) == ("failed", ["backups"])
    (judged,) = ten007(cli, folder)
    assert judged["outcome"] == "not-evaluated" and "global cloud only" in judged["message"]


def test_a_pilot_group_over_the_user_limit_is_not_read(cli, graph, tmp_path, monkeypatch):
    import toolkit.snapshot.take as take

    with_pilot(graph.tenant, {})
    monkeypatch.setattr(take, "MAX_PILOT_USERS", 3)  # the group has 3: at the limit, read
    assert snapshot(cli, tmp_path / "at", "--pilot-group", PILOT).code == 0
    monkeypatch.setattr(take, "MAX_PILOT_USERS", 2)
    result = snapshot(cli, tmp_path / "over", "--pilot-group", PILOT)
    assert result.code == 3 and "the pilot group has more than 2 users" in result.err


def test_graph_reads_are_bounded_and_answers_checked(graph, monkeypatch):
    """The client itself: a body that is not JSON or not an object, too many pages or objects, a body over
    the cap, and how a Retry-After and Graph's error are read."""
    import toolkit.snapshot.graph as g

    client = g.Graph(graph.url, "fake-graph-token", sleep=lambda s: None)
    graph.tenant.raw["/v1.0/notjson"] = b"<html>proxy error</html>"
    graph.tenant.raw["/v1.0/list"] = b"[1, 2]"
    graph.tenant.raw["/v1.0/novalue"] = b'{"value": 3}'
    for path, problem in (("/v1.0/notjson", "the response is not JSON"), ("/v1.0/list", "not a JSON object"),
                          ("/v1.0/novalue", "a collection without a value list")):
        with pytest.raises(g.GraphError, match=problem):
            client.get_all(path)
    items = graph.tenant.collections[ENROLLMENT]  # three objects, one per page
    monkeypatch.setattr(g, "MAX_PAGES", len(items))
    assert len(client.get_all(ENROLLMENT)) == len(items)
    monkeypatch.setattr(g, "MAX_PAGES", len(items) - 1)
    with pytest.raises(g.GraphError, match=f"more than {len(items) - 1} pages"):
        client.get_all(ENROLLMENT)
    monkeypatch.setattr(g, "MAX_PAGES", 1000)
    monkeypatch.setattr(g, "MAX_OBJECTS", len(items) - 1)
    with pytest.raises(g.GraphError, match=f"more than {len(items) - 1} objects"):
        client.get_all(ENROLLMENT)
    monkeypatch.setattr(g, "MAX_RESPONSE_BYTES", 10)
    with pytest.raises(g.GraphError, match="a response over 10 bytes"):
        client.get(CA)
    client.close()
    assert [g._retry_after(v, 1) for v in ("5", "0", "999", "-3", "Wed, 21 Oct 2026 07:28:00 GMT")] == \
        [5.0, 0.0, 60.0, 0.0, 4.0]
    assert g._graph_message(b'{"error": {"code": "Forbidden", "message": "no\\n  access"}}') == "Forbidden: no access"
    assert g._graph_message(b"not json") == "no error detail"
    assert len(g._graph_message(b'{"error": {"message": "' + b"x" * 500 + b'"}}')) == 200


def test_whatever_graph_sends_is_written_and_read_back_unchanged(cli, graph, tmp_path):
    """A lone surrogate and non-ASCII names from Graph: written as ASCII JSON whose digests are the bytes
    on disk, so check finds nothing changed and reads the names as Graph sent them."""
    graph.tenant.collections[CA][0]["displayName"] = "Richtlinie für Geräte \ud800 ∞"
    folder = tmp_path / "snap"
    assert snapshot(cli, folder).code == 0
    manifest = json.loads(cli("check", "--intune", folder, "-o", "json").out)
    assert not [r for r in manifest["results"] if "changed since" in r["message"]]
    ca = next((folder / "ConditionalAccess").glob("*.json"))
    assert ca.read_bytes().isascii() and json.loads(ca.read_bytes())["displayName"] == "Richtlinie für Geräte \ud800 ∞"


def test_a_folder_that_cannot_be_made_is_one_line(cli, graph, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    result = snapshot(cli, blocker / "snap")
    assert result.code == 2 and result.out == ""
    assert result.err.strip().splitlines() == [f"oobe-ready: error: {blocker / 'snap'}: cannot write the snapshot "
                                               "there (File exists)"]
    assert graph.tenant.requests == []  # known before the tenant is read


def test_a_missing_snapshot_file_and_a_path_outside_it_are_gaps_never_reads(cli, graph, tmp_path):
    folder = tmp_path / "snap"
    assert snapshot(cli, folder).code == 0
    next((folder / "AutopilotProfiles").glob("*.json")).unlink()
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    doc = json.loads((folder / "snapshot.json").read_text())
    doc["files"]["../outside.json"] = "0" * 64
    (folder / "snapshot.json").write_text(json.dumps(doc))
    manifest = json.loads(cli("check", "--intune", folder, "-o", "json").out)
    assert manifest["summary"]["verdict"] == "incomplete"
    gaps = {r["message"] for r in manifest["results"] if r["outcome"] == "not-evaluated"}
    assert "listed in the snapshot but not read (missing or unreadable)" in gaps
    assert str(outside) not in {i["path"] for i in manifest["inputs"]}


def test_a_snapshot_without_a_folder_is_removed_after_the_check(cli, graph, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    manifest = json.loads(cli("check", "--snapshot", "--tenant-id", TENANT, "--auth", "token", "-o", "json").out)
    assert any(i["path"].startswith(str(scratch)) and i["path"].endswith("snapshot.json") for i in manifest["inputs"])
    assert list(scratch.iterdir()) == []
