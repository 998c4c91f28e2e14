"""Which Autopilot profiles and ESPs reach the devices being imaged.

`--target-group ID|NAME` names the Entra group(s) of those devices; names resolve through the group
objects in the exports. An object reaches the targets when one of its assignments targets All
devices or a target group, and no exclusion assignment names a target group. Assignment data that
was not exported is unknown: the object may reach them.

Without targets every assigned profile is judged; a profile whose assignment list is explicitly
empty reaches no device (not-applicable). With targets, of several profiles that reach the devices
the one Autopilot applies wins: group assignments before All devices, then the oldest created
(Microsoft: "the oldest created profile is applied" when a device is in several assigned groups).
"""

from __future__ import annotations

import uuid

from toolkit.errors import InputError
from toolkit.records import record

ALL_DEVICES = "#microsoft.graph.alldevicesassignmenttarget"
GROUP = "#microsoft.graph.groupassignmenttarget"
EXCLUDE = "#microsoft.graph.exclusiongroupassignmenttarget"


def resolve(names: tuple[str, ...], tenant) -> frozenset[str]:
    """Group ids for the --target-group values: a group id, or a group's displayName in the exports."""
    groups = tenant.of("group") if tenant is not None else []
    by_name = {str(g.data.get("displayName", "")).lower(): str(g.data.get("id", "")).lower() for g in groups}
    ids = set()
    for name in names:
        try:
            ids.add(str(uuid.UUID(name)).lower())
            continue
        except ValueError:
            pass
        if name.lower() not in by_name:
            known = ", ".join(sorted(g.data.get("displayName", "?") for g in groups)[:10]) or "none"
            raise InputError(None, f"--target-group {name!r} is not a group in the exports (groups exported: {known});"
                                   " export the groups (GET /v1.0/groups) or pass the group's id")
        ids.add(by_name[name.lower()])
    return frozenset(ids)


def reaches(obj, targets: frozenset[str] | None) -> bool | None:
    """True / False, or None when the object's assignments were not exported."""
    assignments = obj.data.get("assignments")
    if not isinstance(assignments, list):
        return None
    kinds = [(str(((a or {}).get("target") or {}).get("@odata.type", "")).lower(),
              str(((a or {}).get("target") or {}).get("groupId", "")).lower()) for a in assignments]
    if targets is None:
        return any(kind in (ALL_DEVICES, GROUP) for kind, _ in kinds)
    if any(kind == EXCLUDE and group in targets for kind, group in kinds):
        return False
    return any(kind == ALL_DEVICES or (kind == GROUP and group in targets) for kind, group in kinds)


@record
class ProfileChoice:
    judged: tuple[tuple[object, str], ...]     # (profile, why it is judged)
    skipped: tuple[tuple[object, str], ...]    # (profile, why it does not reach the devices)


def effective_profiles(profiles: list, targets: frozenset[str] | None) -> ProfileChoice:
    judged, skipped = [], []
    for profile in profiles:
        reach = reaches(profile, targets)
        if reach is False:
            skipped.append((profile, "assigned to no target group" if targets else "assigned to no device (its "
                                                                                   "assignment list is empty)"))
        else:
            judged.append((profile, "assignments not exported: it may reach the devices" if reach is None
                           else "assigned to the devices"))
    if targets and len(judged) > 1:
        known = [(p, why) for p, why in judged if reaches(p, targets)]
        grouped = [(p, why) for p, why in known if not _all_devices_only(p)] or known
        dated = sorted((p for p, _ in grouped), key=lambda p: str(p.data.get("createdDateTime") or "~"))
        if dated and len(known) == len(judged) and all(p.data.get("createdDateTime") for p in dated):
            winner = dated[0]
            skipped += [(p, f"another profile wins for the target group(s): '{winner.data.get('displayName')}' "
                            "(group assignments first, then the oldest created)") for p, _ in judged if p is not winner]
            judged = [(winner, "the profile Autopilot applies to the target group(s)")]
    return ProfileChoice(tuple(judged), tuple(skipped))


def device_preparation(policies: list, targets: frozenset[str] | None) -> str | None:
    """The Autopilot device preparation policy whose device group is a target group, if any: those
    devices get no Enrollment Status Page (and no Autopilot profile)."""
    import json

    if not targets:
        return None
    for policy in policies:
        text = json.dumps(policy.data.get("settings") or []).lower()
        if any(group in text for group in targets):
            return f"{policy.data.get('name') or policy.data.get('id')}"
    return None


def _all_devices_only(profile) -> bool:
    kinds = [str(((a or {}).get("target") or {}).get("@odata.type", "")).lower()
             for a in profile.data.get("assignments") or []]
    return ALL_DEVICES in kinds and GROUP not in kinds
