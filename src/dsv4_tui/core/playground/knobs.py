"""The Playground's knob slots: which card each knob is on, which `Overrides` field holds
it, and where its label, `--override` key, inherit label and options live in the rules."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..rules import Rules
from ..schema import KnobOption, PlaygroundFile
from .state import DEFAULTS, INHERIT, BoxFacts

CARD_ORDER = ("attention", "moe", "parsers", "speculative", "pd", "hisparse", "hicache")
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
)
SLOT_BY_KEY = {s.key: s for s in SLOTS}


def slot_for(pg: PlaygroundFile, key: str) -> Slot | None:
    """The slot of an Overrides field name or an `--override` key."""
    return SLOT_BY_KEY.get(key) or next((s for s in SLOTS if s.cli(pg) == key), None)


def cli_keys(pg: PlaygroundFile) -> list[str]:
    return [s.cli(pg) for s in SLOTS]


def card_title(pg: PlaygroundFile, card: str) -> str:
    spec = getattr(pg, card)
    return getattr(spec, "title", None) or spec.label


def option(options: Sequence[KnobOption], oid: str) -> KnobOption:
    for o in options:
        if o.id == oid:
            return o
    raise KeyError(f"unknown option {oid!r}; valid: {', '.join(o.id for o in options)}")


def value_of(o: KnobOption) -> Any:
    return o.id if o.value is None else o.value


def default_option(slot: Slot, pg: PlaygroundFile) -> KnobOption:
    """The option a knob without inherit stands at by default: the HiSparse ratio the rules
    name, else the knob's first option."""
    options = slot.options(pg)
    if slot.key == "hisparse_ratio":
        return next((o for o in options if o.value == pg.hisparse.default_host_ratio), options[0])
    return options[-1] if slot.toggle else options[0]


def inherits(slot: Slot, value: Any) -> bool:
    """Whether `value` is the knob's inherit state: its default, on a knob the base defines."""
    return slot.from_base and value == DEFAULTS[slot.key]


def choice_id(slot: Slot, pg: PlaygroundFile, value: Any) -> str:
    """The choice id for an Overrides value (INHERIT for the knob's inherit value)."""
    if inherits(slot, value):
        return INHERIT
    if value is None:
        return default_option(slot, pg).id
    for o in slot.options(pg):
        v = value_of(o)
        if type(v) is type(value) and v == value:
            return o.id
    raise KeyError(f"{slot.cli(pg)}: no option for value {value!r}")


def effective(slot: Slot, pg: PlaygroundFile, value: Any) -> Any:
    """The value a knob without inherit stands for: `value`, or its default option's value."""
    return value if value is not None else value_of(default_option(slot, pg))


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
