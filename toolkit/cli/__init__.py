"""Command line: parse options, call one function per command, map outcomes to exit codes.

Exit codes (SPEC): 0 ready, 1 blocked, 2 usage or input error, 3 incomplete, 4 internal error.
Each command lives in a module of this package, loaded when it is the one run (or help lists them):
a run builds the options of its own command only. Heavy modules (lxml, rich, the catalog) load
inside the commands that need them.
"""

from __future__ import annotations

import sys

import click

from toolkit import __version__

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version names the release catalog too: how current the tool's release knowledge is."""
    if not value or ctx.resilient_parsing:
        return
    from datetime import datetime, timezone

    from toolkit.catalog_store import current_catalog

    catalog = current_catalog()
    behind = catalog.missing_patch_tuesdays(datetime.now(timezone.utc).date())
    stale = f"; {len(behind)} Patch Tuesday(s) behind: run `oobe-ready catalog update`" if behind else ""
    click.echo(f"oobe-ready {__version__} (release catalog as of {catalog.as_of}, {catalog.origin}{stale})")
    ctx.exit()


# Options of the whole program, taken before or after the command (`oobe-ready check --debug …`).
GLOBAL_FLAGS = ("--debug", "-q", "--quiet", "-v", "--verbose")
COLORS = ("auto", "always", "never")
QUIET = {"on": False}  # -q: no notices on stderr (errors stay)
VERBOSE = {"on": False}  # -v: what was read and how long it took, on stderr


def split_global_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """The global options wherever they stand (up to a `--`), and the rest in order."""
    found, rest = [], []
    items = iter(argv)
    for arg in items:
        if arg == "--":
            rest += [arg, *items]
            break
        if arg in GLOBAL_FLAGS:
            found.append(arg)
        elif arg == "--color":
            found += [arg, next(items, "")]
        elif arg.startswith("--color="):
            found.append(arg)
        else:
            rest.append(arg)
    return found, rest


def notice(line: str) -> None:
    """A line for the person at the terminal (not an error): silenced by -q."""
    if not QUIET["on"]:
        click.echo(f"oobe-ready: {safe(line)}", err=True)


# command name -> module of this package and the command in it (click lists them sorted)
COMMANDS = {"attest": "attest:attest_cmd", "baselines": "rules:baselines_cmd", "catalog": "catalog:catalog_group",
            "check": "check:check_cmd", "config": "settings:config_cmd", "diff": "snapshot:diff_cmd",
            "explain": "rules:explain_cmd", "inspect": "inspect:inspect_cmd", "render": "check:render_cmd",
            "rules": "rules:rules_cmd", "snapshot": "snapshot:snapshot_cmd"}


class LazyGroup(click.Group):
    """Click's documented pattern for commands loaded on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        from importlib import import_module

        module, command = COMMANDS[name].split(":")
        return getattr(import_module(f"toolkit.cli.{module}"), command)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version and the release catalog's date, and exit.")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors (before or after the command).")
@click.option("--color", type=click.Choice(COLORS), default="auto", show_default=True,
              help="Colour in terminal tables (NO_COLOR / FORCE_COLOR are honoured too).")
@click.option("-q", "--quiet", is_flag=True, help="No notices on stderr; errors stay.")
@click.option("-v", "--verbose", is_flag=True, help="Also say on stderr what was read and how long it took.")
def cli(debug: bool, color: str, quiet: bool, verbose: bool) -> None:
    """Gate Windows golden images and their Autopilot/ESP/tenant settings for
    Windows Backup for Organizations restore. --debug, --color, -q and -v may stand before or after
    the command."""
    import os

    _check_environment(os.environ)
    QUIET["on"], VERBOSE["on"] = quiet, verbose and not quiet
    if color == "never":
        os.environ["NO_COLOR"] = "1"
        os.environ.pop("FORCE_COLOR", None)
    elif color == "always":
        os.environ["FORCE_COLOR"] = "1"
        os.environ.pop("NO_COLOR", None)


# Documented environment variables whose values are a closed set: a typo is a usage error, never a
# silent default ("install wimlib" for OOBE_READY_EXTRACTOR=wimlb).
ENVIRONMENT = {"OOBE_READY_EXTRACTOR": ("wimlib", "7z", "none"), "OOBE_READY_WORKERS": ("a whole number from 1",)}


def _check_environment(environ) -> None:
    for name, allowed in ENVIRONMENT.items():
        value = environ.get(name, "")
        if not value:
            continue
        fine = value.isdigit() and int(value) > 0 if name == "OOBE_READY_WORKERS" else value in allowed
        if not fine:
            raise click.UsageError(f"{name}={value!r} is not one of the allowed values ({', '.join(allowed)})")


def safe(value: object) -> str:
    """Error text quotes file names and values from the inputs: one inert line (render/safe.py)."""
    from toolkit.render.safe import text

    return text(value)


class Terminated(BaseException):
    """SIGTERM (what CI cancellation sends) or SIGHUP: unwind like Ctrl-C, so every extraction tool is
    killed and every temporary file removed on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def _catch_signals() -> dict:
    """Handlers for SIGTERM and SIGHUP while the command runs (main thread only); the previous ones."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    wanted = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    return {s: signal.signal(s, _terminate) for s in wanted}


def main(args: list[str] | None = None, prog_name: str = "oobe-ready") -> None:
    """The program (console script, `python -m toolkit`) when `args` is None; else a run in-process."""
    import os
    import signal

    from toolkit.errors import InputError

    if args is None:
        from toolkit.lifetime import start_one_shot

        start_one_shot()  # start-up's objects live until exit: out of the collector's walks
    global_options, rest = split_global_options(sys.argv[1:] if args is None else args)
    argv = [*global_options, *rest]
    colour = {name: os.environ.get(name) for name in ("NO_COLOR", "FORCE_COLOR")}  # --color sets them for the run
    previous = _catch_signals()
    try:
        code = cli.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except Terminated as stop:
        click.echo(f"oobe-ready: stopped by {signal.Signals(stop.signum).name}", err=True)
        code = 128 + stop.signum
    except InputError as exc:
        click.echo(f"oobe-ready: error: {safe(exc)}", err=True)
        code = EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("oobe-ready: interrupted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = EXIT_INPUT
    except BrokenPipeError:  # stdout closed early outside `check` output (inspect, rules): nothing to report
        from toolkit.files import stdout_closed

        stdout_closed()
        code = EXIT_OK
    except Exception as exc:
        if "--debug" in global_options:
            raise
        click.echo(f"oobe-ready: internal error: {type(exc).__name__}: {safe(exc)} "
                   "(rerun with --debug for a traceback)", err=True)
        code = EXIT_INTERNAL
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for name, value in colour.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        QUIET["on"] = VERBOSE["on"] = False
    sys.exit(code if isinstance(code, int) else EXIT_OK)
