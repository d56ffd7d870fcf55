"""Docker framing: `docker run … <image> sglang serve …` against the image for the hardware.

NVIDIA gets `--gpus all`, AMD the ROCm devices (both from `[docker.runtime]` of model.toml).
A single node publishes the serving port (on HOST_IP when the Env sets one: inside the
container the server binds all interfaces); multi-node and PD roles use the host network.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..flags import flag_name, flag_value
from ..lookup import docker_image
from ..schema import PLACEHOLDER_RE
from ..subst import fill_names, substitute
from .base import Framing


def _bind_host(rules, flags: Sequence[str], subst) -> tuple[str, str] | None:
    """(the placeholder the command binds, its default) when the user set it (e.g. HOST_IP =
    192.0.2.2); None when the bind host is the default or not a placeholder."""
    m = PLACEHOLDER_RE.fullmatch(flag_value(flags, rules.model.engine.host_flag) or "")
    ph = rules.model.placeholders.get(m.group(1)) if m else None
    if m is None or ph is None or m.group(1) in subst.verbatim or m.group(1) not in subst.values:
        return None
    return m.group(1), ph.default


def _published(rules, flags: Sequence[str], subst) -> tuple[str, list[str]]:
    """`-p` and the flags, bridge networking. A specific bind host does not exist inside the
    container: the server binds the default there (all interfaces), and Docker publishes the
    port on that address of the host (`-p HOST_IP:PORT:PORT`)."""
    port = substitute(flag_value(flags, rules.model.engine.port_flag) or "{{PORT}}", subst)
    bind = _bind_host(rules, flags, subst)
    if bind is None:
        return f"-p {port}:{port}", list(flags)
    name, default = bind
    address = substitute(f"{{{{{name}}}}}", subst)
    if ":" in subst.values[name] and not subst.values[name].startswith("["):
        address = f"[{address}]"  # an IPv6 address, as `docker run -p` takes it
    host_flag = rules.model.engine.host_flag
    flags = [f"{host_flag} {default}" if flag_name(f) == host_flag else f for f in flags]
    return f"-p {address}:{port}:{port}", flags


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
        publish, flags = _published(rules, flags, subst)
        lines.append(f"  {publish}")
    lines.append(f"  -v {docker.volume}")
    if docker.token_env in rules.model.placeholders:
        lines.append(f'  --env "{docker.token_env}={{{{{docker.token_env}}}}}"')
    lines += [f"  --env {e}" for e in env]
    lines += ["  --ipc=host", "  " + docker_image(rules, sel), "  " + rules.model.engine.program]
    lines += ["    " + f for f in flags]
    return " \\\n".join(lines)


def install(rules, sel) -> list[str]:
    return [fill_names(rules.model.install.docker, {"image": docker_image(rules, sel)})]


FORMAT = Framing(
    id="docker",
    label="Docker",
    install_label="Docker",
    block=block,
    install=install,
    passes_token=True,
)
