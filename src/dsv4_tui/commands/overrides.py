"""`--override KEY=VALUE`: Playground overrides from the command line, refused in CLI words.

Keys and values are the knob ids of rules/playground.toml (values: ids or labels, any
case). A value the Playground hides or greys out for the selection exits 2, and the
message says what to add on the command line (`--nodes multi-2`,
`--override dp-attention=off`), never "the Deploy panel" or "the card above".
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.ids import UnknownId, find_id
from ..core.playground import (
    INHERIT,
    CardView,
    KnobView,
    Overrides,
    UnknownChoice,
    cards,
    cli_keys,
    set_choice,
    slot_for,
)
from ..core.rules import DIMS, Rules
from ..core.schema import KnobOption
from ..core.selection import Selection
from ..errors import UsageError


def parse_overrides(rules: Rules, items: Sequence[str]) -> tuple[Overrides, dict[str, str]]:
    """`KEY=VALUE` strings into Overrides, plus {key: choice id} as given (the last one wins)."""
    pg = rules.playground
    ov, given = Overrides(), {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep:
            raise UsageError(f"--override {item!r}: expected KEY=VALUE; keys: {', '.join(cli_keys(pg))}")
        slot = slot_for(pg, key)
        if slot is None:
            raise UsageError(str(UnknownId("--override key", key, cli_keys(pg), _close(key, cli_keys(pg)))))
        choices = [(o.id, o.label) for o in slot.options(pg)] + ([(INHERIT, INHERIT)] if slot.from_base else [])
        try:
            choice = find_id(value, choices, "value")
        except UnknownId as exc:
            raise UsageError(f"--override {slot.cli(pg)}={value}: {exc}") from None
        try:
            ov = set_choice(rules, ov, slot.key, choice)
        except UnknownChoice as exc:  # pragma: no cover - find_id checked the choice
            raise UsageError(f"--override {slot.cli(pg)}: {exc}") from None
        given[slot.key] = choice
    return ov, given


def _close(word: str, valid: Sequence[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return found[0] if found else None


# --------------------------------------------------------------------------- CLI words


def constraint_words(rules: Rules, constraint: Mapping[str, Sequence[Any]]) -> str:
    """A constraint in command-line words: "with --strategy high-throughput on blackwell hardware"."""
    pg = rules.playground
    parts = []
    for key, values in constraint.items():
        if key in DIMS:
            parts.append("with " + " or ".join(f"--{key} {v}" for v in values))
        elif key in ("vendor", "arch"):
            parts.append(f"on {' / '.join(str(v) for v in values)} hardware")
        elif key == "dp_attn_on":
            parts.append(f"while DP-attention is {'on' if True in values else 'off'}")
        elif key == "pd_mode":
            cli = slot_for(pg, "pd_mode").cli(pg)  # type: ignore[union-attr]
            parts.append("with " + " or ".join(f"--override {cli}={v}" for v in values))
    return " ".join(parts)


def _other_nodes(rules: Rules, sel: Selection) -> list[str]:
    """The other --nodes values with a cell for the rest of this selection."""
    return [
        c.nodes
        for c in rules.cells
        if (c.hw, c.variant, c.quant, c.strategy) == (sel.hw, sel.variant, sel.quant, sel.strategy)
        and c.nodes != sel.nodes
    ]


def disabled_words(rules: Rules, sel: Selection, o: KnobOption) -> str:
    """Why a greyed option cannot be used, and what to add to the command line."""
    if o.disabled or not o.disable:
        return o.reason or "not available"
    keys = set(o.disable)
    if keys == {"nodes"}:
        others = _other_nodes(rules, sel)
        if others:
            return f"not available with --nodes {sel.nodes}: add --nodes {others[0]}"
        return f"not available with --nodes {sel.nodes}, and {sel.text} has no cell on other nodes"
    if keys == {"dp_attn_on"}:
        cli = slot_for(rules.playground, "dp_attention").cli(rules.playground)  # type: ignore[union-attr]
        return f"not available while DP-attention is on: add --override {cli}=off"
    return f"not available {constraint_words(rules, o.disable)}"


def hidden_words(rules: Rules, o: Any) -> str:
    """Why a hidden option (or card) is not offered, in command-line words."""
    if getattr(o, "show_only", None):
        return f"offered only {constraint_words(rules, o.show_only)}"
    return f"not offered {constraint_words(rules, o.hide or {})}"


def _knob_hidden_words(rules: Rules, sel: Selection, knob: KnobView, views: Sequence[CardView]) -> str:
    """The backend quantization is hidden while its backend is not in effect."""
    pg = rules.playground
    backend_id = pg.moe.backend_quant.backend
    backend = next(o for o in pg.moe.backend.option if o.id == backend_id)
    backend_choice = next(c for c in views if c.id == "moe").knob("moe_backend").choice(backend_id)
    if backend_choice is not None and backend_choice.hidden:
        return f"{knob.reason}, which is {hidden_words(rules, backend)}"
    return f"{knob.reason}: add --override {slot_for(pg, 'moe_backend').cli(pg)}={backend_id}"  # type: ignore[union-attr]


def check_available(rules: Rules, sel: Selection, ov: Overrides, given: dict[str, str]) -> None:
    """Refuse a value that is hidden or greyed out for `sel` with the final state `ov`."""
    pg = rules.playground
    views = cards(rules, sel, ov)
    for key, choice in given.items():
        slot = slot_for(pg, key)
        assert slot is not None
        if slot.get(ov) == slot.default or choice == INHERIT:
            continue  # asks for nothing
        card = next(c for c in views if c.id == slot.card)
        view = card.knob(slot.key)
        where = f"--override {slot.cli(pg)}={choice} ({sel.text})"
        if card.hidden and not hasattr(pg, card.id):  # a flag select: its reason names what it needs
            raise UsageError(f"{where}: not available: {card.reason}")
        if card.hidden:
            raise UsageError(f"{where}: {card.title} is {hidden_words(rules, getattr(pg, card.id))}")
        if view.hidden:
            raise UsageError(f"{where}: not available: {_knob_hidden_words(rules, sel, view, views)}")
        found = view.choice(choice)
        option = next((o for o in slot.options(pg) if o.id == choice), None)
        if found is not None and found.hidden and option is not None:
            raise UsageError(f"{where}: not available: {found.reason}; {hidden_words(rules, option)}")
        if found is not None and found.disabled and option is not None:
            if option.disable is None and found.reason:  # a `disable_if` (of the option or its knob)
                raise UsageError(f"{where}: disabled: {found.reason}")
            raise UsageError(f"{where}: disabled: {disabled_words(rules, sel, option)}")


def check_accepted(rules: Rules, sel: Selection, ov: Overrides, items: Sequence[str]) -> None:
    """Refuse overrides that together build a command SGLang refuses: what the Playground
    greys (core/option_gate.py), with the rule's reason."""
    if not items:
        return
    from ..core.option_gate import refused_overrides
    from ..host.lint_setup import make_linter

    why = refused_overrides(make_linter(rules).linter, rules, sel, ov)
    if why is not None:
        given = " ".join(f"--override {item}" for item in items)
        raise UsageError(f"{given} ({sel.text}): refused: {why}")


def overrides_of(rules: Rules, sel: Selection, args: argparse.Namespace) -> Overrides | None:
    """The `--override` items of `args` for `sel`, checked (UsageError); None when none given."""
    items = getattr(args, "override", None) or []
    if not items:
        return None
    ov, given = parse_overrides(rules, items)
    check_available(rules, sel, ov, given)
    check_accepted(rules, sel, ov, items)
    return ov
