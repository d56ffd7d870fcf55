"""The Playground's cards as the UI and the CLI see them: every knob with its choices, each
hidden or greyed with its reason; picking a choice; dropping picks that became hidden."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ..flags import flag_name, flag_value, has_flag, matches
from ..rules import Cell, Rules
from ..schema import KnobOption, PlaygroundFile
from ..selection import SameRules, Selection
from .apply_cards import (
    apply,
    apply_attention,
    base_backend,
    base_cell,
    base_quant,
    base_speculative,
    dp_size,
    effective_backend,
    forced_off,
    live_context,
)
from .apply_storage import base_select, select_shown, umbp_on
from .editor import disable_reason, knob_disabled
from .knobs import (
    SELECT,
    Slot,
    card_ids,
    card_title,
    choice_id,
    cli_keys,
    default_option,
    hidden_option,
    inherits,
    slot_for,
    slots,
    value_of,
)
from .state import INHERIT, Overrides

BASE_DIMS = frozenset({"hw", "variant", "quant", "strategy", "nodes", "vendor", "arch"})


@dataclass(frozen=True)
class Choice:
    """One option of a knob. Hidden choices are listed too (flagged), so the UI can filter."""

    id: str
    label: str
    hidden: bool = False
    disabled: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class KnobView:
    key: str  # the Overrides field
    cli: str  # the `dsv4 print --override` key
    label: str
    choices: tuple[Choice, ...]
    selected: str  # the id of the selected choice
    current: str | None  # the base's own value (choice id), None when the base does not define it
    hidden: bool = False
    reason: str | None = None
    hidden_by_base: bool = False  # its own `hide` matches the Deploy selection

    def choice(self, cid: str) -> Choice | None:
        return next((c for c in self.choices if c.id == cid), None)


@dataclass(frozen=True)
class CardView:
    id: str
    title: str
    knobs: tuple[KnobView, ...]
    hidden: bool = False
    reason: str | None = None
    hidden_by_base: bool = False  # hidden by the Deploy selection itself (not by another knob)

    def knob(self, key: str) -> KnobView:
        return next(k for k in self.knobs if k.key == key)


def _constraint_text(c: Mapping[str, Sequence[Any]]) -> str:
    return " and ".join(f"{k} is {' / '.join(str(v) for v in vs)}" for k, vs in c.items())


_hidden = hidden_option


def option_label(o: KnobOption, ctx: Mapping[str, Any]) -> str:
    """The option's label, or its `label_when` label while one matches."""
    return next((lw.label for lw in o.label_when if matches(lw.when, ctx)), o.label)


def _choice(o: KnobOption, ctx: Mapping[str, Any], current: str | None = None) -> Choice:
    label = option_label(o, ctx)
    if _hidden(o, ctx) and o.id != current:  # the base's own value is always shown
        if o.hidden_reason:
            why = o.hidden_reason
        elif matches(o.hide, ctx):
            why = f"not offered when {_constraint_text(o.hide or {})}"
        else:
            why = f"offered only when {_constraint_text(o.show_only or {})}"
        return Choice(o.id, label, hidden=True, reason=why)
    why = disable_reason(o, ctx)
    if why is not None:
        return Choice(o.id, label, disabled=True, reason=why or None)
    return Choice(o.id, label)


def _card_hidden(pg: PlaygroundFile, card: str, ctx: Mapping[str, Any]) -> tuple[bool, str | None, bool]:
    """(hidden, reason, hidden by the base alone) for a whole card (HiSparse, HiCache, UMBP,
    a flag select)."""
    if card.startswith(SELECT):
        fs = next(f for f in pg.flag_select if SELECT + f.id == card)
        if select_shown(fs, ctx):
            return False, None, False
        when = fs.show_when or {}
        by_base = not matches({k: v for k, v in when.items() if k in BASE_DIMS}, ctx)
        missing = {k: v for k, v in when.items() if not matches({k: v}, ctx)}
        return True, f"{fs.title} applies only when {_constraint_text(missing)}", by_base
    spec = getattr(pg, card)
    if not _hidden(spec, ctx):
        return False, None, False
    keys = set(getattr(spec, "hide", None) or {}) | set(getattr(spec, "show_only", None) or {})
    return True, getattr(spec, "hidden_reason", None), keys <= BASE_DIMS


def current_values(rules: Rules, base: Cell | None, ctx: Mapping[str, Any] | None = None) -> dict[str, str | None]:
    """Per knob: the choice id the base itself stands for (None = the base does not say)."""
    pg = rules.playground
    if base is None:
        return {"reasoning": "off", "tool_call": "off", "moe_quant": base_quant(rules, None)}
    flags, att = base.flags, pg.attention
    on = {True: "on", False: "off"}
    size = dp_size(rules, flags)
    out = {
        "tp": flag_value(flags, att.tp.flag),
        "dp_attention": "off" if size is None else str(size),
        "moe_backend": base_backend(rules, flags),
        "moe_quant": base_quant(rules, base),
        "ep": flag_value(flags, pg.moe.ep.flag),
        "reasoning": on[has_flag(flags, flag_name(pg.parsers.reasoning.flag))],
        "tool_call": on[has_flag(flags, flag_name(pg.parsers.tool_call.flag))],
        "speculative": base_speculative(rules, flags),
    }
    if pg.umbp is not None:
        out["umbp"] = on[umbp_on(rules, base, Overrides(pd_mode=(ctx or {}).get("pd_mode", "off")), ctx or {})]
    for fs in pg.flag_select:
        out[SELECT + fs.id] = base_select(fs, flags)
    return out


def _knob_view(
    slot: Slot, rules: Rules, ov: Overrides, current: str | None, ctx, backend: str | None, base_runs_backend: bool
) -> KnobView:
    pg = rules.playground
    value = slot.get(ov)
    inherit = slot.inherit(pg)
    choices = [Choice(INHERIT, inherit)] if inherit is not None and current is None else []
    # The base's own value is always shown (a quantization only where the base runs its backend).
    runs = slot.key != "moe_quant" or base_runs_backend
    choices += [_choice(o, ctx, current if runs else None) for o in slot.options(pg)]
    if inherits(slot, value):
        default = getattr(slot.spec(pg), "default", None) if slot.key.startswith(SELECT) else None
        selected = default if default is not None else (current if current is not None else INHERIT)
    else:
        selected = choice_id(slot, pg, value, ctx)
    hidden, reason = False, None
    spec = slot.spec(pg) if not slot.toggle else None
    bq = pg.moe.backend_quant
    if slot.key == "moe_quant" and backend != bq.backend:
        backend_label = next((o.label for o in pg.moe.backend.option if o.id == bq.backend), bq.backend)
        hidden, reason = True, f"{bq.label} applies to the {backend_label} backend only"
    by_base = False
    if spec is not None and matches(getattr(spec, "hide", None), ctx):
        hidden, reason = True, getattr(spec, "hidden_reason", None)
        by_base = set(spec.hide) <= BASE_DIMS
    grey = knob_disabled(spec, ctx) if spec is not None else None
    if slot.key == "dp_attention":
        force = forced_off(rules, ctx)
        if force is not None:
            grey, selected = force, "off"
    if grey is not None:  # the whole knob is greyed: every choice says why
        choices = [c if c.hidden else replace(c, disabled=True, reason=grey.reason) for c in choices]
    return KnobView(slot.key, slot.cli(pg), slot.label(pg), tuple(choices), selected, current, hidden, reason, by_base)


def cards(rules: Rules, sel: Selection, overrides: Overrides) -> tuple[CardView, ...]:
    """Every card and knob for the base `sel` and the state `overrides`, in page order
    (see `_cards`). Remembered for the last few states: one Playground recompute asks for
    the same cards two or three times (revert_hidden, then the view)."""
    return _cards_of(SameRules(rules), sel, overrides)


@lru_cache(maxsize=32)
def _cards_of(key: SameRules, sel: Selection, overrides: Overrides) -> tuple[CardView, ...]:
    return _cards(key.rules, sel, overrides)


def _cards(rules: Rules, sel: Selection, overrides: Overrides) -> tuple[CardView, ...]:
    """Every card and knob for the base `sel` and the state `overrides`, in page order.

    Constraints are evaluated on the Deploy selection + vendor + arch + dp_attn_on (after
    the attention card) + the PD mode + the speculative algorithm (a flag select sees the
    command as the cards before it left it). A knob the base defines shows that value as
    selected and offers no inherit choice.
    """
    pg = rules.playground
    base = base_cell(rules, sel)
    base_flags = base.flags if base else []
    _, attn = apply_attention(rules, [], base_flags, overrides, live_context(rules, sel, base_flags, overrides))
    ctx = live_context(rules, sel, attn, overrides)
    if base is not None:
        ctx["spec_algorithm"] = live_context(rules, sel, apply(rules, sel, overrides)[1], overrides)["spec_algorithm"]
    current = current_values(rules, base, ctx)
    backend = effective_backend(rules, base, overrides)
    runs = base is not None and base_backend(rules, base.flags) == pg.moe.backend_quant.backend
    out = []
    every = slots(pg)
    for card in card_ids(pg):
        hidden, reason, by_base = _card_hidden(pg, card, ctx)
        knobs = tuple(
            _knob_view(s, rules, overrides, current.get(s.key), ctx, backend, runs) for s in every if s.card == card
        )
        out.append(CardView(card, card_title(pg, card), knobs, hidden, reason, by_base))
    return tuple(out)


def knob_view(rules: Rules, sel: Selection, overrides: Overrides, key: str) -> KnobView:
    """One knob of `cards(...)` by its Overrides field name."""
    slot = slot_for(rules.playground, key)
    assert slot is not None, key
    return next(c for c in cards(rules, sel, overrides) if c.id == slot.card).knob(slot.key)


class UnknownChoice(ValueError):
    """An unknown knob key or choice id; the message lists the valid ones."""


def set_choice(rules: Rules, overrides: Overrides, key: str, choice_id_: str) -> Overrides:
    """The state after picking `choice_id_` on the knob `key` (Overrides field or CLI key).

    `INHERIT` returns the knob to inherit; picking a knob's default option stores the
    default, so the state stays "untouched". Availability is not checked here: see `cards`
    (the CLI refuses hidden/disabled picks, the UI does not offer them).
    """
    pg = rules.playground
    slot = slot_for(pg, key)
    if slot is None:
        raise UnknownChoice(f"unknown override {key!r}; valid: {', '.join(cli_keys(pg))}")
    if choice_id_ == INHERIT:
        return slot.put(overrides, slot.default)
    options = slot.options(pg)
    for o in options:
        if o.id == choice_id_:
            keep_default = (
                not slot.from_base and o.id == default_option(slot, pg).id and not _has_default_when(slot, pg)
            )
            return slot.put(overrides, slot.default if keep_default else value_of(o))
    valid = [o.id for o in options] + ([INHERIT] if slot.from_base else [])
    raise UnknownChoice(f"unknown {slot.cli(pg)} value {choice_id_!r}; valid: {', '.join(valid)}")


def _has_default_when(slot: Slot, pg: PlaygroundFile) -> bool:
    """A knob whose default depends on the selection keeps an explicit pick of any option."""
    return any(o.default_when is not None for o in slot.options(pg))


def revert_hidden(rules: Rules, sel: Selection, overrides: Overrides) -> Overrides:
    """Picks that are hidden for the base `sel` return to inherit; disabled picks stay.

    A pick is hidden when its option is hidden, or its card is hidden by the base alone
    (HiCache on RTX PRO 6000). HiSparse, hidden while PD mode is not decode (a Playground
    knob, not the base), keeps its pick for when Decode is chosen again.
    """
    if overrides.is_untouched():
        return overrides  # nothing picked, nothing to drop
    pg, ov = rules.playground, overrides
    out = ov
    for card in cards(rules, sel, ov):
        for kv in card.knobs:
            slot = slot_for(pg, kv.key)
            assert slot is not None, kv.key
            value = slot.get(ov)
            if value == slot.default:
                continue
            chosen = kv.choice(choice_id(slot, pg, value))
            if card.hidden_by_base or kv.hidden_by_base or chosen is None or chosen.hidden:
                out = slot.put(out, slot.default)
    return out
