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
    # "first": after the first flag named in `after` (tried in order); "last": after the last
    # flag of the command whose name is any of `after`. Either way, else after the model path.
    anchor: Literal["first", "last"] = "first"


@record
class CommandNote(Strict):
    """A note shown beside a command whose flags have all of `when_flags` and none of `unless_flags`.

    In `text`, {value} is the value of `value_flag` and {label} the value of `label_flag`
    looked up in `labels` (upper-cased), else that value itself."""

    id: str
    when_flags: list[str]
    unless_flags: list[str] = field(default_factory=list)
    text: str  # the page's own words, kept as they are
    kind: Literal["warn", "info"] = "warn"
    value_flag: str | None = None
    label_flag: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
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
    subtitle: str = ""  # the chip's second line, e.g. "288GB"
    multi_node_docker_args: list[str] = field(default_factory=list)  # `docker run` args the fabric needs


@record
class Variant(Strict):
    id: str
    label: str
    total_params: str = ""
    active_params: str = ""
    subtitle: str = ""  # the page's chip subtitle, e.g. "284B · 0731"
    description: str = ""  # what the variant is (the page's model table)


@record
class Quant(Strict):
    id: str
    label: str
    subtitle: str = ""


@record
class Strategy(Strict):
    id: str
    label: str
    pick_when: str
    subtitle: str = ""


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
class Source(Strict):
    """Where the generated rules came from (cookbook.toml, written by tools/sync_cookbook.py)."""

    name: str  # "cookbook"
    date: str  # the config's date, YYYY-MM-DD
    config: str = ""  # the copy it was read from
    replaces: list[str] = field(default_factory=list)  # tables laid over model.toml whole

    @property
    def text(self) -> str:
        return f"{self.name} {self.date}"


@record
class Badge(Strict):
    """A badge state's word and colour class (`badge-<id>` in the stylesheet)."""

    label: str
    page_label: str = ""  # the page's own words, when dsv4 words it shorter


def _default_badges() -> dict[str, Badge]:
    return {
        "verified": Badge(label="Verified"),
        "in-progress": Badge(label="In progress"),
        "unverified": Badge(label="Not Verified"),
    }


@record
class Workload(Strict):
    """One measured workload of a benchmark: ISL / OSL at a concurrency."""

    dataset: str = ""
    isl: int | None = None
    osl: int | None = None
    concurrency: int | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    tok_s_gpu: float | None = None


@record
class Benchmark(Strict):
    """The measured speed of the cell its `match` names (benchmarks.toml)."""

    match: dict[str, str]
    sglang_version: str = ""
    latency_percentile: str = ""
    accuracy: dict[str, float] = field(default_factory=dict)
    speed: list[Workload] = field(default_factory=list)


@record
class BenchInfo(Strict):
    latency_percentile: str = "P50"


@record
class SrtOption(Strict):
    id: str
    label: str
    subtitle: str = ""


@record
class SrtRecipe(Strict):
    workload: str
    strategy: str
    path: str
    prefill_nodes: int = 0  # disaggregated: prefill and decode workers' nodes
    decode_nodes: int = 0
    serving_nodes: int = 0  # aggregated: the serving nodes
    infrastructure_nodes: int = 0  # e.g. the node running the router / HiCache store
    description: str = ""
    repository: str = ""  # when the recipe lives elsewhere than the panel's repository (a pending PR)
    branch: str = ""
    status: str = ""  # "pending": not merged upstream yet


@record
class SrtSlurm(Strict):
    """Selections served by srt-slurm recipes instead of a cell (hw + variant, multi-node)."""

    repository: str
    branch: str
    hw: str
    variant: str
    model_label: str = ""
    gpus_per_node: int = 0
    apply: str = "srtctl apply -f {path}"
    workload: list[SrtOption] = field(default_factory=list)
    strategy: list[SrtOption] = field(default_factory=list)
    recipe: list[SrtRecipe] = field(default_factory=list)


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
    source: Source | None = None  # cookbook.toml: where the generated rules came from
    badges: dict[Literal["verified", "in-progress", "unverified"], Badge] = field(default_factory=_default_badges)
    page_url: str = ""  # the cookbook page: a banner's [label](#anchor) links point into it
    bench: BenchInfo = field(default_factory=BenchInfo)
    benchmark: list[Benchmark] = field(default_factory=list)  # benchmarks.toml
    srt_slurm: SrtSlurm | None = None  # srt_slurm.toml


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
    # The badge: verified | in-progress | unverified; when absent, `verified` says it.
    status: Literal["verified", "in-progress", "unverified"] | None = None
    warn: str | None = None  # a banner under the command; may hold [label](#anchor) links
    derived_from: str | None = None
    env: list[EnvEntry] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    role: list[Role] = field(default_factory=list)
    source: str = ""  # the file it came from (set after validation)

    @property
    def state(self) -> str:
        """The badge state: verified, in-progress or unverified."""
        return self.status or ("verified" if self.verified else "unverified")

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
