"""The data of a `Deployment` (see `deployment`): roles of flags whose launcher-only values
are `Slot`s. Built by `deployment_parse` and `deployment`; read by the export targets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .selection import Selection

PD_ROLES = ("prefill", "decode")
RANK, HEAD, NNODES, PEER = "rank", "head", "nnodes", "peer"
SECRET = "secret"  # a secret placeholder's value (`role`: its env var name), never written


@dataclass(frozen=True)
class Slot:
    """An argument only the launcher can fill in: this node's rank, the head node's address,
    the node count, the address of another role's worker (`peer`), or a secret placeholder's
    value (`secret`: the target refers to the env var `role`, a Kubernetes Secret or the
    job's environment, and never writes the value)."""

    kind: str  # RANK | HEAD | NNODES | PEER | SECRET
    text: str  # how `dsv4 print` shows it, e.g. "<node-rank>", "<prefill-head-ip>", "2"
    prefix: str = ""  # kept around the filled-in value, e.g. "http://"
    suffix: str = ""  # e.g. ":20000"
    role: str = ""  # PEER: the role whose worker is meant; SECRET: the env var holding the value
    replica: int = 0  # PEER: which worker of that role

    def fill(self, value: str, literal: Word = str) -> str:
        """`value` between the prefix and suffix (those passed through `literal`)."""
        return literal(self.prefix) + value + literal(self.suffix)


Token = str | Slot
Fill = Callable[[Slot], str]
Word = Callable[[str], str]  # how a target writes a literal word (e.g. k8s escapes `$`)


def as_printed(slot: Slot) -> str:
    """A `Fill` that gives back the token as `dsv4 print` shows it."""
    return slot.fill(slot.text)


@dataclass(frozen=True)
class Flag:
    """One flag with its values; `inline` for the `--name=value` spelling (one token)."""

    name: str
    values: tuple[Token, ...] = ()
    inline: bool = False

    def tokens(self, fill: Fill, literal: Word = str) -> list[str]:
        values = [literal(v) if isinstance(v, str) else fill(v) for v in self.values]
        if self.inline:
            return [f"{literal(self.name)}={values[0]}"]
        return [literal(self.name), *values]


@dataclass(frozen=True)
class Role:
    """One kind of process: `replicas` independent workers of `nodes` nodes each."""

    name: str  # serve | prefill | decode | router
    title: str
    replicas: int
    nodes: int
    gpus: bool  # False for the router
    env: tuple[tuple[str, str], ...]  # (NAME, value) in the cell's order
    program: tuple[str, ...]  # ("sglang", "serve") or the router's
    flags: tuple[Flag, ...]
    notes: tuple[str, ...] = ()
    port: int | None = None  # the serving port (None when absent or not a number)
    bootstrap_port: int | None = None  # the KV bootstrap port a prefill worker listens on
    gpus_used: int | None = None  # the GPUs one node of it uses (TP / nodes); None: the router

    def flag(self, name: str) -> Flag | None:
        return next((f for f in self.flags if f.name == name), None)

    def text(self, name: str) -> str | None:
        """The first value of flag `name` as printed (None when absent or valueless)."""
        f = self.flag(name)
        v = f.values[0] if f is not None and f.values else None
        return v if v is None or isinstance(v, str) else as_printed(v)

    def argv(self, fill: Fill = as_printed, literal: Word = str) -> list[str]:
        """The arguments after the program: slots filled in by `fill`, other words by `literal`."""
        return [t for f in self.flags for t in f.tokens(fill, literal)]

    def command(self, fill: Fill = as_printed, literal: Word = str) -> list[str]:
        return [*map(literal, self.program), *self.argv(fill, literal)]

    @property
    def needs_fabric(self) -> bool:
        """Talks to other machines over the GPU fabric: NCCL across nodes, or PD KV transfer."""
        return self.gpus and (self.nodes > 1 or self.name in PD_ROLES)


@dataclass(frozen=True)
class Deployment:
    """What to run for one selection; see the `deployment` module."""

    selection: Selection
    family: str  # e.g. "DeepSeek-V4"
    model: str  # the model repo, e.g. "deepseek-ai/DeepSeek-V4-Pro"
    hardware: str  # hardware id
    vendor: str  # nvidia | amd
    image: str  # the container image for the hardware
    gpus_per_node: int
    verified: bool
    origin: str  # "deploy" | "playground"
    roles: tuple[Role, ...]
    secret_env: tuple[str, ...] = ()  # names taken from the environment / a secret, never written
    cache: tuple[str, str] | None = None  # (host path, container path) of the model cache
    hints: tuple[str, ...] = ()  # the hardware's multi-node hints, for comments
    user: bool = False  # the user's own cell (cells.toml in the config folder), never the page's Verified
    provenance: str = ""  # where the rules came from, e.g. "cookbook 2026-10-01"
    badge_word: str = ""  # the badge's words when not the plain Verified / Not Verified

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)

    @property
    def gpu_roles(self) -> tuple[Role, ...]:
        return tuple(r for r in self.roles if r.gpus)

    @property
    def disaggregated(self) -> bool:
        return any(r.name in PD_ROLES for r in self.roles)

    @property
    def router(self) -> Role | None:
        return next((r for r in self.roles if not r.gpus), None)

    @property
    def total_nodes(self) -> int:
        return sum(r.replicas * r.nodes for r in self.gpu_roles)

    @property
    def label(self) -> str:
        badge = "Your cell" if self.user else self.badge_word or ("Verified" if self.verified else "Not Verified")
        where = "Playground" if self.origin == "playground" else "Deploy"
        rules = f", rules: {self.provenance}" if self.provenance else ""
        return f"{self.family} {self.selection.text} ({where}, {badge}{rules})"
