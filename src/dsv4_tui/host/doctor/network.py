"""Network checks: InfiniBand devices, NODE0_IP, and PORT free on HOST_IP.

Name lookups run in a daemon thread with the command timeout (getaddrinfo has none of its
own); binding the port sends nothing on the network.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from collections.abc import Iterator

from ..files import read_small
from .context import DoctorContext
from .model import FAIL, OK, SKIPPED, WARN, CheckResult, DoctorRequest
from .safe import first_line

CHECKS = (("net.ib", "InfiniBand"), ("net.node0", "NODE0_IP"), ("host.port", "PORT"))


def check_network(request: DoctorRequest, ctx: DoctorContext) -> Iterator[CheckResult]:
    yield ib_result(request, ctx)
    yield node0_result(request, ctx)
    yield port_result(request, ctx)


def resolve(ctx: DoctorContext, host: str) -> list[str]:
    """ctx.resolve(host) with ctx.command_timeout; raises TimeoutError, or what the lookup raised."""
    box: dict[str, object] = {}

    def lookup() -> None:
        try:
            box["value"] = ctx.resolve(host)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=lookup, daemon=True, name=f"resolve {host}")
    worker.start()
    worker.join(ctx.command_timeout)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {ctx.command_timeout:g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return list(box["value"])  # type: ignore[call-overload]


def ib_devices(ctx: DoctorContext) -> dict[str, bool | None]:
    """Each device in <sysroot>/sys/class/infiniband: whether a port is ACTIVE (None: unknown)."""
    root = ctx.host_path("/sys/class/infiniband")
    try:
        names = sorted(entry.name for entry in root.iterdir())
    except OSError:
        return {}
    return {name: _any_port_active(root / name) for name in names}


def _any_port_active(device) -> bool | None:
    try:
        states = [read_small(port / "state", 64) for port in (device / "ports").iterdir()]  # a FIFO never blocks
    except OSError:
        return None
    if not states:
        return None
    return any("ACTIVE" in state.upper() for state in states)


def ib_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    devices = ib_devices(ctx)
    names = tuple(devices)
    listed = ", ".join(names)
    if not request.needs_ib:
        found = f"; found {listed}" if names else ""
        return CheckResult("net.ib", SKIPPED, f"single node, no PD: not needed{found}", ib_devices=names)
    why = "PD's KV transfer" if request.pd else "multi-node traffic"
    if not names:
        return CheckResult(
            "net.ib",
            WARN,
            f"no InfiniBand device in /sys/class/infiniband: {why} falls back to TCP, much slower",
            "check the RDMA drivers (ibv_devices, ibstat), or run on nodes with InfiniBand",
        )
    if not any(state is not False for state in devices.values()):
        return CheckResult(
            "net.ib",
            WARN,
            f"no InfiniBand port is ACTIVE ({listed})",
            "check the cables and the subnet manager (ibstat)",
            ib_devices=names,
        )
    active = [name for name, state in devices.items() if state]
    detail = f"{len(active)} active" if active else "port state unknown"
    return CheckResult("net.ib", OK, f"{len(names)} InfiniBand device(s): {listed} ({detail})", ib_devices=names)


def _is_placeholder(value: str | None) -> bool:
    value = (value or "").strip()
    return not value or (value.startswith("<") and value.endswith(">"))


def node0_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    if not request.multi_node:
        return CheckResult("net.node0", SKIPPED, "single node: NODE0_IP is not used")
    value = (request.node0_ip or "").strip()
    if request.node0_is_placeholder or _is_placeholder(value):
        shown = value or "empty"
        return CheckResult(
            "net.node0", FAIL, f"NODE0_IP is still {shown}", "set NODE0_IP to the head node's address in the Env"
        )
    host = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        addresses = resolve(ctx, host)
    except TimeoutError as exc:
        return CheckResult("net.node0", WARN, f"looking up {value}: {exc}", "check DNS, or use the head node's IP")
    except (OSError, UnicodeError) as exc:
        reason = first_line(str(exc)) or type(exc).__name__
        return CheckResult("net.node0", FAIL, f"{value} does not resolve: {reason}", "use the head node's IP address")
    if not addresses:
        return CheckResult("net.node0", FAIL, f"{value} resolves to no address", "use the head node's IP address")
    if all(_is_loopback(address) for address in addresses):
        return CheckResult(
            "net.node0",
            WARN,
            f"{value} is a loopback address: the other nodes cannot reach it",
            "use the head node's address on the cluster network",
        )
    return CheckResult("net.node0", OK, f"{value} resolves to {', '.join(addresses[:3])}")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _port_number(port: int | str | None) -> int | None:
    try:
        number = int(str(port).strip())
    except ValueError:
        return None
    return number if 1 <= number <= 65535 else None


def port_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    if request.port is None:
        return CheckResult("host.port", SKIPPED, "no PORT to check")
    port = _port_number(request.port)
    if port is None:
        return CheckResult("host.port", FAIL, f"PORT {request.port!r} is not a port (1-65535)", "set PORT in the Env")
    host = request.host.strip() or "0.0.0.0"
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        address = bare if _is_ip(bare) else resolve(ctx, bare)[0]
    except (TimeoutError, OSError, UnicodeError, IndexError) as exc:
        reason = first_line(str(exc)) or type(exc).__name__
        return CheckResult("host.port", FAIL, f"HOST_IP {host} does not resolve: {reason}", "set HOST_IP in the Env")
    return _bind_result(host, address, port)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _bind_result(host: str, address: str, port: int) -> CheckResult:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's own listener does
            sock.bind((address, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return CheckResult(
                "host.port",
                FAIL,
                f"port {port} is already in use on {host}",
                "stop what listens there, or pick another PORT",
            )
        if exc.errno == errno.EADDRNOTAVAIL:
            return CheckResult(
                "host.port",
                FAIL,
                f"HOST_IP {host} is not an address of this box",
                "use 0.0.0.0 or one of this box's addresses",
            )
        if exc.errno == errno.EACCES:
            return CheckResult("host.port", FAIL, f"port {port} needs root to bind", "pick a PORT of 1024 or more")
        return CheckResult("host.port", FAIL, f"cannot bind {host}:{port}: {exc.strerror or exc}", "pick another PORT")
    return CheckResult("host.port", OK, f"port {port} is free on {host}")
