"""The two kinds of output format: a framing of one command, and an export for a scheduler.

Each format is a small module under `core/formats/` that defines `FORMAT`; the registry
(`core/formats/__init__.py`) lists the modules. Everything that offers formats (the command
box's toggle, the Install line, the help, `--format`, `dsv4 export --to`) reads the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..frozen import frozen

if TYPE_CHECKING:
    from ..deployment_types import Deployment
    from ..export_options import ExportOptions


@frozen
class Framing:
    """A way to frame one `sglang serve` command: Python (bare) or Docker (`docker run … sglang serve`)."""

    id: str
    label: str
    install_label: str  # "pip / uv", "Docker"
    block: Callable[..., str]  # (rules, hw, quant, env, flags, subst, network_host) -> text
    install: Callable[..., list[str]]  # (rules, selection) -> the install steps
    passes_token: bool  # whether the command hands the Env's token (HF_TOKEN) to the server
    kind: str = "framing"


@frozen
class ExportTarget:
    """A file handed to an existing scheduler (Kubernetes, SLURM) for a `Deployment`."""

    id: str  # the `dsv4 export --to` value, e.g. "lws"
    label: str  # e.g. "Kubernetes (LeaderWorkerSet)"
    suffix: str  # the default file suffix, e.g. ".yaml"
    description: str  # one line for help texts
    export: Callable[[Deployment, ExportOptions], str]
    options: tuple[str, ...] = ()  # the ExportOptions fields it reads (others change nothing)
    language: str = ""  # the file's language, for a syntax-highlighted preview ("yaml", "bash")
    kind: str = "export"


Format = Any  # Framing | ExportTarget (kept loose for Python 3.10 dataclass unions)
