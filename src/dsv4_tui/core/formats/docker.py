"""Docker framing: `docker run … <image> sglang serve …` against the image for the hardware.

NVIDIA gets `--gpus all`, AMD the ROCm devices (both from `[docker.runtime]` of model.toml).
A single node publishes the serving port; multi-node and PD roles use the host network.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..flags import flag_value
from ..lookup import docker_image
from ..subst import fill_names, substitute
from .base import Framing


def block(rules, hw: str, quant: str, env: Sequence[str], flags: Sequence[str], subst, network_host: bool) -> str:
    docker = rules.model.docker
    rt = docker.runtime[rules.hardware(hw).vendor]
    lines = [rt.run, *("  " + a for a in rt.args)]
    if network_host:
        lines.append("  --network host")
    else:
        port = substitute(flag_value(flags, rules.model.engine.port_flag) or "{{PORT}}", subst)
        lines.append(f"  -p {port}:{port}")
    lines.append(f"  -v {docker.volume}")
    if docker.token_env in rules.model.placeholders:
        lines.append(f'  --env "{docker.token_env}={{{{{docker.token_env}}}}}"')
    lines += [f"  --env {e}" for e in env]
    lines += ["  --ipc=host", "  " + docker_image(rules, hw, quant), "  " + rules.model.engine.program]
    lines += ["    " + f for f in flags]
    return " \\\n".join(lines)


def install(rules, sel) -> list[str]:
    return [fill_names(rules.model.install.docker, {"image": docker_image(rules, sel.hw, sel.quant)})]


FORMAT = Framing(
    id="docker",
    label="Docker",
    install_label="Docker",
    block=block,
    install=install,
    passes_token=True,
)
