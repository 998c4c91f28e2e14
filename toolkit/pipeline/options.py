"""The settings of one `check` run, as the CLI and config file gave them."""

from __future__ import annotations

from datetime import date

from toolkit.baselines import DEFAULT_BASELINE
from toolkit.records import field, record


@record
class CheckOptions:
    inputs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # provider name -> the paths given
    baseline: str = DEFAULT_BASELINE
    path: str = "oobe"
    tenant_id: str | None = None
    cloud: str | None = None
    fail_on: str = "blocker"
    require: tuple[str, ...] = ()
    index: int | None = None
    hash_images: bool = False
    deep: bool = True
    waivers: str | None = None  # the TOML waiver ledger (None: no waivers, e.g. --no-waivers)
    as_of: date | None = None   # the evaluation date (None: today, UTC)
    config: dict | None = None  # the config file that supplied settings: {path, sha256}
    catalog: str | None = None  # a pinned release catalog (--catalog)
    target_groups: tuple[str, ...] = ()  # --target-group: the Entra groups of the devices being imaged

    def given(self, provider: str) -> tuple[str, ...]:
        return self.inputs.get(provider, ())
