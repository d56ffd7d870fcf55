"""How each Playground card rewrites the base command, as the cookbook page's Playground does.

Cards are applied in the spec's order, each on the previous result:
attention → moe → parsers → speculative → pd → hisparse → hicache. Every flag and env name
comes from the rules (playground.toml, and [engine] of model.toml).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..flags import (
    apply_edits,
    env_name,
    flag_name,
    has_flag,
    insert_after,
    insert_before,
    matches,
    strip_env,
    strip_flag_prefix,
    strip_flags,
)
from ..rules import Cell, Rules
from ..selection import Selection
from .knobs import SLOT_BY_KEY, SLOTS, effective, option
from .state import DEFAULTS, Overrides


class Editor:
    """The engine's anchors: "after A, B, …" falls back to the model path flag, and
    "before host" is right before the first flag starting with the host flag."""

    def __init__(self, rules: Rules):
        self.model_path = rules.model.engine.model_path_flag
        self.host = rules.model.engine.host_flag
        self.port = rules.model.engine.port_flag

    def after(self, flags: Sequence[str], anchors: Sequence[str], new: Sequence[str]) -> list[str]:
        return insert_after(flags, [*anchors, self.model_path], new)

    def before_host(self, flags: Sequence[str], new: Sequence[str]) -> list[str]:
        return insert_before(flags, self.host, new)


def apply_attention(rules: Rules, flags: Sequence[str], ov: Overrides) -> list[str]:
    """TP, then DP-Attention, then CP."""
    att, ed, out = rules.playground.attention, Editor(rules), list(flags)
    if ov.tp is not None:
        out = ed.after(strip_flags(out, att.tp.flag), att.tp.after, [f"{att.tp.flag} {ov.tp}"])
    if ov.dp_attention is not None:
        dp = att.dp_attention
        out = strip_flags(out, dp.flag, dp.switch)
        if ov.dp_attention:
            out = ed.after(out, dp.after, [f"{dp.flag} {ov.dp_attention}", dp.switch])
    if ov.cp is not None:
        out = strip_flags(out, *att.cp.strip)
        if ov.cp > 1:
            out = ed.after(out, att.cp.after, att.cp.flags)
    return out


def apply_moe(rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, base: Cell) -> tuple[list, list]:
    """Backend, then the backend's quantization env, then EP."""
    moe, ed = rules.playground.moe, Editor(rules)
    env, flags = list(env), list(flags)
    if ov.moe_backend is not None:
        flags = strip_flags(flags, *moe.backend.strip)
        flags = ed.after(flags, moe.backend.after, option(moe.backend.option, ov.moe_backend).flags)
    bq = moe.backend_quant
    quant_names = {env_name(e) for o in bq.option for e in o.env}
    if ov.moe_backend is not None or ov.moe_quant is not None:
        if effective_backend(rules, base, ov) == bq.backend:
            env = strip_env(env, *bq.strip_env, *quant_names)
            env += option(bq.option, ov.moe_quant or base_quant(rules, base)).env
        elif ov.moe_backend is not None:
            env = strip_env(env, *quant_names)
    if ov.ep is not None:
        flags = strip_flags(flags, moe.ep.flag)
        if ov.ep > moe.ep.min_emit:
            flags = ed.after(flags, moe.ep.after, [f"{moe.ep.flag} {ov.ep}"])
    return env, flags


def apply_parsers(rules: Rules, flags: Sequence[str], ov: Overrides) -> list[str]:
    """If either toggle differs from the base: strip both, insert the enabled ones before host."""
    items = (rules.playground.parsers.reasoning, rules.playground.parsers.tool_call)
    base_on = [has_flag(flags, flag_name(p.flag)) for p in items]
    wanted = [b if o is None else o for o, b in zip((ov.reasoning, ov.tool_call), base_on)]
    if wanted == base_on:
        return list(flags)
    out = strip_flags(flags, *(flag_name(p.flag) for p in items))
    return Editor(rules).before_host(out, [p.flag for p, on in zip(items, wanted) if on])


def disabled(o, ctx: Mapping[str, Any]) -> bool:
    return o.disabled or matches(o.disable, ctx)


def apply_speculative(rules: Rules, flags: Sequence[str], ov: Overrides, base: Cell, ctx: Mapping[str, Any]) -> list:
    """Swap the speculative flags for the preset's; a no-op when inherit, equal to the base's
    preset, or disabled right now (NGRAM with DP-attention on, DFlash)."""
    spec = rules.playground.speculative
    if ov.speculative is None or ov.speculative == base_speculative(rules, base.flags):
        return list(flags)
    preset = option(spec.option, ov.speculative)
    if disabled(preset, ctx):
        return list(flags)
    return Editor(rules).before_host(strip_flag_prefix(flags, spec.prefix), preset.flags)


def apply_pd(rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]) -> tuple:
    """Always strips the disaggregation flags; a role inserts its own, moves the port and
    appends the transfer backend's env where its `env_when` matches."""
    pd, ed = rules.playground.pd, Editor(rules)
    env, flags = list(env), strip_flags(flags, *pd.strip)
    if ov.pd_mode == "off":
        return env, flags
    transfer = option(pd.transfer.option, effective(SLOT_BY_KEY["pd_transfer"], rules.playground, ov.pd_transfer))
    new = [f"{pd.mode_flag} {ov.pd_mode}", f"{pd.transfer_flag} {transfer.id}"]
    device = effective(SLOT_BY_KEY["pd_ib_device"], rules.playground, ov.pd_ib_device)
    if device != pd.ib_device.option[0].id:  # the first choice lets SGLang pick
        new.append(f"{pd.ib_flag} {device}")
    flags = ed.before_host(flags, new)
    port = pd.prefill_port if ov.pd_mode == "prefill" else pd.decode_port
    flags = [f"{ed.port} {port}" if flag_name(f) == ed.port else f for f in flags]
    if transfer.env_when is None or matches(transfer.env_when, ctx):
        present = {env_name(e) for e in env}
        env += [e for e in transfer.env if env_name(e) not in present]
    return env, flags


def apply_hisparse(rules: Rules, flags: Sequence[str], ov: Overrides) -> list[str]:
    """Always strips the HiSparse flags; re-inserts them when enabled on the decode role."""
    hs, pd = rules.playground.hisparse, rules.playground.pd
    out = strip_flags(flags, hs.flag, hs.config_flag, *hs.required_flags)
    if not (ov.hisparse and f"{pd.mode_flag} decode" in out):
        return out
    ratio = effective(SLOT_BY_KEY["hisparse_ratio"], rules.playground, ov.hisparse_ratio)
    config = {"top_k": hs.top_k, "device_buffer_size": hs.device_buffer_size, "host_to_device_ratio": ratio}
    text = json.dumps(config, separators=(",", ":"))
    return Editor(rules).before_host(out, [*hs.required_flags, hs.flag, f"{hs.config_flag} '{text}'"])


def apply_hicache(rules: Rules, flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]) -> list[str]:
    """Nothing on excluded hardware; else strips the HiCache flags and re-inserts them when
    enabled (L2 = the first storage choice, GPU + CPU; L3 = a storage backend)."""
    hc = rules.playground.hicache
    if matches(hc.hide, ctx):
        return list(flags)
    out = strip_flag_prefix(strip_flags(flags, hc.flag), hc.strip_prefix)
    if not ov.hicache:
        return out
    backend = effective(SLOT_BY_KEY["hicache_backend"], rules.playground, ov.hicache_backend)
    l3 = backend != hc.backend.option[0].id
    policy = effective(SLOT_BY_KEY["hicache_write_policy"], rules.playground, ov.hicache_write_policy)
    if policy == hc.write_policy.option[0].id:  # the first choice is the engine's default policy
        policy = hc.default_policy
    new = [hc.flag, *hc.l2, *(hc.l3 if l3 else []), f"{hc.policy_flag} {policy}"]
    if l3:
        new += [f"{hc.backend_flag} {backend}", *hc.l3_after]
    return Editor(rules).before_host(out, new)


def touched(ov: Overrides, card: str) -> bool:
    """Whether any knob of `card` differs from its default."""
    return any(getattr(ov, s.key) != DEFAULTS[s.key] for s in SLOTS if s.card == card)


# --------------------------------------------------------------------------- what the base defines


def base_backend(rules: Rules, flags: Sequence[str]) -> str | None:
    """The MoE backend option whose flags the base carries, if any."""
    for o in rules.playground.moe.backend.option:
        if o.flags and all(f in flags for f in o.flags):
            return o.id
    return None


def effective_backend(rules: Rules, base: Cell | None, ov: Overrides) -> str | None:
    return ov.moe_backend or (base_backend(rules, base.flags) if base else None)


def base_quant(rules: Rules, base: Cell | None) -> str:
    """The backend quantization the base env implies: the richest option whose env names it
    all carries (W4A4 needs more env than W4A8), else the first option."""
    options = rules.playground.moe.backend_quant.option
    names = {env_name(e) for e in (base.env if base else [])}
    fitting = [o for o in options if o.env and {env_name(e) for e in o.env} <= names]
    return max(fitting, key=lambda o: len(o.env), default=options[0]).id


def base_speculative(rules: Rules, flags: Sequence[str]) -> str | None:
    """The preset the base runs (the flagless preset when it has no speculative flags), or
    None when its speculative flags are none of the presets."""
    spec = rules.playground.speculative
    found = [f for f in flags if flag_name(f).startswith(spec.prefix)]
    for o in spec.option:
        if o.flags == found and not o.disabled:
            return o.id
    return None


def base_cell(rules: Rules, sel: Selection) -> Cell | None:
    """The single-command cell the Playground starts from, or None ("no base")."""
    cell = rules.cell(sel)
    return None if cell is None or cell.has_roles else cell


def context(rules: Rules, sel: Selection, dp_attn_on: bool, pd_mode: str) -> dict[str, Any]:
    """What constraints are evaluated on: the Deploy selection, vendor, arch, dp_attn_on, pd_mode."""
    hw = rules.hardware(sel.hw)
    return {**sel.as_dict(), "vendor": hw.vendor, "arch": hw.arch, "dp_attn_on": dp_attn_on, "pd_mode": pd_mode}


def dp_attn_on(rules: Rules, flags: Sequence[str]) -> bool:
    return has_flag(flags, rules.playground.attention.dp_attention.switch)


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
    ov = overrides
    env, flags = list(base.env), apply_attention(rules, base.flags, ov)
    ctx = context(rules, base_sel, dp_attn_on(rules, flags), ov.pd_mode)
    env, flags = apply_moe(rules, env, flags, ov, base)
    flags = apply_parsers(rules, flags, ov)
    flags = apply_speculative(rules, flags, ov, base, ctx)
    if touched(ov, "pd"):
        env, flags = apply_pd(rules, env, flags, ov, ctx)
    if touched(ov, "hisparse") or touched(ov, "pd"):
        flags = apply_hisparse(rules, flags, ov)
    if touched(ov, "hicache"):
        flags = apply_hicache(rules, flags, ov, ctx)
    if ov.edits:
        env, flags = apply_edits(env, flags, ov.edits, rules.model.engine.host_flag)
    return env, flags
