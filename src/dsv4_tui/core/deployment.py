"""What to run for a selection, independent of any scheduler: a `Deployment`.

A Deployment is the verified command of a Deploy selection (or the Playground's command),
cut into roles (serve; or prefill / decode / router), each with its replicas, nodes per
replica, env and argv. The values that only a launcher knows (this node's rank, the head
node's address, the node count, another role's address) stay symbolic as `Slot`s, so a
target fills in `$(LWS_WORKER_INDEX)`, `"$SLURM_NODEID"`, a Service name, … Which flags
those are comes from the rules (`engine_names`). Everything else is exactly what
`dsv4 print` gives: Env values substituted (and shell-parsed) the same way, HF_TOKEN never
among the values (it is named in `secret_env`). The targets in `core/formats/` take
`(Deployment, ExportOptions)` (from `export_options`, re-exported here).

The data types are in `deployment_types`, the parsing of command text in
`deployment_parse`; this module builds a Deployment from a selection and re-exports both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .deployment_parse import router_role, serve_role
from .deployment_types import HEAD, NNODES, PD_ROLES, PEER, RANK, Deployment, Fill, Flag, Role, Slot, Token, Word
from .deployment_types import as_printed as as_printed
from .engine_names import EngineNames, engine_names
from .env import Env
from .export_options import NAME_MAX as NAME_MAX  # re-exported: the options belong to the deployment
from .export_options import ExportOptions as ExportOptions
from .export_options import default_name as default_name
from .playground import Overrides, base_cell, playground, role_ports, router_command
from .render import Subst, docker_image, inject_multinode, model_name
from .rules import Rules
from .selection import Selection

if TYPE_CHECKING:
    from .rules import Role as CellRole

__all__ = [
    "HEAD",
    "NAME_MAX",
    "NNODES",
    "PD_ROLES",
    "PEER",
    "RANK",
    "Deployment",
    "EngineNames",
    "ExportOptions",
    "Fill",
    "Flag",
    "Role",
    "Slot",
    "Token",
    "Word",
    "as_printed",
    "build",
    "default_name",
    "engine_names",
    "scheduler_env",
    "from_deploy",
    "from_playground",
]


# --------------------------------------------------------------------------- builders


def scheduler_env(env: Env) -> Env:
    """The Env for a file a scheduler runs: without the bind host (placeholders of kind
    "bind", e.g. HOST_IP). A pod or a job has its own address, so it binds the default (all
    interfaces), never the address of the box dsv4 runs on."""
    return Env(env.placeholders, {k: v for k, v in env.overrides.items() if env.placeholders[k].kind != "bind"})


def _subst(rules: Rules, sel: Selection, env: Env) -> Subst:
    return env.subst().with_values(MODEL_NAME=model_name(rules, sel))


def _secret(rules: Rules) -> tuple[str, ...]:
    """Every placeholder of kind "secret" (the rules say which), the Docker token first: an
    export refers to its env var (a Kubernetes Secret, the job's environment), never its value."""
    token = rules.model.docker.token_env
    secret = [name for name, p in rules.model.placeholders.items() if p.secret]
    return tuple(sorted(secret, key=lambda name: name != token))


def _multinode(rules: Rules, sel: Selection, flags: Sequence[str], dist_port: int | None = None) -> list[str]:
    """The flags with the multi-node flags injected as `dsv4 print` does (the one call of
    render.inject_multinode)."""
    count = rules.by_id["nodes"][sel.nodes].count
    if count <= 1:
        return list(flags)
    return inject_multinode(rules, flags, count, dist_port)


def _deployment(
    rules: Rules,
    sel: Selection,
    roles: Sequence[Role],
    verified: bool,
    origin: str,
    badge_word: str = "",
    user: bool = False,
) -> Deployment:
    hw = rules.hardware(sel.hw)
    host, sep, inside = rules.model.docker.volume.partition(":")
    multinode = any(r.nodes > 1 for r in roles)
    for p in (v for r in roles for f in r.flags for v in f.values if isinstance(v, Slot) and v.kind == PEER):
        if not any(r.name == p.role and p.replica < r.replicas for r in roles):
            raise ValueError(f"the router names {p.text!r}, which is no {p.role} worker of {sel.text}")
    roles = [replace(r, gpus_used=_gpus_used(rules, r, hw.gpus_per_node)) if r.gpus else r for r in roles]
    return Deployment(
        selection=sel,
        family=rules.model.model.name,
        model=model_name(rules, sel),
        hardware=sel.hw,
        vendor=hw.vendor,
        image=docker_image(rules, sel),
        gpus_per_node=hw.gpus_per_node,
        verified=verified and not user,
        origin=origin,
        user=user,
        roles=tuple(roles),
        secret_env=_secret(rules),
        cache=(host, inside) if sep else None,
        hints=tuple(rules.model.multi_node_hints.get(sel.hw, ())) if multinode else (),
        provenance=rules.provenance,
        badge_word=badge_word,
    )


def _gpus_used(rules: Rules, role: Role, per_node: int) -> int:
    """The GPUs one node of `role` uses: its TP over its nodes (the hardware's count when the
    command has no TP number), never more than the node has."""
    tp = role.text(rules.playground.attention.tp.flag)
    if tp is None or not (tp.isascii() and tp.isdigit()) or int(tp) < 1:
        return per_node
    return min(per_node, max(1, int(tp) // max(role.nodes, 1)))


def _cell_role(rules: Rules, names: EngineNames, role: CellRole, subst: Subst) -> Role:
    if role.raw is not None:
        return router_role(names, role.title, role.raw, subst, role.notes)
    secret = _secret(rules)
    return serve_role(
        names, "", role.title, role.env, role.flags, subst, secret, replicas=role.replicas, notes=role.notes
    )


def from_deploy(rules: Rules, sel: Selection, env: Env) -> Deployment:
    """The Deploy selection's cell: single node, multi-node (placeholders injected like
    `dsv4 print`, then kept symbolic), or a cell with roles."""
    cell = rules.cell(sel)
    if cell is None:
        raise ValueError(f"no verified command for {sel.text}")
    subst, names = _subst(rules, sel, env), engine_names(rules)
    if cell.has_roles:
        roles = [_cell_role(rules, names, r, subst) for r in cell.role]
    else:
        flags = _multinode(rules, sel, cell.flags)
        title = f"{rules.model.model.name} {sel.text}"
        roles = [serve_role(names, "serve", title, cell.env, flags, subst, _secret(rules))]
    return _deployment(
        rules, sel, roles, cell.verified, "deploy", rules.model.badges[cell.state].label, user=rules.is_user_cell(cell)
    )


def _playground_role(rules: Rules, sel: Selection, overrides: Overrides, env: Env, mode: str) -> tuple[Role, bool]:
    res = playground(rules, sel, overrides.with_(pd_mode=mode), "python", env.subst())
    if not res.has_base:
        raise ValueError(res.no_base_reason or f"no base command for {sel.text}")
    pd = rules.playground.pd
    dist = {"prefill": pd.prefill_dist_port, "decode": pd.decode_dist_port}.get(mode)
    flags = _multinode(rules, sel, res.flags, dist)
    name = "serve" if mode == "off" else mode
    title = f"{rules.model.model.name} {sel.text}, Playground" + ("" if mode == "off" else f" ({pd.label}: {mode})")
    role = serve_role(engine_names(rules), name, title, res.env, flags, _subst(rules, sel, env), _secret(rules))
    return role, res.verified


def from_playground(rules: Rules, sel: Selection, overrides: Overrides, env: Env) -> Deployment:
    """The Playground command on base `sel`. With PD on (either mode), both roles (the same
    overrides with PD mode prefill and decode) plus the router."""
    if overrides.pd_mode == "off":
        role, verified = _playground_role(rules, sel, overrides, env, "off")
        return _deployment(rules, sel, [role], verified, "playground")
    prefill, prefill_ok = _playground_role(rules, sel, overrides, env, "prefill")
    decode, decode_ok = _playground_role(rules, sel, overrides, env, "decode")
    title = f"Router ({rules.playground.pd.label})"
    subst = _subst(rules, sel, env)
    base = base_cell(rules, sel)
    ports = role_ports(rules, base.flags if base is not None else (), subst)
    router = router_role(engine_names(rules), title, router_command(rules.playground, sel.as_dict(), ports), subst)
    return _deployment(rules, sel, [prefill, decode, router], prefill_ok and decode_ok, "playground")


def build(
    rules: Rules, sel: Selection, env: Env, overrides: Overrides | None = None, *, this_box: bool = False
) -> Deployment:
    """`from_deploy` when no override is set, else `from_playground`. For a scheduler (the
    default) the bind host is the pod's or job's own (`scheduler_env`); `this_box` keeps the
    Env's, for the command as it runs here (the Doctor)."""
    env = env if this_box else scheduler_env(env)
    if overrides is None or overrides.is_untouched():
        return from_deploy(rules, sel, env)
    return from_playground(rules, sel, overrides, env)
