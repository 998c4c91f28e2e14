"""What deep inspection reads from the files inside an image index (hives, kernel, packages, unattend)."""

from __future__ import annotations

from toolkit.records import field, record


@record
class SoftwareFacts:
    """What the rules need from HKLM\\SOFTWARE. Absent values are simply not in the dicts."""

    current_version: dict[str, object] = field(default_factory=dict)
    image_state: str | None = None
    values: dict[tuple[str, str], object] = field(default_factory=dict)  # asked (key, name) -> data
    keys: frozenset[str] = frozenset()                                   # asked keys that exist
    # package identity -> CurrentState; read only when several cumulative updates are present
    cbs_states: dict[str, int | None] = field(default_factory=dict)


@record
class SystemFacts:
    control_set: str
    processor_architecture: str | None
    ui_languages: tuple[str, ...]
    install_language: str | None = None  # Control\Nls\Language\InstallLanguage as a tag (en-US)


@record
class KernelFacts:
    file_version: tuple[int, int, int, int]
    machine: str | None

    @property
    def version(self) -> str:
        return ".".join(map(str, self.file_version))


@record
class Package:
    identity: str
    name: str
    version: tuple[int, ...]
    arch: str | None
    kb: str | None
    release_type: str | None
    description: str | None

    @property
    def kind(self) -> str:
        low = self.name.lower()
        if low == "package_for_rollupfix":
            return "rollup"
        if low.startswith("package_for_servicingstack"):
            return "servicing-stack"
        return "kb" if low.startswith("package_for_kb") else "other"

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


@record
class DomainJoin:
    settings_pass: str | None
    domain: str
    locator: str


@record
class UnattendFacts:
    joins: tuple[DomainJoin, ...]
    commands: tuple[str, ...]   # RunSynchronous / FirstLogon / LogonCommands command lines
