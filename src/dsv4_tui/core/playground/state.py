"""The Playground knob state: frozen, hashable, every knob at its default ("inherit")."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from ..frozen import frozen

INHERIT = "inherit"
"""The choice id of a knob's inherit choice ("Auto", "Inherited", "Inherited from base")."""

PD_MODES = ("off", "prefill", "decode")  # SGLang's disaggregation modes (off = not disaggregated)


@frozen
class Overrides:
    """The Playground knob state. None means the knob's default: inherit from the base, or
    for a knob without inherit, its first option (the HiSparse ratio: the rules' default).

    tp / cp / ep: N.  dp_attention: 0 (or "off") = Off, else N.  moe_backend / moe_quant /
    speculative and the PD / HiCache selects: an option id.  reasoning / tool_call /
    hisparse / hicache: on or off.
    """

    tp: int | None = None
    cp: int | None = None
    dp_attention: int | None = None
    moe_backend: str | None = None
    moe_quant: str | None = None
    ep: int | None = None
    reasoning: bool | None = None
    tool_call: bool | None = None
    speculative: str | None = None
    pd_mode: str = "off"
    pd_transfer: str | None = None
    pd_ib_device: str | None = None
    hisparse: bool = False
    hisparse_ratio: int | None = None
    hicache: bool = False
    hicache_backend: str | None = None
    hicache_write_policy: str | None = None
    umbp: bool | None = None  # None: the base's (or the PD role's) own choice
    umbp_backend: str | None = None
    # The flag selects' picks, (select id, option id) in the rules' order; absent = inherit
    # (or the select's default while it is shown).
    selects: tuple[tuple[str, str], ...] = ()
    # Edits applied last, e.g. a lint fix: (op, name, value) with op set_flag / remove_flag /
    # set_env / remove_env, names as the command writes them.
    edits: tuple[tuple[str, str, str | None], ...] = ()

    def __post_init__(self) -> None:
        if self.dp_attention in ("off", False):
            object.__setattr__(self, "dp_attention", 0)
        if self.pd_mode not in PD_MODES:
            raise ValueError(f"unknown pd_mode {self.pd_mode!r}; expected one of {', '.join(PD_MODES)}")

    def is_untouched(self) -> bool:
        """True when every knob is at its default (inherit)."""
        return self == Overrides()

    def with_(self, **kw: Any) -> Overrides:
        return replace(self, **kw)

    def select(self, sid: str) -> str | None:
        """The pick of the flag select `sid` (None: inherit)."""
        return dict(self.selects).get(sid)

    def with_select(self, sid: str, choice: str | None) -> Overrides:
        picks = {k: v for k, v in self.selects if k != sid}
        if choice is not None:
            picks[sid] = choice
        return replace(self, selects=tuple(sorted(picks.items())))

    @staticmethod
    def default(key: str) -> Any:
        return DEFAULTS[key]


DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Overrides)}


@frozen
class BoxFacts:
    """What the box the app runs on tells the Playground (found by the host at start-up):
    its InfiniBand devices (offered as IB-device choices) and the HiSparse host ratio its
    RAM fits (preselected). Empty / None: nothing known, the rules' lists and defaults."""

    ib_devices: tuple[str, ...] = ()
    host_ratio: int | None = None
