"""`oobe-ready check` and `render`: the manifest, and every format drawn from it."""

from __future__ import annotations

import click

from toolkit.cli import VERBOSE, notice
from toolkit.cli.outputs import OUTPUT_HELP, backend_hint, parse_outputs
from toolkit.cli.settings import resolve_settings, settings_options
from toolkit.cli.snapshot import guid, snapshot_options, take_snapshot


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


@click.command("check", cls=WithInputOptions)
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

    config, settings = resolve_settings(config_file)
    value = {key: s.value for key, s in settings.items()}
    targets = parse_outputs(value["output"])
    tenant_id = guid(value["tenant-id"], "--tenant-id")
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
        take_snapshot(folder, tenant_id, value["cloud"], auth, client_id, certificate, pilot_group)
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
    emit_all(manifest, targets)
    backend_hint(s["facts"]["deep"] for s in manifest["subjects"])
    return manifest["summary"]["exit_code"]


def emit_all(manifest: dict, targets: list[tuple[str, str | None]], *read: str) -> None:
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


@click.command("render")
@click.argument("manifest_file", metavar="MANIFEST")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]", help=OUTPUT_HELP)
def render_cmd(manifest_file: str, outputs: tuple[str, ...]) -> int:
    """Re-render a saved manifest (`check -o json=FILE`) in other formats, byte-identically to what
    `check` wrote. Exits with the manifest's recorded exit code."""
    from toolkit.pipeline.manifest import load_manifest

    targets = parse_outputs(outputs)
    manifest, _ = load_manifest(manifest_file)
    emit_all(manifest, targets, manifest_file)
    return manifest["summary"]["exit_code"]
