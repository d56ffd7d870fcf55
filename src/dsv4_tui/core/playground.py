"""The Playground engine: overrides on top of the Deploy cell, without any UI.

The contract is shared/spec/playground.md. The knobs themselves (values, flags, env,
hide/disable rules and their reasons) are data in rules/playground.toml; this module
says how each card rewrites the base command.

The UI uses four entry points:

- `Overrides`: the knob state (frozen, hashable; every knob starts at inherit).
- `cards(rules, sel, overrides)`: every card and knob with its choices, each choice
  flagged hidden / disabled with a reason, the base's current value and the selection.
- `set_choice(rules, overrides, key, choice_id)`: a new state after the user picks a choice
  (the ids are the ones in `cards`); `revert_hidden` after the Deploy base changed.
- `playground(rules, sel, overrides, framing, subst)`: the `PlaygroundResult` to show
  (command text, base text, diff, router, cURL, badge, sibling match, Submit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping, Sequence

from .diff import DiffLine, line_diff
from .env import Env
from .render import (
    DIST_PORT,
    FRAMINGS,
    Subst,
    flag_name,
    flag_value,
    index_after,
    model_name,
    needs_mtp_note,
    render_curl,
    render_flags,
    substitute,
)
from .rules import Cell, KnobOption, PlaygroundFile, Rules
from .selection import Selection
from .submit import submit_url as make_submit_url

INHERIT = "inherit"
"""The choice id of a knob's inherit sentinel ("Auto", "Inherited", "Inherited from base")."""

PD_MODES = ("off", "prefill", "decode")
BASE_DIMS = frozenset({"hw", "variant", "quant", "strategy", "nodes", "vendor", "arch"})
NO_BASE = (
    "No single verified base command for this selection: its cell runs as separate "
    "prefill / decode / router roles. Pick another Deploy selection to use the Playground."
)
NO_CELL = "No command available for the current selection."


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Overrides:
    """The Playground knob state. Defaults are "inherit": the base stays as is.

    tp / cp / ep: None = inherit, else N.  dp_attention: None = inherit, 0 (or "off") = Off,
    else N.  moe_backend / megamoe_quant: None = inherit, else an option id.
    reasoning / tool_call: None = inherit, else on/off.  speculative: "current" = inherit,
    else a preset id.  The PD, HiSparse and HiCache knobs have plain defaults.
    """

    tp: int | None = None
    cp: int | None = None
    dp_attention: int | None = None
    moe_backend: str | None = None
    megamoe_quant: str | None = None
    ep: int | None = None
    reasoning: bool | None = None
    tool_call: bool | None = None
    speculative: str = "current"
    pd_mode: str = "off"
    pd_transfer: str = "mooncake"
    pd_ib_device: str = "auto"
    hisparse: bool = False
    hisparse_ratio: int = 10
    hicache: bool = False
    hicache_backend: str = "auto"
    hicache_write_policy: str = "auto"

    def __post_init__(self) -> None:
        if self.dp_attention in ("off", False):
            object.__setattr__(self, "dp_attention", 0)
        if self.pd_mode not in PD_MODES:
            raise ValueError(f"unknown pd_mode {self.pd_mode!r}; expected one of {', '.join(PD_MODES)}")

    def is_untouched(self) -> bool:
        """True when every knob is at its default (inherit)."""
        return self == Overrides()

    def with_(self, **kw: Any) -> "Overrides":
        return replace(self, **kw)

    @staticmethod
    def default(key: str) -> Any:
        return _DEFAULTS[key]


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Overrides)}


# --------------------------------------------------------------------------- flag/env helpers


def env_name(entry: str) -> str:
    """`NAME` of a `NAME=VALUE` env entry."""
    return entry.split("=", 1)[0]


def strip_flags(flags: Sequence[str], *names: str) -> list[str]:
    """Drop every flag whose first token (split at space or `=`) is one of `names`."""
    return [f for f in flags if flag_name(f) not in names]


def strip_flag_prefix(flags: Sequence[str], prefix: str) -> list[str]:
    """Drop every flag whose name starts with `prefix` (e.g. `--speculative-`)."""
    return [f for f in flags if not flag_name(f).startswith(prefix)]


def strip_env(env: Sequence[str], *names: str) -> list[str]:
    """Drop every env entry whose name (before `=`) is one of `names`."""
    return [e for e in env if env_name(e) not in names]


def insert_after(flags: Sequence[str], anchors: Sequence[str], new: Sequence[str]) -> list[str]:
    """Put `new` right after the first flag named anchors[0], else anchors[1], …, else after
    `--model-path`."""
    at = index_after(flags, anchors)
    return [*flags[:at], *new, *flags[at:]]


def insert_before_host(flags: Sequence[str], new: Sequence[str]) -> list[str]:
    """Put `new` right before the first flag starting with `--host` (else at the end)."""
    at = next((i for i, f in enumerate(flags) if f.startswith("--host")), len(flags))
    return [*flags[:at], *new, *flags[at:]]


def has_flag(flags: Sequence[str], name: str) -> bool:
    return any(flag_name(f) == name for f in flags)


def matches(constraint: Mapping[str, Sequence[Any]] | None, ctx: Mapping[str, Any]) -> bool:
    """A constraint `{dim: [values]}` matches when every key matches one of its values."""
    return constraint is not None and all(ctx.get(k) in vs for k, vs in constraint.items())


# --------------------------------------------------------------------------- the base


def base_cell(rules: Rules, sel: Selection) -> Cell | None:
    """The single-command cell the Playground starts from, or None ("no base")."""
    cell = rules.cell(sel)
    return None if cell is None or cell.has_roles else cell


def no_base_reason(rules: Rules, sel: Selection) -> str | None:
    cell = rules.cell(sel)
    if cell is None:
        return NO_CELL
    return NO_BASE if cell.has_roles else None


def _context(rules: Rules, sel: Selection, dp_attn_on: bool, pd_mode: str) -> dict[str, Any]:
    """What constraints are evaluated on: the Deploy selection, vendor, arch, dp_attn_on, pd_mode."""
    hw = rules.hardware(sel.hw)
    return {**sel.as_dict(), "vendor": hw.vendor, "arch": hw.arch, "dp_attn_on": dp_attn_on, "pd_mode": pd_mode}


# --------------------------------------------------------------------------- the cards


def apply_attention(flags: Sequence[str], ov: Overrides) -> list[str]:
    """TP, then DP-Attention, then CP."""
    out = list(flags)
    if ov.tp is not None:
        out = insert_after(strip_flags(out, "--tp"), (), [f"--tp {ov.tp}"])
    if ov.dp_attention is not None:
        out = strip_flags(out, "--dp", "--enable-dp-attention")
        if ov.dp_attention:
            out = insert_after(out, ("--tp",), [f"--dp {ov.dp_attention}", "--enable-dp-attention"])
    if ov.cp is not None:
        out = strip_flags(out, "--enable-nsa-prefill-context-parallel", "--nsa-prefill-cp-mode")
        if ov.cp > 1:
            new = ["--enable-nsa-prefill-context-parallel", "--nsa-prefill-cp-mode round-robin-split"]
            out = insert_after(out, ("--enable-dp-attention", "--dp", "--tp"), new)
    return out


def apply_moe(
    pg: PlaygroundFile, env: Sequence[str], flags: Sequence[str], ov: Overrides, base: Cell
) -> tuple[list[str], list[str]]:
    """Backend, then the MegaMoE quant env, then EP."""
    env, flags = list(env), list(flags)
    if ov.moe_backend is not None:
        flags = strip_flags(flags, "--moe-a2a-backend", "--moe-runner-backend")
        new = _option(pg.moe.backend.option, ov.moe_backend).flags
        flags = insert_after(flags, ("--enable-dp-attention", "--dp", "--tp"), new)
    quant_names = {env_name(e) for o in pg.moe.megamoe_quant.option for e in o.env}
    if ov.moe_backend is not None or ov.megamoe_quant is not None:
        if effective_backend(pg, base, ov) == "megamoe":
            env = strip_env(env, *pg.moe.megamoe_quant.strip_env, *quant_names)
            quant = ov.megamoe_quant or base_megamoe_quant(pg, base)
            env += _option(pg.moe.megamoe_quant.option, quant).env
        elif ov.moe_backend is not None:
            env = strip_env(env, *quant_names)
    if ov.ep is not None:
        flags = strip_flags(flags, "--ep")
        if ov.ep > 1:
            anchors = ("--moe-a2a-backend", "--moe-runner-backend", "--enable-dp-attention", "--dp", "--tp")
            flags = insert_after(flags, anchors, [f"--ep {ov.ep}"])
    return env, flags


def apply_parsers(pg: PlaygroundFile, flags: Sequence[str], ov: Overrides) -> list[str]:
    """If either toggle differs from the base: strip both, insert the enabled ones before host."""
    items = (pg.parsers.reasoning, pg.parsers.tool_call)
    base_on = [has_flag(flags, flag_name(p.flag)) for p in items]
    wanted = [b if o is None else o for o, b in zip((ov.reasoning, ov.tool_call), base_on)]
    if wanted == base_on:
        return list(flags)
    out = strip_flags(flags, *(flag_name(p.flag) for p in items))
    return insert_before_host(out, [p.flag for p, on in zip(items, wanted) if on])


def apply_speculative(
    pg: PlaygroundFile, flags: Sequence[str], ov: Overrides, base: Cell, ctx: Mapping[str, Any]
) -> list[str]:
    """Swap the `--speculative-*` flags for the preset's; a no-op when inherit, equal to the
    base's preset, or disabled right now (NGRAM with DP-attention on, DFlash)."""
    if ov.speculative in ("current", base_speculative(pg, base.flags)):
        return list(flags)
    preset = _option(pg.speculative.option, ov.speculative)
    if _disabled(preset, ctx):
        return list(flags)
    return insert_before_host(strip_flag_prefix(flags, "--speculative-"), preset.flags)


PD_FLAGS = (
    "--disaggregation-mode",
    "--disaggregation-transfer-backend",
    "--disaggregation-ib-device",
    "--disaggregation-bootstrap-port",
)


def apply_pd(
    pg: PlaygroundFile, env: Sequence[str], flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """Always strips the disaggregation flags; a role inserts its own, moves `--port` and
    appends the transfer backend's env where its `env_when` matches."""
    env, flags = list(env), strip_flags(flags, *PD_FLAGS)
    if ov.pd_mode == "off":
        return env, flags
    new = [f"--disaggregation-mode {ov.pd_mode}", f"--disaggregation-transfer-backend {ov.pd_transfer}"]
    if ov.pd_ib_device != "auto":
        new.append(f"--disaggregation-ib-device {ov.pd_ib_device}")
    flags = insert_before_host(flags, new)
    port = pg.pd.prefill_port if ov.pd_mode == "prefill" else pg.pd.decode_port
    flags = [f"--port {port}" if flag_name(f) == "--port" else f for f in flags]
    transfer = _option(pg.pd.transfer, ov.pd_transfer)
    if transfer.env_when is None or matches(transfer.env_when, ctx):
        present = {env_name(e) for e in env}
        env += [e for e in transfer.env if env_name(e) not in present]
    return env, flags


def apply_hisparse(pg: PlaygroundFile, flags: Sequence[str], ov: Overrides) -> list[str]:
    """Always strips the HiSparse flags; re-inserts them when enabled on the decode role."""
    hs = pg.hisparse
    out = strip_flags(flags, "--enable-hisparse", "--hisparse-config", *hs.required_flags)
    if not (ov.hisparse and "--disaggregation-mode decode" in out):
        return out
    config = {"top_k": hs.top_k, "device_buffer_size": hs.device_buffer_size, "host_to_device_ratio": ov.hisparse_ratio}
    text = json.dumps(config, separators=(",", ":"))
    return insert_before_host(out, [*hs.required_flags, "--enable-hisparse", f"--hisparse-config '{text}'"])


def apply_hicache(pg: PlaygroundFile, flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]) -> list[str]:
    """Nothing on excluded hardware; else strips the HiCache flags and re-inserts them when
    enabled (L2 = backend auto; L3 = a storage backend)."""
    if matches(pg.hicache.hide, ctx):
        return list(flags)
    out = strip_flag_prefix(strip_flags(flags, "--enable-hierarchical-cache"), "--hicache-")
    if not ov.hicache:
        return out
    l3 = ov.hicache_backend != "auto"
    policy = "write_through" if ov.hicache_write_policy == "auto" else ov.hicache_write_policy
    new = ["--enable-hierarchical-cache", "--hicache-ratio 2", "--hicache-size 0"]
    if l3:
        new += ["--hicache-mem-layout page_first_direct", "--hicache-io-backend direct"]
    new.append(f"--hicache-write-policy {policy}")
    if l3:
        new += [f"--hicache-storage-backend {ov.hicache_backend}", "--hicache-storage-prefetch-policy wait_complete"]
    return insert_before_host(out, new)


def touched(ov: Overrides, card: str) -> bool:
    """Whether any knob of `card` differs from its default."""
    return any(getattr(ov, k.key) != _DEFAULTS[k.key] for k in KNOBS if k.card == card)


def apply(rules: Rules, base_sel: Selection, overrides: Overrides) -> tuple[list[str], list[str]]:
    """The Playground (env, flags): the base cell's, with the cards applied in the spec's order.

    The state is applied as given (see `revert_hidden` for dropping hidden picks). Returns
    empty lists when there is no base (a cell with roles, or no cell). A card whose knobs
    are all at their defaults leaves the base as is: the "always strip" of PD / HiSparse /
    HiCache applies once the card (for HiSparse: or PD) is touched, so a user's own cell
    that carries such flags stays intact while untouched.
    """
    base = base_cell(rules, base_sel)
    if base is None:
        return [], []
    pg, ov = rules.playground, overrides
    env, flags = list(base.env), list(base.flags)
    flags = apply_attention(flags, ov)
    ctx = _context(rules, base_sel, has_flag(flags, "--enable-dp-attention"), ov.pd_mode)
    env, flags = apply_moe(pg, env, flags, ov, base)
    flags = apply_parsers(pg, flags, ov)
    flags = apply_speculative(pg, flags, ov, base, ctx)
    if touched(ov, "pd"):
        env, flags = apply_pd(pg, env, flags, ov, ctx)
    if touched(ov, "hisparse") or touched(ov, "pd"):
        flags = apply_hisparse(pg, flags, ov)
    if touched(ov, "hicache"):
        flags = apply_hicache(pg, flags, ov, ctx)
    return env, flags


# --------------------------------------------------------------------------- what the base defines


def base_backend(pg: PlaygroundFile, flags: Sequence[str]) -> str | None:
    """The MoE backend option whose flags the base carries, if any."""
    for o in pg.moe.backend.option:
        if o.flags and all(f in flags for f in o.flags):
            return o.id
    return None


def effective_backend(pg: PlaygroundFile, base: Cell | None, ov: Overrides) -> str | None:
    return ov.moe_backend or (base_backend(pg, base.flags) if base else None)


def base_megamoe_quant(pg: PlaygroundFile, base: Cell | None) -> str:
    """The MegaMoE quant the base env implies: the richest option whose env names it all
    carries (W4A4 needs `..._USE_FP4_ACTS`), else the first (W4A8)."""
    names = {env_name(e) for e in (base.env if base else [])}
    fitting = [o for o in pg.moe.megamoe_quant.option if o.env and {env_name(e) for e in o.env} <= names]
    best = max(fitting, key=lambda o: len(o.env), default=pg.moe.megamoe_quant.option[0])
    return best.id


def base_speculative(pg: PlaygroundFile, flags: Sequence[str]) -> str | None:
    """The preset the base runs ("off" when it has no speculative flags), or None when its
    speculative flags are none of the presets."""
    spec = [f for f in flags if flag_name(f).startswith("--speculative-")]
    for o in pg.speculative.option:
        if o.flags == spec and not o.disabled:
            return o.id
    return None


def _current_values(pg: PlaygroundFile, base: Cell | None) -> dict[str, str | None]:
    """Per knob: the choice id the base itself stands for (None = the base does not say)."""
    if base is None:
        return {"reasoning": "off", "tool_call": "off", "megamoe_quant": base_megamoe_quant(pg, None)}
    flags = base.flags
    dp = flag_value(flags, "--dp") if has_flag(flags, "--enable-dp-attention") else "off"
    return {
        "tp": flag_value(flags, "--tp"),
        "dp_attention": dp,
        "moe_backend": base_backend(pg, flags),
        "megamoe_quant": base_megamoe_quant(pg, base),
        "ep": flag_value(flags, "--ep"),
        "reasoning": "on" if has_flag(flags, flag_name(pg.parsers.reasoning.flag)) else "off",
        "tool_call": "on" if has_flag(flags, flag_name(pg.parsers.tool_call.flag)) else "off",
        "speculative": base_speculative(pg, flags),
    }


# --------------------------------------------------------------------------- knob table


_TOGGLE = (KnobOption(id="on", label="On", value=True), KnobOption(id="off", label="Off", value=False))


@dataclass(frozen=True)
class _Knob:
    """One knob: where its options and label live in playground.toml, and its CLI key."""

    card: str
    key: str  # the Overrides field
    cli: str  # the `--override` key
    kind: str  # "select" | "toggle" | "chips"
    options_at: str | None  # dotted path of the option list in PlaygroundFile; None = on/off
    label: str = ""  # a fixed label, unless `label_at` names one in PlaygroundFile
    label_at: str | None = None
    inherit_label: str | None = None  # offered as a choice while the base does not define the knob

    def options(self, pg: PlaygroundFile) -> Sequence[KnobOption]:
        return _TOGGLE if self.options_at is None else _at(pg, self.options_at)

    def label_in(self, pg: PlaygroundFile) -> str:
        return _at(pg, self.label_at) if self.label_at else self.label


def _at(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


KNOBS: tuple[_Knob, ...] = (
    _Knob("attention", "tp", "tp", "select", "attention.tp.option", label_at="attention.tp.label", inherit_label="Auto"),
    _Knob("attention", "cp", "cp", "select", "attention.cp.option", label_at="attention.cp.label", inherit_label="Auto"),
    _Knob(
        "attention", "dp_attention", "dp-attention", "select", "attention.dp_attention.option",
        label_at="attention.dp_attention.label", inherit_label="Auto",
    ),
    _Knob(
        "moe", "moe_backend", "moe-backend", "select", "moe.backend.option",
        label_at="moe.backend.label", inherit_label="Inherited",
    ),
    _Knob("moe", "megamoe_quant", "megamoe-quant", "select", "moe.megamoe_quant.option", label_at="moe.megamoe_quant.label"),
    _Knob("moe", "ep", "ep", "select", "moe.ep.option", label_at="moe.ep.label", inherit_label="Auto"),
    _Knob("parsers", "reasoning", "reasoning-parser", "toggle", None, label_at="parsers.reasoning.label"),
    _Knob("parsers", "tool_call", "tool-call-parser", "toggle", None, label_at="parsers.tool_call.label"),
    _Knob(
        "speculative", "speculative", "speculative", "chips", "speculative.option",
        label_at="speculative.label", inherit_label="Inherited from base",
    ),
    _Knob("pd", "pd_mode", "pd-mode", "select", "pd.mode", label="Mode"),
    _Knob("pd", "pd_transfer", "pd-transfer", "select", "pd.transfer", label="Transfer backend"),
    _Knob("pd", "pd_ib_device", "pd-ib-device", "select", "pd.ib_device", label="IB device"),
    _Knob("hisparse", "hisparse", "hisparse", "toggle", None, label="Enable"),
    _Knob("hisparse", "hisparse_ratio", "hisparse-ratio", "select", "hisparse.host_ratio", label="Host ratio"),
    _Knob("hicache", "hicache", "hicache", "toggle", None, label="Enable"),
    _Knob("hicache", "hicache_backend", "hicache-backend", "select", "hicache.backend", label="Storage"),
    _Knob("hicache", "hicache_write_policy", "hicache-write-policy", "select", "hicache.write_policy", label="Write policy"),
)
KNOB_BY_KEY = {k.key: k for k in KNOBS}
KNOB_BY_CLI = {k.cli: k for k in KNOBS}
CARD_ORDER = ("attention", "moe", "parsers", "speculative", "pd", "hisparse", "hicache")


def _card_title(pg: PlaygroundFile, card: str) -> str:
    return {
        "attention": "Attention",
        "moe": "MoE",
        "parsers": "Parsers",
        "speculative": pg.speculative.label,
        "pd": pg.pd.label,
        "hisparse": pg.hisparse.label,
        "hicache": pg.hicache.label,
    }[card]


def _option(options: Sequence[KnobOption], oid: str) -> KnobOption:
    for o in options:
        if o.id == oid:
            return o
    raise KeyError(f"unknown option {oid!r}; valid: {', '.join(o.id for o in options)}")


def _value_of(o: KnobOption) -> Any:
    return o.id if o.value is None else o.value


def _inherits(knob: _Knob, value: Any) -> bool:
    """Whether `value` is the knob's inherit state (its default, where that means inherit)."""
    return value == _DEFAULTS[knob.key] and (knob.inherit_label is not None or value is None)


def _id_of(knob: _Knob, pg: PlaygroundFile, value: Any) -> str:
    """The choice id for an Overrides value (INHERIT for the knob's inherit value)."""
    if _inherits(knob, value):
        return INHERIT
    for o in knob.options(pg):
        v = _value_of(o)
        if type(v) is type(value) and v == value:
            return o.id
    raise KeyError(f"{knob.cli}: no option for value {value!r}")


# --------------------------------------------------------------------------- availability


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
    kind: str  # "select" | "toggle" | "chips"
    choices: tuple[Choice, ...]
    selected: str  # the id of the selected choice
    current: str | None  # the base's own value (choice id), None when the base does not define it
    hidden: bool = False
    reason: str | None = None

    @property
    def visible(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if not c.hidden)

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


def _hidden(o: Any, ctx: Mapping[str, Any]) -> bool:
    """`hide` matches, or `show_only` does not (an option, or a card with those keys)."""
    hide, show_only = getattr(o, "hide", None), getattr(o, "show_only", None)
    return matches(hide, ctx) or (show_only is not None and not matches(show_only, ctx))


def _disabled(o: KnobOption, ctx: Mapping[str, Any]) -> bool:
    return o.disabled or matches(o.disable, ctx)


def _choice(o: KnobOption, ctx: Mapping[str, Any]) -> Choice:
    if _hidden(o, ctx):
        if o.hidden_reason:
            why = o.hidden_reason
        elif matches(o.hide, ctx):
            why = f"not offered when {_constraint_text(o.hide or {})}"
        else:
            why = f"offered only when {_constraint_text(o.show_only or {})}"
        return Choice(o.id, o.label, hidden=True, reason=why)
    if _disabled(o, ctx):
        return Choice(o.id, o.label, disabled=True, reason=o.reason)
    return Choice(o.id, o.label)


def _card_hidden(pg: PlaygroundFile, card: str, ctx: Mapping[str, Any]) -> tuple[bool, str | None, bool]:
    """(hidden, reason, hidden by the base alone) for a whole card (HiSparse, HiCache)."""
    model = {"hisparse": pg.hisparse, "hicache": pg.hicache}.get(card)
    if model is None or not _hidden(model, ctx):
        return False, None, False
    keys = set(getattr(model, "hide", None) or {}) | set(getattr(model, "show_only", None) or {})
    return True, model.hidden_reason, keys <= BASE_DIMS


def _knob_view(
    knob: _Knob, pg: PlaygroundFile, ov: Overrides, current: str | None, ctx: Mapping[str, Any], backend: str | None
) -> KnobView:
    value = getattr(ov, knob.key)
    offer_inherit = knob.inherit_label is not None and current is None
    choices = [Choice(INHERIT, knob.inherit_label)] if offer_inherit else []  # type: ignore[arg-type]
    choices += [_choice(o, ctx) for o in knob.options(pg)]
    if _inherits(knob, value):
        selected = current if current is not None else INHERIT
    else:
        selected = _id_of(knob, pg, value)
    hidden, reason = False, None
    if knob.key == "megamoe_quant" and backend != "megamoe":
        hidden, reason = True, f"{pg.moe.megamoe_quant.label} applies to the MegaMoE backend only"
    return KnobView(
        knob.key, knob.cli, knob.label_in(pg), knob.kind, tuple(choices), selected, current, hidden, reason
    )


def dp_attn_on(rules: Rules, sel: Selection, overrides: Overrides) -> bool:
    """Whether DP-attention is on after the attention card (the NGRAM constraint)."""
    base = base_cell(rules, sel)
    flags = apply_attention(base.flags if base else [], overrides)
    return has_flag(flags, "--enable-dp-attention")


def cards(rules: Rules, sel: Selection, overrides: Overrides) -> tuple[CardView, ...]:
    """Every card and knob for the base `sel` and the state `overrides`, in page order.

    Constraints are evaluated on the Deploy selection + vendor + arch + dp_attn_on (after
    the attention card) + the PD mode. A knob the base defines shows that value as
    selected and offers no inherit choice.
    """
    pg = rules.playground
    base = base_cell(rules, sel)
    ctx = _context(rules, sel, dp_attn_on(rules, sel, overrides), overrides.pd_mode)
    current = _current_values(pg, base)
    backend = effective_backend(pg, base, overrides)
    out = []
    for card in CARD_ORDER:
        hidden, reason, by_base = _card_hidden(pg, card, ctx)
        knobs = tuple(
            _knob_view(k, pg, overrides, current.get(k.key), ctx, backend) for k in KNOBS if k.card == card
        )
        out.append(CardView(card, _card_title(pg, card), knobs, hidden, reason, by_base))
    return tuple(out)


def knob_view(rules: Rules, sel: Selection, overrides: Overrides, key: str) -> KnobView:
    """One knob of `cards(...)` by its Overrides field name."""
    card = KNOB_BY_KEY[key].card
    return next(c for c in cards(rules, sel, overrides) if c.id == card).knob(key)


class UnknownChoice(ValueError):
    """An unknown knob key or choice id; the message lists the valid ones."""


def set_choice(rules: Rules, overrides: Overrides, key: str, choice_id: str) -> Overrides:
    """The state after picking `choice_id` on the knob `key` (Overrides field or CLI key).

    `INHERIT` returns the knob to inherit. Availability is not checked here: see `cards`
    (the CLI refuses hidden/disabled picks, the UI does not offer them).
    """
    knob = KNOB_BY_KEY.get(key) or KNOB_BY_CLI.get(key)
    if knob is None:
        raise UnknownChoice(f"unknown override {key!r}; valid: {', '.join(k.cli for k in KNOBS)}")
    if choice_id == INHERIT:
        return replace(overrides, **{knob.key: _DEFAULTS[knob.key]})
    options = knob.options(rules.playground)
    for o in options:
        if o.id == choice_id:
            return replace(overrides, **{knob.key: _value_of(o)})
    valid = [o.id for o in options] + ([INHERIT] if knob.inherit_label or _DEFAULTS[knob.key] is None else [])
    raise UnknownChoice(f"unknown {knob.cli} value {choice_id!r}; valid: {', '.join(valid)}")


def revert_hidden(rules: Rules, sel: Selection, overrides: Overrides) -> Overrides:
    """Picks that are hidden for the base `sel` return to inherit; disabled picks stay.

    A pick is hidden when its option is hidden, or its card is hidden by the base alone
    (HiCache on RTX PRO 6000). HiSparse, hidden while PD mode is not decode (a Playground
    knob, not the base), keeps its pick for when Decode is chosen again.
    """
    pg, ov = rules.playground, overrides
    reset: dict[str, Any] = {}
    for card in cards(rules, sel, ov):
        for kv in card.knobs:
            value = getattr(ov, kv.key)
            if value == _DEFAULTS[kv.key]:
                continue
            chosen = kv.choice(_id_of(KNOB_BY_KEY[kv.key], pg, value))
            if card.hidden_by_base or chosen is None or chosen.hidden:
                reset[kv.key] = _DEFAULTS[kv.key]
    return replace(ov, **reset) if reset else ov


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class PlaygroundResult:
    """Everything the Playground pane shows for one (base, overrides, framing, Env)."""

    overrides: Overrides  # the state used (hidden picks reverted)
    has_base: bool
    no_base_reason: str | None  # why there is no base ("no single verified base command …")
    base: Cell | None
    env: tuple[str, ...]
    flags: tuple[str, ...]
    text: str  # the command, rendered like Deploy ("" without a base)
    base_text: str
    banner: tuple[str, ...]  # the PD role banner lines (already at the top of `text`)
    diff: tuple[DiffLine, ...]  # (op, line) with op " ", "+", "-" (empty without a base)
    router: str | None  # the PD router command, None while PD is off
    curl: str  # retargeted to the router port while PD is on
    verified: bool
    matched: Cell | None  # the verified cell the result equals, if any
    matched_strategy: str | None  # its strategy when it is not the base's ("matches <strategy>")
    mtp_note: bool
    can_submit: bool  # Not Verified with a base: Submit is offered
    submit_url: str | None = None  # only when `can_submit` and an SGLang version was given

    @property
    def badge(self) -> str:
        return "Verified" if self.verified else "Not Verified"

    @property
    def sibling_text(self) -> str | None:
        """e.g. "matches high-throughput" (offer to switch the Deploy base to that cell)."""
        return f"matches {self.matched_strategy}" if self.matched_strategy else None

    @property
    def badge_line(self) -> str:
        """The badge as one line: "Verified", "Not Verified" or "Verified (matches X)"."""
        return f"{self.badge} ({self.sibling_text})" if self.sibling_text else self.badge


def matching_cell(rules: Rules, sel: Selection, env: Sequence[str], flags: Sequence[str]) -> Cell | None:
    """A verified cell with the same hw / variant / quant / nodes whose flags equal `flags`
    (in order) and whose env equals `env` (as a set); the base's own strategy first."""
    found = [
        c
        for c in rules.cells
        if c.verified
        and not c.has_roles
        and (c.hw, c.variant, c.quant, c.nodes) == (sel.hw, sel.variant, sel.quant, sel.nodes)
        and list(c.flags) == list(flags)
        and set(c.env) == set(env)
    ]
    found.sort(key=lambda c: c.strategy != sel.strategy)
    return found[0] if found else None


def pd_banner(pg: PlaygroundFile, mode: str) -> list[str]:
    """The 4-line banner on top of a PD role command."""
    if mode == "off":
        return []
    peer = "decode" if mode == "prefill" else "prefill"
    return [
        f"# === PD Disaggregation: {mode.upper()} role ===",
        f"# Runs the {mode} server. Also run the {peer} role on its peer host,",
        "# then front BOTH with the Router (SGLang Model Gateway) shown below.",
        f"# Client traffic (cURL) targets the router (:{pg.pd.router_port}), not this role server.",
    ]


def router_command(pg: PlaygroundFile) -> str:
    """The router command for PD disaggregation (ports filled in)."""
    pd = pg.pd
    ports = {
        "PREFILL_PORT": str(pd.prefill_port),
        "DECODE_PORT": str(pd.decode_port),
        "ROUTER_PORT": str(pd.router_port),
    }
    return substitute(pd.router.strip("\n"), Subst(ports, frozenset(ports)))


def render_playground(
    rules: Rules, sel: Selection, env: Sequence[str], flags: Sequence[str], pd_mode: str, framing: str, subst: Subst
) -> str:
    """The command text exactly like Deploy, plus the PD role's banner, dist port and
    `--network host`."""
    pd = rules.playground.pd
    dist = {"prefill": pd.prefill_dist_port, "decode": pd.decode_dist_port}.get(pd_mode, DIST_PORT)
    body = render_flags(rules, sel, env, flags, framing, subst, dist_port=dist, network_host=pd_mode != "off")
    return "\n".join([*pd_banner(rules.playground, pd_mode), body])


def playground(
    rules: Rules,
    sel: Selection,
    overrides: Overrides,
    framing: str = "python",
    subst: Subst | None = None,
    *,
    sglang_version: str | None = None,
    bench_result: str = "",
    notes: str = "",
) -> PlaygroundResult:
    """The Playground pane for base `sel` and `overrides` (hidden picks are reverted first).

    `subst` holds the Env values (`Env.subst()`, default: the placeholders' defaults);
    MODEL_NAME is filled in here.
    `sglang_version` (and the optional bench result / notes) make `submit_url`.
    """
    if framing not in FRAMINGS:
        raise ValueError(f"unknown framing {framing!r}; expected python or docker")
    ov = revert_hidden(rules, sel, overrides)
    subst = (subst or Env.defaults(rules).subst()).with_values(MODEL_NAME=model_name(rules, sel))
    pg = rules.playground
    base = base_cell(rules, sel)
    router = router_command(pg) if ov.pd_mode != "off" else None
    curl_subst = subst.with_values(CURL_PORT=str(pg.pd.router_port)) if router else subst
    curl = render_curl(rules, sel, curl_subst)
    if base is None:
        return PlaygroundResult(
            overrides=ov,
            has_base=False,
            no_base_reason=no_base_reason(rules, sel),
            base=None,
            env=(),
            flags=(),
            text="",
            base_text="",
            banner=(),
            diff=(),
            router=router,
            curl=curl,
            verified=False,
            matched=None,
            matched_strategy=None,
            mtp_note=False,
            can_submit=False,
        )
    env, flags = apply(rules, sel, ov)
    text = render_playground(rules, sel, env, flags, ov.pd_mode, framing, subst)
    base_text = render_flags(rules, sel, base.env, base.flags, framing, subst)
    matched = matching_cell(rules, sel, env, flags)
    can_submit = matched is None
    url = None
    if can_submit and sglang_version:
        url = make_submit_url(rules, sel, base, env, flags, sglang_version, bench_result, notes)
    return PlaygroundResult(
        overrides=ov,
        has_base=True,
        no_base_reason=None,
        base=base,
        env=tuple(env),
        flags=tuple(flags),
        text=text,
        base_text=base_text,
        banner=tuple(pd_banner(pg, ov.pd_mode)),
        diff=tuple(line_diff(base_text, text)),
        router=router,
        curl=curl,
        verified=matched is not None,
        matched=matched,
        matched_strategy=matched.strategy if matched is not None and matched.strategy != sel.strategy else None,
        mtp_note=needs_mtp_note(flags),
        can_submit=can_submit,
        submit_url=url,
    )
