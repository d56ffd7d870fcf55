"""Command text: one command in a framing (Python / Docker), multi-node, roles, cURL —
exactly as the cookbook page shows them (tests/test_examples.py checks every example).

Placeholder values come in a `Subst`: values the user typed are made shell-safe where they
land; defaults such as `<node0-ip>` print as the cookbook shows them (they are meant to be
replaced by hand). The framings themselves are modules of the format registry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .flags import flag_name, flag_value, index_after, index_after_last
from .formats import framing as get_framing
from .lookup import docker_image, model_name
from .rules import Cell, Rules
from .selection import Selection
from .subst import Subst, fill_names, substitute

if TYPE_CHECKING:
    from .schema import CommandNote

NO_COMMAND = "# No command available for the current selection."

__all__ = [
    "NO_COMMAND",
    "Subst",
    "docker_image",
    "model_name",
    "render_command",
    "render_curl",
    "render_flags",
    "substitute",
]


def anchors(rules: Rules, names: Sequence[str]) -> list[str]:
    """Insertion anchors: `names`, then the model path flag."""
    return [*names, rules.model.engine.model_path_flag]


def inject_multinode(rules: Rules, flags: Sequence[str], count: int, dist_port: int | None = None) -> list[str]:
    """The multi-node flags (`[multi_node]` of model.toml) inserted after their anchor."""
    mn = rules.model.multi_node
    filled = Subst(
        {"NNODES": str(count), "DIST_PORT": str(dist_port or mn.dist_port)}, frozenset({"NNODES", "DIST_PORT"})
    )
    new = [substitute(f, filled) for f in mn.flags]
    at = index_after_last(flags, mn.after) if mn.anchor == "last" else None
    at = at if at is not None else index_after(flags, anchors(rules, mn.after))
    return [*flags[:at], *new, *flags[at:]]


def serve_block(
    rules: Rules,
    sel: Selection,
    env: Sequence[str],
    flags: Sequence[str],
    framing: str,
    subst: Subst,
    network_host: bool = False,
) -> str:
    """One serve command in `framing`, placeholders substituted."""
    text = get_framing(framing).block(rules, sel, env, flags, subst, network_host)
    return substitute(text, subst)


def multinode_header(rules: Rules, count: int) -> list[str]:
    return ["# " + fill_names(line, {"count": count, "last": count - 1}) for line in rules.model.multi_node.header]


def render_flags(
    rules: Rules,
    sel: Selection,
    env: Sequence[str],
    flags: Sequence[str],
    framing: str,
    subst: Subst,
    *,
    dist_port: int | None = None,
    network_host: bool = False,
) -> str:
    """A full single-command text for (env, flags) on `sel`: multi-node aware."""
    count = rules.node_count(sel.nodes)
    if count <= 1:
        return serve_block(rules, sel, env, flags, framing, subst, network_host)
    flags = inject_multinode(rules, flags, count, dist_port)
    body = serve_block(rules, sel, env, flags, framing, subst, network_host=True)
    hints = rules.model.multi_node_hints.get(sel.hw, [])
    return "\n".join([*multinode_header(rules, count), *(f"# {h}" for h in hints), body])


def render_roles(rules: Rules, sel: Selection, cell: Cell, framing: str, subst: Subst) -> str:
    blocks = []
    for role in cell.role:
        lines = [f"# {role.title}", *(f"# {n}" for n in role.notes)]
        if role.raw is not None:
            body = substitute(role.raw, subst)
        else:
            body = serve_block(rules, sel, role.env, role.flags, framing, subst, network_host=True)
        blocks.append("\n".join([*lines, body]))
    return "\n\n".join(blocks)


def render_cell(rules: Rules, sel: Selection, cell: Cell | None, framing: str, subst: Subst) -> str:
    if cell is None:
        return NO_COMMAND
    get_framing(framing)  # an unknown framing is an error even for role cells
    if cell.has_roles:
        return render_roles(rules, sel, cell, framing, subst)
    return render_flags(rules, sel, cell.env, cell.flags, framing, subst)


def render_command(rules: Rules, sel: Selection, framing: str, subst: Subst) -> str:
    """The Deploy text for `sel` (MODEL_NAME is filled in here)."""
    subst = subst.with_values(MODEL_NAME=model_name(rules, sel))
    return render_cell(rules, sel, rules.cell(sel), framing, subst)


def render_curl(rules: Rules, sel: Selection, subst: Subst) -> str:
    subst = subst.with_values(MODEL_NAME=model_name(rules, sel))
    return substitute(rules.model.curl.template, subst)


USER_BADGE = "Your cell"  # a cell of the user's own cells.toml: never the page's "Verified"


def badge_state(cell: Cell | None) -> str:
    """verified, in-progress or unverified (no cell: unverified, as the page says)."""
    return cell.state if cell is not None else "unverified"


def badge(rules: Rules, cell: Cell | None) -> str:
    """The badge's words for the cell's state; "Your cell" for the user's own cell."""
    if cell is not None and rules.is_user_cell(cell):
        return USER_BADGE
    return rules.model.badges[badge_state(cell)].label


def _note_text(note, flags: Sequence[str]) -> str:
    def first_token(name: str | None) -> str:
        value = flag_value(flags, name) if name else None
        return (value or "").split()[0] if (value or "").split() else ""

    raw = first_token(note.label_flag)
    label = note.labels.get(raw.upper()) or raw
    return note.text.replace("{label}", label).replace("{value}", first_token(note.value_flag))


WARN_LINK = re.compile(r"\[([^\]]+)\]\(#([^)]+)\)")


def warn_links(rules: Rules, text: str) -> list[tuple[str, str]]:
    """A banner's [label](#anchor) links as (label, URL into the cookbook page)."""
    return [(m.group(1), f"{rules.model.page_url}#{m.group(2)}") for m in WARN_LINK.finditer(text)]


def warn_text(rules: Rules, text: str, urls: bool = False) -> str:
    """A banner as plain text: a link is its label (as the page shows it), or with `urls`,
    "label (URL)"."""
    if not urls:
        return WARN_LINK.sub(r"\1", text)
    return WARN_LINK.sub(lambda m: f"{m.group(1)} ({rules.model.page_url}#{m.group(2)})", text)


def cell_warn(rules: Rules, cell: Cell | None, urls: bool = False) -> str | None:
    """The cell's banner under the command (None when it has none)."""
    return warn_text(rules, cell.warn, urls) if cell is not None and cell.warn else None


def _applying_notes(rules: Rules, flags: Sequence[str]) -> list[CommandNote]:
    """The model's notes (`[[note]]`) whose flags a command with these flags has: all of
    `when_flags`, none of `unless_flags`."""
    names = {flag_name(f) for f in flags}
    return [
        n
        for n in rules.model.note
        if all(f in names for f in n.when_flags) and not any(f in names for f in n.unless_flags)
    ]


def command_note_items(rules: Rules, flags: Sequence[str]) -> list[tuple[str, str]]:
    """(kind, text) of the model's notes that apply: kind is "warn" or "info"."""
    return [(n.kind, _note_text(n, flags)) for n in _applying_notes(rules, flags)]


def command_notes(rules: Rules, flags: Sequence[str]) -> list[str]:
    """The model's notes (`[[note]]`) that apply to a command with these flags."""
    return [_note_text(n, flags) for n in _applying_notes(rules, flags)]


def command_corrections(rules: Rules, flags: Sequence[str]) -> list[str]:
    """The lint's correction beside each page note that applies and that SGLang's source
    contradicts (the page's own words stay as they are, in command_notes)."""
    return [
        f"Correction: {n.correction} ({n.correction_source})."
        for n in _applying_notes(rules, flags)
        if n.correction is not None
    ]


def cell_note_items(rules: Rules, cell: Cell | None) -> list[tuple[str, str]]:
    if cell is None or cell.has_roles:
        return []
    return command_note_items(rules, cell.flags)


def cell_notes(rules: Rules, cell: Cell | None) -> list[str]:
    """The notes for a cell's single command (none for role cells)."""
    if cell is None or cell.has_roles:
        return []
    return command_notes(rules, cell.flags)


def cell_corrections(rules: Rules, cell: Cell | None) -> list[str]:
    """The lint's corrections beside the cell's notes (none for role cells)."""
    if cell is None or cell.has_roles:
        return []
    return command_corrections(rules, cell.flags)
