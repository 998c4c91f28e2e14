"""Facts derived across input kinds once every kind is read: what softens or adds to the rules' context,
and why a run judged less than it was given."""

from __future__ import annotations

from toolkit.providers.base import Inputs
from toolkit.rules.base import Evidence


def context_extras(inputs: Inputs, baseline: dict) -> dict:
    return {**_esp_mitigation(inputs), **_backup_default(inputs, baseline), **_vm_images(inputs, baseline)}


def _indexes(inputs: Inputs) -> list:
    images = inputs.of("image")
    return [i for _, i in images.indexes()] if images else []


def coverage_gaps(inputs: Inputs) -> list[str]:
    """Why the run judged less than it was given to judge: each makes the verdict incomplete."""
    indexes = _indexes(inputs)
    if indexes and all(i.boot_image for i in indexes):
        kinds = ", ".join(sorted({i.boot_image for i in indexes}))
        return [f"no install image among the sources: every index is a boot image ({kinds}); pass the "
                "install.wim / install.esd the devices are imaged from"]
    return []


def _backup_default(inputs: Inputs, baseline: dict) -> dict:
    """TEN002 on images that back up by default (26H2+): every install image's release, as the hive
    says it (WIM XML of enablement releases carries the base build, which cannot tell)."""
    from toolkit.facts.servicing import hive_build

    threshold = baseline.get("tenant", {}).get("backup_on_by_default_from")
    images = [i for i in _indexes(inputs) if not i.boot_image]
    builds = [hive_build(i) or (i.version.build if i.origin == "registry" else None) for i in images]
    if threshold and images and all(b is not None and b >= threshold for b in builds):
        return {"backup_on_by_default": f"every image (build {', '.join(map(str, sorted(set(builds))))})"}
    return {}


def _vm_images(inputs: Inputs, baseline: dict) -> dict:
    """Images for virtual machines: Enterprise multi-session editions run as Azure Virtual Desktop or
    Windows 365 hosts."""
    editions = set(baseline["image"].get("multi_session_editions", []))
    images = inputs.of("image")
    vms = sorted({subject for subject, i in (images.indexes() if images else []) if i.edition_id in editions})
    return {"vm_images": f"image(s) {', '.join(vms)} are multi-session (virtual desktops)"} if vms else {}


def _esp_mitigation(inputs: Inputs) -> dict:
    """IMG004 softens to a warning when the effective ESP installs quality updates (ESP001 passes):
    every ESP that may be the effective one does, and none is unknown."""
    tenant = inputs.of("intune")
    esp = tenant.esp if tenant else None
    if esp is None or esp.undecided or not esp.candidates or \
            any(e.data.get("installQualityUpdates") is not True for e, _ in esp.candidates):
        return {}
    chosen = esp.candidates[-1][0]
    return {"esp_installs_quality_updates": Evidence(chosen.file, chosen.locator("installQualityUpdates"), True, True)}
