"""Intune / Entra exports: Graph objects, `{"value": [...]}` collections, and the folder layouts of
IntuneManagement and IntuneBackupAndRestore. Encodings: UTF-8 (with or without BOM), UTF-16 LE/BE
with BOM (Windows PowerShell 5.1 `Out-File`). Unknown keys are kept and ignored.
"""

from __future__ import annotations

import hashlib
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from toolkit.errors import InputError, read_input
from toolkit.limits import MAX_EXPORT_FILES, MAX_JSON_BYTES, MAX_JSON_DEPTH

# object kind -> the input kind `--require` speaks of
KIND_OF = {"profile": "autopilot", "esp": "esp", "restore": "tenant", "settings": "tenant",
           "ca": "tenant", "sp": "tenant"}
_TYPES = {
    "azureadwindowsautopilotdeploymentprofile": "profile",
    "activedirectorywindowsautopilotdeploymentprofile": "profile",
    "windowsautopilotdeploymentprofile": "profile",
    "windows10enrollmentcompletionpageconfiguration": "esp",
    "windowsrestoredeviceenrollmentconfiguration": "restore",
    "devicemanagementconfigurationpolicy": "settings",
    "conditionalaccesspolicy": "ca",
    "serviceprincipal": "sp",
}
_ENROLLMENT_TYPES = {
    "windows10enrollmentcompletionpageconfiguration": "esp",
    "defaultwindows10enrollmentcompletionpageconfiguration": "esp",
    "windowsrestore": "restore",
}
# Words in a folder or file name that say which kind an unreadable file would have fed.
_PATH_HINTS = (("autopilot", "profile"), ("enrollment status", "esp"), ("enrollmentstatus", "esp"),
               ("completionpage", "esp"), ("esp", "esp"), ("restore", "restore"),
               ("conditional", "ca"), ("settings catalog", "settings"), ("settingscatalog", "settings"),
               ("configurationpolic", "settings"), ("serviceprincipal", "sp"))


@dataclass(frozen=True)
class ExportObject:
    kind: str
    file: str
    pointer: str  # JSON Pointer of the object inside its file ("" = the whole document)
    data: dict

    @property
    def subject(self) -> str:
        name = self.data.get("displayName") or self.data.get("id") or self.pointer or "/"
        return f"{self.file}#{self.pointer or '/'} ({name})"

    def locator(self, *keys: str) -> str:
        return self.pointer + "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)


@dataclass
class IntuneFacts:
    objects: dict[str, list[ExportObject]] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256)
    unreadable: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # path, why, kinds
    ignored: int = 0
    context_hosts: set[str] = field(default_factory=set)

    def of(self, kind: str) -> list[ExportObject]:
        return self.objects.get(kind, [])

    def kinds(self) -> set[str]:
        return {KIND_OF[k] for k, objs in self.objects.items() if objs}


def read_exports(paths: list[str | Path]) -> IntuneFacts:
    facts = IntuneFacts()
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise InputError(path, f"cannot read ({exc.strerror})") from None
        if stat.S_ISDIR(mode):
            _read_folder(path, facts)
        else:
            _add_document(path, *_load(path), facts)
    _attach_backup_assignments(facts)
    return facts


def load_json(path: Path) -> object:
    """Decode and parse one JSON file, or raise InputError naming the problem."""
    return _load(path)[0]


def _load(path: Path) -> tuple[object, str]:
    """The parsed document and the sha256 of the bytes it was parsed from."""
    raw = read_input(path, MAX_JSON_BYTES, "JSON file")
    text = decode_text(raw, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InputError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _depth(doc) > MAX_JSON_DEPTH:
        raise InputError(path, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return doc, hashlib.sha256(raw).hexdigest()


def decode_text(raw: bytes, path: Path) -> str:
    boms = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
    bom = next((b for b in boms if raw.startswith(b)), None)
    if bom is not None:
        encoding, raw = boms[bom], raw[len(bom):]
    else:
        encoding = "utf-16-le" if raw[1:2] == b"\0" else "utf-16-be" if raw[:1] == b"\0" else "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid {encoding.upper()} text ({exc.reason} at byte {exc.start})") from None


def _depth(doc: object) -> int:
    """Arrays and objects nested at the deepest point (a flat object is 1), counted up to the limit + 1."""
    depth, level = 0, [doc]
    while level := [x for x in level if isinstance(x, (dict, list))]:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            break
        level = [v for x in level for v in (x.values() if isinstance(x, dict) else x)]
    return depth


def _read_folder(folder: Path, facts: IntuneFacts) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if len(files) > MAX_EXPORT_FILES:
        raise InputError(folder, f"export folder holds {len(files)} files, over the limit of {MAX_EXPORT_FILES}")
    for path in files:
        if path.suffix.lower() != ".json":
            facts.ignored += 1
            continue
        try:
            doc, sha256 = _load(path)
        except InputError as exc:
            facts.unreadable.append((str(path), exc.problem, _guess_kinds(path)))
            continue
        if not _add_document(path, doc, sha256, facts):
            facts.ignored += 1


def _guess_kinds(path: Path) -> tuple[str, ...]:
    text = str(path).lower()
    found = tuple(dict.fromkeys(kind for word, kind in _PATH_HINTS if word in text))
    return found or tuple(KIND_OF)  # unknown: it could have fed anything, so nothing may pass on it


def _add_document(path: Path, doc: object, sha256: str, facts: IntuneFacts) -> bool:
    facts.files.append((str(path), sha256))
    found = False
    if isinstance(doc, dict) and isinstance(doc.get("@odata.context"), str):
        facts.context_hosts.add(urlparse(doc["@odata.context"]).hostname or "")
    items: list[tuple[str, object]]
    if isinstance(doc, dict) and isinstance(doc.get("value"), list):
        items = [(f"/value/{i}", o) for i, o in enumerate(doc["value"])]
    elif isinstance(doc, list):
        items = [(f"/{i}", o) for i, o in enumerate(doc)]
    else:
        items = [("", doc)]
    for pointer, obj in items:
        if not isinstance(obj, dict):
            continue
        if isinstance(obj.get("@odata.context"), str):
            facts.context_hosts.add(urlparse(obj["@odata.context"]).hostname or "")
        kind = classify(obj)
        if kind:
            facts.objects.setdefault(kind, []).append(ExportObject(kind, str(path), pointer, obj))
            found = True
    return found


def classify(obj: dict) -> str | None:
    odata = str(obj.get("@odata.type") or "").lower().removeprefix("#microsoft.graph.")
    if odata in _TYPES:
        return _TYPES[odata]
    enrollment = str(obj.get("deviceEnrollmentConfigurationType") or "").lower()
    if enrollment in _ENROLLMENT_TYPES:
        return _ENROLLMENT_TYPES[enrollment]
    if "settings" in obj and ("technologies" in obj or "platforms" in obj):
        return "settings"
    if "conditions" in obj and "grantControls" in obj:
        return "ca"
    if "appId" in obj and "servicePrincipalType" in obj:
        return "sp"
    return None


def _attach_backup_assignments(facts: IntuneFacts) -> None:
    """IntuneBackupAndRestore keeps assignments in `<Kind>/Assignments/<name>.json` beside
    `<Kind>/<name>.json`; give each object the assignments of its namesake file."""
    for kind, objects in facts.objects.items():
        for n, obj in enumerate(objects):
            path = Path(obj.file)
            sidecar = path.parent / "Assignments" / path.name
            if "assignments" in obj.data or not sidecar.is_file():
                continue
            try:
                assignments = load_json(sidecar)
            except InputError:
                continue
            if isinstance(assignments, dict):
                assignments = assignments.get("value", [assignments])
            objects[n] = ExportObject(kind, obj.file, obj.pointer, {**obj.data, "assignments": assignments})
