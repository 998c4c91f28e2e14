"""`oobe-ready snapshot` and `diff`: a live tenant read from Microsoft Graph, and what changed between two."""

from __future__ import annotations

import click

from toolkit.cli import EXIT_BLOCKED, EXIT_INCOMPLETE, EXIT_OK, notice, safe
from toolkit.cli.outputs import parse_outputs, write_documents
from toolkit.cli.settings import BASELINE, CLOUD_CHOICE, RESTORE_PATH

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


def guid(value: str | None, option: str) -> str | None:
    import uuid

    from toolkit.errors import InputError

    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InputError(None, f"{option} {value!r} is not a GUID") from None


def take_snapshot(folder, tenant_id: str | None, cloud: str | None, auth: str, client_id, certificate,
                   pilot_group: str | None) -> dict:
    """Read the tenant into `folder`; a line per object kind on stderr (what could not be read, and why)."""
    from pathlib import Path

    from toolkit.errors import InputError
    from toolkit.snapshot.take import take_snapshot

    if not tenant_id:
        raise InputError(None, "a snapshot needs --tenant-id (the tenant's GUID)")
    doc = take_snapshot(Path(folder), tenant_id, cloud or "public", auth, client_id, certificate, notice,
                        guid(pilot_group, "--pilot-group"))
    for name, entry in doc["read"].items():
        if entry["status"] in ("read", "absent"):
            notice(f"{name}: {entry.get('objects', 0)} object(s)" if entry["status"] == "read" else f"{name}: none")
        else:
            grant = f"; grant {entry['permission']}" if entry.get("permission") else ""
            click.echo(f"oobe-ready: {name}: not read ({safe(entry['error'])}){grant}", err=True)
    return doc


@click.command("snapshot")
@click.argument("folder", metavar="DIR")
@click.option("--tenant-id", required=True, metavar="GUID", help="The tenant to read.")
@click.option("--cloud", type=CLOUD_CHOICE, default="public", show_default=True,
              help="The tenant's cloud: which sign-in and Graph hosts.")
@snapshot_options
def snapshot_cmd(folder: str, tenant_id: str, cloud: str, auth: str, client_id, certificate, pilot_group) -> int:
    """Read the tenant from Microsoft Graph, read-only, into DIR (a new or empty folder): one JSON file
    per object and snapshot.json (what was read, what could not be, digests), for `check --intune DIR`.
    Exit 0 when every kind was read, 3 when some could not be (check judges them not-evaluated)."""
    doc = take_snapshot(folder, guid(tenant_id, "--tenant-id"), cloud, auth, client_id, certificate, pilot_group)
    unread = [n for n, e in doc["read"].items() if e["status"] not in ("read", "absent")]
    click.echo(f"snapshot of tenant {doc['tenant_id']} written to {safe(folder)}"
               + (f"; not read: {', '.join(unread)}" if unread else ""))
    return EXIT_INCOMPLETE if unread else EXIT_OK


@click.command("diff")
@click.argument("before", metavar="SNAPSHOT_A")
@click.argument("after", metavar="SNAPSHOT_B")
@BASELINE
@RESTORE_PATH
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), envvar="OOBE_READY_AS_OF", metavar="YYYY-MM-DD",
              help="Evaluation date for both (default: today, UTC).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT[=FILE]", help="table (default) or json.")
def diff_cmd(before: str, after: str, baseline: str, restore_path: str, as_of, outputs) -> int:
    """What changed between two tenant snapshots (or exports) that flips a rule's outcome, judged by the
    same rules and date; setting changes that flip nothing are left out. Exit 0 when nothing flips,
    1 when something does."""
    from toolkit.pipeline.diff import run_diff

    targets = parse_outputs(outputs, ("table", "json"))
    doc = run_diff(before, after, baseline, restore_path, as_of.date() if as_of else None)

    def draw(fmt: str) -> str:
        a, b = doc["before"], doc["after"]
        lines = [f"{safe(a['path'])} ({a['verdict']}) -> {safe(b['path'])} ({b['verdict']}): "
                 f"{len(doc['changes'])} outcome(s) changed"]
        for c in doc["changes"]:
            lines.append(f"{c['rule']} {safe(c['title'])}: {c['before']} -> {c['after']}")
            lines.append(f"  {safe(c['subject'])}")
            lines.append(f"  {safe(c['message'])}")
        return "\n".join(lines) + "\n"

    write_documents(targets, doc, draw)
    return EXIT_BLOCKED if doc["changes"] else EXIT_OK
