"""What the Deploy pane shows, computed in one place from (rules, selection, framing, env).

The UI only displays a `DeployView`; it never builds commands itself. The same function
serves `dsv4 print`, the tests and the benchmarks, so the screen and the CLI agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .env import Env
from .render import (
    badge,
    docker_image,
    flag_value,
    install_steps,
    model_name,
    mtp_note,
    render_command,
    render_curl,
)
from .rules import DIMS, Rules
from .selection import OptionState, Selection, availability

if TYPE_CHECKING:
    from .detect import Detection

# Cookbook defaults meant to be replaced by hand: `<node0-ip>`, `<your-hf-token>`, …
TODO_PLACEHOLDER = re.compile(r"<[a-z0-9][a-z0-9-]*>")


@dataclass(frozen=True)
class DeployView:
    selection: Selection
    framing: str
    options: dict[str, list[OptionState]]
    command: str  # the real text: what Copy and print-on-exit hand over
    display: str  # the same with secrets masked, for the screen
    curl: str
    model_name: str
    badge: str
    derived_from: str | None
    mtp_note: str | None
    multi_node: bool
    has_roles: bool
    image: str
    install: list[str]
    warnings: list[str] = field(default_factory=list)


def deploy_view(
    rules: Rules,
    sel: Selection,
    framing: str,
    env: Env,
    detection: "Detection | None" = None,
) -> DeployView:
    cell = rules.cell(sel)
    subst = env.subst()
    command = render_command(rules, sel, framing, subst)
    secrets = {k: env.masked(k) for k, ph in env.placeholders.items() if ph.secret and not env.is_default(k)}
    display = render_command(rules, sel, framing, subst.with_values(**secrets)) if secrets else command
    nodes = rules.by_id["nodes"][sel.nodes].count
    return DeployView(
        selection=sel,
        framing=framing,
        options=availability(rules, sel),
        command=command,
        display=display,
        curl=render_curl(rules, sel, subst),
        model_name=model_name(rules, sel),
        badge=badge(cell),
        derived_from=cell.derived_from if cell else None,
        mtp_note=mtp_note(cell),
        multi_node=nodes > 1,
        has_roles=bool(cell and cell.has_roles),
        image=docker_image(rules, sel.hw, sel.quant),
        install=install_steps(rules, sel, framing),
        warnings=hardware_warnings(rules, sel, detection),
    )


def gpus_needed_per_node(rules: Rules, sel: Selection) -> int | None:
    """TP / nodes of the cell (None for role cells or cells without --tp)."""
    cell = rules.cell(sel)
    if cell is None or cell.has_roles:
        return None
    tp = flag_value(cell.flags, "--tp")
    if not tp or not tp.isdigit():
        return None
    nodes = rules.by_id["nodes"][sel.nodes].count
    return max(1, int(tp) // nodes)


def hardware_warnings(rules: Rules, sel: Selection, detection: "Detection | None") -> list[str]:
    if detection is None:
        return []
    out = []
    seen = detection.label().removesuffix(" detected")
    if detection.hw_id != sel.hw:
        out.append(f"This recipe is for {rules.label('hw', sel.hw)}; this box has {seen}.")
    need = gpus_needed_per_node(rules, sel)
    if need and detection.count < need:
        nodes = rules.by_id["nodes"][sel.nodes].count
        per = " per node" if nodes > 1 else ""
        out.append(f"This recipe needs {need} GPUs{per} (TP {need * nodes}); this box has {detection.count}.")
    return out


@dataclass(frozen=True)
class PlaygroundView:
    """What the Playground pane shows: the cards and the result on the live Deploy base."""

    selection: Selection
    framing: str
    cards: tuple  # tuple[CardView, ...]
    result: object  # PlaygroundResult
    display: str  # the command with secrets masked (diff lines use the same masking)
    diff: tuple  # tuple[DiffLine, ...] of the masked texts
    base_summary: str  # "B200 · Flash · FP4 · High-Throughput · Single Node"


def playground_view(rules: Rules, sel: Selection, overrides, framing: str, env: Env) -> PlaygroundView:
    from .playground import cards, playground

    subst = env.subst()
    result = playground(rules, sel, overrides, framing, subst)
    secrets = {k: env.masked(k) for k, ph in env.placeholders.items() if ph.secret and not env.is_default(k)}
    if secrets and result.has_base:
        masked = playground(rules, sel, overrides, framing, subst.with_values(**secrets))
        display, diff = masked.text, masked.diff
    else:
        display, diff = result.text, result.diff
    summary = " · ".join(rules.label(d, sel[d]) for d in DIMS)
    return PlaygroundView(sel, framing, cards(rules, sel, result.overrides), result, display, diff, summary)
