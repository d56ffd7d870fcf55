"""What to run for a selection, independent of any scheduler: a `Deployment`.

A Deployment is the verified command of a Deploy selection (or the Playground's command),
cut into roles (serve; or prefill / decode / router), each with its replicas, nodes per
replica, env and argv. The values that only a launcher knows (this node's rank, the head
node's address, the node count, another role's address) stay symbolic as `Slot`s, so a
target fills in `$(LWS_WORKER_INDEX)`, `"$SLURM_NODEID"`, a Service name, … Everything
else is exactly what `dsv4 print` gives: Env values substituted (and shell-parsed) the
same way, HF_TOKEN never among the values (it is named in `secret_env`). The targets in
`core/formats/` take `(Deployment, ExportOptions)` (from `export_options`, re-exported here).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .env import Env
from .export_options import NAME_MAX as NAME_MAX  # re-exported: the options belong to the deployment
from .export_options import ExportOptions as ExportOptions
from .export_options import default_name as default_name
from .playground import Overrides, playground, router_command
from .render import Subst, docker_image, inject_multinode, model_name, substitute
from .rules import Rules
from .selection import Selection

if TYPE_CHECKING:
    from .rules import Role as CellRole


@dataclass(frozen=True)
class SGLangNames:
    """SGLang's generic (model-independent) names an export reads or fills; one table for the rules."""

    serve_program: tuple[str, ...] = ("sglang", "serve")
    nnodes: str = "--nnodes"
    node_rank: str = "--node-rank"
    dist_init_addr: str = "--dist-init-addr"
    port: str = "--port"
    pd_mode: str = "--disaggregation-mode"
    bootstrap_port: str = "--disaggregation-bootstrap-port"
    default_bootstrap_port: int = 8998  # SGLang's default for --disaggregation-bootstrap-port
    router_peers: tuple[tuple[str, str], ...] = (("--prefill", "prefill"), ("--decode", "decode"))


SGLANG = SGLangNames()
PD_ROLES = ("prefill", "decode")
RANK, HEAD, NNODES, PEER = "rank", "head", "nnodes", "peer"
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)(\[[^\]]*\]|[^:/]*)(.*)", re.S)


@dataclass(frozen=True)
class Slot:
    """An argument only the launcher can fill in: this node's rank, the head node's address,
    the node count, or the address of another role's worker (`peer`)."""

    kind: str  # RANK | HEAD | NNODES | PEER
    text: str  # how `dsv4 print` shows it, e.g. "<node-rank>", "<prefill-head-ip>", "2"
    prefix: str = ""  # kept around the filled-in value, e.g. "http://"
    suffix: str = ""  # e.g. ":20000"
    role: str = ""  # PEER: the role whose worker is meant
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
    def port(self) -> int | None:
        text = self.text(SGLANG.port)
        return int(text) if text is not None and text.isascii() and text.isdigit() else None

    @property
    def bootstrap_port(self) -> int | None:
        """The KV bootstrap port a prefill worker listens on (None for other roles)."""
        if self.name != "prefill":
            return None
        text = self.text(SGLANG.bootstrap_port)
        return int(text) if text and text.isascii() and text.isdigit() else SGLANG.default_bootstrap_port

    @property
    def needs_fabric(self) -> bool:
        """Talks to other machines over the GPU fabric: NCCL across nodes, or PD KV transfer."""
        return self.gpus and (self.nodes > 1 or self.name in PD_ROLES)


@dataclass(frozen=True)
class Deployment:
    """What to run for one selection; see the module docstring."""

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
        badge = "Verified" if self.verified else "Not Verified"
        where = "Playground" if self.origin == "playground" else "Deploy"
        return f"{self.family} {self.selection.text} ({where}, {badge})"


# --------------------------------------------------------------------------- parsing


def _words(text: str) -> list[str]:
    """Shell words of `text` as bash reads them (line continuations removed)."""
    if "\0" in text:
        raise ValueError("a value cannot contain a NUL character")
    return shlex.split(text.replace("\\\n", ""))


def _env(entries: Sequence[str], subst: Subst, secret: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for entry in entries:
        words = _words(substitute(entry, subst))
        if len(words) != 1 or "=" not in words[0]:
            raise ValueError(f"env entry {entry!r} is not one NAME=VALUE word")
        name, _, value = words[0].partition("=")
        if name not in secret:
            out.append((name, value))
    return tuple(out)


def _launcher_value(name: str, value: str) -> Token:
    if name == SGLANG.node_rank:
        return Slot(RANK, value)
    if name == SGLANG.nnodes:
        return Slot(NNODES, value)
    if name == SGLANG.dist_init_addr:
        host, sep, port = value.rpartition(":")
        return Slot(HEAD, host, suffix=sep + port) if sep else Slot(HEAD, value)
    return value


def _group(words: Sequence[str]) -> list[tuple[str, list[str], bool]]:
    """Words into (flag name, values, inline) from the first `--` word on."""
    groups: list[tuple[str, list[str], bool]] = []
    for w in words:
        if w.startswith("--"):
            name, eq, value = w.partition("=")
            groups.append((name, [value] if eq else [], bool(eq)))
        elif groups and not groups[-1][2]:
            groups[-1][1].append(w)
        else:
            raise ValueError(f"argument {w!r} belongs to no flag")
    return groups


def _serve_flags(flags: Sequence[str], subst: Subst) -> tuple[Flag, ...]:
    words = [w for f in flags for w in _words(substitute(f, subst))]
    out = []
    for name, values, inline in _group(words):
        out.append(Flag(name, tuple(_launcher_value(name, v) for v in values), inline))
    return tuple(out)


def _peer(url: str, role: str, replica: int) -> Slot:
    m = _URL.fullmatch(url)
    if m is None:
        return Slot(PEER, url, role=role, replica=replica)
    return Slot(PEER, m.group(2), prefix=m.group(1), suffix=m.group(3), role=role, replica=replica)


def _nodes(flags: Sequence[Flag]) -> int:
    f = next((f for f in flags if f.name == SGLANG.nnodes), None)
    if f is None or not f.values:
        return 1
    text = f.values[0].text if isinstance(f.values[0], Slot) else f.values[0]
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(f"{SGLANG.nnodes} must be a number of nodes, got {text!r}")
    return int(text)


def serve_role(
    name: str, title: str, env: Sequence[str], flags: Sequence[str], subst: Subst, secret: Sequence[str], **kw
) -> Role:
    """A GPU role from (env, flags) as in the rules; `kw`: replicas, notes."""
    parsed = _serve_flags(flags, subst)
    if name == "":
        mode = next((f for f in parsed if f.name == SGLANG.pd_mode and f.values), None)
        name = str(mode.values[0]) if mode and mode.values[0] in PD_ROLES else "serve"
    return Role(
        name=name,
        title=title,
        replicas=kw.get("replicas", 1),
        nodes=_nodes(parsed),
        gpus=True,
        env=_env(env, subst, secret),
        program=SGLANG.serve_program,
        flags=parsed,
        notes=tuple(kw.get("notes", ())),
    )


def router_role(title: str, text: str, subst: Subst, notes: Sequence[str] = ()) -> Role:
    """The PD router from its command text; its `--prefill`/`--decode` URLs become peers."""
    words = _words(substitute(text, subst))
    start = next((i for i, w in enumerate(words) if w.startswith("--")), len(words))
    peers = dict(SGLANG.router_peers)
    seen: dict[str, int] = {}
    flags = []
    for name, values, inline in _group(words[start:]):
        role = peers.get(name)
        if role and values:
            index = seen.get(role, 0)
            seen[role] = index + 1
            values = [_peer(values[0], role, index), *values[1:]]
        flags.append(Flag(name, tuple(values), inline))
    return Role("router", title, 1, 1, False, (), tuple(words[:start]), tuple(flags), tuple(notes))


# --------------------------------------------------------------------------- builders


def _subst(rules: Rules, sel: Selection, env: Env) -> Subst:
    return env.subst().with_values(MODEL_NAME=model_name(rules, sel))


def _secret(rules: Rules) -> tuple[str, ...]:
    token = rules.model.docker.token_env
    return (token,) if token in rules.model.placeholders else ()


def _multinode(rules: Rules, sel: Selection, flags: Sequence[str], dist_port: int | None = None) -> list[str]:
    """The flags with the multi-node flags injected as `dsv4 print` does (the one call of
    render.inject_multinode)."""
    count = rules.by_id["nodes"][sel.nodes].count
    if count <= 1:
        return list(flags)
    return inject_multinode(rules, flags, count, dist_port)


def _deployment(rules: Rules, sel: Selection, roles: Sequence[Role], verified: bool, origin: str) -> Deployment:
    hw = rules.hardware(sel.hw)
    host, sep, inside = rules.model.docker.volume.partition(":")
    multinode = any(r.nodes > 1 for r in roles)
    for p in (v for r in roles for f in r.flags for v in f.values if isinstance(v, Slot) and v.kind == PEER):
        if not any(r.name == p.role and p.replica < r.replicas for r in roles):
            raise ValueError(f"the router names {p.text!r}, which is no {p.role} worker of {sel.text}")
    return Deployment(
        selection=sel,
        family=rules.model.model.name,
        model=model_name(rules, sel),
        hardware=sel.hw,
        vendor=hw.vendor,
        image=docker_image(rules, sel.hw, sel.quant),
        gpus_per_node=hw.gpus_per_node,
        verified=verified,
        origin=origin,
        roles=tuple(roles),
        secret_env=_secret(rules),
        cache=(host, inside) if sep else None,
        hints=tuple(rules.model.multi_node_hints.get(sel.hw, ())) if multinode else (),
    )


def _cell_role(rules: Rules, role: CellRole, subst: Subst) -> Role:
    if role.raw is not None:
        return router_role(role.title, role.raw, subst, role.notes)
    return serve_role(
        "", role.title, role.env, role.flags, subst, _secret(rules), replicas=role.replicas, notes=role.notes
    )


def from_deploy(rules: Rules, sel: Selection, env: Env) -> Deployment:
    """The Deploy selection's cell: single node, multi-node (placeholders injected like
    `dsv4 print`, then kept symbolic), or a cell with roles."""
    cell = rules.cell(sel)
    if cell is None:
        raise ValueError(f"no verified command for {sel.text}")
    subst = _subst(rules, sel, env)
    if cell.has_roles:
        roles = [_cell_role(rules, r, subst) for r in cell.role]
    else:
        flags = _multinode(rules, sel, cell.flags)
        title = f"{rules.model.model.name} {sel.text}"
        roles = [serve_role("serve", title, cell.env, flags, subst, _secret(rules))]
    return _deployment(rules, sel, roles, cell.verified, "deploy")


def _playground_role(rules: Rules, sel: Selection, overrides: Overrides, env: Env, mode: str) -> tuple[Role, bool]:
    res = playground(rules, sel, overrides.with_(pd_mode=mode), "python", env.subst())
    if not res.has_base:
        raise ValueError(res.no_base_reason or f"no base command for {sel.text}")
    pd = rules.playground.pd
    dist = {"prefill": pd.prefill_dist_port, "decode": pd.decode_dist_port}.get(mode)
    flags = _multinode(rules, sel, res.flags, dist)
    name = "serve" if mode == "off" else mode
    title = f"{rules.model.model.name} {sel.text}, Playground" + ("" if mode == "off" else f" ({pd.label}: {mode})")
    role = serve_role(name, title, res.env, flags, _subst(rules, sel, env), _secret(rules))
    return role, res.verified


def from_playground(rules: Rules, sel: Selection, overrides: Overrides, env: Env) -> Deployment:
    """The Playground command on base `sel`. With PD on (either mode), both roles (the same
    overrides with PD mode prefill and decode) plus the router."""
    if overrides.pd_mode == "off":
        role, verified = _playground_role(rules, sel, overrides, env, "off")
        return _deployment(rules, sel, [role], verified, "playground")
    prefill, prefill_ok = _playground_role(rules, sel, overrides, env, "prefill")
    decode, decode_ok = _playground_role(rules, sel, overrides, env, "decode")
    router = router_role(
        f"Router ({rules.playground.pd.label})", router_command(rules.playground), _subst(rules, sel, env)
    )
    return _deployment(rules, sel, [prefill, decode, router], prefill_ok and decode_ok, "playground")


def build(rules: Rules, sel: Selection, env: Env, overrides: Overrides | None = None) -> Deployment:
    """`from_deploy` when no override is set, else `from_playground`."""
    if overrides is None or overrides.is_untouched():
        return from_deploy(rules, sel, env)
    return from_playground(rules, sel, overrides, env)
