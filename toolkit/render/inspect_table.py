"""`inspect` as rich tables: a line of container facts, then one row per image index."""

from __future__ import annotations

from typing import IO

from rich.markup import escape

from toolkit.render.terminal import print_lines, styled, width

MISSING = "[red]missing[/]"


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _container(source: dict) -> str:
    wim = source["wim"]
    if source["kind"] == "directory":
        return "offline Windows directory (mounted or applied image)"
    if source["kind"] in ("vhd", "vhdx"):
        return f"{source['kind'].upper()} virtual disk · {_size(source['size'])} · its Windows volume read in place"
    if wim is None:
        return f"raw WIM XML document · {len(source['images'])} image(s)"
    parts = [source["kind"].upper(), f"version {wim['version']}", f"{wim['compression']} compression"]
    if wim["solid"]:
        parts.append("solid")
    parts += [f"{wim['image_count']} image(s)", f"part {wim['part_number']}/{wim['total_parts']}",
              f"boot index {wim['boot_index'] or 'none'}", _size(source["size"]), f"GUID {wim['guid']}"]
    if source["encrypted"]:
        parts.append("[yellow]encrypted[/]")
    return " · ".join(parts)


def _release(image: dict) -> str:
    release = image["feature_release"]
    if release is None:
        return f"[yellow]{image['catalog_note']}[/]" if image["catalog_note"] else "—"
    text = f"{release['product']} {release['label']}"
    return f"[yellow]{text}[/]" if release["ambiguous"] else text


def _update(image: dict) -> str:
    u = image["update"]
    if u is None:
        return f"[dim]{image['catalog_note']}[/]" if image["catalog_note"] else "—"
    kind = u["type"] + (f", baseline .{u['baseline_ubr']}" if u["baseline_ubr"] else "")
    return f"{u['kb']} {u['date']} ({kind})"


def _deep_lines(index: int, deep: dict) -> list[tuple[str, str]]:
    """The evidence read from inside one index, a line per kind of file."""
    if deep["unavailable"]:
        return [("inside", f"index {index} not read: {deep['unavailable']}")]
    lines = [("inside", f"index {index}, read with {deep['backend']}")]
    cv = deep["current_version"] or {}
    if cv:
        lines.append(("hive", " · ".join(f"{k} {cv[k]}" for k in ("CurrentBuild", "DisplayVersion", "UBR",
                                                                    "EditionID", "InstallationType") if k in cv)))
    if deep["servicing_levels"]:
        lines.append(("servicing", " · ".join(f"{lv['source']} {lv['shown']}" for lv in deep["servicing_levels"])))
    names = {1: "", 0x70: "installed", 0x50: "superseded"}
    for p in deep["packages"]:
        state = names.get(p["cbs_state"], f"state {p['cbs_state']:#x}" if p["cbs_state"] is not None else "")
        lines.append(("package", f"{p['identity']} ({p['kb']}, {p['release_type']}{', ' + state if state else ''})"))
    lines += [("policy", f"HKLM\\SOFTWARE\\{p['key']}\\{p['value']} = {p['data']}") for p in deep["policies"]]
    lines += [("key", f"HKLM\\SOFTWARE\\{k}") for k in deep["registry_keys"]]
    for u in deep["unattend"]:
        joins = ", ".join(u["domain_joins"])
        lines.append(("unattend", f"{u['path']}: " + (f"joins domain {joins}" if joins else "no domain join")))
    state = deep["image_state"]
    if state["state_ini"] or state["registry"]:
        lines.append(("state", state["state_ini"] or state["registry"]))
    lines += [("autopilot", f"{a['path']} (sha256 {a['sha256'][:12]}…)") for a in deep["autopilot_files"]]
    if deep.get("winre"):
        lines.append(("winre", f"{deep['winre']['path']}: {deep['winre']['name']} {deep['winre']['build_ubr']}"))
    lines += [("problem", f"{k}: {v}") for k, v in deep["problems"].items()]
    return lines


def _cells(image: dict) -> list[str]:
    languages = ", ".join(f"[bold]{lang}[/]" if lang == image["default_language"] else lang
                          for lang in image["languages"]) or MISSING
    return [str(image["index"]), escape(image["name"] or "—"), escape(image["edition_id"] or "") or MISSING,
            image["arch"] or MISSING, image["build_ubr"] or MISSING, _release(image), _update(image), languages,
            escape(image["installation_type"] or "") or MISSING, image["boot_image"] or "no"]


COLUMNS = ("#", "Name", "Edition", "Arch", "Build.UBR", "Release", "Update", "Languages", "Type", "Boot")


def render_inspect_table(report: dict, stream: IO[str] | None = None) -> None:
    """One row per index when the table fits the width; else one block per index, wrapped at spaces."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
    columns = width(console)

    def say(text: str, indent: str = "", hang: str | None = None, style: str | None = None,
            lead: tuple[int, str] | None = None) -> None:
        hang = indent + "  " if hang is None else hang
        print_lines(console, styled(text, columns, indent, hang, style, lead))

    for source in report["sources"]:
        say(source["path"], style="bold")
        say(Text.from_markup(_container(source)).plain, "  ")
        for note in source["notes"]:
            say(f"note: {note}", "  ", lead=(5, "yellow"))
        rows = [_cells(image) for image in source["images"]]
        plain = [[Text.from_markup(cell).plain for cell in row] for row in rows]
        natural = [max(map(cell_len, column)) for column in zip(COLUMNS, *plain, strict=True)]  # wide glyphs: 2
        if sum(natural) + 3 * len(natural) + 1 <= columns:  # every cell on one line, borders included
            table = Table(show_lines=False, pad_edge=False, expand=False)
            for column in COLUMNS:
                table.add_column(column, no_wrap=True)
            for cells in rows:
                table.add_row(*cells)
            console.print(table, width=columns)
        else:  # too narrow for a row per index: a block per index, nothing split inside a word
            for cells in plain:
                say(f"#{cells[0]} {cells[1]}", "  ", "     ", style="bold")
                say(" · ".join(f"{name} {cell}" for name, cell in zip(COLUMNS[2:], cells[2:], strict=True)), "     ")
        for image in source["images"]:
            for element, raw in image["malformed"].items():
                say(f"index {image['index']}: {element} is not well-formed: {raw!r}", "  ", style="red")
            if image["deep"] is not None:
                for label, text in _deep_lines(image["index"], image["deep"]):
                    say(f"{label:<10} {text}", "    ", " " * 15, lead=(10, "dim"))
    say(f"release catalog as of {report['catalog']['as_of']}", style="dim")
