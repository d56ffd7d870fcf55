"""The schema of `playground.toml`: the Playground's cards and knobs (see `schema.py`)."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Any

from .pydantic_hooks import Bounds, Strict, record
from .shellsafe import EnvEntry, Flag, FlagName, Line, Script

Constraint = dict[str, list[Any]]


@record
class KnobOption(Strict):
    id: str
    label: str
    value: int | bool | None = None
    flags: list[Flag] = field(default_factory=list)
    env: list[EnvEntry] = field(default_factory=list)
    hide: Constraint | None = None
    show_only: Constraint | None = None
    hidden_reason: str | None = None
    disable: Constraint | None = None
    disabled: bool = False
    reason: str | None = None
    env_when: Constraint | None = None


@record
class Knob(Strict):
    """A knob: its label, its `--override` key, the label of its inherit choice, its options."""

    label: str
    cli: str
    inherit: str | None = None  # offered while the base does not define the knob
    option: list[KnobOption] = field(default_factory=list)


@record
class SizeKnob(Knob):
    """TP / EP: strip `flag`; insert `flag N` after the first of `after` when N > `min_emit`.

    Every "after" list falls back to right after the engine's model path flag."""

    flag: str
    after: list[str] = field(default_factory=list)
    min_emit: int = 0


@record
class DPAttentionKnob(Knob):
    flag: str  # "--dp"
    switch: str  # "--enable-dp-attention"
    after: list[str]


@record
class FlagSetKnob(Knob):
    """CP: strip `strip`; for a value > 1 insert `flags` after the first of `after`."""

    strip: list[str]
    flags: list[Flag]
    after: list[str]


@record
class BackendKnob(Knob):
    strip: list[str]
    after: list[str]


@record
class BackendQuantKnob(Knob):
    """A quantization that applies to one backend (`backend`): its env replaces `strip_env`."""

    backend: str
    strip_env: list[str] = field(default_factory=list)


@record
class AttentionCard(Strict):
    title: str
    tp: SizeKnob
    cp: FlagSetKnob
    dp_attention: DPAttentionKnob


@record
class MoECard(Strict):
    title: str
    backend: BackendKnob
    backend_quant: BackendQuantKnob
    ep: SizeKnob


@record
class ParserKnob(Strict):
    label: str
    cli: str
    flag: Flag


@record
class ParsersCard(Strict):
    title: str
    reasoning: ParserKnob
    tool_call: ParserKnob


@record
class SpeculativeCard(Strict):
    label: str
    cli: str
    inherit: str
    prefix: str  # every flag starting with it belongs to the speculative preset
    option: list[KnobOption]


@record
class RouterPeerFlags(Strict):
    """The router flags whose values are the URLs of the prefill / decode workers (one each)."""

    prefill: FlagName
    decode: FlagName


@record
class PDCard(Strict):
    label: str
    prefill_port: int
    decode_port: int
    prefill_dist_port: int
    decode_dist_port: int
    router_port: int
    router: Script
    banner: list[Line]  # {ROLE}, {role}, {peer}, {router_port}
    strip: list[str]
    mode_flag: str
    transfer_flag: str
    ib_flag: str
    # Read by `dsv4 export` from a PD command line (a Playground result or a role cell):
    bootstrap_port_flag: FlagName  # the KV bootstrap port a prefill worker listens on
    default_bootstrap_port: Annotated[int, Bounds(gt=0, le=65535)]  # the engine's, when that flag is absent
    router_port_flag: FlagName  # the router's own port, in `router`
    router_peer_flags: RouterPeerFlags  # the router's flags naming each role's workers
    mode: Knob
    transfer: Knob
    ib_device: Knob


@record
class HiSparseCard(Strict):
    label: str
    show_only: Constraint | None = None
    hidden_reason: str | None = None
    enable: Knob  # its options are the on/off toggle
    flag: str  # "--enable-hisparse"
    config_flag: str  # "--hisparse-config"
    required_flags: list[str]
    top_k: int
    device_buffer_size: int
    default_host_ratio: int
    host_ratio: Knob


@record
class HiCacheCard(Strict):
    label: str
    hide: Constraint | None = None
    hidden_reason: str | None = None
    enable: Knob
    flag: str  # "--enable-hierarchical-cache"
    strip_prefix: str  # "--hicache-"
    l2: list[Flag]
    l3: list[Flag]
    policy_flag: str
    default_policy: str
    backend_flag: str
    l3_after: list[Flag]
    backend: Knob
    write_policy: Knob


@record
class PlaygroundFile(Strict):
    attention: AttentionCard
    moe: MoECard
    parsers: ParsersCard
    speculative: SpeculativeCard
    pd: PDCard
    hisparse: HiSparseCard
    hicache: HiCacheCard
