"""The schema of `playground.toml`: the Playground's cards and knobs (see `schema.py`)."""

from __future__ import annotations

from dataclasses import field
from typing import Annotated, Any

from .pydantic_hooks import Bounds, Strict, record
from .shellsafe import EnvEntry, Flag, FlagName, Line, Script

Constraint = dict[str, list[Any]]


@record
class DisableIf(Strict):
    """Greyed while `when` matches, with `reason` (the first match gives the reason)."""

    when: Constraint
    reason: str


@record
class LabelWhen(Strict):
    """The option's label while `when` matches (the first match wins)."""

    when: Constraint
    label: str


@record
class FlagsCase(Strict):
    """Flags that depend on the state: the first case whose `when` matches (none: always)."""

    flags: list[Flag]
    when: Constraint | None = None


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
    default_when: Constraint | None = None  # a knob without inherit starts here while it matches
    disable_if: list[DisableIf] = field(default_factory=list)
    label_when: list[LabelWhen] = field(default_factory=list)
    case: list[FlagsCase] = field(default_factory=list)  # flags that depend on the state


@record
class Knob(Strict):
    """A knob: its label, its `--override` key, the label of its inherit choice, its options.

    `hide` removes the whole knob while it matches; a `disable_if` that matches greys every
    option (and the pick then changes nothing)."""

    label: str
    cli: str
    inherit: str | None = None  # offered while the base does not define the knob
    option: list[KnobOption] = field(default_factory=list)
    hide: Constraint | None = None
    hidden_reason: str | None = None
    disable_if: list[DisableIf] = field(default_factory=list)


@record
class SizeKnob(Knob):
    """TP / EP: strip `flag`; insert `flag N` after the first of `after` when N > `min_emit`.

    Every "after" list falls back to right after the engine's model path flag."""

    flag: str
    after: list[str] = field(default_factory=list)
    min_emit: int = 0


@record
class ForceOff(Strict):
    """While `when` matches, DP-attention is off whatever the pick, and `strip_env` goes."""

    when: Constraint
    reason: str
    strip_env: list[str] = field(default_factory=list)


@record
class DPAttentionKnob(Knob):
    """DP-attention N: strip `strip`, insert `flag N` (and the `keep_on_resize` flags the base
    had) after the first of `after`; Off strips them all. The base runs DP-attention when
    `flag` > 1, or when `legacy_switch` is present (sized by the first of `legacy_size`)."""

    flag: str  # "--attn-dp-size"
    after: list[str]
    strip: list[str] = field(default_factory=list)
    keep_on_resize: list[str] = field(default_factory=list)
    legacy_switch: str | None = None  # "--enable-dp-attention"
    legacy_size: list[str] = field(default_factory=list)  # "--dp-size", "--dp"
    force_off: list[ForceOff] = field(default_factory=list)


@record
class FlagSetKnob(Knob):
    """CP: strip `strip`; for a value > 1 insert `size_flag N` (when given) and `flags` after
    the first of `after`."""

    strip: list[str]
    flags: list[Flag]
    after: list[str]
    size_flag: str | None = None


@record
class BackendKnob(Knob):
    strip: list[str]
    after: list[str]


@record
class BackendQuantKnob(Knob):
    """A quantization that applies to one backend (`backend`): its env replaces `strip_env`."""

    backend: str
    strip_env: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # where an option's flags go


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
class RouterOverride(Strict):
    """The router command where `when` matches (the first match wins)."""

    when: Constraint
    command: Script


@record
class PDRole(Strict):
    """What a PD role adds beyond mode / transfer / IB device, where `when` matches (the
    first entry for the role wins): strip `strip_flags`, `strip_env` and its flags' heads,
    insert `flags` before host, add `env`."""

    mode: str
    flags: list[Flag] = field(default_factory=list)
    env: list[EnvEntry] = field(default_factory=list)
    when: Constraint | None = None
    strip_flags: list[str] = field(default_factory=list)
    strip_env: list[str] = field(default_factory=list)


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
    router_override: list[RouterOverride] = field(default_factory=list)
    role: list[PDRole] = field(default_factory=list)


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
class HiCacheIO(Strict):
    """An io profile: where `when`, `mode` (the PD role) and `transfer` match (the first
    profile wins), the ratio, memory layout, io backend and policy / prefetch defaults."""

    when: Constraint | None = None
    mode: str | None = None
    transfer: str | None = None
    layout: str | None = None
    io: str | None = None
    ratio: int | float | None = None
    policy: str | None = None
    prefetch: str | None = None


@record
class HiCacheNotice(Strict):
    """A line for the PD banner while HiCache is on and when / mode / transfer match."""

    text: Line
    when: Constraint | None = None
    mode: str | None = None
    transfer: str | None = None


@record
class StorageOnly(Strict):
    """Where `when` matches, only `backends` make HiCache L3 (others stay L2)."""

    when: Constraint
    backends: list[str]


@record
class HiCacheCard(Strict):
    label: str
    hide: Constraint | None = None
    hidden_reason: str | None = None
    enable: Knob
    flag: str  # "--enable-hierarchical-cache"
    strip_prefix: str  # "--hicache-"
    ratio_flag: str
    default_ratio: int | float
    size_flags: list[Flag]  # without an io profile
    layout_flag: str
    default_layout: str
    io_flag: str
    default_io: str
    policy_flag: str
    default_policy: str
    backend_flag: str
    prefetch_flag: str
    default_prefetch: str
    backend: Knob
    write_policy: Knob
    storage_only: StorageOnly | None = None
    io: list[HiCacheIO] = field(default_factory=list)
    notice: list[HiCacheNotice] = field(default_factory=list)


@record
class UMBPRole(Strict):
    """The linker for a PD role where `when` matches: on by default (`enable`), with its
    flags, env and a note to show."""

    mode: str
    enable: bool = False
    when: Constraint | None = None
    flags: list[Flag] = field(default_factory=list)
    env: list[EnvEntry] = field(default_factory=list)
    note: str | None = None


@record
class UMBPCard(Strict):
    """The unified cache external linker, an alternative to HiCache (it strips HiCache)."""

    label: str
    flag: str
    backend_flag: str
    default_backend: str
    enable: Knob
    backend: Knob
    show_only: Constraint | None = None
    hidden_reason: str | None = None
    strip: list[str] = field(default_factory=list)
    strip_prefix: str | None = None
    role: list[UMBPRole] = field(default_factory=list)


@record
class FlagSelect(Strict):
    """A select of flag sets (the config's flagSelects), shown while `show_when` matches."""

    id: str
    title: str
    cli: str
    strip: list[str]
    option: list[KnobOption]
    inherit: str = "Inherited"
    show_when: Constraint | None = None
    control: str | None = None  # "slider": an ordered scale
    default: str | None = None  # the pick a shown select starts at (else inherit)


@record
class PlaygroundFile(Strict):
    attention: AttentionCard
    moe: MoECard
    parsers: ParsersCard
    speculative: SpeculativeCard
    pd: PDCard
    hisparse: HiSparseCard
    hicache: HiCacheCard
    umbp: UMBPCard | None = None
    flag_select: list[FlagSelect] = field(default_factory=list)
