"""The shape of each Graph object kind, as far as the rules read it: a wrongly-typed property
(a string where Graph has an object, a number in a list of app ids) makes the object unknown
evidence — not-evaluated with the property named — instead of a crash or a guess.

A spec is a dict of property -> expected: a type (or tuple of types), a nested dict (an object),
or a one-element list (an array of that). Absent and null properties are always allowed: the
rules decide what absence means.
"""

from __future__ import annotations

STRING, NUMBER, BOOL = str, (int, float), bool
ASSIGNMENTS = [{"target": {"@odata.type": STRING, "groupId": STRING}}]
COMMON = {"@odata.type": STRING, "id": STRING, "displayName": STRING, "name": STRING, "assignments": ASSIGNMENTS}

SPECS: dict[str, dict] = {
    "profile": {**COMMON, "deviceType": STRING, "deviceNameTemplate": STRING,
                "outOfBoxExperienceSetting": {"deviceUsageType": STRING, "userType": STRING},
                "outOfBoxExperienceSettings": {"deviceUsageType": STRING, "userType": STRING}},
    "esp": {**COMMON, "priority": NUMBER, "deviceEnrollmentConfigurationType": STRING},
    "restore": {**COMMON, "state": STRING},
    "settings": {**COMMON, "settings": [dict], "omaSettings": [{"omaUri": STRING}]},
    "ca": {**COMMON, "state": STRING,
           "conditions": {"applications": {"includeApplications": [STRING], "excludeApplications": [STRING],
                                           "applicationFilter": dict},
                          "users": {"includeUsers": [STRING], "excludeUsers": [STRING],
                                    "includeGroups": [STRING], "excludeGroups": [STRING]},
                          "platforms": {"includePlatforms": [STRING], "excludePlatforms": [STRING]},
                          "clientAppTypes": [STRING], "locations": dict, "devices": {"deviceFilter": dict}},
           "grantControls": {"operator": STRING, "builtInControls": [STRING],
                             "authenticationStrength": {"id": STRING}}},
    "sp": {**COMMON, "appId": STRING},
    "group": {**COMMON, "groupTypes": [STRING], "membershipRule": STRING},
    "dpp": {**COMMON, "settings": [dict]},
    "backups": {**COMMON, "groupId": STRING, "checkedAt": STRING, "users": [{"id": STRING, "newestBackup": STRING}]},
}
NAMES = {str: "a string", bool: "true or false", dict: "an object", list: "an array"}


def shape_error(kind: str, obj: dict) -> str | None:
    """Why `obj` is not a Graph object of `kind` as the rules read it, or None."""
    problem = _check(obj, SPECS.get(kind, {}))
    if problem is None:
        return None
    parts, value, expected = problem
    return _wrong("".join(f"/{part}" for part in reversed(parts)), value, expected)


def _check(value: object, spec: object) -> tuple[list[str], object, str] | None:
    """None when `value` fits; else (its path, innermost part first), the wrong value and what was
    expected. Paths are built only for a misfit: thousands of objects fit."""
    if value is None:
        return None
    if type(spec) is dict:
        if not isinstance(value, dict):
            return [], value, "an object"
        for key, inner in spec.items():  # most keys are absent, most present ones strings: no call for them
            item = value.get(key)
            if item is None or (inner is str and type(item) is str):
                continue
            if (problem := _check(item, inner)) is not None:
                problem[0].append(key)
                return problem
        return None
    if type(spec) is list:
        if not isinstance(value, list):
            return [], value, "an array"
        for n, item in enumerate(value):
            problem = [[], item, "a value"] if item is None else _check(item, spec[0])
            if problem is not None:
                problem[0].append(str(n))
                return problem
        return None
    fits = (spec is bool or (type(spec) is tuple and bool in spec)) if isinstance(value, bool) \
        else isinstance(value, spec)  # a bool is an int to isinstance, never a number here
    if not fits:
        types = spec if type(spec) is tuple else (spec,)
        return [], value, " or ".join(dict.fromkeys(NAMES.get(t, "a number") for t in types))  # int, float: once
    return None


def _wrong(where: str, value: object, expected: str) -> str:
    found = "null" if value is None else NAMES.get(type(value), type(value).__name__)
    return f"{where} is {found}, expected {expected}"
