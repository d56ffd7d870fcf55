"""What the panes show, computed in one place from (rules, selection, framing, env, …).

The UI only displays a `DeployView` / `PlaygroundView`; it never builds commands itself.
The same functions serve `dsv4 print`, the tests and the benchmarks, so the screen and the
CLI agree.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import TYPE_CHECKING

from .bench import bench_lines
from .env import Env
from .flags import flag_value
from .formats import framing as get_framing
from .frozen import frozen
from .gpus import Detection
from .lookup import docker_image, model_name
from .render import (
    badge,
    badge_state,
    cell_corrections,
    cell_note_items,
    cell_notes,
    cell_warn,
    render_command,
    render_curl,
)
from .rules import DIMS, Rules
from .selection import OptionState, Selection, availability
from .srt_panel import chosen_lines, chosen_recipe, panel_for, recipe_badge, recipe_options

if TYPE_CHECKING:  # the Playground's engine loads with the Playground (see playground_view)
    from .playground import CardView, Overrides, PlaygroundResult

# Cookbook defaults meant to be replaced by hand: `<node0-ip>`, `<your-hf-token>`, …
TODO_PLACEHOLDER = re.compile(r"<[a-z0-9][a-z0-9-]*>")


def unfilled(text: str) -> list[str]:
    """The fill-me-in placeholders left in a command, each once, in order."""
    return list(dict.fromkeys(TODO_PLACEHOLDER.findall(text)))


@frozen
class DeployView:
    selection: Selection
    framing: str
    options: dict[str, list[OptionState]]
    command: str  # the real text: what Copy and print-on-exit hand over
    display: str  # the same with secrets masked, for the screen
    curl: str
    curl_target: str  # "localhost:31000, from PORT"
    model_name: str
    badge: str
    derived_from: str | None
    notes: list[str]
    multi_node: bool
    has_roles: bool
    image: str
    install: list[str]
    warnings: list[str] = field(default_factory=list)
    badge_state: str = "unverified"  # verified | in-progress | unverified | srt (an srt-slurm recipe)
    warn: str | None = None  # the banner under the command, links as "label (URL)"
    note_items: list[tuple[str, str]] = field(default_factory=list)  # (warn | info, text)
    speed: list[str] = field(default_factory=list)  # the measured speed (or that there is none)
    srt_panel: bool = False  # the selection is the srt-slurm recipes panel: `command` is the chosen recipe's
    # apply line, `display` the panel (the chosen recipe, then the others)
    srt_options: dict[str, list[OptionState]] = field(default_factory=dict)  # its workload and strategy chips
    badge_detail: str = ""  # what the badge means, when the view says it (the srt-slurm panel)


def curl_target(env: Env) -> str:
    """Where the probe goes, and why there: "localhost:31000, from PORT"."""
    host, port, followed = env.probe_target()
    return f"{host}:{port}, from {followed}" if followed else f"{host}:{port}"


def framing_notes(rules: Rules, framing: str, env: Env) -> list[str]:
    """What the framing does with the Env: a token set in Env reaches only framings that pass it."""
    token = rules.model.docker.token_env
    if token in env.placeholders and not env.is_default(token) and not get_framing(framing).passes_token:
        return [f"{token} from Env is passed by the Docker framing only; here, run `export {token}=…` first."]
    return []


def deploy_view(
    rules: Rules,
    sel: Selection,
    framing: str,
    env: Env,
    detection: Detection | None = None,
    srt: tuple[str | None, str | None] = (None, None),
) -> DeployView:
    """`srt`: the (workload, strategy) chosen on the srt-slurm panel (None: the first, and the
    selection's strategy)."""
    cell = rules.cell(sel)
    subst = env.subst()
    panel = panel_for(rules, sel) if cell is None else None
    recipe = chosen_recipe(panel, srt[0], srt[1] or sel.strategy) if panel is not None else None
    if panel is not None and recipe is not None:  # no cell and no made-up command: the recipes
        command = panel.apply.format(path=recipe.path)
        display = "\n".join(chosen_lines(rules, panel, recipe))
    else:
        command = render_command(rules, sel, framing, subst)
        secrets = env.secrets()
        display = render_command(rules, sel, framing, subst.with_values(**secrets)) if secrets else command
    return DeployView(
        selection=sel,
        framing=framing,
        options=availability(rules, sel),
        command=command,
        display=display,
        curl=render_curl(rules, sel, subst),
        curl_target=curl_target(env),
        model_name=model_name(rules, sel),
        badge=recipe_badge(panel, recipe)[0] if panel and recipe else badge(rules, cell),
        derived_from=cell.derived_from if cell else None,
        notes=[*cell_notes(rules, cell), *cell_corrections(rules, cell), *framing_notes(rules, framing, env)],
        multi_node=rules.node_count(sel.nodes) > 1,
        has_roles=bool(cell and cell.has_roles),
        image=docker_image(rules, sel),
        install=get_framing(framing).install(rules, sel),
        warnings=hardware_warnings(rules, sel, detection),
        badge_state="srt" if panel else badge_state(cell),
        warn=cell_warn(rules, cell, urls=True),
        note_items=cell_note_items(rules, cell),
        speed=bench_lines(rules, sel) if cell is not None else [],
        srt_panel=panel is not None,
        srt_options={d: [OptionState(*c) for c in cs] for d, cs in recipe_options(panel, recipe).items()}
        if panel and recipe
        else {},
        badge_detail=recipe_badge(panel, recipe)[1] if panel and recipe else "",
    )


def gpus_needed_per_node(rules: Rules, sel: Selection) -> int | None:
    """TP / nodes of the cell (None for role cells or cells without a TP flag)."""
    cell = rules.cell(sel)
    if cell is None or cell.has_roles:
        return None
    tp = flag_value(cell.flags, rules.playground.attention.tp.flag)
    if not tp or not tp.isdigit():
        return None
    return max(1, int(tp) // rules.node_count(sel.nodes))


def hardware_warnings(rules: Rules, sel: Selection, detection: Detection | None) -> list[str]:
    if detection is None:
        return []
    out = []
    if detection.hw_id != sel.hw:
        out.append(f"This recipe is for {rules.label('hw', sel.hw)}; this box has {detection.summary()}.")
    need = gpus_needed_per_node(rules, sel)
    if need and detection.count < need:
        nodes = rules.node_count(sel.nodes)
        per = " per node" if nodes > 1 else ""
        out.append(f"This recipe needs {need} GPUs{per} (TP {need * nodes}); this box has {detection.count}.")
    return out


@frozen
class PlaygroundView:
    """What the Playground pane shows: the cards and the result on the live Deploy base."""

    selection: Selection
    framing: str
    cards: tuple[CardView, ...]
    result: PlaygroundResult
    display: str  # the command with secrets masked (diff lines use the same masking)
    diff: tuple  # tuple[DiffLine, ...] of the masked texts
    base_summary: str  # "B200 · Flash · FP4 · High-Throughput · Single Node"
    notes: tuple[str, ...] = ()


def playground_view(rules: Rules, sel: Selection, overrides: Overrides, framing: str, env: Env) -> PlaygroundView:
    from .playground import cards, playground

    subst = env.subst()
    result = playground(rules, sel, overrides, framing, subst)
    secrets = env.secrets()
    if secrets and result.has_base:
        masked = playground(rules, sel, overrides, framing, subst.with_values(**secrets))
        display, diff = masked.text, masked.diff
    else:
        display, diff = result.text, result.diff
    summary = " · ".join(rules.label(d, sel[d]) for d in DIMS)
    notes = (*result.notes, *framing_notes(rules, framing, env)) if result.has_base else ()
    return PlaygroundView(sel, framing, cards(rules, sel, result.overrides), result, display, diff, summary, notes)
