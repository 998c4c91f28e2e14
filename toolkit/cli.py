"""Command line: parse options, call one function per command, map outcomes to exit codes.

Exit codes (SPEC): 0 ready, 1 blocked, 2 usage or input error, 3 incomplete, 4 internal error.
Heavy modules (lxml, rich, the catalog) load inside the commands that need them.
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
        click.echo(f"oobe-ready: {_safe(line)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


@cli.command("inspect")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--index", type=click.IntRange(min=1), help="Only this image index (1-based).")
@click.option("-o", "--output", "--format", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json (stable: schema oobe-ready/inspect/v1); =FILE writes a file. "
                   "--format is an alias.")
@click.option("--deep/--no-deep", default=False, show_default=True,
              help="Also read the files inside each index (hives, kernel, packages, unattend, State.ini, "
                   "Autopilot file) with wimlib-imagex or 7-Zip.")
@click.option("--catalog", metavar="FILE", help="Pin this release catalog.")
def inspect_cmd(sources: tuple[str, ...], index: int | None, outputs: tuple[str, ...], deep: bool,
                catalog: str | None) -> int:
    """Show what each image is: container facts, and per index the edition, architecture,
    build.UBR, feature release, the update it carries, languages and boot-image status.

    SOURCE is a .wim, .esd or .swm file (any part of a split set), a raw WIM XML document, or a
    directory holding an offline Windows installation (mounted or applied image).
    """
    from toolkit.pipeline.inspect import run_inspect
    from toolkit.render.progress import extraction_progress

    targets = _parse_outputs(outputs, ("table", "json"))
    _check_document_targets(targets, sources)
    with extraction_progress() as progress:  # deep inspection runs to minutes: a bar on a terminal
        report = run_inspect(sources, index, deep, catalog, progress)

    def draw(fmt: str) -> str:
        from toolkit.render.inspect_table import render_inspect_table
        from toolkit.render.safe import deep

        if target_of(targets, "table") is None:
            render_inspect_table(deep(report))  # straight to the terminal, with its width and colour
            return ""
        return _captured(lambda stream: render_inspect_table(deep(report), stream))

    _write_documents(targets, report, draw)
    return _backend_hint(i["deep"] for s in report["sources"] for i in s["images"])


@cli.command("rules")
@click.option("-o", "--output", "--format", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default), markdown (docs/rules.md) or json; =FILE writes a file. --format is an alias.")
def rules_cmd(outputs: tuple[str, ...]) -> int:
    """List every rule: ID, severity, input kind, paths and title."""
    from toolkit.rules.registry import RULES

    targets = _parse_outputs(outputs, ("table", "markdown", "json"))
    _check_document_targets(targets)

    def draw(fmt: str) -> str:
        if fmt == "markdown":
            from toolkit.render.rules_doc import render_rules

            return render_rules(RULES)
        from toolkit.render.terminal import width, wrap

        columns = width()
        return "".join(line + "\n" for r in RULES for line in wrap(
            f"{r.id}  {r.severity:<8} {r.kind:<15} {','.join(r.paths):<27} {r.title}", columns, "", " " * 8))

    _write_documents(targets, {"schema": "oobe-ready/rules/v1", "rules": [r.document() for r in RULES]}, draw)
    return EXIT_OK


@cli.command("explain")
@click.argument("rule_id")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json; =FILE writes a file.")
def explain_cmd(rule_id: str, outputs: tuple[str, ...]) -> int:
    """Show a rule's rationale, remediation steps and documentation link."""
    from toolkit.errors import InputError
    from toolkit.rules.registry import BY_ID, current_id

    targets = _parse_outputs(outputs, ("table", "json"))
    _check_document_targets(targets)
    r = BY_ID.get(current_id(rule_id))
    if r is None:
        raise InputError(None, f"unknown rule {rule_id!r}; `oobe-ready rules` lists them")

    def draw(fmt: str) -> str:
        from toolkit.render.terminal import width, wrap

        columns = width()
        lines = [*wrap(f"{r.id}: {r.title}", columns, "", "  "),
                 *wrap(f"severity: {r.severity}   input: {r.kind}   paths: {', '.join(r.paths)}", columns, "", "  "),
                 "", *wrap(f"why: {r.rationale}", columns, "", "  "), "", "how to fix:"]
        for n, step in enumerate(r.remediation, 1):
            lines += wrap(f"{n}. {step}", columns, "  ", "     ")
        return "\n".join([*lines, "", *wrap(f"docs: {r.docs}", columns, "", "  ")]) + "\n"

    _write_documents(targets, {"schema": "oobe-ready/rule/v1", **r.document()}, draw)
    return EXIT_OK


@cli.command("baselines")
@click.option("--diff", nargs=2, metavar="A B", help="Show what changed from baseline A to baseline B.")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]",
              help="table (default) or json; =FILE writes a file.")
def baselines_cmd(diff: tuple[str, str] | None, outputs: tuple[str, ...]) -> int:
    """List the dated requirement baselines (default marked *), or what changed between two."""
    from toolkit.baselines import DEFAULT_BASELINE, baseline_changes, baseline_files, load_baseline

    targets = _parse_outputs(outputs, ("table", "json"))
    _check_document_targets(targets)
    if diff:
        changes = baseline_changes(load_baseline(diff[0])[0], load_baseline(diff[1])[0])
        document = {"schema": "oobe-ready/baseline-diff/v1", "from": diff[0], "to": diff[1],
                    "changes": [{"key": key, "from": old, "to": new} for key, old, new in changes]}
        _write_documents(targets, document, lambda fmt: "".join(f"{k}: {o} -> {n}\n" for k, o, n in changes))
        return EXIT_OK
    listed = []
    for baseline_id in baseline_files():
        doc, sha = load_baseline(baseline_id)
        listed.append({"id": baseline_id, "published": doc["published"], "title": doc["title"], "sha256": sha,
                       "default": baseline_id == DEFAULT_BASELINE})
    _write_documents(targets, {"schema": "oobe-ready/baselines/v1", "baselines": listed}, lambda fmt: "".join(
        f"{'*' if b['default'] else ' '} {b['id']}  {b['published']}  {b['title']}  (sha256 {b['sha256'][:12]})\n"
        for b in listed))
    return EXIT_OK


def _parse_outputs(values: tuple[str, ...], formats: tuple[str, ...] | None = None) -> list[tuple[str, str | None]]:
    """-o FORMAT[=FILE] values (table when none), each format one the command prints."""
    if formats is None:
        from toolkit.render.output import FORMATS as formats

    outputs = []
    for value in values or ("table",):
        fmt, _, target = value.partition("=")
        if fmt not in formats:
            raise click.BadParameter(f"unknown format {fmt!r} (known: {', '.join(formats)})", param_hint="-o")
        outputs.append((fmt, target or None))
    return outputs


def target_of(targets: list[tuple[str, str | None]], fmt: str) -> str | None:
    return next((target for f, target in targets if f == fmt), None)


def _check_document_targets(targets: list[tuple[str, str | None]], inputs: tuple[str, ...] = ()) -> None:
    from toolkit.files import check_targets

    check_targets(targets, list(inputs))  # two to stdout or one file, or an input overwritten: refused first


def _captured(draw) -> str:
    import io

    buffer = io.StringIO()
    draw(buffer)
    return buffer.getvalue()


def _write_documents(targets: list[tuple[str, str | None]], document: dict, draw) -> None:
    """Each -o target: json renders `document`; any other format is what `draw(fmt)` returns ("": it
    drew on the terminal itself)."""
    from toolkit.files import write_atomic
    from toolkit.render.jsondoc import render_json

    for fmt, target in targets:
        text = render_json(document) if fmt == "json" else draw(fmt)
        if target:
            write_atomic(target, text)
        elif text:
            click.echo(text, nl=False)


OUTPUT_HELP = ("FORMAT[=FILE], repeatable: table (default), json (the manifest), sarif, junit, markdown, html, "
               "github, azure; =FILE writes a file (atomically) instead of stdout.")


def settings_options(command):
    """The options `check` takes that a config file can also set (`oobe-ready config` shows them)."""
    options = [
        click.option("--config", "config_file", metavar="FILE",
                     help="Config file (default: oobe-ready.toml or [tool.oobe-ready] in pyproject.toml, "
                          "found upward from the working directory)."),
        click.option("--baseline", default="wbfo-2026-09", show_default=True, help="Requirement baseline id."),
        click.option("--path", "restore_path", type=click.Choice(["oobe", "first-sign-in", "backup"]),
                     default="oobe", show_default=True, help="Which restore (or backup) path to judge."),
        click.option("--tenant-id", help="Expected tenant GUID (checked against the Autopilot file)."),
        click.option("--cloud", type=click.Choice(["public", "gcc", "gcch", "dod", "china"]),
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


def _settings(config_file: str | None):
    from toolkit.config import resolve

    return resolve(click.get_current_context(), config_file)


class WithInputOptions(click.Command):
    """`check` with one repeatable option per input kind that has one (the registry's order; images are
    SOURCEs), added when the command is first parsed so that other commands never load the providers."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        if not getattr(self, "_inputs_added", False):
            from toolkit.providers.registry import PROVIDERS

            self.params[1:1] = [click.Option([p.flag, p.parameter], multiple=True,
                                             metavar=p.metavar, help=p.help) for p in PROVIDERS if p.flag]
            self._inputs_added = True
        return super().get_params(ctx)


def given_inputs(sources: tuple[str, ...], values: dict) -> dict[str, tuple[str, ...]]:
    """The paths given per input kind: SOURCE arguments for the kind without a flag."""
    from toolkit.providers.registry import PROVIDERS

    return {p.name: tuple(values.get(p.parameter, ())) if p.flag else sources
            for p in PROVIDERS}


AUTH_METHODS = ("device-code", "client-credentials", "workload-identity", "azure-cli", "token")  # snapshot/auth.py
AUTH_HELP = ("How to sign in: device-code (a person), client-credentials (OOBE_READY_CLIENT_SECRET or "
             "--certificate), workload-identity (federated: AZURE_FEDERATED_TOKEN_FILE or GitHub's OIDC token), "
             "azure-cli (`az login`), token (OOBE_READY_GRAPH_TOKEN).")


def snapshot_options(command):
    """How `snapshot` and `check --snapshot` sign in to Graph."""
    options = [
        click.option("--auth", type=click.Choice(AUTH_METHODS), default="device-code", show_default=True,
                     help=AUTH_HELP),
        click.option("--client-id", metavar="APP-ID", help="The app registration (client-credentials, "
                     "workload-identity; device-code: default Microsoft Graph Command Line Tools)."),
        click.option("--certificate", metavar="PEM", help="client-credentials: the certificate and its private key."),
        click.option("--pilot-group", metavar="GROUP-ID",
                     help="Also read whether this group's users have a Windows backup newer than 8 days (TEN007; "
                          "delegated UserWindowsSettings.Read.All, global cloud only; counts and user ids only)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _guid(value: str | None, option: str) -> str | None:
    import uuid

    from toolkit.errors import InputError

    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InputError(None, f"{option} {value!r} is not a GUID") from None


def _take_snapshot(folder, tenant_id: str | None, cloud: str | None, auth: str, client_id, certificate,
                   pilot_group: str | None) -> dict:
    """Read the tenant into `folder`; a line per object kind on stderr (what could not be read, and why)."""
    from pathlib import Path

    from toolkit.errors import InputError
    from toolkit.snapshot.take import take_snapshot

    if not tenant_id:
        raise InputError(None, "a snapshot needs --tenant-id (the tenant's GUID)")
    doc = take_snapshot(Path(folder), tenant_id, cloud or "public", auth, client_id, certificate, notice,
                        _guid(pilot_group, "--pilot-group"))
    for name, entry in doc["read"].items():
        if entry["status"] in ("read", "absent"):
            notice(f"{name}: {entry.get('objects', 0)} object(s)" if entry["status"] == "read" else f"{name}: none")
        else:
            grant = f"; grant {entry['permission']}" if entry.get("permission") else ""
            click.echo(f"oobe-ready: {name}: not read ({_safe(entry['error'])}){grant}", err=True)
    return doc


@cli.command("check", cls=WithInputOptions)
@click.argument("sources", nargs=-1, metavar="[SOURCE...]")
@click.option("--index", type=click.IntRange(min=1), help="Only this image index of each SOURCE.")
@settings_options
@click.option("--snapshot", "live", is_flag=True,
              help="Read the tenant (--tenant-id, --cloud) from Microsoft Graph first and judge it with the exports.")
@click.option("--snapshot-dir", metavar="DIR", help="Keep that snapshot in DIR (default: a temporary folder).")
@snapshot_options
def check_cmd(sources, index, config_file, no_waivers, live, snapshot_dir, auth, client_id, certificate,
              pilot_group, **values) -> int:
    """Evaluate the rules over images, Autopilot profiles, ESP and tenant exports and emit the
    pass/fail manifest. Exit 0 ready, 1 blocked, 2 input error, 3 incomplete; the same whatever
    the output formats."""
    from toolkit.pipeline.check import run_check
    from toolkit.pipeline.options import CheckOptions
    from toolkit.render.progress import extraction_progress

    config, settings = _settings(config_file)
    value = {key: s.value for key, s in settings.items()}
    targets = _parse_outputs(value["output"])
    tenant_id = _guid(value["tenant-id"], "--tenant-id")
    inputs = given_inputs(sources, values)
    if (snapshot_dir or pilot_group) and not live:
        raise click.UsageError("--snapshot-dir and --pilot-group are --snapshot's: give --snapshot too")
    if live:
        import os
        import tempfile

        folder = snapshot_dir
        if not folder:  # a temporary snapshot, removed when the command ends
            scratch = tempfile.TemporaryDirectory(prefix="oobe-ready-snapshot-")
            click.get_current_context().call_on_close(scratch.cleanup)
            folder = os.path.join(scratch.name, "snapshot")
        _take_snapshot(folder, tenant_id, value["cloud"], auth, client_id, certificate, pilot_group)
        inputs["intune"] = (*inputs.get("intune", ()), folder)
    if not any(inputs.values()):
        from toolkit.providers.registry import PROVIDERS

        *first, last = ["image SOURCEs", *(p.flag for p in PROVIDERS if p.flag)]
        raise click.UsageError(f"nothing to check: give {', '.join(first)} or {last}")
    from toolkit.files import check_targets

    named = [*(p for paths in inputs.values() for p in paths), value["waivers"], value["catalog"],
             config.path if config else None]
    check_targets(targets, [str(p) for p in named if p])  # before any slow work
    options = CheckOptions(
        inputs=inputs, baseline=value["baseline"],
        path=value["path"], tenant_id=tenant_id, cloud=value["cloud"], fail_on=value["fail-on"],
        require=tuple(k.strip() for k in value["require"].split(",") if k.strip()), index=index,
        hash_images=value["hash-images"], deep=value["deep"], waivers=None if no_waivers else value["waivers"],
        as_of=value["as-of"].date() if value["as-of"] else None, catalog=value["catalog"],
        target_groups=tuple(value["target-group"]),
        config={"path": str(config.path), "sha256": config.sha256} if config else None)
    import time

    started = time.monotonic()
    with extraction_progress() as progress:  # images run to gigabytes: a bar on a terminal
        manifest = run_check(options, progress)
    if VERBOSE["on"]:
        kinds = ", ".join(sorted({i["kind"] for i in manifest["inputs"]}))
        notice(f"read {len(manifest['inputs'])} input(s) ({kinds}), judged {len(manifest['results'])} result(s) "
               f"of {len(manifest['rules'])} rule(s) in {time.monotonic() - started:.2f} s")
    _emit_all(manifest, targets)
    _backend_hint(s["facts"]["deep"] for s in manifest["subjects"])
    return manifest["summary"]["exit_code"]


def _emit_all(manifest: dict, targets: list[tuple[str, str | None]], *read: str) -> None:
    """Every requested format, from the one manifest; waiver notices once on stderr. No target may
    be a file the run read (every input the manifest lists, the waiver ledger, the config, `read`)."""
    from toolkit.files import check_targets
    from toolkit.render.findings import waiver_notices
    from toolkit.render.output import emit

    inputs = [i["path"] for i in manifest["inputs"]] + [manifest["waivers"].get("file")]
    check_targets(targets, [p for p in [*inputs, (manifest.get("config") or {}).get("path"), *read] if p])
    for fmt, target in targets:
        emit(manifest, fmt, target)
    for line in waiver_notices(manifest):
        notice(line)


@cli.group("catalog")
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
        click.echo(f"oobe-ready: {_safe(what)}", err=True)

    target, summary = update(source, today, progress if sys.stderr.isatty() else None, lifecycle)
    click.echo(f"{_safe(summary)}\nwritten to {target}")
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

    targets = _parse_outputs(outputs, ("table", "json"))
    _check_document_targets(targets, (catalog,) if catalog else ())
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
        lines += [f"source: {_safe(source.get('name'))} {_safe(source.get('url', ''))}" for source in current.sources]
        for r in releases:
            newest = r["newest"]
            shown = f"{newest['kb']} {newest['build_ubr']} {newest['date']}" if newest else "no update listed"
            lines.append(f"{r['product']} {r['version']:<6} {r['build']}  newest {shown}  serviced until "
                         f"{r['serviced_until']}")
        return "\n".join(lines) + "\n"

    _write_documents(targets, document, draw)
    return EXIT_OK


@cli.command("config")
@settings_options
def config_cmd(config_file, no_waivers, **_) -> int:
    """Show each effective `check` setting and where it came from: the command line, the config
    file, or the default. Takes the same options as `check`."""
    import os

    config, settings = _settings(config_file)
    given = settings["output"]  # `config -o json` typed here prints JSON; `output` from a config file is shown
    if given.origin == "command line" and any(fmt == "json" for fmt, _ in _parse_outputs(given.value)):
        document = {"schema": "oobe-ready/config/v1", "config": str(config.path) if config else None,
                    "settings": [{"key": key, "value": _plain(s.value), "origin": s.origin}
                                 for key, s in settings.items()]}
        from toolkit.render.jsondoc import render_json

        click.echo(render_json(document), nl=False)
        return EXIT_OK
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
    return EXIT_OK


def _plain(value: object) -> object:
    """A setting as JSON holds it: dates as ISO text, tuples as lists."""
    if hasattr(value, "date"):
        return value.date().isoformat()
    return list(value) if isinstance(value, tuple) else value


@cli.command("render")
@click.argument("manifest_file", metavar="MANIFEST")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]", help=OUTPUT_HELP)
def render_cmd(manifest_file: str, outputs: tuple[str, ...]) -> int:
    """Re-render a saved manifest (`check -o json=FILE`) in other formats, byte-identically to what
    `check` wrote. Exits with the manifest's recorded exit code."""
    from toolkit.pipeline.manifest import load_manifest

    targets = _parse_outputs(outputs)
    manifest, _ = load_manifest(manifest_file)
    _emit_all(manifest, targets, manifest_file)
    return manifest["summary"]["exit_code"]


@cli.command("snapshot")
@click.argument("folder", metavar="DIR")
@click.option("--tenant-id", required=True, metavar="GUID", help="The tenant to read.")
@click.option("--cloud", type=click.Choice(["public", "gcc", "gcch", "dod", "china"]), default="public",
              show_default=True, help="The tenant's cloud: which sign-in and Graph hosts.")
@snapshot_options
def snapshot_cmd(folder: str, tenant_id: str, cloud: str, auth: str, client_id, certificate, pilot_group) -> int:
    """Read the tenant from Microsoft Graph, read-only, into DIR (a new or empty folder): one JSON file
    per object and snapshot.json (what was read, what could not be, digests), for `check --intune DIR`.
    Exit 0 when every kind was read, 3 when some could not be (check judges them not-evaluated)."""
    doc = _take_snapshot(folder, _guid(tenant_id, "--tenant-id"), cloud, auth, client_id, certificate, pilot_group)
    unread = [n for n, e in doc["read"].items() if e["status"] not in ("read", "absent")]
    click.echo(f"snapshot of tenant {doc['tenant_id']} written to {_safe(folder)}"
               + (f"; not read: {', '.join(unread)}" if unread else ""))
    return EXIT_INCOMPLETE if unread else EXIT_OK


@cli.command("diff")
@click.argument("before", metavar="SNAPSHOT_A")
@click.argument("after", metavar="SNAPSHOT_B")
@click.option("--baseline", default="wbfo-2026-09", show_default=True, help="Requirement baseline id.")
@click.option("--path", "restore_path", type=click.Choice(["oobe", "first-sign-in", "backup"]), default="oobe",
              show_default=True, help="Which restore (or backup) path to judge.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), envvar="OOBE_READY_AS_OF", metavar="YYYY-MM-DD",
              help="Evaluation date for both (default: today, UTC).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]", help="table (default) or json.")
def diff_cmd(before: str, after: str, baseline: str, restore_path: str, as_of, outputs) -> int:
    """What changed between two tenant snapshots (or exports) that flips a rule's outcome, judged by the
    same rules and date; setting changes that flip nothing are left out. Exit 0 when nothing flips,
    1 when something does."""
    from toolkit.pipeline.diff import run_diff

    targets = _parse_outputs(outputs, ("table", "json"))
    doc = run_diff(before, after, baseline, restore_path, as_of.date() if as_of else None)

    def draw(fmt: str) -> str:
        a, b = doc["before"], doc["after"]
        lines = [f"{_safe(a['path'])} ({a['verdict']}) -> {_safe(b['path'])} ({b['verdict']}): "
                 f"{len(doc['changes'])} outcome(s) changed"]
        for c in doc["changes"]:
            lines.append(f"{c['rule']} {_safe(c['title'])}: {c['before']} -> {c['after']}")
            lines.append(f"  {_safe(c['subject'])}")
            lines.append(f"  {_safe(c['message'])}")
        return "\n".join(lines) + "\n"

    _write_documents(targets, doc, draw)
    return EXIT_BLOCKED if doc["changes"] else EXIT_OK


@cli.command("attest")
@click.argument("manifest_file", metavar="MANIFEST")
@click.option("-o", "--output", "target", metavar="json[=FILE]",
              help="json (stdout, the default) or json=FILE; a bare FILE is taken as json=FILE.")
@click.option("--predicate-only", is_flag=True,
              help="Write only the predicate, for `cosign attest-blob --predicate` / `actions/attest predicate-path`.")
def attest_cmd(manifest_file: str, target: str | None, predicate_only: bool) -> int:
    """Write an in-toto Statement v1 (predicate test-result/v0.1) about the checked image for
    `cosign attest-blob` or `actions/attest`: subject = the image file's sha256 (hashed now, with
    a progress bar, when the manifest lacks it); configuration = baseline, catalog, waiver file
    and manifest digests."""
    from toolkit.attest import statement
    from toolkit.files import check_targets, write_atomic
    from toolkit.pipeline.manifest import load_manifest
    from toolkit.render.jsondoc import render_json

    fmt, equals, path = (target or "json").partition("=")
    if not equals and fmt != "json":  # the older `-o FILE`
        fmt, path = "json", target
    if fmt != "json":
        raise click.BadParameter(f"unknown format {fmt!r} (known: json)", param_hint="-o")
    target = path or None
    manifest, digest = load_manifest(manifest_file)
    if target:
        check_targets([("json", target)], [manifest_file, *(i["path"] for i in manifest["inputs"])])
    document = statement(manifest, digest, manifest_file)
    text = render_json(document["predicate"] if predicate_only else document)
    if target:
        write_atomic(target, text)
    else:
        click.echo(text, nl=False)
    return EXIT_OK


def _backend_hint(deep_documents) -> int:
    """One line on stderr when deep inspection was on but no extraction tool is installed: exit 3."""
    unavailable = [why for d in deep_documents if (why := (d or {}).get("unavailable"))]
    if not unavailable:  # the usual case: nothing to import
        return EXIT_OK
    from toolkit.sources.extract import INSTALL_HINT, NO_BACKEND

    if any(why.startswith(NO_BACKEND) for why in unavailable):
        click.echo(f"oobe-ready: deep inspection needs wimlib-imagex or 7-Zip: {INSTALL_HINT}", err=True)
        return EXIT_INCOMPLETE
    return EXIT_OK


def _safe(value: object) -> str:
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
    import os
    import signal

    from toolkit.errors import InputError

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
        click.echo(f"oobe-ready: error: {_safe(exc)}", err=True)
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
        click.echo(f"oobe-ready: internal error: {type(exc).__name__}: {_safe(exc)} "
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
