"""The serving engine's names an export reads or fills in, taken from the rules.

`dsv4 export` cuts a command into roles and leaves the launcher's values symbolic; which
flag is which comes from the rules, never from the code:

- `[engine]` of model.toml: the program (`sglang serve`) and the port flag;
- `[multi_node].flags`: the flag carrying {{NNODES}} (node count), the one carrying the
  placeholder of kind "rank" (this node's rank) and the one carrying the placeholder of
  kind "host" (the head node's address; what follows it, e.g. `:PORT`, is kept);
- `[pd]` of playground.toml: the PD mode flag, the bootstrap port flag and its default,
  the router's port flag and the flags naming the prefill / decode workers.
"""

from __future__ import annotations

import re
import shlex
from typing import Protocol

from .frozen import frozen
from .schema import PLACEHOLDER_RE, ModelFile, PlaygroundFile


class Rules(Protocol):
    """What the names are read from: the model and Playground files of the rules (`rules.Rules`
    has them). A protocol here, so this module never imports `rules`, which reaches it through
    `rules_checks`: the arrows run one way."""

    @property
    def model(self) -> ModelFile: ...

    @property
    def playground(self) -> PlaygroundFile: ...


COUNT_PLACEHOLDER = "NNODES"  # filled in with the node count (render.inject_multinode)
LAUNCHER_VALUES = ("count", "rank", "head")  # what only a launcher knows


def launcher_flags(model: ModelFile) -> dict[str, list[tuple[int, str, str]]]:
    """{launcher value: [(index in `[multi_node].flags`, flag name, value template)]} for
    "count" ({{NNODES}}), "rank" (a placeholder of kind "rank") and "head" (a placeholder
    of kind "host"); the rules checks make sure each has exactly one flag."""
    found: dict[str, list[tuple[int, str, str]]] = {kind: [] for kind in LAUNCHER_VALUES}
    for i, flag in enumerate(model.multi_node.flags):
        name, _, value = re.sub(r"^(--[^\s=]+)[\s=]+", r"\1 ", flag).partition(" ")
        names = PLACEHOLDER_RE.findall(value)
        kinds = {model.placeholders[p].kind for p in names if p in model.placeholders}
        hits = {"count": COUNT_PLACEHOLDER in names, "rank": "rank" in kinds, "head": "host" in kinds}
        for launcher in LAUNCHER_VALUES:
            if hits[launcher]:
                found[launcher].append((i, name, value))
    return found


@frozen
class EngineNames:
    """Flag names (with their `--`) and the engine's program, for one rules folder."""

    program: tuple[str, ...]  # e.g. ("sglang", "serve")
    port: str
    nnodes: str
    node_rank: str
    dist_init_addr: str
    head_prefix: str  # literal text before the head's address in its value ("" for `host:port`)
    head_separator: str  # what follows the address, e.g. ":" before the rendezvous port ("" if nothing)
    pd_mode: str
    bootstrap_port: str
    default_bootstrap_port: int
    router_port: str
    router_peers: tuple[tuple[str, str], ...]  # (router flag, role), e.g. ("--prefill", "prefill")


def _head_parts(rules: Rules, template: str) -> tuple[str, str]:
    """(prefix, separator) around the head's placeholder in its value template."""
    placeholders = rules.model.placeholders
    head = next(p for p in PLACEHOLDER_RE.findall(template) if p in placeholders and placeholders[p].kind == "host")
    before, _, after = template.partition("{{" + head + "}}")
    prefix = "" if PLACEHOLDER_RE.search(before) else before
    separator = after[:1] if after and not after.startswith("{{") else ""
    return prefix, separator


def engine_names(rules: Rules) -> EngineNames:
    """The names for `rules` (ValueError if the multi-node flags do not say them; the rules
    checks report that when the rules load)."""
    model, pd = rules.model, rules.playground.pd
    launch = launcher_flags(model)
    unclear = [kind for kind, found in launch.items() if len(found) != 1]
    if unclear:
        raise ValueError(f"[multi_node] flags: expected one flag for each of {', '.join(unclear)}")
    (_, nnodes, _), (_, rank, _), (_, head, head_value) = launch["count"][0], launch["rank"][0], launch["head"][0]
    prefix, separator = _head_parts(rules, head_value)
    peers = pd.router_peer_flags
    return EngineNames(
        program=tuple(shlex.split(model.engine.program)),
        port=model.engine.port_flag,
        nnodes=nnodes,
        node_rank=rank,
        dist_init_addr=head,
        head_prefix=prefix,
        head_separator=separator,
        pd_mode=pd.mode_flag,
        bootstrap_port=pd.bootstrap_port_flag,
        default_bootstrap_port=pd.default_bootstrap_port,
        router_port=pd.router_port_flag,
        router_peers=((peers.prefill, "prefill"), (peers.decode, "decode")),
    )
