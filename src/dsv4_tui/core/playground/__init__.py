"""The Playground engine: overrides on top of the Deploy cell, without any UI.

It behaves like the cookbook page's Playground (tests/test_playground_scenarios.py replays
its 33 scenarios). The knobs themselves (values, flags, env,
hide/disable rules and their reasons) are data in rules/playground.toml.

- `Overrides` (state.py): the knob state (frozen, hashable; every knob starts at inherit).
- `cards(rules, sel, overrides)` (views.py): every card and knob with its choices, each
  flagged hidden / disabled with a reason; `set_choice`, `revert_hidden`.
- `apply(rules, sel, overrides)` (apply_cards.py): the (env, flags) after every card.
- `playground(rules, sel, overrides, framing, subst)` (result.py): the `PlaygroundResult`
  to show (command text, base text, diff, router, cURL, badge, sibling match, Submit).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# Where each name lives, imported on first use (PEP 562): the app needs `Overrides` to start,
# the engine only once the Playground is built (after its first frame).
_WHERE = {
    **dict.fromkeys(("apply", "base_cell", "dp_attn_on", "touched"), "apply_cards"),
    **dict.fromkeys(("SLOTS", "Slot", "cli_keys", "on_box", "rules_on_box", "slot_for", "slots"), "knobs"),
    **dict.fromkeys(
        (
            "NO_BASE",
            "NO_CELL",
            "PlaygroundResult",
            "matching_cell",
            "pd_banner",
            "playground",
            "render_playground",
            "router_command",
        ),
        "result",
    ),
    **dict.fromkeys(("DEFAULTS", "INHERIT", "PD_MODES", "BoxFacts", "Overrides"), "state"),
    **dict.fromkeys(
        ("CardView", "Choice", "KnobView", "UnknownChoice", "cards", "knob_view", "revert_hidden", "set_choice"),
        "views",
    ),
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .apply_cards import apply, base_cell, dp_attn_on, touched
    from .knobs import SLOTS, Slot, cli_keys, on_box, rules_on_box, slot_for, slots
    from .result import (
        NO_BASE,
        NO_CELL,
        PlaygroundResult,
        matching_cell,
        pd_banner,
        playground,
        render_playground,
        router_command,
    )
    from .state import DEFAULTS, INHERIT, PD_MODES, BoxFacts, Overrides
    from .views import CardView, Choice, KnobView, UnknownChoice, cards, knob_view, revert_hidden, set_choice

__all__ = [
    "DEFAULTS",
    "BoxFacts",
    "INHERIT",
    "NO_BASE",
    "NO_CELL",
    "PD_MODES",
    "SLOTS",
    "CardView",
    "Choice",
    "KnobView",
    "Overrides",
    "PlaygroundResult",
    "Slot",
    "UnknownChoice",
    "apply",
    "base_cell",
    "cards",
    "cli_keys",
    "dp_attn_on",
    "knob_view",
    "matching_cell",
    "on_box",
    "pd_banner",
    "playground",
    "render_playground",
    "revert_hidden",
    "router_command",
    "rules_on_box",
    "set_choice",
    "slot_for",
    "slots",
    "touched",
]
