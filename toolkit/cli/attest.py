"""`oobe-ready attest`: an in-toto statement about the checked image."""

from __future__ import annotations

import click

from toolkit.cli import EXIT_OK


@click.command("attest")
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
    from toolkit.files import check_targets, to_stdout, write_atomic
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
        to_stdout(text)
    return EXIT_OK
