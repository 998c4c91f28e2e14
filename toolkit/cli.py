"""Command line: parse options, call one function per command, map outcomes to exit codes.

Exit codes (SPEC): 0 ready, 1 blocked, 2 usage or input error, 3 incomplete, 4 internal error.
Heavy modules (lxml, rich, the catalog) load inside the commands that need them.
"""

from __future__ import annotations

import sys

import click

from toolkit import __version__

EXIT_OK, EXIT_BLOCKED, EXIT_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="oobe-ready", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def cli(debug: bool) -> None:
    """Gate Windows golden images and their Autopilot/ESP/tenant settings for
    Windows Backup for Organizations restore."""


@cli.command("inspect")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--index", type=click.IntRange(min=1), help="Only this image index (1-based).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format; json is stable (schema oobe-ready/inspect/v1).")
def inspect_cmd(sources: tuple[str, ...], index: int | None, fmt: str) -> int:
    """Show what each image is: container facts, and per index the edition, architecture,
    build.UBR, feature release, the update it carries, languages and boot-image status.

    SOURCE is a .wim, .esd or .swm file (any part of a split set), or a raw WIM XML document.
    """
    from toolkit.catalog import default_catalog
    from toolkit.inspection import inspect_report
    from toolkit.sources.wim import read_image_source

    report = inspect_report([read_image_source(s) for s in sources], default_catalog(), index)
    if fmt == "json":
        from toolkit.render.jsondoc import render_json

        click.echo(render_json(report), nl=False)
    else:
        from toolkit.render.inspect_table import render_inspect_table

        render_inspect_table(report)
    return EXIT_OK


def main(args: list[str] | None = None, prog_name: str = "oobe-ready") -> None:
    from toolkit.errors import InputError

    argv = sys.argv[1:] if args is None else args
    try:
        code = cli.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except InputError as exc:
        click.echo(f"oobe-ready: error: {exc}", err=True)
        code = EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("oobe-ready: interrupted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = EXIT_INPUT
    except BrokenPipeError:
        code = EXIT_OK
    except Exception as exc:
        if "--debug" in argv:
            raise
        click.echo(f"oobe-ready: internal error: {type(exc).__name__}: {exc} "
                   "(rerun with --debug for a traceback)", err=True)
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else EXIT_OK)
