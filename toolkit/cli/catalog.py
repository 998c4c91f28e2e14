"""`oobe-ready catalog update` and `catalog show`: the release catalog runs use."""

from __future__ import annotations

import sys

import click

from toolkit.cli import EXIT_OK, safe
from toolkit.cli.outputs import check_document_targets, parse_outputs, write_documents


@click.group("catalog")
def catalog_group() -> None:
    """The release catalog: builds, updates (KB, date) and lifecycle per Windows release."""


@catalog_group.command("update")
@click.option("--from", "source", metavar="FILE|URL",
              help="Import a catalog saved elsewhere (air-gapped pipelines), or read a mirror of the MSRC CVRF "
                   "API at URL (default: https://api.msrc.microsoft.com/cvrf/v3.0/).")
@click.option("--lifecycle-from", "lifecycle", metavar="URL",
              help="A mirror of the endoflife.date API for lifecycle dates (default: https://endoflife.date/api/).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), envvar="OOBE_READY_AS_OF", metavar="YYYY-MM-DD",
              help="Read the months released up to this date (default: today, UTC).")
def catalog_update_cmd(source: str | None, lifecycle: str | None, as_of) -> int:
    """Bring the release catalog up to date from Microsoft's monthly security release documents
    (MSRC CVRF), into the user catalog that `check` and `inspect` then use. Nothing is changed on
    any error."""
    from datetime import datetime, timezone

    from toolkit.catalog_store import update

    today = as_of.date() if as_of else datetime.now(timezone.utc).date()

    def progress(what: str) -> None:  # on a terminal only: a CI log gets the one-line summary
        click.echo(f"oobe-ready: {safe(what)}", err=True)

    target, summary = update(source, today, progress if sys.stderr.isatty() else None, lifecycle)
    click.echo(f"{safe(summary)}\nwritten to {target}")
    return EXIT_OK


@catalog_group.command("show")
@click.option("--catalog", metavar="FILE", help="Show this catalog instead of the one runs use.")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json; =FILE writes a file.")
def catalog_show_cmd(catalog: str | None, outputs: tuple[str, ...]) -> int:
    """Which release catalog runs use, how old it is, where its data came from, and per release
    the newest update it knows."""
    from datetime import datetime, timezone

    from toolkit.catalog_store import current_catalog, user_catalog_path

    targets = parse_outputs(outputs, ("table", "json"))
    check_document_targets(targets, (catalog,) if catalog else ())
    current = current_catalog(catalog)
    behind = [str(day) for day in current.missing_patch_tuesdays(datetime.now(timezone.utc).date())]
    where = str(catalog or (user_catalog_path() if current.origin == "updated" else "shipped with oobe-ready"))
    releases = []
    for branch in current.branches:
        newest = max(branch.updates.values(), key=lambda u: u.date) if branch.updates else None
        releases.append({"product": branch.product, "version": branch.version, "build": branch.build,
                         "newest": {"kb": newest.kb, "build_ubr": f"{branch.build}.{newest.ubr}",
                                    "date": newest.date} if newest else None,
                         "serviced_until": branch.serviced_until})
    document = {"schema": "oobe-ready/catalog/v1", "as_of": current.as_of, "origin": current.origin, "file": where,
                "sha256": current.sha256, "missing_patch_tuesdays": behind, "sources": list(current.sources),
                "releases": releases}

    def draw(fmt: str) -> str:
        lines = [f"release catalog as of {current.as_of} ({current.origin}): {where}", f"sha256 {current.sha256}"]
        if behind:
            lines.append(f"{len(behind)} Patch Tuesday(s) since: {', '.join(behind)}: run `oobe-ready catalog update`")
        lines += [f"source: {safe(source.get('name'))} {safe(source.get('url', ''))}" for source in current.sources]
        for r in releases:
            newest = r["newest"]
            shown = f"{newest['kb']} {newest['build_ubr']} {newest['date']}" if newest else "no update listed"
            lines.append(f"{r['product']} {r['version']:<6} {r['build']}  newest {shown}  serviced until "
                         f"{r['serviced_until']}")
        return "\n".join(lines) + "\n"

    write_documents(targets, document, draw)
    return EXIT_OK
