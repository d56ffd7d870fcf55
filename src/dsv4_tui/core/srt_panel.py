"""The srt-slurm recipes panel (`[srt_slurm]`, srt_slurm.toml): selections the cookbook serves
with NVIDIA srt-slurm recipes (prefill / decode disaggregation) instead of a cell — its
hardware and variant on more than one node. dsv4 shows the recipes and the line that applies
each; it never makes up a command for those selections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .rules import Rules
from .schema import SrtRecipe, SrtSlurm


@dataclass(frozen=True)
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


def rows(panel: SrtSlurm) -> list[RecipeRow]:
    """The recipes, workload by workload, strategy by strategy (the panel's order)."""
    wl = {w.id: w.label for w in panel.workload}
    st = {s.id: s.label for s in panel.strategy}
    order = {(w.id, s.id): i for i, (w, s) in enumerate((w, s) for w in panel.workload for s in panel.strategy)}
    out = []
    for r in sorted(panel.recipe, key=lambda r: order.get((r.workload, r.strategy), len(order))):
        text, total = _nodes(r)
        out.append(
            RecipeRow(
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
        )
    return out


def panel_title(rules: Rules, panel: SrtSlurm) -> str:
    hw = rules.label("hw", panel.hw)
    return f"{hw} · {panel.model_label or rules.label('variant', panel.variant)}: NVIDIA srt-slurm recipes"


def panel_lines(rules: Rules, panel: SrtSlurm) -> list[str]:
    """The panel as text: a header, then per recipe its row and its apply line."""
    out = [
        f"# {panel_title(rules, panel)}",
        f"# No single command: clone {panel.repository} (branch {panel.branch}) and apply a recipe.",
    ]
    for r in rows(panel):
        pending = " [pending: not merged upstream yet]" if r.pending else ""
        out += [
            "",
            f"# {r.workload} · {r.strategy}: {r.nodes} nodes — {r.description}{pending}",
            *([f"# from {r.repository}"] if r.repository.split(" ")[0] != panel.repository else []),
            r.apply,
        ]
    return out


def panel_json(rules: Rules, panel: SrtSlurm) -> dict[str, Any]:
    return {
        "panel": "srt-slurm",
        "title": panel_title(rules, panel),
        "repository": panel.repository,
        "branch": panel.branch,
        "recipes": [r.__dict__ for r in rows(panel)],
    }
