"""Command text: one command in a framing (Python / Docker), multi-node, roles, cURL —
exactly as the cookbook page shows them (tests/test_examples.py checks every example).

Placeholder values come in a `Subst`: values the user typed are made shell-safe where they
land; defaults such as `<node0-ip>` print as the cookbook shows them (they are meant to be
replaced by hand). The framings themselves are modules of the format registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from .flags import flag_name, index_after
from .formats import framing as get_framing
from .lookup import docker_image, model_name
from .rules import Cell, Rules
from .selection import Selection
from .subst import Subst, fill_names, substitute

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
    at = index_after(flags, anchors(rules, mn.after))
    return [*flags[:at], *new, *flags[at:]]


def serve_block(
    rules: Rules,
    hw: str,
    quant: str,
    env: Sequence[str],
    flags: Sequence[str],
    framing: str,
    subst: Subst,
    network_host: bool = False,
) -> str:
    """One serve command in `framing`, placeholders substituted."""
    text = get_framing(framing).block(rules, hw, quant, env, flags, subst, network_host)
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
        return serve_block(rules, sel.hw, sel.quant, env, flags, framing, subst, network_host)
    flags = inject_multinode(rules, flags, count, dist_port)
    body = serve_block(rules, sel.hw, sel.quant, env, flags, framing, subst, network_host=True)
    hints = rules.model.multi_node_hints.get(sel.hw, [])
    return "\n".join([*multinode_header(rules, count), *(f"# {h}" for h in hints), body])


def render_roles(rules: Rules, sel: Selection, cell: Cell, framing: str, subst: Subst) -> str:
    blocks = []
    for role in cell.role:
        lines = [f"# {role.title}", *(f"# {n}" for n in role.notes)]
        if role.raw is not None:
            body = substitute(role.raw, subst)
        else:
            body = serve_block(rules, sel.hw, sel.quant, role.env, role.flags, framing, subst, network_host=True)
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


def badge(cell: Cell | None, *, user: bool = False) -> str:
    """ "Verified" / "Not Verified" for the page's cells; "Your cell" for the user's own."""
    if user:
        return USER_BADGE
    return "Verified" if cell is not None and cell.verified else "Not Verified"


def command_notes(rules: Rules, flags: Sequence[str]) -> list[str]:
    """The model's notes (`[[note]]`) that apply to a command with these flags."""
    names = {flag_name(f) for f in flags}
    return [
        n.text if n.correction is None else f"{n.text} Correction: {n.correction} ({n.correction_source})."
        for n in rules.model.note
        if all(f in names for f in n.when_flags) and not any(f in names for f in n.unless_flags)
    ]


def cell_notes(rules: Rules, cell: Cell | None) -> list[str]:
    """The notes for a cell's single command (none for role cells)."""
    if cell is None or cell.has_roles:
        return []
    return command_notes(rules, cell.flags)
