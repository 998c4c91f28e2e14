"""Settings from `oobe-ready.toml` or `[tool.oobe-ready]` in `pyproject.toml`.

The file is found upward from the working directory (or named with `--config`); its keys are the
`check` option names without dashes in front (`fail-on = "warning"`). Command-line flags win over
the file, the file over the defaults; each effective value remembers where it came from. Paths in
the file (`waivers`, `output` targets) are relative to the file's directory.

A config file can change a verdict, so it is never picked up from a place the user does not own:
the search stops at the repository root (the first directory holding `.git`) and before the first
directory not owned by the user running the check; the file used is recorded in the manifest.
"""

from __future__ import annotations

import os
import stat
from datetime import date

import click
from click.core import ParameterSource

from toolkit.errors import InputError, read_input
from toolkit.limits import MAX_SMALL_FILE_BYTES
from toolkit.records import record

CONFIG_NAME = "oobe-ready.toml"
# config key -> click parameter name; the order is the order `oobe-ready config` shows
SETTINGS = {"baseline": "baseline", "path": "restore_path", "fail-on": "fail_on", "as-of": "as_of",
            "tenant-id": "tenant_id", "cloud": "cloud", "require": "require", "deep": "deep",
            "hash-images": "hash_images", "waivers": "waivers", "catalog": "catalog", "target-group": "target_groups",
            "output": "outputs"}
PATH_KEYS = ("waivers", "catalog")


@record
class ConfigFile:
    path: str
    table: dict
    sha256: str  # of the bytes parsed: recorded in the manifest, so the file that shaped a verdict is known


@record
class Setting:
    value: object
    origin: str  # "command line" | the config file | "default"


def find_config(start: str) -> ConfigFile | None:
    """The nearest oobe-ready.toml, or pyproject.toml with a [tool.oobe-ready] table, upward from start
    (an absolute directory), within the repository and the directories only the user can write to."""
    directory = start
    while True:
        if not _private(directory):
            return None  # /tmp, a shared or another user's directory: anyone could have planted a config
        found = _config_in(directory)
        if found is not None or os.path.exists(os.path.join(directory, ".git")):
            return found
        parent = os.path.dirname(directory)
        if parent == directory:  # the root
            return None
        directory = parent


def _private(directory: str) -> bool:
    """Owned by the user running the check and writable by nobody else."""
    try:
        info = os.stat(directory)
    except OSError:
        return False
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _config_in(directory: str) -> ConfigFile | None:
    own = os.path.join(directory, CONFIG_NAME)
    if os.path.isfile(own):
        return _load(own)
    project = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(project):
        found = _load(project)
        table = found.table.get("tool", {}).get("oobe-ready")
        if table is not None:
            return ConfigFile(project, table, found.sha256)
    return None


def load_config(path: str) -> ConfigFile:
    """A config named with --config: oobe-ready.toml-style, or a pyproject.toml's [tool.oobe-ready]."""
    from pathlib import Path

    file = str(Path(path))  # named as the manifest has always recorded it
    found = _load(file)
    if os.path.basename(file) == "pyproject.toml":
        table = found.table.get("tool", {}).get("oobe-ready")
        if table is None:
            raise InputError(file, "has no [tool.oobe-ready] table")
        return ConfigFile(file, table, found.sha256)
    return found


def _load(file: str) -> ConfigFile:
    import hashlib

    from toolkit.baselines import tomllib

    raw = read_input(file, MAX_SMALL_FILE_BYTES, "config file")
    try:
        return ConfigFile(file, tomllib.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(file, f"not valid TOML ({exc})") from None


def resolve(ctx: click.Context, config_path: str | None) -> tuple[ConfigFile | None, dict[str, Setting]]:
    """Each setting's effective value: a flag given on the command line (or its environment variable),
    else the config, else the default."""
    found = load_config(config_path) if config_path else find_config(os.getcwd())
    file, table = (found.path, found.table) if found else (None, {})
    if not isinstance(table, dict):
        raise InputError(file, "[tool.oobe-ready] must be a table")
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise InputError(file, f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    params = {p.name: p for p in ctx.command.params}
    settings = {}
    for key, name in SETTINGS.items():
        source = ctx.get_parameter_source(name)
        if source == ParameterSource.COMMANDLINE:
            settings[key] = Setting(ctx.params[name], "command line")
        elif source == ParameterSource.ENVIRONMENT:
            settings[key] = Setting(ctx.params[name], f"environment ({params[name].envvar})")
        elif key in table:
            settings[key] = Setting(_convert(ctx, params[name], key, table[key], file), str(file))
        else:
            settings[key] = Setting(ctx.params[name], "default")
    return found, settings


def _convert(ctx: click.Context, param: click.Parameter, key: str, raw: object, file: str) -> object:
    if key == "require" and isinstance(raw, list):
        raw = ",".join(str(v) for v in raw)
    if key in ("output", "target-group") and isinstance(raw, str):
        raw = [raw]
    if key == "as-of" and isinstance(raw, date):  # a TOML date
        raw = raw.isoformat()
    try:
        value = param.type_cast_value(ctx, raw)
    except click.BadParameter as exc:
        raise InputError(file, f"{key}: {exc.message}") from None
    except (TypeError, ValueError):  # a TOML type click's converter does not take (as-of = 5)
        raise InputError(file, f"{key}: {raw!r} is not a valid value") from None
    if key in PATH_KEYS and value:
        value = _relative_to(file, value)
    if key == "output":
        value = tuple(_output_relative_to(file, v) for v in value)
    return value


def _relative_to(file: str, value: str) -> str:
    return value if os.path.isabs(value) else os.path.normpath(os.path.join(os.path.dirname(file), value))


def _output_relative_to(file: str, value: str) -> str:
    fmt, sep, target = value.partition("=")
    return f"{fmt}{sep}{_relative_to(file, target)}" if target else value
