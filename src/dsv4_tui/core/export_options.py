"""How an export is written: names, Kubernetes and SLURM choices (`ExportOptions`).

Kept apart from `deployment` (which re-exports it) so that both stay small; the defaults
give a file that runs as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .visible import has_control

if TYPE_CHECKING:
    from .deployment_types import Deployment, Role

NAME_MAX = 40  # leaves room for "-prefill-5", LWS' own suffixes and pod names (63)
# one word of printable text: no space, no control (C0, DEL, C1), bidi mark or lone surrogate
_WORD = r"[^\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]+"
_OPTION_PATTERNS = {  # field: (pattern, longest)
    "name": (r"[a-z]([-a-z0-9]*[a-z0-9])?", NAME_MAX),
    "namespace": (r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", 63),
    "hf_token_secret": (r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", 253),
    "hf_token_key": (r"[-._a-zA-Z0-9]+", 253),
    "rdma_resource": (r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?", 253),
    "partition": (r"[A-Za-z0-9._,:@+-]+", 253),
    "account": (r"[A-Za-z0-9._,:@+-]+", 253),
    "time_limit": (r"[0-9]+(-[0-9]+)?(:[0-9]+){0,2}|UNLIMITED|infinite", 32),
    "image": (_WORD, 1024),
    "model_dir": (_WORD, 4096),
}


@dataclass(frozen=True)
class ExportOptions:
    """Choices for an export; the defaults give a file that runs as is. ValueError names
    every bad field."""

    name: str | None = None  # k8s objects / SLURM job / recipe name; default from the selection
    namespace: str | None = None  # k8s namespace; None: the one kubectl uses
    hf_token_secret: str = "hf-token"  # k8s Secret holding HF_TOKEN (optional: public models run without)
    hf_token_key: str = "token"  # the key in that Secret
    host_network: bool = False  # k8s: hostNetwork for pods on the GPU fabric (the node's RDMA NICs)
    rdma_resource: str | None = None  # k8s: an RDMA device-plugin resource, e.g. "rdma/ib", 1 per such pod
    gpus_per_node: int | None = None  # default: what the command uses (TP / nodes), see `gpus`
    whole_node: bool = False  # ask for every GPU of each node (and the node to itself), not just those used
    image: str | None = None  # default: the rules' image for the hardware (k8s, pyxis, srt-slurm)
    pyxis: bool = False  # sbatch: run in the image through pyxis (--container-image), else the host's sglang
    partition: str | None = None  # SLURM
    account: str | None = None  # SLURM
    time_limit: str = "04:00:00"  # SLURM
    model_dir: str | None = None  # srt-slurm model.path (alias or absolute path); default hf:<model repo>

    def __post_init__(self) -> None:
        problems = []
        for key, (pattern, longest) in _OPTION_PATTERNS.items():
            value = getattr(self, key)
            if value is not None and has_control(value):  # shown escaped: never raw on a terminal
                problems.append(f"{key} {value!r} must be printable text (no control, bidi or undecodable characters)")
            elif value is not None and not (re.fullmatch(pattern, value) and len(value) <= longest):
                problems.append(f"{key} {value!r} must match {pattern} (at most {longest} characters)")
        if self.gpus_per_node is not None and self.gpus_per_node < 1:
            problems.append(f"gpus_per_node must be at least 1, got {self.gpus_per_node}")
        if problems:
            raise ValueError("; ".join(problems))

    def job_name(self, dep: Deployment) -> str:
        return self.name or default_name(dep)

    def gpus(self, dep: Deployment, role: Role | None = None) -> int:
        """The GPUs to ask for per node: `gpus_per_node` when given, every GPU of the node with
        `whole_node`, else what the command uses (`role`'s, else the most any role uses)."""
        if self.gpus_per_node:
            return self.gpus_per_node
        if self.whole_node:
            return dep.gpus_per_node
        used = [r.gpus_used for r in ([role] if role is not None else dep.gpu_roles) if r.gpus_used]
        return max(used) if used else dep.gpus_per_node

    def exclusive(self, dep: Deployment) -> bool:
        """The job asks for whole nodes (SLURM --exclusive)."""
        return self.gpus(dep) >= dep.gpus_per_node

    def image_for(self, dep: Deployment) -> str:
        return self.image or dep.image


def default_name(dep: Deployment) -> str:
    """e.g. "dsv4-gb300-pro-fp4-balanced" (a DNS label of at most NAME_MAX characters)."""
    s = dep.selection
    text = re.sub(r"[^a-z0-9]+", "-", "-".join(["dsv4", s.hw, s.variant, s.quant, s.strategy]).lower())
    return text[:NAME_MAX].strip("-")
