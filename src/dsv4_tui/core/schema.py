"""The rules schema: what `model.toml`, `cells.toml` and `playground.toml` may say.

Pydantic in strict mode (`verified = "yes"` is an error, not silently True). The semantic
checks that need several files at once (ids, placeholders, constraint keys) are in
`rules_checks.py`; reading the files is the host's job (`host/rules_files.py`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .shellsafe import check_env_entry, check_flag, check_one_line, check_script

DIMS: tuple[str, ...] = ("hw", "variant", "quant", "strategy", "nodes")
PLACEHOLDER_RE = re.compile(r"\{\{([A-Z0-9_]+)\}\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# Validated per element, so an error names the exact list item (and its line).
Flag = Annotated[str, AfterValidator(check_flag)]
EnvEntry = Annotated[str, AfterValidator(check_env_entry)]
Line = Annotated[str, AfterValidator(check_one_line)]  # goes into a `# …` comment line
Script = Annotated[str, AfterValidator(check_script)]  # a command text, pasted into a shell


def check_flag_name(value: str) -> str:
    """A pydantic validator: a flag name alone (`--port`), no value."""
    check_flag(value)
    if re.search(r"[\s=]", value):
        raise ValueError(f"a flag name alone, without a value (e.g. '--port'), got {value!r}")
    return value


FlagName = Annotated[str, AfterValidator(check_flag_name)]

# --------------------------------------------------------------------------- model.toml


class ModelInfo(Strict):
    name: str
    cookbook: str
    issue_repo: str
    issue_template: str
    default_image: str


class Engine(Strict):
    """The serving engine's command line, as the renderers and the Playground need it."""

    program: str  # "sglang serve"
    model_path_flag: str  # inserting "after A, else …" ends after this flag
    host_flag: str  # "insert before host": right before the first flag starting with this
    port_flag: str  # its value is the port Docker publishes (`-p P:P`)


class MultiNode(Strict):
    """What a multi-node cell gets: flags inserted after the first anchor found, a header.
    `dsv4 export` fills in three of the flags itself (see `engine_names.launcher_flags`)."""

    flags: list[Flag]  # {{NNODES}}, {{NODE_RANK}}, {{NODE0_IP}}, {{DIST_PORT}}
    after: list[str]
    dist_port: int = Field(gt=0, le=65535)
    header: list[Line]  # {count} and {last} are filled in


class CommandNote(Strict):
    """A note shown beside a command whose flags have all of `when_flags` and none of `unless_flags`."""

    id: str
    when_flags: list[str]
    unless_flags: list[str] = []
    text: str


class Hardware(Strict):
    id: str
    label: str
    vendor: Literal["nvidia", "amd"]
    memory_gb: int = Field(gt=0)
    arch: Literal["hopper", "blackwell", "blackwell-desktop", "cdna3", "cdna4"]
    gpus_per_node: int = Field(default=8, gt=0)
    detect: list[str] = []
    kind: Literal["datacenter", "workstation"] = "datacenter"


class Variant(Strict):
    id: str
    label: str
    total_params: str
    active_params: str


class Quant(Strict):
    id: str
    label: str


class Strategy(Strict):
    id: str
    label: str
    pick_when: str


class NodesOption(Strict):
    id: str
    label: str
    count: int = Field(ge=1)


class Placeholder(Strict):
    label: str
    default: str
    target: Literal["command", "curl"]
    # host: hostname / IPv4 / [IPv6] followed by a port; bind: the same, bare IPv6 allowed;
    # secret: masked everywhere it is shown.
    kind: Literal["host", "bind", "port", "rank", "secret", "text"] = "text"
    follows: str | None = None  # left at its default, it takes this placeholder's value when set

    @property
    def secret(self) -> bool:
        return self.kind == "secret"


class Curl(Strict):
    template: Script


class DockerRuntime(Strict):
    run: str
    args: list[str]


class Docker(Strict):
    volume: str
    token_env: str
    runtime: dict[Literal["nvidia", "amd"], DockerRuntime]
    images: dict[str, str]


class Install(Strict):
    guide: str
    python: list[str]
    docker: str


class AvailabilityNote(Strict):
    when: dict[str, list[str]]
    dim: Literal["hw", "variant", "quant", "strategy", "nodes"]
    values: list[str] = []  # the greyed options it explains (empty: all of `dim`)
    text: str


class ModelFile(Strict):
    model: ModelInfo
    engine: Engine
    multi_node: MultiNode
    note: list[CommandNote] = []
    hardware: list[Hardware]
    variant: list[Variant]
    quant: list[Quant]
    strategy: list[Strategy]
    nodes: list[NodesOption]
    model_names: dict[str, str]
    model_sizes_gb: dict[str, int] = {}  # approximate download size per model repo
    placeholders: dict[str, Placeholder]
    curl: Curl
    docker: Docker
    multi_node_hints: dict[str, list[Line]] = {}
    install: Install
    availability_note: list[AvailabilityNote] = []


# --------------------------------------------------------------------------- cells.toml


class Role(Strict):
    title: Line
    replicas: int = Field(default=1, ge=1)  # independent instances of this role (workers)
    notes: list[Line] = []
    env: list[EnvEntry] = []
    flags: list[Flag] = []
    raw: Script | None = None


class Cell(Strict):
    hw: str
    variant: str
    quant: str
    strategy: str
    nodes: str
    verified: bool = True
    derived_from: str | None = None
    env: list[EnvEntry] = []
    flags: list[Flag] = []
    role: list[Role] = []
    source: str = Field(default="", exclude=True)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.hw, self.variant, self.quant, self.strategy, self.nodes)

    @property
    def key_text(self) -> str:
        return "/".join(self.key)

    @property
    def has_roles(self) -> bool:
        return bool(self.role)

    def get(self, dim: str) -> str:
        return getattr(self, dim)


class CellsFile(Strict):
    cell: list[Cell] = []


# --------------------------------------------------------------------------- playground.toml

Constraint = dict[str, list[Any]]


class KnobOption(Strict):
    id: str
    label: str
    value: int | bool | None = None
    flags: list[Flag] = []
    env: list[EnvEntry] = []
    hide: Constraint | None = None
    show_only: Constraint | None = None
    hidden_reason: str | None = None
    disable: Constraint | None = None
    disabled: bool = False
    reason: str | None = None
    env_when: Constraint | None = None


class Knob(Strict):
    """A knob: its label, its `--override` key, the label of its inherit choice, its options."""

    label: str
    cli: str
    inherit: str | None = None  # offered while the base does not define the knob
    option: list[KnobOption] = []


class SizeKnob(Knob):
    """TP / EP: strip `flag`; insert `flag N` after the first of `after` when N > `min_emit`.

    Every "after" list falls back to right after the engine's model path flag."""

    flag: str
    after: list[str] = []
    min_emit: int = 0


class DPAttentionKnob(Knob):
    flag: str  # "--dp"
    switch: str  # "--enable-dp-attention"
    after: list[str]


class FlagSetKnob(Knob):
    """CP: strip `strip`; for a value > 1 insert `flags` after the first of `after`."""

    strip: list[str]
    flags: list[Flag]
    after: list[str]


class BackendKnob(Knob):
    strip: list[str]
    after: list[str]


class BackendQuantKnob(Knob):
    """A quantization that applies to one backend (`backend`): its env replaces `strip_env`."""

    backend: str
    strip_env: list[str] = []


class AttentionCard(Strict):
    title: str
    tp: SizeKnob
    cp: FlagSetKnob
    dp_attention: DPAttentionKnob


class MoECard(Strict):
    title: str
    backend: BackendKnob
    backend_quant: BackendQuantKnob
    ep: SizeKnob


class ParserKnob(Strict):
    label: str
    cli: str
    flag: Flag


class ParsersCard(Strict):
    title: str
    reasoning: ParserKnob
    tool_call: ParserKnob


class SpeculativeCard(Strict):
    label: str
    cli: str
    inherit: str
    prefix: str  # every flag starting with it belongs to the speculative preset
    option: list[KnobOption]


class RouterPeerFlags(Strict):
    """The router flags whose values are the URLs of the prefill / decode workers (one each)."""

    prefill: FlagName
    decode: FlagName


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
    default_bootstrap_port: int = Field(gt=0, le=65535)  # the engine's, when that flag is absent
    router_port_flag: FlagName  # the router's own port, in `router`
    router_peer_flags: RouterPeerFlags  # the router's flags naming each role's workers
    mode: Knob
    transfer: Knob
    ib_device: Knob


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


class PlaygroundFile(Strict):
    attention: AttentionCard
    moe: MoECard
    parsers: ParsersCard
    speculative: SpeculativeCard
    pd: PDCard
    hisparse: HiSparseCard
    hicache: HiCacheCard
