"""The options `check` takes that a config file can also set, and `oobe-ready config`, which shows them."""

from __future__ import annotations

import click

from toolkit.baselines import DEFAULT_BASELINE
from toolkit.cli import EXIT_OK
from toolkit.cli.outputs import OUTPUT_HELP, parse_outputs
from toolkit.facts.clouds import CLOUDS
from toolkit.rules.base import PATHS

# options `check` shares with `diff` and `snapshot`, from the tables that define their values
BASELINE = click.option("--baseline", default=DEFAULT_BASELINE, show_default=True, help="Requirement baseline id.")
RESTORE_PATH = click.option("--path", "restore_path", type=click.Choice(PATHS), default="oobe", show_default=True,
                            help="Which restore (or backup) path to judge.")
CLOUD_CHOICE = click.Choice(list(CLOUDS))


def settings_options(command):
    """The options `check` takes that a config file can also set (`oobe-ready config` shows them)."""
    options = [
        click.option("--config", "config_file", metavar="FILE",
                     help="Config file (default: oobe-ready.toml or [tool.oobe-ready] in pyproject.toml, "
                          "found upward from the working directory)."),
        BASELINE,
        RESTORE_PATH,
        click.option("--tenant-id", help="Expected tenant GUID (checked against the Autopilot file)."),
        click.option("--cloud", type=CLOUD_CHOICE,
                     help="The tenant's cloud (else taken from the exports' @odata.context)."),
        click.option("--fail-on", type=click.Choice(["blocker", "warning", "never"]), default="blocker",
                     show_default=True, help="The lowest severity that blocks; never: report every finding and "
                                             "block on none (missing evidence still ends incomplete)."),
        click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), envvar="OOBE_READY_AS_OF",
                     metavar="YYYY-MM-DD",
                     help="Evaluation date for lifecycle, update currency and waiver expiry (default: today, UTC; "
                          "env OOBE_READY_AS_OF)."),
        click.option("--require", default="", metavar="KIND,...",
                     help="Input kinds that must be supplied: image, autopilot, esp, tenant."),
        click.option("--deep/--no-deep", default=True, show_default=True,
                     help="Read the files inside each image (SVC rules); --no-deep skips those rules."),
        click.option("--hash-images", is_flag=True, help="Also record each image file's whole-file sha256."),
        click.option("--target-group", "target_groups", multiple=True, metavar="ID|NAME",
                     help="Entra group of the devices being imaged (repeatable): the Autopilot profile and ESP "
                          "rules judge what those devices get. Names resolve through group objects in the exports."),
        click.option("--waivers", metavar="FILE", help="TOML waiver ledger (docs/waivers.md)."),
        click.option("--catalog", metavar="FILE",
                     help="Pin this release catalog (default: the newer of the shipped one and the one "
                          "`oobe-ready catalog update` keeps)."),
        click.option("--no-waivers", is_flag=True, help="Ignore every waiver (audits): findings count as found."),
        click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]", help=OUTPUT_HELP),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def resolve_settings(config_file: str | None):
    from toolkit.config import resolve

    return resolve(click.get_current_context(), config_file)


@click.command("config")
@settings_options
def config_cmd(config_file, no_waivers, **_) -> int:
    """Show each effective `check` setting and where it came from: the command line, the config
    file, or the default. Takes the same options as `check`."""

    config, settings = resolve_settings(config_file)
    given = settings["output"]  # `config -o json` typed here prints JSON; `output` from a config file is shown
    if given.origin == "command line" and any(fmt == "json" for fmt, _ in parse_outputs(given.value)):
        document = {"schema": "oobe-ready/config/v1", "config": str(config.path) if config else None,
                    "settings": [{"key": key, "value": _plain(s.value), "origin": s.origin}
                                 for key, s in settings.items()]}
        from toolkit.files import to_stdout
        from toolkit.render.jsondoc import render_json

        to_stdout(render_json(document))
        return EXIT_OK
    from toolkit.files import writing_stdout

    with writing_stdout():
        _show(config, settings, no_waivers)
    return EXIT_OK


def _show(config, settings: dict, no_waivers: bool) -> None:
    """The settings as a table on stdout: key, effective value, where it came from."""
    import os

    click.echo(f"config file: {config.path if config else 'none found (searched upward from ' + os.getcwd() + ')'}")
    for key, setting in settings.items():
        shown = setting.value
        if key == "waivers" and no_waivers:
            shown, origin = None, "command line (--no-waivers)"
        else:
            origin = setting.origin
        if isinstance(shown, bool):
            shown = "true" if shown else "false"
        elif isinstance(shown, tuple):
            shown = ", ".join(shown) or "table"
        elif hasattr(shown, "date"):
            shown = shown.date().isoformat()
        click.echo(f"{key:<12} {shown if shown not in (None, '') else '-':<40} {origin}")


def _plain(value: object) -> object:
    """A setting as JSON holds it: dates as ISO text, tuples as lists."""
    if hasattr(value, "date"):
        return value.date().isoformat()
    return list(value) if isinstance(value, tuple) else value
