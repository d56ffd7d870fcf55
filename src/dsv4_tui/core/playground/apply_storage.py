"""The storage cards and the flag selects: HiCache (with its io profiles), the unified cache
external linker (UMBP) and the config's flag selects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..flags import env_name, flag_name, flag_value, has_flag, matches, strip_env, strip_flag_prefix, strip_flags
from ..rules import Cell, Rules
from ..schema_playground import FlagSelect, HiCacheIO, KnobOption, UMBPRole
from .editor import Editor, disabled
from .knobs import SLOT_BY_KEY, effective, hidden_option, option
from .state import Overrides


def hicache_io(rules: Rules, flags: Sequence[str], ctx: Mapping[str, Any]) -> HiCacheIO | None:
    """The io profile for the live PD role and transfer backend (read off `flags`) and `ctx`."""
    pd = rules.playground.pd
    mode = flag_value(flags, pd.mode_flag) or "off"
    transfer = flag_value(flags, pd.transfer_flag)
    for io in rules.playground.hicache.io:
        if io.mode is not None and io.mode != mode:
            continue
        if io.transfer is not None and io.transfer != transfer:
            continue
        if io.when is None or matches(io.when, ctx):
            return io
    return None


def _number(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def apply_hicache(rules: Rules, flags: Sequence[str], ov: Overrides, ctx: Mapping[str, Any]) -> list[str]:
    """Nothing on excluded hardware; else strips the HiCache flags and re-inserts them when
    enabled (L2 = the first storage choice, GPU + CPU; L3 = a storage backend), sized by the
    io profile that matches (AMD, a PD role's own)."""
    hc, pg = rules.playground.hicache, rules.playground
    if matches(hc.hide, ctx):
        return list(flags)
    out = strip_flag_prefix(strip_flags(flags, hc.flag), hc.strip_prefix)
    if not ov.hicache:
        return out
    backend = effective(SLOT_BY_KEY["hicache_backend"], pg, ov.hicache_backend, ctx)
    l3 = backend != hc.backend.option[0].id
    if hc.storage_only is not None and matches(hc.storage_only.when, ctx):
        l3 = backend in hc.storage_only.backends
    io = hicache_io(rules, out, ctx)
    policy = effective(SLOT_BY_KEY["hicache_write_policy"], pg, ov.hicache_write_policy, ctx)
    if policy == hc.write_policy.option[0].id:  # the first choice is the engine's default policy
        policy = (io.policy if io else None) or hc.default_policy
    ratio = io.ratio if io is not None and io.ratio is not None else hc.default_ratio
    new = [hc.flag, f"{hc.ratio_flag} {_number(ratio)}"]
    if io is None:
        new += hc.size_flags
    if io is not None and io.layout and io.io:
        new += [f"{hc.layout_flag} {io.layout}", f"{hc.io_flag} {io.io}"]
    elif l3:
        new += [f"{hc.layout_flag} {hc.default_layout}", f"{hc.io_flag} {hc.default_io}"]
    new.append(f"{hc.policy_flag} {policy}")
    prefetch = io.prefetch if io is not None else None
    if l3:
        new += [f"{hc.backend_flag} {backend}", f"{hc.prefetch_flag} {prefetch or hc.default_prefetch}"]
    elif prefetch:
        new.append(f"{hc.prefetch_flag} {prefetch}")
    return Editor(rules).before_host(out, new)


def umbp_role(rules: Rules, ctx: Mapping[str, Any]) -> UMBPRole | None:
    u = rules.playground.umbp
    if u is None:
        return None
    mode = ctx.get("pd_mode")
    return next((r for r in u.role if r.mode == mode and (r.when is None or matches(r.when, ctx))), None)


def umbp_on(rules: Rules, base: Cell | None, ov: Overrides, ctx: Mapping[str, Any]) -> bool:
    """The linker is on: the pick, else the base's own flag or the PD role's default."""
    u = rules.playground.umbp
    if u is None:
        return False
    if ov.umbp is not None:
        return ov.umbp
    role = umbp_role(rules, ctx)
    return bool(base is not None and has_flag(base.flags, u.flag)) or bool(role and role.enable)


def apply_umbp(
    rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, base: Cell, ctx: Mapping[str, Any]
) -> tuple[list, list]:
    """The unified cache external linker: on, it replaces the HiCache family with its own
    flags, the role's flags and env. Untouched and without a role entry: the base as is."""
    u = rules.playground.umbp
    role = umbp_role(rules, ctx)
    env, flags = list(env), list(flags)
    if u is None or (ov.umbp is None and ov.umbp_backend is None and role is None):
        return env, flags
    base_backend_ = flag_value(base.flags, u.backend_flag)
    flags = strip_flags(flags, u.flag, u.backend_flag, *(flag_name(f) for f in (role.flags if role else [])))
    if not umbp_on(rules, base, ov, ctx) or hidden_option(u, ctx):
        return env, flags
    flags = strip_flags(flags, *u.strip)
    if u.strip_prefix:
        flags = strip_flag_prefix(flags, u.strip_prefix)
    backend = ov.umbp_backend or base_backend_ or u.default_backend
    new = [u.flag, f"{u.backend_flag} {backend}", *(role.flags if role else [])]
    env += [e for e in (role.env if role else []) if e not in env]
    return env, Editor(rules).before_host(flags, new)


def select_flags(o: KnobOption, ctx: Mapping[str, Any]) -> list[str]:
    """An option's flags: its first matching case's, else its own."""
    for c in o.case:
        if c.when is None or matches(c.when, ctx):
            return list(c.flags)
    return list(o.flags)


def base_select(fs: FlagSelect, flags: Sequence[str]) -> str | None:
    """The option of select `fs` whose flags are the base's family (a flagless option: none of
    it); options whose flags depend on the state never match."""
    family = [f for f in flags if flag_name(f) in fs.strip]
    for o in fs.option:
        if not o.case and len(o.flags) == len(family) and all(f in family for f in o.flags):
            return o.id
    return None


def select_shown(fs: FlagSelect, ctx: Mapping[str, Any]) -> bool:
    return fs.show_when is None or matches(fs.show_when, ctx)


def apply_selects(
    rules: Rules, env: Sequence[str], flags: Sequence[str], ov: Overrides, base: Cell, ctx: Mapping[str, Any]
) -> tuple[list, list]:
    """Each shown select whose pick (or default) differs from the base's: the option's flags
    take the family's place (new ones before host); its env replaces every option's env."""
    env, flags = list(env), list(flags)
    for fs in rules.playground.flag_select:
        if not select_shown(fs, ctx):
            continue
        pick = ov.select(fs.id) or fs.default
        if pick is None or pick == base_select(fs, base.flags):
            continue
        chosen = option(fs.option, pick)
        if disabled(chosen, ctx):
            continue
        by_name: dict[str, list[str]] = {}
        for f in select_flags(chosen, ctx):
            by_name.setdefault(flag_name(f), []).append(f)
        out, used = [], set()
        for f in flags:
            name = flag_name(f)
            if name in by_name:
                if name not in used:
                    out += by_name[name]
                    used.add(name)
            elif name not in fs.strip:
                out.append(f)
        fresh = [f for name, fs_ in by_name.items() if name not in used for f in fs_]
        flags = Editor(rules).before_host(out, fresh) if fresh else out
        env = strip_env(env, *{env_name(e) for o in fs.option for e in o.env}) + list(chosen.env)
    return env, flags
