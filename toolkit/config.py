"""Settings from `oobe-ready.toml` or `[tool.oobe-ready]` in `pyproject.toml`.

The file is found upward from the working directory (or named with `--config`); its keys are the
`check` option names without dashes in front (`fail-on = "warning"`). Command-line flags win over
the file, the file over the defaults; each effective value remembers where it came from. Paths in
the file (`waivers`, `output` targets) are relative to the file's directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click
from click.core import ParameterSource

from toolkit.errors import InputError, read_input
from toolkit.limits import MAX_SMALL_FILE_BYTES

CONFIG_NAME = "oobe-ready.toml"
# config key -> click parameter name; the order is the order `oobe-ready config` shows
SETTINGS = {"baseline": "baseline", "path": "restore_path", "fail-on": "fail_on", "tenant-id": "tenant_id",
            "cloud": "cloud", "require": "require", "deep": "deep", "hash-images": "hash_images",
            "waivers": "waivers", "output": "outputs"}
PATH_KEYS = ("waivers",)


@dataclass(frozen=True)
class Setting:
    value: object
    origin: str  # "command line" | the config file | "default"


def find_config(start: Path) -> tuple[Path, dict] | None:
    """The nearest oobe-ready.toml, or pyproject.toml with a [tool.oobe-ready] table, upward from start."""
    for directory in (start, *start.parents):
        own = directory / CONFIG_NAME
        if own.is_file():
            return own, _load(own)
        project = directory / "pyproject.toml"
        if project.is_file():
            table = _load(project).get("tool", {}).get("oobe-ready")
            if table is not None:
                return project, table
    return None


def load_config(path: str) -> tuple[Path, dict]:
    """A config named with --config: oobe-ready.toml-style, or a pyproject.toml's [tool.oobe-ready]."""
    file = Path(path)
    doc = _load(file)
    if file.name == "pyproject.toml":
        doc = doc.get("tool", {}).get("oobe-ready")
        if doc is None:
            raise InputError(file, "has no [tool.oobe-ready] table")
    return file, doc


def _load(file: Path) -> dict:
    from toolkit.baselines import tomllib

    raw = read_input(file, MAX_SMALL_FILE_BYTES, "config file")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(file, f"not valid TOML ({exc})") from None


def resolve(ctx: click.Context, config_path: str | None) -> tuple[Path | None, dict[str, Setting]]:
    """Each setting's effective value: a flag given on the command line, else the config, else the default."""
    found = load_config(config_path) if config_path else find_config(Path.cwd())
    file, table = found if found else (None, {})
    if not isinstance(table, dict):
        raise InputError(file, "[tool.oobe-ready] must be a table")
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise InputError(file, f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    params = {p.name: p for p in ctx.command.params}
    settings = {}
    for key, name in SETTINGS.items():
        if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            settings[key] = Setting(ctx.params[name], "command line")
        elif key in table:
            settings[key] = Setting(_convert(ctx, params[name], key, table[key], file), str(file))
        else:
            settings[key] = Setting(ctx.params[name], "default")
    return file, settings


def _convert(ctx: click.Context, param: click.Parameter, key: str, raw: object, file: Path) -> object:
    if key == "require" and isinstance(raw, list):
        raw = ",".join(str(v) for v in raw)
    if key == "output" and isinstance(raw, str):
        raw = [raw]
    try:
        value = param.type_cast_value(ctx, raw)
    except click.BadParameter as exc:
        raise InputError(file, f"{key}: {exc.message}") from None
    if key in PATH_KEYS and value:
        value = _relative_to(file, value)
    if key == "output":
        value = tuple(_output_relative_to(file, v) for v in value)
    return value


def _relative_to(file: Path, value: str) -> str:
    return value if os.path.isabs(value) else os.path.normpath(file.parent / value)


def _output_relative_to(file: Path, value: str) -> str:
    fmt, sep, target = value.partition("=")
    return f"{fmt}{sep}{_relative_to(file, target)}" if target else value
