"""Objects read from Intune / Entra exports, each with the file and JSON Pointer it came from."""

from __future__ import annotations

from functools import cached_property

from toolkit.records import field, record

KIND_NAMES = {"profile": "Autopilot deployment profile", "esp": "Enrollment Status Page",
              "restore": "restore setting", "settings": "settings catalog policy",
              "ca": "Conditional Access policy", "sp": "service principal", "group": "group",
              "dpp": "Autopilot device preparation policy", "backups": "pilot group backup probe"}
# object kind -> the input kind `--require` speaks of
KIND_OF = {"profile": "autopilot", "esp": "esp", "restore": "tenant", "settings": "tenant",
           "ca": "tenant", "sp": "tenant", "group": "tenant", "dpp": "autopilot", "backups": "tenant"}


@record
class ExportObject:
    kind: str
    file: str
    pointer: str  # JSON Pointer of the object inside its file ("" = the whole document)
    data: dict

    @cached_property  # asked by every rule of every object
    def subject(self) -> str:
        name = self.data.get("displayName") or self.data.get("id") or self.pointer or "/"
        return f"{self.file}#{self.pointer or '/'} ({name})"

    def locator(self, *keys: str) -> str:
        return self.pointer + "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)

    @cached_property  # a settings catalog policy is walked once, whichever rules ask for its settings
    def setting_instances(self) -> dict[str, list[tuple[str, dict]]]:
        """Every object inside the data that carries a settingDefinitionId, by that id, in document
        order, with its JSON Pointer (the object's own pointer first)."""
        found: dict[str, list[tuple[str, dict]]] = {}

        def visit(node: object, pointer: str) -> None:
            if isinstance(node, dict):
                setting = node.get("settingDefinitionId")
                if isinstance(setting, str):
                    found.setdefault(setting, []).append((pointer, node))
                items = node.items()
            else:
                items = enumerate(node)  # type: ignore[arg-type]  # a list: only containers are visited
            for key, value in items:
                if isinstance(value, (dict, list)):
                    visit(value, f"{pointer}/{key}")

        visit(self.data, self.pointer)
        return found


@record(frozen=False)
class IntuneFacts:
    objects: dict[str, list[ExportObject]] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256)
    # files that may have held evidence but cannot be used whole: (path, why, kinds they could feed)
    incomplete: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)                 # files holding no recognised object
    sidecars: list[tuple[str, str]] = field(default_factory=list)    # assignment files attached: (path, sha256)
    count: int = 0                                                   # objects recognised so far
    assignments: dict[str, list] = field(default_factory=dict)       # separate /assignments responses, by id
    context_hosts: set[str] = field(default_factory=set)
    snapshot_files: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # path -> (sha256, kinds)

    def of(self, kind: str) -> list[ExportObject]:
        return self.objects.get(kind, [])

    def kinds(self) -> set[str]:
        return {KIND_OF[k] for k, objs in self.objects.items() if objs}
