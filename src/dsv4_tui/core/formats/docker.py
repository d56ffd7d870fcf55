"""Docker framing: `docker run … <image> sglang serve …` against the image for the hardware.

NVIDIA gets `--gpus all`, AMD the ROCm devices (both from `[docker.runtime]` of model.toml).
A single node publishes the serving port; multi-node and PD roles use the host network.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..flags import flag_value
from ..lookup import docker_image
from ..subst import substitute
from .base import Framing


def block(rules, sel, env: Sequence[str], flags: Sequence[str], subst, network_host: bool) -> str:
    """`network_host`: multi-node or a PD role — the host network, and the hardware's fabric
    args (`multi_node_docker_args`)."""
    docker = rules.model.docker
    hw = rules.hardware(sel.hw)
    rt = docker.runtime[hw.vendor]
    lines = [rt.run, *("  " + a for a in rt.args)]
    if network_host:
        lines.append("  --network host")
        lines += ["  " + a for a in hw.multi_node_docker_args]
    else:
        port = substitute(flag_value(flags, rules.model.engine.port_flag) or "{{PORT}}", subst)
        lines.append(f"  -p {port}:{port}")
    lines.append(f"  -v {docker.volume}")
    if docker.token_env in rules.model.placeholders:
        lines.append(f'  --env "{docker.token_env}={{{{{docker.token_env}}}}}"')
    lines += [f"  --env {e}" for e in env]
    lines += ["  --ipc=host", "  " + docker_image(rules, sel), "  " + rules.model.engine.program]
    lines += ["    " + f for f in flags]
    return " \\\n".join(lines)


def install(rules, sel) -> list[str]:
    return [rules.model.install.docker.format(image=docker_image(rules, sel))]


FORMAT = Framing(
    id="docker",
    label="Docker",
    install_label="Docker",
    block=block,
    install=install,
    passes_token=True,
)
