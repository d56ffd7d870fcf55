"""The srt-slurm recipes panel (`[srt_slurm]`, srt_slurm.toml): selections the cookbook serves
with NVIDIA srt-slurm recipes (prefill / decode disaggregation) instead of a cell — its
hardware and variant on more than one node. dsv4 shows the recipes and the line that applies
each; it never makes up a command for those selections.
"""

from __future__ import annotations

from typing import Any

from .frozen import frozen
from .rules import Rules
from .schema import SrtRecipe, SrtSlurm


@frozen
class RecipeRow:
    workload: str  # label, e.g. "8K / 1K"
    strategy: str  # label
    nodes: str  # "1 prefill + 2 decode", "1 serving + 1 infrastructure"
    total_nodes: int
    description: str
    path: str
    apply: str  # the line to copy: srtctl apply -f <path>
    repository: str  # where the recipe lives (a pending PR's fork for some)
    pending: bool


def panel_for(rules: Rules, sel) -> SrtSlurm | None:
    """The panel when `sel` is its hardware and variant on more than one node (and no cell is:
    a cell there, e.g. from an overlay, is the selection's command instead)."""
    p = rules.model.srt_slurm
    if p is None or sel["hw"] != p.hw or sel["variant"] != p.variant or sel["nodes"] not in rules.by_id["nodes"]:
        return None
    if any(c.hw == p.hw and c.variant == p.variant and c.nodes == sel["nodes"] for c in rules.cells):
        return None
    return p if rules.node_count(sel["nodes"]) > 1 else None


def serves(rules: Rules, hw: str, variant: str, nodes: str) -> bool:
    return panel_for(rules, {"hw": hw, "variant": variant, "nodes": nodes}) is not None


def _nodes(r: SrtRecipe) -> tuple[str, int]:
    parts = [
        (r.prefill_nodes, "prefill"),
        (r.decode_nodes, "decode"),
        (r.serving_nodes, "serving"),
        (r.infrastructure_nodes, "infrastructure"),
    ]
    present = [(n, what) for n, what in parts if n]
    return " + ".join(f"{n} {what}" for n, what in present), sum(n for n, _ in present)


def _row(panel: SrtSlurm, r: SrtRecipe) -> RecipeRow:
    text, total = _nodes(r)
    wl = {w.id: w.label for w in panel.workload}
    st = {s.id: s.label for s in panel.strategy}
    return RecipeRow(
        workload=wl.get(r.workload, r.workload),
        strategy=st.get(r.strategy, r.strategy),
        nodes=text,
        total_nodes=total,
        description=r.description,
        path=r.path,
        apply=panel.apply.format(path=r.path),
        repository=(r.repository or panel.repository) + (f" (branch {r.branch})" if r.branch else ""),
        pending=r.status == "pending",
    )


def rows(panel: SrtSlurm) -> list[RecipeRow]:
    """The recipes, workload by workload, strategy by strategy (the panel's order)."""
    order = {(w.id, s.id): i for i, (w, s) in enumerate((w, s) for w in panel.workload for s in panel.strategy)}
    return [_row(panel, r) for r in sorted(panel.recipe, key=lambda r: order.get((r.workload, r.strategy), len(order)))]


# The panel's own two choices (the page: workload x strategy), as chip dimensions.
WORKLOAD, STRATEGY = "srt-workload", "srt-strategy"


def chosen_recipe(panel: SrtSlurm, workload: str | None, strategy: str | None) -> SrtRecipe:
    """The recipe for (workload, strategy); an unknown or missing choice falls back to the
    panel's first workload / strategy that has a recipe."""
    by = {(r.workload, r.strategy): r for r in panel.recipe}
    wls = [w.id for w in panel.workload if any(k[0] == w.id for k in by)] or [panel.recipe[0].workload]
    wl = workload if workload in wls else wls[0]
    sts = [s.id for s in panel.strategy if (wl, s.id) in by] or [r.strategy for r in panel.recipe if r.workload == wl]
    return by[(wl, strategy if strategy in sts else sts[0])]


# (dim, id, label, enabled, selected, reason): a chip of the panel's rows (core.view makes it
# an OptionState; selection.py imports this module).
Chip = tuple[str, str, str, bool, bool, "str | None"]


def recipe_options(panel: SrtSlurm, recipe: SrtRecipe) -> dict[str, list[Chip]]:
    """The two chip rows of the panel; a strategy without a recipe for the chosen workload is greyed."""
    have = {(r.workload, r.strategy) for r in panel.recipe}
    workloads = [
        (WORKLOAD, w.id, w.label, any(k[0] == w.id for k in have), w.id == recipe.workload,
         None if any(k[0] == w.id for k in have) else f"no recipe for {w.label}")
        for w in panel.workload
    ]  # fmt: skip
    wl_label = next((w.label for w in panel.workload if w.id == recipe.workload), recipe.workload)
    strategies = [
        (STRATEGY, s.id, s.label, (recipe.workload, s.id) in have, s.id == recipe.strategy,
         None if (recipe.workload, s.id) in have else f"no {s.label} recipe for {wl_label}")
        for s in panel.strategy
    ]  # fmt: skip
    return {WORKLOAD: workloads, STRATEGY: strategies}


def recipe_badge(panel: SrtSlurm, recipe: SrtRecipe) -> tuple[str, str]:
    """The badge's words and its detail: what is true of a recipe (the page gives it no
    verification state)."""
    row = _row(panel, recipe)
    if row.pending:
        return "srt-slurm recipe · pending", f"Not merged upstream yet: it lives in {row.repository}."
    return "srt-slurm recipe", f"A recipe of {row.repository} (branch {panel.branch}), not a cookbook cell."


def panel_title(rules: Rules, panel: SrtSlurm) -> str:
    hw = rules.label("hw", panel.hw)
    return f"{hw} · {panel.model_label or rules.label('variant', panel.variant)}: NVIDIA srt-slurm recipes"


def _header(rules: Rules, panel: SrtSlurm) -> list[str]:
    return [
        f"# {panel_title(rules, panel)}",
        f"# No single command: clone {panel.repository} (branch {panel.branch}) and apply a recipe.",
    ]


def _block(panel: SrtSlurm, r: RecipeRow, mark: str = "") -> list[str]:
    pending = " [pending: not merged upstream yet]" if r.pending else ""
    return [
        f"# {mark}{r.workload} · {r.strategy}: {r.nodes} nodes — {r.description}{pending}",
        *([f"# from {r.repository}"] if r.repository.split(" ")[0] != panel.repository else []),
        r.apply,
    ]


def panel_lines(rules: Rules, panel: SrtSlurm) -> list[str]:
    """The panel as text: a header, then per recipe its row and its apply line."""
    out = _header(rules, panel)
    for r in rows(panel):
        out += ["", *_block(panel, r)]
    return out


def chosen_lines(rules: Rules, panel: SrtSlurm, recipe: SrtRecipe) -> list[str]:
    """The panel on screen: the chosen recipe with its apply line (what Copy copies), then
    the other recipes in one line each."""
    chosen = _row(panel, recipe)
    out = [*_header(rules, panel), "", *_block(panel, chosen, "▶ ")]
    others = [r for r in rows(panel) if r.apply != chosen.apply]
    if others:
        out += ["", "# The other recipes (choose Workload and Recipe above):"]
        out += [f"#   {r.workload} · {r.strategy}: {r.nodes} nodes — {r.description}" for r in others]
    return out


def panel_json(rules: Rules, panel: SrtSlurm) -> dict[str, Any]:
    return {
        "panel": "srt-slurm",
        "title": panel_title(rules, panel),
        "repository": panel.repository,
        "branch": panel.branch,
        "recipes": [r.__dict__ for r in rows(panel)],
    }
