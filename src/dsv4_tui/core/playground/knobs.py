"""The Playground's knob slots: which card each knob is on, which `Overrides` field holds
it, and where its label, `--override` key, inherit label and options live in the rules."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..flags import matches
from ..rules import Rules
from ..schema import KnobOption, PlaygroundFile
from .state import DEFAULTS, INHERIT, BoxFacts

CARD_ORDER = ("attention", "moe", "parsers", "speculative", "pd", "hisparse", "hicache", "umbp")
SELECT = "select-"  # the card id and Overrides key of a flag select: "select-<id>"
_TOGGLE = (KnobOption(id="on", label="On", value=True), KnobOption(id="off", label="Off", value=False))


@dataclass(frozen=True)
class Slot:
    """One knob: its card, its Overrides field and the dotted path of its data.

    `from_base`: the knob's default (None) keeps what the base cell says; otherwise its
    default is an option of its own (the PD, HiSparse and HiCache cards)."""

    card: str
    key: str
    path: str
    toggle: bool = False  # on / off (its data has a label and a cli key, no options)
    from_base: bool = True

    def spec(self, pg: PlaygroundFile) -> Any:
        obj: Any = pg
        for name in self.path.split("."):
            obj = getattr(obj, name)
        return obj

    def cli(self, pg: PlaygroundFile) -> str:
        return self.spec(pg).cli

    def label(self, pg: PlaygroundFile) -> str:
        return self.spec(pg).label

    def inherit(self, pg: PlaygroundFile) -> str | None:
        return getattr(self.spec(pg), "inherit", None)

    def options(self, pg: PlaygroundFile) -> Sequence[KnobOption]:
        return _TOGGLE if self.toggle else self.spec(pg).option

    @property
    def default(self) -> Any:
        return None if self.key.startswith(SELECT) else DEFAULTS[self.key]

    def get(self, ov: Any) -> Any:
        return ov.select(self.key[len(SELECT) :]) if self.key.startswith(SELECT) else getattr(ov, self.key)

    def put(self, ov: Any, value: Any) -> Any:
        if self.key.startswith(SELECT):
            return ov.with_select(self.key[len(SELECT) :], value)
        return dataclasses.replace(ov, **{self.key: value})


@dataclass(frozen=True)
class SelectSlot(Slot):
    """A flag select of the rules (`[[flag_select]]`): its own card."""

    index: int = 0

    def spec(self, pg: PlaygroundFile) -> Any:
        return pg.flag_select[self.index]

    def label(self, pg: PlaygroundFile) -> str:
        return self.spec(pg).title


SLOTS: tuple[Slot, ...] = (
    Slot("attention", "tp", "attention.tp"),
    Slot("attention", "cp", "attention.cp"),
    Slot("attention", "dp_attention", "attention.dp_attention"),
    Slot("moe", "moe_backend", "moe.backend"),
    Slot("moe", "moe_quant", "moe.backend_quant"),
    Slot("moe", "ep", "moe.ep"),
    Slot("parsers", "reasoning", "parsers.reasoning", toggle=True),
    Slot("parsers", "tool_call", "parsers.tool_call", toggle=True),
    Slot("speculative", "speculative", "speculative"),
    Slot("pd", "pd_mode", "pd.mode", from_base=False),
    Slot("pd", "pd_transfer", "pd.transfer", from_base=False),
    Slot("pd", "pd_ib_device", "pd.ib_device", from_base=False),
    Slot("hisparse", "hisparse", "hisparse.enable", toggle=True, from_base=False),
    Slot("hisparse", "hisparse_ratio", "hisparse.host_ratio", from_base=False),
    Slot("hicache", "hicache", "hicache.enable", toggle=True, from_base=False),
    Slot("hicache", "hicache_backend", "hicache.backend", from_base=False),
    Slot("hicache", "hicache_write_policy", "hicache.write_policy", from_base=False),
    Slot("umbp", "umbp", "umbp.enable", toggle=True),
    Slot("umbp", "umbp_backend", "umbp.backend", from_base=False),
)
SLOT_BY_KEY = {s.key: s for s in SLOTS}


def slots(pg: PlaygroundFile) -> tuple[Slot, ...]:
    """Every knob of these rules: the fixed ones (UMBP only where the rules have the card),
    then one per flag select."""
    fixed = tuple(s for s in SLOTS if s.card != "umbp" or pg.umbp is not None)
    return fixed + tuple(SelectSlot(SELECT + fs.id, SELECT + fs.id, "", index=i) for i, fs in enumerate(pg.flag_select))


def card_ids(pg: PlaygroundFile) -> tuple[str, ...]:
    return tuple(c for c in CARD_ORDER if c != "umbp" or pg.umbp is not None) + tuple(
        SELECT + fs.id for fs in pg.flag_select
    )


def slot_for(pg: PlaygroundFile, key: str) -> Slot | None:
    """The slot of an Overrides field name (or "select-<id>") or an `--override` key."""
    every = slots(pg)
    return next((s for s in every if s.key == key), None) or next((s for s in every if s.cli(pg) == key), None)


def cli_keys(pg: PlaygroundFile) -> list[str]:
    return [s.cli(pg) for s in slots(pg)]


def card_title(pg: PlaygroundFile, card: str) -> str:
    if card.startswith(SELECT):
        return next(fs.title for fs in pg.flag_select if SELECT + fs.id == card)
    spec = getattr(pg, card)
    return getattr(spec, "title", None) or spec.label


def option(options: Sequence[KnobOption], oid: str) -> KnobOption:
    for o in options:
        if o.id == oid:
            return o
    raise KeyError(f"unknown option {oid!r}; valid: {', '.join(o.id for o in options)}")


def value_of(o: KnobOption) -> Any:
    return o.id if o.value is None else o.value


def hidden_option(o: Any, ctx: Mapping[str, Any] | None) -> bool:
    """`hide` matches, or `show_only` does not (an option, a knob or a card with those keys)."""
    if ctx is None:
        return False
    hide, show_only = getattr(o, "hide", None), getattr(o, "show_only", None)
    return matches(hide, ctx) or (show_only is not None and not matches(show_only, ctx))


def default_option(slot: Slot, pg: PlaygroundFile, ctx: Mapping[str, Any] | None = None) -> KnobOption:
    """The option a knob without inherit stands at by default: the HiSparse ratio the rules
    name; else the first option shown for `ctx` whose `default_when` matches; else the first
    option shown (the first option when nothing is known of the selection)."""
    options = slot.options(pg)
    if slot.key == "hisparse_ratio":
        return next((o for o in options if o.value == pg.hisparse.default_host_ratio), options[0])
    if slot.toggle:
        return options[-1]
    shown = [o for o in options if not hidden_option(o, ctx)] or list(options)
    if ctx is not None:
        for o in shown:
            if o.default_when is not None and matches(o.default_when, ctx):
                return o
    return shown[0]


def inherits(slot: Slot, value: Any) -> bool:
    """Whether `value` is the knob's inherit state: its default, on a knob the base defines."""
    return slot.from_base and value == slot.default


def choice_id(slot: Slot, pg: PlaygroundFile, value: Any, ctx: Mapping[str, Any] | None = None) -> str:
    """The choice id for an Overrides value (INHERIT for the knob's inherit value)."""
    if inherits(slot, value):
        return INHERIT
    if value is None:
        return default_option(slot, pg, ctx).id
    for o in slot.options(pg):
        v = value_of(o)
        if type(v) is type(value) and v == value:
            return o.id
    raise KeyError(f"{slot.cli(pg)}: no option for value {value!r}")


def effective(slot: Slot, pg: PlaygroundFile, value: Any, ctx: Mapping[str, Any] | None = None) -> Any:
    """The value a knob without inherit stands for: `value`, or its default option's value."""
    return value if value is not None else value_of(default_option(slot, pg, ctx))


# A device name that may stand unquoted on a command line (and in a chip's id): mlx5_0, irdma1.
_DEVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def on_box(pg: PlaygroundFile, box: BoxFacts, keep: Sequence[str] = ()) -> PlaygroundFile:
    """The Playground's data as this box offers it: the IB-device choices become the first
    choice (no flag: SGLang picks) followed by the box's devices (and `keep`, devices already
    picked), when it has any; the HiSparse ratio its RAM fits becomes the preselected ratio.

    Only what is offered and preselected changes: an untouched Playground emits the same
    command. Nothing known (or nothing usable) gives `pg` back as it is.
    """
    ib, update = pg.pd.ib_device, {}
    found = [d for d in box.ib_devices if _DEVICE_NAME.fullmatch(d) and d != ib.option[0].id] if ib.option else []
    if found:
        names = dict.fromkeys([*found, *(k for k in keep if k and _DEVICE_NAME.fullmatch(k))])
        names.pop(ib.option[0].id, None)
        options = [ib.option[0], *(KnobOption(id=name, label=name) for name in names)]
        update["pd"] = dataclasses.replace(pg.pd, ib_device=dataclasses.replace(ib, option=options))
    ratios = [o.value for o in pg.hisparse.host_ratio.option]
    if box.host_ratio is not None and box.host_ratio in ratios and box.host_ratio != pg.hisparse.default_host_ratio:
        update["hisparse"] = dataclasses.replace(pg.hisparse, default_host_ratio=box.host_ratio)
    return dataclasses.replace(pg, **update) if update else pg


def rules_on_box(rules: Rules, box: BoxFacts, keep: Sequence[str] = ()) -> Rules:
    """`rules` with the Playground data `on_box` gives (the same object when nothing changes)."""
    pg = on_box(rules.playground, box, keep)
    return rules if pg is rules.playground else dataclasses.replace(rules, playground=pg)
