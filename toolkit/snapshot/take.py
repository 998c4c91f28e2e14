"""`oobe-ready snapshot`: read the tenant's objects from Microsoft Graph, read-only, into a folder that
`check --intune` judges offline: one JSON file per object (its assignments inside it) and
`snapshot.json` saying what was read, what could not be and why, and each file's sha256.

The folder is written whole or not at all (a sibling temporary folder renamed into place), and an
existing folder is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from toolkit.errors import InputError
from toolkit.snapshot.kinds import (
    GROUP_SELECT,
    GROUPS,
    KINDS,
    MAX_PILOT_USERS,
    PILOT,
    PILOT_CLOUDS,
    PILOT_TYPE,
    Kind,
)
from toolkit.sources.intune import SNAPSHOT_SCHEMA as SCHEMA

MAX_GROUPS = 2000  # groups named by assignments and CA policies, read one by one


def take_snapshot(folder: Path, tenant_id: str, cloud: str, auth: str, client_id: str | None = None,
                  certificate: str | None = None, notice: Callable[[str], None] | None = None,
                  pilot_group: str | None = None) -> dict:
    """Read the tenant and write `folder`; the snapshot.json document."""
    from toolkit import __version__
    from toolkit.snapshot.auth import AuthError, acquire_token
    from toolkit.snapshot.clouds import endpoints
    from toolkit.snapshot.graph import Graph

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(folder, "exists and is not an empty folder; a snapshot never overwrites one")
    try:  # before signing in: a place that cannot be written is known without reading the tenant
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(folder, f"cannot write the snapshot there ({exc.strerror})") from None
    login, base = endpoints(cloud)
    try:
        token = acquire_token(auth, tenant_id, login, base, client_id, certificate, notice)
    except AuthError as exc:
        raise InputError(None, f"cannot sign in to tenant {tenant_id}: {exc}") from None
    graph = Graph(base, token, progress=notice)
    taken = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        objects, record = _read(graph, notice)
        if pilot_group:
            objects[PILOT.name], record[PILOT.name] = _pilot_backups(graph, pilot_group, cloud, taken)
    finally:
        graph.close()
    doc = {"schema": SCHEMA, "tenant_id": tenant_id, "cloud": cloud, "graph": base, "auth": auth,
           "taken_at": taken.isoformat(),
           "tool": {"name": "oobe-ready", "version": __version__}, "retries": graph.retries,
           "read": record, "files": {}}
    _write(folder, objects, doc)
    return doc


def _read(graph, notice) -> tuple[dict[str, list[dict]], dict[str, dict]]:
    from toolkit.snapshot.graph import GraphError
    from toolkit.sources.intune import classify

    objects: dict[str, list[dict]] = {}
    record: dict[str, dict] = {}
    for kind in KINDS:
        if notice is not None:
            notice(f"reading {kind.name}")
        try:
            found = [graph.get(kind.path)] if kind.single else graph.get_all(kind.path)
            found = [_typed(o, kind) for o in found]
            for obj in found if kind.settings else ():  # a policy is told by its settings
                obj["settings"] = graph.get_all(f"{kind.path}/{_quoted(obj.get('id'))}/settings")
            kept = [(o, judged) for o in found if (judged := classify(o))]
            for obj, judged in kept:  # the restore setting is tenant-wide, not targetable: no assignments
                if kind.assignments and judged != "restore":
                    obj["assignments"] = graph.get_all(f"{kind.path}/{_quoted(obj.get('id'))}/assignments")
            objects[kind.name] = [o for o, _ in kept]
            record[kind.name] = {"status": "read", "objects": len(kept), "other_objects": len(found) - len(kept),
                                 "feeds": list(kind.feeds)}
        except GraphError as exc:
            record[kind.name] = _refused(kind, exc)
    try:
        objects[GROUPS.name], missing = _groups(graph, _group_ids(objects))
        record[GROUPS.name] = {"status": "read", "objects": len(objects[GROUPS.name]), "not_found": missing,
                               "feeds": list(GROUPS.feeds)}
    except GraphError as exc:
        record[GROUPS.name] = _refused(GROUPS, exc)
    return objects, record


def _groups(graph, ids: set[str]) -> tuple[list[dict], list[str]]:
    """The groups by id, and the ids that no longer exist (an assignment to them reaches no one)."""
    from toolkit.snapshot.graph import GraphError

    if len(ids) > MAX_GROUPS:
        raise GraphError(200, f"more than {MAX_GROUPS} groups named")
    groups, missing = [], []
    for group_id in sorted(ids):
        try:
            groups.append(_typed(graph.get(f"{GROUPS.path}/{_quoted(group_id)}?$select={GROUP_SELECT}"), GROUPS))
        except GraphError as exc:
            if exc.status != 404:
                raise
            missing.append(group_id)
    return groups, missing


def _pilot_backups(graph, group_id: str, cloud: str, taken: datetime) -> tuple[list[dict], dict]:
    """Each pilot user's newest Windows backup (the newest lastModifiedDateTime of their backup settings'
    instances): user ids and dates only."""
    from toolkit.snapshot.graph import GraphError

    if cloud not in PILOT_CLOUDS:
        return [], {"status": "failed", "error": f"Windows backups are listed in the global cloud only, not {cloud}",
                    "feeds": list(PILOT.feeds)}
    try:
        members = graph.get_all(f"/v1.0/groups/{_quoted(group_id)}/transitiveMembers/microsoft.graph.user?$select=id")
        ids = sorted({m["id"] for m in members if isinstance(m.get("id"), str)})
        if len(ids) > MAX_PILOT_USERS:
            raise GraphError(200, f"the pilot group has more than {MAX_PILOT_USERS} users")
        users = []
        for user_id in ids:
            base = f"/beta/users/{_quoted(user_id)}/settings/windows"
            newest = None
            for setting in graph.get_all(base):
                if setting.get("settingType") != "backup":
                    continue
                for instance in graph.get_all(f"{base}/{_quoted(setting.get('id'))}/instances"):
                    stamp = instance.get("lastModifiedDateTime")
                    if isinstance(stamp, str) and (newest is None or stamp > newest):
                        newest = stamp
            users.append({"id": user_id, "newestBackup": newest})
    except GraphError as exc:
        return [], _refused(PILOT, exc)
    probe = {"@odata.type": PILOT_TYPE, "id": group_id, "groupId": group_id, "checkedAt": taken.isoformat(),
             "users": users}
    return [probe], {"status": "read", "objects": 1, "users": len(users), "feeds": list(PILOT.feeds)}


def _refused(kind: Kind, exc) -> dict:
    if kind.single and exc.status == 404:
        return {"status": "absent", "feeds": list(kind.feeds)}  # it does not exist in the tenant: evidence
    status = "forbidden" if exc.status in (401, 403) else "failed"
    entry = {"status": status, "error": exc.message, "feeds": list(kind.feeds)}
    if status == "forbidden":
        entry["permission"] = kind.permission
    return entry


def _typed(obj: dict, kind: Kind) -> dict:
    """List items of a single-type v1.0 collection come without @odata.type; give it, as exports carry it."""
    if kind.odata_type and "@odata.type" not in obj:
        return {"@odata.type": kind.odata_type, **obj}
    return obj


def _quoted(value: object) -> str:
    from urllib.parse import quote

    return quote(str(value or ""), safe="")


def _group_ids(objects: dict[str, list[dict]]) -> set[str]:
    """Groups named by assignment targets and by Conditional Access user conditions."""
    ids: set[str] = set()
    for found in objects.values():
        for obj in found:
            for assignment in obj.get("assignments") or []:
                target = assignment.get("target") if isinstance(assignment, dict) else None
                if isinstance(target, dict) and isinstance(target.get("groupId"), str):
                    ids.add(target["groupId"])
            users = ((obj.get("conditions") or {}).get("users") or {}) if isinstance(obj.get("conditions"), dict) \
                else {}
            for key in ("includeGroups", "excludeGroups"):
                ids.update(g for g in users.get(key) or [] if isinstance(g, str))
    return {i for i in ids if re.fullmatch(r"[0-9a-fA-F-]{36}", i)}


def _write(folder: Path, objects: dict[str, list[dict]], doc: dict) -> None:
    """Write into a sibling temporary folder, then rename it into place: whole or not at all. Bytes,
    not text: the digests are of what is on disk on every platform (no newline translation), and
    ASCII JSON holds whatever Graph sent (a lone surrogate included)."""
    import tempfile

    def dump(value: object) -> bytes:
        return (json.dumps(value, indent=2, ensure_ascii=True) + "\n").encode("ascii")

    try:
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        raise InputError(folder, f"cannot write the snapshot ({exc.strerror})") from None
    try:
        for name, found in objects.items():
            used: set[str] = set()
            if found:
                (work / name).mkdir()
            for obj in found:
                stem = re.sub(r"[^A-Za-z0-9._-]", "_", str(obj.get("id") or "object"))[:100] or "object"
                while stem.lower() in used:
                    stem += "_"
                used.add(stem.lower())
                relative, data = f"{name}/{stem}.json", dump(obj)
                (work / relative).write_bytes(data)
                doc["files"][relative] = hashlib.sha256(data).hexdigest()
        (work / "snapshot.json").write_bytes(dump(doc))
        if folder.exists():
            folder.rmdir()  # empty, checked before reading
        os.replace(work, folder)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise InputError(folder, f"cannot write the snapshot ({exc.strerror})") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
