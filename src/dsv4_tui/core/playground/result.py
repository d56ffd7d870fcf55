"""The Playground result for one (base, overrides, framing, Env): the command, its diff
against the base, the badge and sibling match, the PD router and cURL, Submit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..diff import DiffLine, line_diff
from ..env import Env
from ..flags import flag_name, flag_value, has_flag, matches
from ..formats import DEFAULT_FRAMING
from ..formats import framing as get_framing
from ..lookup import model_name
from ..render import USER_BADGE, command_corrections, command_notes, render_curl, render_flags
from ..rules import Cell, Rules
from ..schema import PLACEHOLDER_RE, PlaygroundFile
from ..selection import Selection
from ..submit import submit_url as make_submit_url
from ..subst import Subst, fill_names, substitute
from .apply_cards import apply, base_cell, context
from .apply_storage import umbp_role
from .state import Overrides
from .views import revert_hidden

NO_BASE = (
    "No single verified base command for this selection: its cell runs as separate "
    "prefill / decode / router roles. Pick another Deploy selection to use the Playground."
)
NO_CELL = "No command available for the current selection."


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
    matched: Cell | None  # the verified cell the result equals, if any (the page's before the user's)
    matched_strategy: str | None  # its strategy when it is not the base's ("matches <strategy>")
    notes: tuple[str, ...]  # the model's notes for this command (e.g. the MTP note)
    can_submit: bool  # Not Verified with a base: Submit is offered
    submit_url: str | None = None  # only when `can_submit` and an SGLang version was given
    user: bool = False  # it equals one of the user's own cells (and none of the page's)

    @property
    def badge(self) -> str:
        return USER_BADGE if self.user else "Verified" if self.verified else "Not Verified"

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
    found.sort(key=lambda c: (rules.is_user_cell(c), c.strategy != sel.strategy))
    return found[0] if found else None


def hicache_notice(pg: PlaygroundFile, mode: str, flags: Sequence[str], ctx: Mapping[str, Any] | None) -> str | None:
    """The HiCache notice for the PD role `mode`, while HiCache is on in `flags`."""
    hc = pg.hicache
    if mode == "off" or ctx is None or not has_flag(flags, hc.flag):
        return None
    transfer = flag_value(flags, pg.pd.transfer_flag)
    for n in hc.notice:
        role = (n.mode is None or n.mode == mode) and (n.transfer is None or n.transfer == transfer)
        if role and (n.when is None or matches(n.when, ctx)):
            return n.text
    return None


def pd_banner(
    pg: PlaygroundFile, mode: str, flags: Sequence[str] = (), ctx: Mapping[str, Any] | None = None
) -> list[str]:
    """The banner on top of a PD role command (`[pd] banner` of the rules), with the HiCache
    notice that applies right under its first line."""
    if mode == "off":
        return []
    peer = "decode" if mode == "prefill" else "prefill"
    words = {"ROLE": mode.upper(), "role": mode, "peer": peer, "router_port": pg.pd.router_port}
    lines = ["# " + fill_names(line, words) for line in pg.pd.banner]
    notice = hicache_notice(pg, mode, flags, ctx)
    return lines[:1] + [f"# Note: {notice}"] + lines[1:] if notice else lines


def role_ports(rules: Rules, base_flags: Sequence[str], subst: Subst) -> tuple[int, int]:
    """(prefill, decode) serving ports of the PD roles: the cookbook's, or, when the Env sets
    the port the base command binds (`--port {{PORT}}`), that port for prefill and decode as
    far above it as the cookbook has it."""
    pd = rules.playground.pd
    m = PLACEHOLDER_RE.fullmatch(flag_value(base_flags, rules.model.engine.port_flag) or "")
    name = m.group(1) if m else ""
    value = subst.values.get(name, "")
    if not name or name in subst.verbatim or not (value.isascii() and value.isdigit()):
        return pd.prefill_port, pd.decode_port
    prefill = int(value)
    decode = prefill + pd.decode_port - pd.prefill_port
    return (prefill, decode) if 1 <= decode <= 65535 else (pd.prefill_port, pd.decode_port)


def router_command(
    pg: PlaygroundFile, ctx: Mapping[str, Any] | None = None, ports: tuple[int, int] | None = None
) -> str:
    """The router command for PD disaggregation (ports filled in: `ports` are the roles'): the
    first `[[pd.router_override]]` that matches the selection `ctx`, else `[pd] router`."""
    pd = pg.pd
    prefill, decode = ports or (pd.prefill_port, pd.decode_port)
    values = {"PREFILL_PORT": str(prefill), "DECODE_PORT": str(decode), "ROUTER_PORT": str(pd.router_port)}
    text = next((r.command for r in pd.router_override if ctx is not None and matches(r.when, ctx)), pd.router)
    return substitute(text.strip("\n"), Subst(values, frozenset(values)))


def render_playground(
    rules: Rules, sel: Selection, env: Sequence[str], flags: Sequence[str], pd_mode: str, framing: str, subst: Subst
) -> str:
    """The command text exactly like Deploy, plus the PD role's banner, dist port and the
    host network."""
    pd = rules.playground.pd
    dist = {"prefill": pd.prefill_dist_port, "decode": pd.decode_dist_port}.get(pd_mode)
    body = render_flags(rules, sel, env, flags, framing, subst, dist_port=dist, network_host=pd_mode != "off")
    ctx = context(rules, sel, False, pd_mode)
    return "\n".join([*pd_banner(rules.playground, pd_mode, flags, ctx), body])


def umbp_notes(rules: Rules, base: Cell, ov: Overrides, ctx: Mapping[str, Any], flags: Sequence[str]) -> list[str]:
    """The PD role's UMBP note, while its linker is on in `flags`."""
    u = rules.playground.umbp
    role = umbp_role(rules, ctx)
    if u is None or role is None or not role.note or not has_flag(flags, u.flag):
        return []
    return [role.note]


def no_cell_reason(rules: Rules, sel: Selection) -> str:
    """Why a selection has no cell: the Deploy panel's reason for its first dimension that
    cannot be chosen (e.g. "RTX PRO 6000 runs Flash / Flash Official only: no Pro cell")."""
    from ..rules import DIMS
    from ..selection import disabled_reason, is_enabled

    for dim in DIMS:
        if not is_enabled(rules, sel, dim, sel[dim]):
            return f"{NO_CELL} {disabled_reason(rules, sel, dim, sel[dim])}"
    return NO_CELL


def _no_base(rules: Rules, sel: Selection, ov: Overrides, router: str | None, curl: str) -> PlaygroundResult:
    cell = rules.cell(sel)
    return PlaygroundResult(
        overrides=ov,
        has_base=False,
        no_base_reason=no_cell_reason(rules, sel) if cell is None else NO_BASE,
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
        notes=(),
        can_submit=False,
    )


def _notes(rules: Rules, base, ov: Overrides, ctx, flags: list[str]) -> tuple[str, ...]:
    """The page's notes for the command, the lint's corrections beside them, the UMBP notes."""
    return (*command_notes(rules, flags), *command_corrections(rules, flags), *umbp_notes(rules, base, ov, ctx, flags))


def _follow_port(rules: Rules, ov: Overrides, ports: tuple[int, int], flags: list[str]) -> list[str]:
    """A PD role's flags with its port as the Env's PORT gives it (the cookbook's own ports else)."""
    pd = rules.playground.pd
    if ov.pd_mode == "off" or ports == (pd.prefill_port, pd.decode_port):
        return flags
    port_flag, port = rules.model.engine.port_flag, ports[0] if ov.pd_mode == "prefill" else ports[1]
    return [f"{port_flag} {port}" if flag_name(f) == port_flag else f for f in flags]


def playground(
    rules: Rules,
    sel: Selection,
    overrides: Overrides,
    framing: str = DEFAULT_FRAMING,
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
    get_framing(framing)
    ov = revert_hidden(rules, sel, overrides)
    subst = (subst or Env.defaults(rules).subst()).with_values(MODEL_NAME=model_name(rules, sel))
    pg = rules.playground
    ctx = context(rules, sel, False, ov.pd_mode)
    base = base_cell(rules, sel)
    ports = role_ports(rules, base.flags if base is not None else (), subst)
    router = router_command(pg, ctx, ports) if ov.pd_mode != "off" else None
    curl = render_curl(rules, sel, subst.with_values(CURL_PORT=str(pg.pd.router_port)) if router else subst)
    if base is None:
        return _no_base(rules, sel, ov, router, curl)
    env, flags = apply(rules, sel, ov)
    flags = _follow_port(rules, ov, ports, flags)
    text = render_playground(rules, sel, env, flags, ov.pd_mode, framing, subst)
    base_text = render_flags(rules, sel, base.env, base.flags, framing, subst)
    matched = matching_cell(rules, sel, env, flags)
    user = rules.is_user_cell(matched)
    url = None
    if (matched is None or user) and sglang_version:
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
        banner=tuple(pd_banner(pg, ov.pd_mode, flags, ctx)),
        diff=tuple(line_diff(base_text, text)),
        router=router,
        curl=curl,
        verified=matched is not None and not user,
        matched=matched,
        matched_strategy=matched.strategy if matched is not None and matched.strategy != sel.strategy else None,
        notes=_notes(rules, base, ov, ctx, flags),
        can_submit=matched is None or user,
        submit_url=url,
        user=user,
    )
