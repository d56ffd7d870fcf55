"""The rules schema: what `model.toml` and `cells.toml` may say (`playground.toml`:
`schema_playground.py`).

Standard-library dataclasses, validated by pydantic in strict mode (`verified = "yes"` is an
error, not silently True) when a file is read, and only then is pydantic imported
(`pydantic_hooks.py`). The semantic checks that need several files at once (ids,
placeholders, constraint keys) are in `rules_checks.py`; reading the files is the host's job
(`host/rules_files.py`).
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Annotated, Literal

from .pydantic_hooks import Bounds, Strict, record
from .schema_playground import KnobOption as KnobOption  # playground.toml: its own module
from .schema_playground import PlaygroundFile as PlaygroundFile
from .shellsafe import EnvEntry, Flag, Line, Script

DIMS: tuple[str, ...] = ("hw", "variant", "quant", "strategy", "nodes")
PLACEHOLDER_RE = re.compile(r"\{\{([A-Z0-9_]+)\}\}")

# --------------------------------------------------------------------------- model.toml


@record
class ModelInfo(Strict):
    name: str
    cookbook: str
    issue_repo: str
    issue_template: str
    default_image: str


@record
class Engine(Strict):
    """The serving engine's command line, as the renderers and the Playground need it."""

    program: str  # "sglang serve"
    model_path_flag: str  # inserting "after A, else …" ends after this flag
    host_flag: str  # "insert before host": right before the first flag starting with this
    port_flag: str  # its value is the port Docker publishes (`-p P:P`)


@record
class MultiNode(Strict):
    """What a multi-node cell gets: flags inserted after the first anchor found, a header.
    `dsv4 export` fills in three of the flags itself (see `engine_names.launcher_flags`)."""

    flags: list[Flag]  # {{NNODES}}, {{NODE_RANK}}, {{NODE0_IP}}, {{DIST_PORT}}
    after: list[str]
    dist_port: Annotated[int, Bounds(gt=0, le=65535)]
    header: list[Line]  # {count} and {last} are filled in


@record
class CommandNote(Strict):
    """A note shown beside a command whose flags have all of `when_flags` and none of `unless_flags`."""

    id: str
    when_flags: list[str]
    unless_flags: list[str] = field(default_factory=list)
    text: str  # the page's own words, kept as they are
    correction: str | None = None  # what SGLang's source says instead, shown beside the text
    correction_source: str | None = None  # where the correction comes from


@record
class Hardware(Strict):
    id: str
    label: str
    vendor: Literal["nvidia", "amd"]
    memory_gb: Annotated[int, Bounds(gt=0)]
    arch: Literal["hopper", "blackwell", "blackwell-desktop", "cdna3", "cdna4"]
    gpus_per_node: Annotated[int, Bounds(gt=0)] = 8
    detect: list[str] = field(default_factory=list)
    kind: Literal["datacenter", "workstation"] = "datacenter"


@record
class Variant(Strict):
    id: str
    label: str
    total_params: str
    active_params: str


@record
class Quant(Strict):
    id: str
    label: str


@record
class Strategy(Strict):
    id: str
    label: str
    pick_when: str


@record
class NodesOption(Strict):
    id: str
    label: str
    count: Annotated[int, Bounds(ge=1)]


@record
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


@record
class Curl(Strict):
    template: Script


@record
class DockerRuntime(Strict):
    run: str
    args: list[str]


@record
class Docker(Strict):
    volume: str
    token_env: str
    runtime: dict[Literal["nvidia", "amd"], DockerRuntime]
    images: dict[str, str]


@record
class Install(Strict):
    guide: str
    python: list[str]
    docker: str


@record
class AvailabilityNote(Strict):
    when: dict[str, list[str]]
    dim: Literal["hw", "variant", "quant", "strategy", "nodes"]
    values: list[str] = field(default_factory=list)  # the greyed options it explains (empty: all of `dim`)
    text: str


@record
class ModelFile(Strict):
    model: ModelInfo
    engine: Engine
    multi_node: MultiNode
    note: list[CommandNote] = field(default_factory=list)
    hardware: list[Hardware]
    variant: list[Variant]
    quant: list[Quant]
    strategy: list[Strategy]
    nodes: list[NodesOption]
    model_names: dict[str, str]
    model_sizes_gb: dict[str, int] = field(default_factory=dict)  # approximate download size per model repo
    placeholders: dict[str, Placeholder]
    curl: Curl
    docker: Docker
    multi_node_hints: dict[str, list[Line]] = field(default_factory=dict)
    install: Install
    availability_note: list[AvailabilityNote] = field(default_factory=list)


# --------------------------------------------------------------------------- cells.toml


@record
class Role(Strict):
    title: Line
    replicas: Annotated[int, Bounds(ge=1)] = 1  # independent instances of this role (workers)
    notes: list[Line] = field(default_factory=list)
    env: list[EnvEntry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    raw: Script | None = None


@record
class Cell(Strict):
    hw: str
    variant: str
    quant: str
    strategy: str
    nodes: str
    verified: bool = True
    derived_from: str | None = None
    env: list[EnvEntry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    role: list[Role] = field(default_factory=list)
    source: str = ""  # the file it came from (set after validation)

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


@record
class CellsFile(Strict):
    cell: list[Cell] = field(default_factory=list)
