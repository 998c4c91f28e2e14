"""The registry values inside an image that the SVC rules judge (manifests/catalog/image-registry.toml)."""

from __future__ import annotations

from functools import cache

from toolkit.paths import manifests_dir
from toolkit.records import record


@record
class PolicyValue:
    setting: str
    key: str      # relative to HKLM\SOFTWARE
    value: str
    when: int     # the data that makes the finding
    via: str      # how it gets set, for the remediation

    @property
    def locator(self) -> str:
        return f"HKLM\\SOFTWARE\\{self.key}\\{self.value}"


@record
class RegistryChecks:
    backup_blocking: tuple[PolicyValue, ...]
    gpo_enrollment: tuple[PolicyValue, ...]
    shared_pc: tuple[PolicyValue, ...]
    configmgr_keys: tuple[str, ...]

    def values(self) -> list[tuple[str, str]]:
        return [(p.key, p.value) for p in self.backup_blocking + self.gpo_enrollment + self.shared_pc]


@cache
def registry_checks() -> RegistryChecks:
    from toolkit.baselines import tomllib

    with (manifests_dir() / "catalog" / "image-registry.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    groups = {name: tuple(PolicyValue(**entry) for entry in doc[name])
              for name in ("backup_blocking", "gpo_enrollment", "shared_pc")}
    return RegistryChecks(**groups, configmgr_keys=tuple(doc["configmgr"]["keys"]))
