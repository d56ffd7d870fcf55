"""How each Playground card rewrites the base command, as the cookbook page's Playground does.

Cards are applied in the spec's order, each on the previous result:
attention → moe → parsers → speculative → pd → hisparse → hicache → umbp → flag selects
(the last three in apply_storage.py). Every flag and env name comes from the rules
(playground.toml, and [engine] of model.toml).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..flags import (
    apply_edits,
    env_name,
    flag_name,
    flag_value,
    has_flag,
    matches,
    strip_env,
    strip_flag_prefix,
    strip_flags,
)
from ..rules import Cell, Rules
from ..schema_playground import KnobOption, PDRole
from ..selection import Selection
from .apply_storage import apply_hicache, apply_selects, apply_umbp
from .editor import Editor, disabled, knob_disabled
from .knobs import SLOT_BY_KEY, SLOTS, effective, option
from .state import DEFAULTS, Overrides


def forced_off(rules: Rules, ctx: Mapping[str, Any]) -> Any:
    """The DP-attention `force_off` that matches, if any."""
    return next((f for f in rules.playground.attention.dp_attention.force_off if matches(f.when, ctx)), None)


def apply_attention(
    rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]
) -> tuple[list, list]:
    """TP, then DP-Attention (a matching `force_off` wins over the pick), then CP."""
    att, ed, env, out = rules.playground.attention, Editor(rules), list(env), list(flags)
    if ov.tp is not None and not knob_disabled(att.tp, ctx):
        out = ed.after(strip_flags(out, att.tp.flag), att.tp.after, [f"{att.tp.flag} {ov.tp}"])
    dp = att.dp_attention
    owned = (*dp.strip, dp.flag, *dp.keep_on_resize)
    force = forced_off(rules, ctx)
    if force is not None:
        out = strip_flags(out, *owned)
        env = strip_env(env, *force.strip_env)
    elif ov.dp_attention is not None and not knob_disabled(dp, ctx):
        kept = [f for f in out if flag_name(f) in dp.keep_on_resize]
        out = strip_flags(out, *owned)
        if ov.dp_attention:
            out = ed.after(out, dp.after, [f"{dp.flag} {ov.dp_attention}", *kept])
    live = {**ctx, "tp": tp_size(rules, out), "dp_attn_on": dp_attn_on(rules, out)}
    if ov.cp is not None and not knob_disabled(att.cp, ctx) and not _disabled_pick(att.cp.option, ov.cp, live):
        out = strip_flags(out, *att.cp.strip)
        if ov.cp > 1:
            size = [f"{att.cp.size_flag} {ov.cp}"] if att.cp.size_flag else []
            out = ed.after(out, att.cp.after, [*size, *att.cp.flags])
    return env, out


def _disabled_pick(options: Sequence[KnobOption], value: Any, ctx: Mapping[str, Any]) -> bool:
    """A pick whose option is greyed under the live facts applies nothing (a stale pick)."""
    return any(o.value == value and disabled(o, ctx) for o in options)


def tp_size(rules: Rules, flags: Sequence[str]) -> int | None:
    value = flag_value(flags, rules.playground.attention.tp.flag)
    return int(value) if value is not None and value.isdigit() else None


def apply_moe(
    rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, base: Cell, ctx: Mapping[str, Any]
) -> tuple[list, list]:
    """Backend (its flags, and its env where `env_when` matches), then the backend's
    quantization (flags and env; not where that knob is hidden), then EP."""
    moe, ed = rules.playground.moe, Editor(rules)
    env, flags = list(env), list(flags)
    if ov.moe_backend is not None:
        flags = strip_flags(flags, *moe.backend.strip)
        env = strip_env(env, *{env_name(e) for o in moe.backend.option for e in o.env})
        chosen = option(moe.backend.option, ov.moe_backend)
        flags = ed.after(flags, moe.backend.after, chosen.flags)
        if chosen.env and (chosen.env_when is None or matches(chosen.env_when, ctx)):
            env += [e for e in chosen.env if e not in env]
    bq = moe.backend_quant
    quant_names = {env_name(e) for o in bq.option for e in o.env}
    quant_flags = {flag_name(f) for o in bq.option for f in o.flags}
    if (ov.moe_backend is not None or ov.moe_quant is not None) and not matches(bq.hide, ctx):
        if effective_backend(rules, base, ov) == bq.backend:
            flags = strip_flags(flags, *quant_flags)
            env = strip_env(env, *bq.strip_env, *quant_names)
            chosen = option(bq.option, ov.moe_quant or base_quant(rules, base))
            if chosen.flags:
                flags = ed.after(flags, bq.after, chosen.flags)
            env += chosen.env
        elif ov.moe_backend is not None:
            flags = strip_flags(flags, *quant_flags)
            env = strip_env(env, *quant_names)
    if ov.ep is not None and not knob_disabled(moe.ep, ctx):
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


def pd_role(rules: Rules, mode: str, ctx: Mapping[str, Any]) -> PDRole | None:
    """What the PD role `mode` adds for `ctx`: the first `[[pd.role]]` that matches."""
    return next(
        (r for r in rules.playground.pd.role if r.mode == mode and (r.when is None or matches(r.when, ctx))), None
    )


def apply_pd(rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]) -> tuple:
    """Always strips the disaggregation flags (a base's bootstrap port is carried over); a
    role inserts its own, the role's extra flags and env (`[[pd.role]]`), moves the port and
    appends the transfer backend's env where its `env_when` matches."""
    pd, ed = rules.playground.pd, Editor(rules)
    bootstrap = flag_value(flags, pd.bootstrap_port_flag)
    env, flags = list(env), strip_flags(flags, *pd.strip)
    if ov.pd_mode == "off":
        return env, flags
    transfer = option(pd.transfer.option, effective(SLOT_BY_KEY["pd_transfer"], rules.playground, ov.pd_transfer, ctx))
    new = [f"{pd.mode_flag} {ov.pd_mode}", f"{pd.transfer_flag} {transfer.id}"]
    if bootstrap:
        new.append(f"{pd.bootstrap_port_flag} {bootstrap}")
    device = effective(SLOT_BY_KEY["pd_ib_device"], rules.playground, ov.pd_ib_device, ctx)
    if device != pd.ib_device.option[0].id:  # the first choice lets SGLang pick
        new.append(f"{pd.ib_flag} {device}")
    role = pd_role(rules, ov.pd_mode, ctx)
    if role is not None:
        flags = strip_flags(flags, *role.strip_flags, *(flag_name(f) for f in role.flags))
        env = strip_env(env, *role.strip_env)
        new += role.flags
    flags = ed.before_host(flags, new)
    port = pd.prefill_port if ov.pd_mode == "prefill" else pd.decode_port
    flags = [f"{ed.port} {port}" if flag_name(f) == ed.port else f for f in flags]
    if transfer.env_when is None or matches(transfer.env_when, ctx):
        present = {env_name(e) for e in env}
        env += [e for e in transfer.env if env_name(e) not in present]
    if role is not None:
        env += [e for e in role.env if e not in env]
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


def touched(ov: Overrides, card: str) -> bool:
    """Whether any knob of `card` differs from its default."""
    return any(getattr(ov, s.key) != DEFAULTS[s.key] for s in SLOTS if s.card == card)


def spec_algorithm(rules: Rules, flags: Sequence[str]) -> str | None:
    """The speculative algorithm the flags run (the value of `<prefix>algorithm`)."""
    value = flag_value(flags, rules.playground.speculative.prefix + "algorithm")
    return value.upper() if value else None


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
    """The backend quantization the base implies: the richest option whose flags and env
    names it all carries (W4A4 has a flag W4A8 lacks), else the first option."""
    options = rules.playground.moe.backend_quant.option
    names = {env_name(e) for e in (base.env if base else [])}
    heads = {flag_name(f) for f in (base.flags if base else [])}

    def fits(o: KnobOption) -> bool:
        return {env_name(e) for e in o.env} <= names and {flag_name(f) for f in o.flags} <= heads

    fitting = [o for o in options if (o.env or o.flags) and fits(o)]
    return max(fitting, key=lambda o: len(o.env) + len(o.flags), default=options[0]).id


def base_speculative(rules: Rules, flags: Sequence[str]) -> str | None:
    """The preset the base runs (the flagless preset when it has no speculative flags), or
    None when its speculative flags are none of the presets. Flags a flag select owns (the
    DSpark block size) are the select's, not the preset's."""
    pg = rules.playground
    owned = {name for fs in pg.flag_select for name in fs.strip}
    found = [f for f in flags if flag_name(f).startswith(pg.speculative.prefix) and flag_name(f) not in owned]
    for o in pg.speculative.option:
        if o.flags == found and not o.disabled:
            return o.id
    return None


def base_cell(rules: Rules, sel: Selection) -> Cell | None:
    """The single-command cell the Playground starts from, or None ("no base")."""
    cell = rules.cell(sel)
    return None if cell is None or cell.has_roles else cell


def context(
    rules: Rules,
    sel: Selection,
    dp_attn_on: bool,
    pd_mode: str,
    spec_algorithm: str | None = None,
    tp: int | None = None,
) -> dict[str, Any]:
    """What constraints are evaluated on: the Deploy selection, vendor, arch, dp_attn_on,
    pd_mode, the speculative algorithm and the TP size in effect."""
    hw = rules.hardware(sel.hw)
    return {
        **sel.as_dict(),
        "vendor": hw.vendor,
        "arch": hw.arch,
        "dp_attn_on": dp_attn_on,
        "pd_mode": pd_mode,
        "spec_algorithm": spec_algorithm,
        "tp": tp,
    }


def dp_size(rules: Rules, flags: Sequence[str]) -> int | None:
    """The DP-attention size the flags run: `flag N`, else (the deprecated form) the legacy
    size with the legacy switch (1 without a size); None when neither is there."""
    dp = rules.playground.attention.dp_attention
    value = flag_value(flags, dp.flag)
    if value is None and dp.legacy_switch and has_flag(flags, dp.legacy_switch):
        value = next((v for v in (flag_value(flags, n) for n in dp.legacy_size) if v is not None), "1")
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def dp_attn_on(rules: Rules, flags: Sequence[str]) -> bool:
    """DP-attention is on: `flag` > 1, or the deprecated legacy switch is present."""
    dp = rules.playground.attention.dp_attention
    if dp.legacy_switch and has_flag(flags, dp.legacy_switch):
        return True
    size = dp_size(rules, flags)
    return size is not None and size > 1


def live_context(rules: Rules, sel: Selection, flags: Sequence[str], ov: Overrides) -> dict[str, Any]:
    return context(
        rules, sel, dp_attn_on(rules, flags), ov.pd_mode, spec_algorithm(rules, flags), tp_size(rules, flags)
    )


def apply(rules: Rules, base_sel: Selection, overrides: Overrides) -> tuple[list[str], list[str]]:
    """The Playground (env, flags): the base cell's, with the cards applied in the spec's order.

    The state is applied as given (see `revert_hidden` for dropping hidden picks). Returns
    empty lists when there is no base (a cell with roles, or no cell). A card whose knobs
    are all at their defaults leaves the base as is: the "always strip" of PD / HiSparse /
    HiCache applies once the card (for HiSparse: or PD) is touched, so a user's own cell
    that carries such flags stays intact while untouched. Each card sees the context as the
    cards before it left it (DP-attention on, the speculative algorithm, the PD role).
    """
    base = base_cell(rules, base_sel)
    if base is None:
        return [], []
    ov = overrides
    env, flags = apply_attention(rules, base.env, base.flags, ov, live_context(rules, base_sel, base.flags, ov))
    ctx = live_context(rules, base_sel, flags, ov)
    env, flags = apply_moe(rules, env, flags, ov, base, ctx)
    flags = apply_parsers(rules, flags, ov)
    flags = apply_speculative(rules, flags, ov, base, ctx)
    ctx = live_context(rules, base_sel, flags, ov)
    if touched(ov, "pd"):
        env, flags = apply_pd(rules, env, flags, ov, ctx)
    if touched(ov, "hisparse") or touched(ov, "pd"):
        flags = apply_hisparse(rules, flags, ov)
    if touched(ov, "hicache"):
        flags = apply_hicache(rules, flags, ov, ctx)
    env, flags = apply_umbp(rules, env, flags, ov, base, ctx)
    env, flags = apply_selects(rules, env, flags, ov, base, live_context(rules, base_sel, flags, ov))
    if ov.edits:
        env, flags = apply_edits(env, flags, ov.edits, rules.model.engine.host_flag)
    return env, flags
