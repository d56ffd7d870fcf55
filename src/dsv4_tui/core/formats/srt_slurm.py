"""srt-slurm export: a recipe for NVIDIA's `srtctl apply -f` (NVIDIA/srt-slurm).

The format is srt-slurm's config reference: `backend.sglang_config.{aggregated | prefill |
decode}` holds the command's flags as keys without `--` (a flag without a value is `true`,
numbers are numbers when they read back as the same text, several values are a list), the
env goes into `backend.*_environment`, and `resources` says how many nodes and workers each
mode gets. srtctl itself adds `--host`, `--port`, `--nnodes`, `--node-rank`,
`--dist-init-addr` and the prefill bootstrap port for every worker, so those are left out;
with PD, its sglang frontend is the router (`--pd-disaggregation --prefill … --decode …`),
and the router's other flags go into `frontend.args`.
"""

from __future__ import annotations

import re
from typing import Any

from ..deployment_types import SECRET, Deployment, Role, Slot
from ..export_options import ExportOptions
from .base import ExportTarget
from .yaml_text import Commented, dump

OWNED = ("host", "port", "nnodes", "node-rank", "dist-init-addr", "disaggregation-bootstrap-port")  # set by srtctl
ROUTER_OWNED = ("pd-disaggregation", "prefill", "decode", "worker-urls", "host", "port")  # set by srtctl's frontend
SERVED_NAME = "served-model-name"
MODEL_PATH = "model-path"
CONTAINER_MODEL = "/model"  # where srtctl mounts a local model.path
MODES = {"serve": "aggregated", "prefill": "prefill", "decode": "decode"}
RESOURCE_PREFIX = {"aggregated": "agg", "prefill": "prefill", "decode": "decode"}
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")


def typed(text: str) -> int | float | str:
    """A number when srtctl's `str(value)` gives back exactly `text`, else the text."""
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and repr(float(text)) == text:
        return float(text)
    return text


def flag_map(role: Role, skip: tuple[str, ...]) -> dict[str, Any]:
    """{flag name without `--`: value} for every flag not in `skip`."""
    out: dict[str, Any] = {}
    for flag in role.flags:
        key = flag.name[2:]
        if key in skip:
            continue
        if key in out:
            raise ValueError(f"srt-slurm cannot express {flag.name} given twice")
        if any(isinstance(v, Slot) and v.kind != SECRET for v in flag.values):
            raise ValueError(f"{flag.name} needs a launcher value srt-slurm does not fill in")
        # a secret: its env var, read from the job's environment, never the value
        values = [v.fill(f"${v.role}") if isinstance(v, Slot) else str(v) for v in flag.values]
        out[key] = True if not values else typed(values[0]) if len(values) == 1 else [typed(v) for v in values]
    return out


def sglang_config(dep: Deployment, role: Role, opts: ExportOptions) -> dict[str, Any]:
    """The role's flags for srtctl. `served-model-name` keeps the API model name of `dsv4 print`
    (srtctl would name it after the model folder); with a local model_dir srtctl passes
    `--model-path /model`, and the config says so."""
    config = flag_map(role, OWNED)
    if opts.model_dir and MODEL_PATH in config:
        config[MODEL_PATH] = CONTAINER_MODEL
    if SERVED_NAME in config:
        return config
    return {SERVED_NAME: dep.model, **config}


def _mode(role: Role) -> str:
    if role.name not in MODES:
        raise ValueError(f"srt-slurm has no mode for the {role.name} role")
    return MODES[role.name]


def resources(dep: Deployment, opts: ExportOptions) -> dict[str, Any]:
    out: dict[str, Any] = {"gpu_type": dep.hardware, "gpus_per_node": opts.gpus(dep)}
    for role in dep.gpu_roles:
        prefix = RESOURCE_PREFIX[_mode(role)]
        out[f"{prefix}_nodes"] = role.replicas * role.nodes
        out[f"{prefix}_workers"] = role.replicas
    return out


def backend(dep: Deployment, opts: ExportOptions) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "sglang"}
    configs: dict[str, Any] = {}
    for role in dep.gpu_roles:
        mode = _mode(role)
        out[f"{mode}_environment"] = dict(role.env)
        configs[mode] = sglang_config(dep, role, opts)
    out["sglang_config"] = configs
    return out


def frontend(dep: Deployment) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "sglang", "enable_multiple_frontends": False}
    router = dep.router
    if router is not None:
        args = flag_map(router, ROUTER_OWNED)
        if args:
            out["args"] = args
        if router.env:
            out["env"] = dict(router.env)
    return out


def _model(dep: Deployment, opts: ExportOptions) -> Commented:
    if opts.model_dir:
        notes = [f"path: {dep.model}, as a srtslurm.yaml model_paths alias or a folder; mounted at /model."]
    else:
        notes = [
            "path: hf:<repo> makes srtctl pass the Hugging Face id as --model-path (each node downloads it);",
            "or write a srtslurm.yaml model_paths alias or the absolute path of a local copy.",
        ]
    notes.append("container: a srtslurm.yaml containers alias, a .sqsh file, or an image pyxis can pull.")
    body = {
        "path": opts.model_dir or f"hf:{dep.model}",
        "container": opts.image_for(dep),
        "precision": dep.selection.quant,
    }
    return Commented(body, tuple(notes))


def _slurm(opts: ExportOptions) -> dict[str, Any]:
    out: dict[str, Any] = {"time_limit": opts.time_limit}
    if opts.partition:
        out["partition"] = opts.partition
    if opts.account:
        out["account"] = opts.account
    return out


def _header(dep: Deployment) -> list[str]:
    lines = [
        dep.label,
        "Generated by `dsv4 export --to srt-slurm`; run with: srtctl apply -f FILE (check: srtctl dry-run -f FILE)",
        "sglang_config holds the verified command's flags; srtctl adds --host, --port, --nnodes, --node-rank,",
        "--dist-init-addr (and the prefill bootstrap port) per worker and starts python3 -m sglang.launch_server.",
    ]
    if dep.secret_env:
        names = ", ".join(dep.secret_env)
        lines.append(f"{names}: export it before srtctl apply (SLURM passes your environment on); never written here.")
    return lines + [f"  {h}" if i else h for i, h in enumerate(dep.hints)]


def recipe(dep: Deployment, opts: ExportOptions) -> dict[str, Any]:
    """The recipe as a mapping (what `export` writes)."""
    return {
        "name": opts.job_name(dep),
        "model": _model(dep, opts),
        "resources": resources(dep, opts),
        "slurm": _slurm(opts),
        "frontend": frontend(dep),
        "backend": backend(dep, opts),
        "benchmark": Commented({"type": "manual"}, ("manual: no benchmark, the servers just run.",)),
    }


def export(dep: Deployment, opts: ExportOptions) -> str:
    """The recipe YAML."""
    return dump(recipe(dep, opts), _header(dep))


FORMAT = ExportTarget(
    id="srt-slurm",
    label="SLURM (srt-slurm recipe)",
    suffix=".srt.yaml",
    description="an srt-slurm recipe for srtctl apply: sglang_config flags, environments, resources",
    export=export,
    options=("name", "gpus_per_node", "whole_node", "image", "partition", "account", "time_limit", "model_dir"),
    language="yaml",
)
