"""Intune / Entra exports: Graph objects, `{"value": [...]}` collections, and the folder layouts of
IntuneManagement and IntuneBackupAndRestore. Encodings: UTF-8 (with or without BOM), UTF-16 LE/BE
with BOM (Windows PowerShell 5.1 `Out-File`). Unknown keys are kept and ignored.

Nothing is silently dropped: a path in which no object is recognised is an input error, files that
hold nothing recognised are listed by name, and a file that may have held evidence but cannot be
used whole (unreadable, one page of a paged collection, an unreadable assignment sidecar) makes
what it feeds not-evaluated.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from functools import lru_cache

from toolkit.errors import InputError, read_input
from toolkit.facts.intune import KIND_NAMES, KIND_OF, ExportObject, IntuneFacts
from toolkit.limits import MAX_EXPORT_FILES, MAX_EXPORT_OBJECTS, MAX_JSON_BYTES, MAX_JSON_DEPTH
from toolkit.paths import spelled
from toolkit.sources.shapes import shape_error
from toolkit.sources.shapes_field import assignments_for, graph_shape
from toolkit.text import decode

_TYPES = {
    "azureadwindowsautopilotdeploymentprofile": "profile",
    "activedirectorywindowsautopilotdeploymentprofile": "profile",
    "windowsautopilotdeploymentprofile": "profile",
    "windows10enrollmentcompletionpageconfiguration": "esp",
    "windowsrestoredeviceenrollmentconfiguration": "restore",
    "devicemanagementconfigurationpolicy": "settings",
    "windows10customconfiguration": "settings",
    "conditionalaccesspolicy": "ca",
    "serviceprincipal": "sp",
    "group": "group",
    "#oobe-ready.pilotgroupbackups": "backups",  # snapshot --pilot-group (toolkit/snapshot)
}
_ENROLLMENT_TYPES = {
    "windows10enrollmentcompletionpageconfiguration": "esp",
    "defaultwindows10enrollmentcompletionpageconfiguration": "esp",
    "windowsrestore": "restore",
}
# Graph v1.0 objects carry no @odata.type; the tenant-wide enrollment configurations have fixed ids.
_ID_SUFFIXES = {"_windowsrestore": "restore", "_defaultwindows10enrollmentcompletionpageconfiguration": "esp"}
MAX_NAMED = 5  # ignored files named in an error message
SNAPSHOT_SCHEMA = "oobe-ready/snapshot/v1"  # snapshot.json of `oobe-ready snapshot` (toolkit/snapshot)
# Words in a folder or file name that say which kind an unreadable file would have fed.
_PATH_HINTS = (("autopilot", "profile"), ("enrollment status", "esp"), ("enrollmentstatus", "esp"),
               ("completionpage", "esp"), ("esp", "esp"), ("restore", "restore"),
               ("conditional", "ca"), ("settings catalog", "settings"), ("settingscatalog", "settings"),
               ("configurationpolic", "settings"), ("serviceprincipal", "sp"))


def read_exports(paths: list[str]) -> IntuneFacts:
    facts = IntuneFacts()
    for raw in paths:
        name = spelled(str(raw))  # ./ and doubled separators dropped, as the manifest names inputs
        try:
            mode = os.stat(name).st_mode
        except OSError as exc:
            raise InputError(name, f"cannot read ({exc.strerror})") from None
        before = (_recognised(facts), len(facts.ignored))
        if stat.S_ISDIR(mode):
            _read_folder(name, facts)
        elif not _add_document(name, *_load(name), facts):
            facts.ignored.append(name)
        if _recognised(facts) == before[0]:
            _nothing_recognised(name, facts.ignored[before[1]:])
    _attach_backup_assignments(facts)
    _check_snapshot_files(facts)
    return facts


def _recognised(facts: IntuneFacts) -> tuple[int, int, int]:
    """What reading a path can add: objects, files that may hold evidence, separate assignment lists."""
    return sum(map(len, facts.objects.values())), len(facts.incomplete), len(facts.assignments)


def _nothing_recognised(path: str, ignored: list[str]) -> None:
    """Nothing judged is never ready: a path without one Intune/Entra object is a wrong input."""
    names = ", ".join(os.path.basename(p) for p in ignored[:MAX_NAMED]) + (", ..." if len(ignored) > MAX_NAMED else "")
    what = f"{len(ignored)} file(s) ignored: {names}" if ignored else "it holds no file"
    raise InputError(path, f"no Intune/Entra object recognised ({what}); pass Graph or IntuneManagement / "
                           "IntuneBackupAndRestore exports of Autopilot profiles, enrollment configurations, "
                           "settings catalog policies or Conditional Access policies")


def _load(path: str) -> tuple[object, str]:
    """The parsed document and the sha256 of the bytes it was parsed from."""
    raw = read_input(path, MAX_JSON_BYTES, "JSON file")
    try:  # UTF-8 without a BOM (Graph, most tools): what sniffing would find, without its calls
        text = raw.decode() if raw[:1] == b"{" and raw[1:2] != b"\0" else decode_text(raw, path)
    except UnicodeDecodeError:
        text = decode_text(raw, path)  # names the file and the first bad byte
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # an integer of more digits than Python converts (4300)
        raise InputError(path, f"not usable JSON ({str(exc).split(';')[0]})") from None
    # a document with no more brackets than the limit cannot nest deeper (UTF-16 only overcounts)
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and _depth(doc) > MAX_JSON_DEPTH:
        raise InputError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return doc, hashlib.sha256(raw).hexdigest()


def decode_text(raw: bytes, path: str) -> str:
    return decode(raw, path, "JSON file")


def _depth(doc: object) -> int:
    """Arrays and objects nested at the deepest point (a flat object is 1), counted up to the limit + 1."""
    depth, level = 0, [doc]
    while level := [x for x in level if isinstance(x, (dict, list))]:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            break
        level = [v for x in level for v in (x.values() if isinstance(x, dict) else x)]
    return depth


def _read_folder(folder: str, facts: IntuneFacts) -> None:
    for path in _folder_files(folder, facts):
        if os.path.splitext(path)[1].lower() != ".json" or _is_sidecar(path):
            if not _is_sidecar(path):  # sidecars are read with the object they belong to
                facts.ignored.append(path)
            continue
        try:
            doc, sha256 = _load(path)
        except InputError as exc:
            facts.incomplete.append((path, f"export file unreadable ({exc.problem})", _guess_kinds(path)))
            continue
        if not _add_document(path, doc, sha256, facts):
            facts.ignored.append(path)


def _folder_files(folder: str, facts: IntuneFacts) -> list[str]:
    """The regular files below `folder`, walked without recursion (any depth) and without following
    links: a link, a FIFO or a device is ignored by name, never opened. In pathlib's order (by
    component; case-insensitive on Windows), as plain strings: thousands of paths cost no objects."""
    files: list[str] = []
    stack = [folder]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name, reverse=True)
        except OSError as exc:
            facts.incomplete.append((str(directory), f"export folder unreadable ({exc.strerror})", tuple(KIND_OF)))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.is_file(follow_symlinks=False):
                files.append(entry.path)
                if len(files) > MAX_EXPORT_FILES:
                    raise InputError(folder, f"export folder holds more than {MAX_EXPORT_FILES} files, "
                                             "over the limit")
            else:
                facts.ignored.append(entry.path)
    return sorted(files, key=lambda path: os.path.normcase(path).split(os.sep))


def _is_sidecar(path: str) -> bool:
    """IntuneBackupAndRestore's `<Kind>/Assignments/<name>.json` beside an exported `<Kind>/<name>.json`."""
    if "assignments" not in path.lower():  # most files: no Assignments folder on their path at all
        return False
    folder, name = os.path.split(path)
    return (os.path.basename(folder).lower() == "assignments"
            and os.path.isfile(os.path.join(os.path.dirname(folder), name)))


def _guess_kinds(path: str) -> tuple[str, ...]:
    text = path.lower()
    found = tuple(dict.fromkeys(kind for word, kind in _PATH_HINTS if word in text))
    return found or tuple(KIND_OF)  # unknown: it could have fed anything, so nothing may pass on it


def _add_document(path: str, doc: object, sha256: str, facts: IntuneFacts) -> bool:
    facts.files.append((path, sha256))
    if isinstance(doc, dict) and doc.get("schema") == SNAPSHOT_SCHEMA:
        _add_snapshot(path, doc, facts)
        return True
    found = False
    if isinstance(doc, dict) and isinstance(doc.get("@odata.context"), str):
        facts.context_hosts.add(_host(doc["@odata.context"]))
    if (separate := assignments_for(doc)) is not None:  # GET .../{id}/assignments, saved apart
        facts.assignments.setdefault(separate[0], []).extend(separate[1])
        return True
    items: list[tuple[str, object]]
    if isinstance(doc, dict) and isinstance(doc.get("value"), list):
        items = [(f"/value/{i}", o) for i, o in enumerate(doc["value"])]
    elif isinstance(doc, list):
        items = [(f"/{i}", o) for i, o in enumerate(doc)]
    else:
        items = [("", doc)]
    kinds = []
    for pointer, obj in items:
        if not isinstance(obj, dict):
            continue
        if isinstance(obj.get("@odata.context"), str):
            facts.context_hosts.add(_host(obj["@odata.context"]))
        obj = graph_shape(obj)
        kind = classify(obj)
        if kind:
            kinds.append(kind)
            found = True
            facts.count += 1
            if facts.count > MAX_EXPORT_OBJECTS:
                raise InputError(path, f"more than {MAX_EXPORT_OBJECTS} Intune/Entra objects in this run, over "
                                       "the limit")
            if (problem := shape_error(kind, obj)) is not None:  # unknown evidence, not a crash or a guess
                facts.incomplete.append((path, f"{pointer or '/'}: not a Graph {KIND_NAMES[kind]} as Graph "
                                                    f"returns it ({problem})", (kind,)))
                continue
            facts.objects.setdefault(kind, []).append(ExportObject(kind, path, pointer, obj))
    if isinstance(doc, dict) and doc.get("@odata.nextLink"):
        # One page of a paged list: the objects on the other pages are unseen.
        facts.incomplete.append((path, "one page of a paged Graph collection (@odata.nextLink is set): "
                                 "export every page, following @odata.nextLink until it is absent",
                                 tuple(dict.fromkeys(kinds)) or _guess_kinds(path)))
        found = True
    return found


def _add_snapshot(path: str, doc: dict, facts: IntuneFacts) -> None:
    """What the snapshot could not read, and any of its files missing or changed since, feed nothing:
    the rules they would have fed are not-evaluated. Its cloud's Graph host stands for the @odata.context
    that exports carry."""
    from toolkit.facts.clouds import CLOUDS, graph_host

    if doc.get("cloud") in CLOUDS:
        facts.context_hosts.add(graph_host(doc["cloud"]))
    read = doc.get("read") if isinstance(doc.get("read"), dict) else {}
    feeds = {name: tuple(k for k in entry.get("feeds") or () if k in KIND_OF) or tuple(KIND_OF)
             for name, entry in read.items() if isinstance(entry, dict)}
    for name, entry in read.items():
        if isinstance(entry, dict) and entry.get("status") not in ("read", "absent"):
            grant = f"; grant {entry['permission']}" if entry.get("permission") else ""
            facts.incomplete.append((path, f"the snapshot could not read {name} ({entry.get('error')}){grant}",
                                     feeds.get(name, tuple(KIND_OF))))
    files = doc.get("files") if isinstance(doc.get("files"), dict) else {}
    for relative, digest in files.items():  # checked once every file is read: _check_snapshot_files
        facts.snapshot_files[spelled(os.path.join(os.path.dirname(path), str(relative)))] = \
            (str(digest), feeds.get(str(relative).split("/")[0], tuple(KIND_OF)))


def _check_snapshot_files(facts: IntuneFacts) -> None:
    """Each file a snapshot lists against the sha256 it was read with (no file is read twice, and none
    outside the folders given)."""
    read = dict(facts.files)
    for local, (digest, kinds) in facts.snapshot_files.items():
        if local not in read:
            facts.incomplete.append((local, "listed in the snapshot but not read (missing or unreadable)", kinds))
        elif read[local] != digest:
            facts.incomplete.append((local, "changed since the snapshot was taken (sha256 differs)", kinds))


_PLAIN_CONTEXT = r"https://([a-z0-9.-]+)(?:[/?#]|\Z)"


@lru_cache(maxsize=64)  # every object of an export names the same few contexts
def _host(context: str) -> str:
    """The Graph host an @odata.context names; a malformed URL names no known host."""
    plain = re.match(_PLAIN_CONTEXT, context)  # what Graph writes: urlparse would give the same host
    if plain:
        return plain.group(1)
    from urllib.parse import urlparse  # (and ipaddress, ~2 ms) for anything else

    try:
        return urlparse(context).hostname or ""
    except ValueError:
        return "(malformed @odata.context)"


def classify(obj: dict) -> str | None:
    kind = _classify(obj)
    # Autopilot device preparation policies are settings catalog policies of their own template
    if kind == "settings" and "enrollment_autopilot_dpp_" in json.dumps(obj.get("settings") or []):
        return "dpp"
    return kind


def _classify(obj: dict) -> str | None:
    odata = str(obj.get("@odata.type") or "").lower().removeprefix("#microsoft.graph.")
    if odata in _TYPES:
        return _TYPES[odata]
    enrollment = str(obj.get("deviceEnrollmentConfigurationType") or "").lower()
    if enrollment in _ENROLLMENT_TYPES:
        return _ENROLLMENT_TYPES[enrollment]
    ident = str(obj.get("id") or "").lower()
    suffix = next((kind for end, kind in _ID_SUFFIXES.items() if ident.endswith(end)), None)
    if suffix:
        return suffix
    if "settings" in obj and ("technologies" in obj or "platforms" in obj):
        return "settings"
    if "conditions" in obj and "grantControls" in obj:
        return "ca"
    if "appId" in obj and "servicePrincipalType" in obj:
        return "sp"
    if "groupTypes" in obj and "securityEnabled" in obj:
        return "group"
    return None


def _attach_backup_assignments(facts: IntuneFacts) -> None:
    """IntuneBackupAndRestore keeps assignments in `<Kind>/Assignments/<name>.json` beside
    `<Kind>/<name>.json`; a separate Graph `/assignments` response names its object's id. Give each
    object the assignments found for it."""
    folders: dict[str, bool] = {}  # export folder -> has an Assignments folder (one stat per folder)
    for kind, objects in facts.objects.items():
        for n, obj in enumerate(objects):
            separate = facts.assignments.get(str(obj.data.get("id") or "").lower()) if facts.assignments else None
            if separate is not None and "assignments" not in obj.data:
                objects[n] = obj = ExportObject(kind, obj.file, obj.pointer, {**obj.data, "assignments": separate})
            if "assignments" in obj.data:
                continue
            folder, name = os.path.split(obj.file)
            beside = folders.get(folder)
            if beside is None:
                beside = folders[folder] = os.path.isdir(os.path.join(folder, "Assignments"))
            if not beside:
                continue
            sidecar = os.path.join(folder, "Assignments", name)
            if not os.path.isfile(sidecar):
                continue
            try:
                assignments, sha256 = _load(sidecar)
            except InputError as exc:
                # Unknown is not absent: the object's assignments exist but cannot be read.
                facts.incomplete.append((sidecar, f"assignment file unreadable ({exc.problem})", (kind,)))
                continue
            if isinstance(assignments, dict):
                assignments = assignments.get("value", [assignments])
            if not isinstance(assignments, list):
                facts.incomplete.append((sidecar, "assignment file holds no assignment list", (kind,)))
                continue
            facts.sidecars.append((sidecar, sha256))
            objects[n] = ExportObject(kind, obj.file, obj.pointer, {**obj.data, "assignments": assignments})
