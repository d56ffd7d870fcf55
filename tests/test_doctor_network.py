"""Network checks: net.ib (fake sysfs), net.node0 (injected resolver), host.port (127.0.0.1 only)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading

import pytest

from doctor_fakes import make_request, new_box
from dsv4_tui.host.doctor.context import resolve_addresses
from dsv4_tui.host.doctor.network import ib_result, node0_result, port_result


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


MULTI = dict(nodes=2, node0_is_placeholder=False)


# --- InfiniBand ------------------------------------------------------------------------------


def test_ib_not_needed_is_skipped_but_lists_the_devices(box):
    box.ib("mlx5_1", "4: ACTIVE")
    box.ib("mlx5_0", "4: ACTIVE")
    result = ib_result(make_request(), box.ctx())
    assert result.status == "skipped"
    assert result.message == "single node, no PD: not needed; found mlx5_0, mlx5_1"
    assert result.ib_devices == ("mlx5_0", "mlx5_1")


def test_ib_not_needed_and_none_found(box):
    result = ib_result(make_request(), box.ctx())
    assert (result.status, result.message, result.ib_devices) == ("skipped", "single node, no PD: not needed", ())


def test_ib_multi_node_with_active_devices(box):
    box.ib("mlx5_0", "4: ACTIVE")
    box.ib("mlx5_7", "1: DOWN", "4: ACTIVE")
    box.ib("mlx5_9", "1: DOWN")
    result = ib_result(make_request(nodes=2), box.ctx())
    assert result.status == "ok"
    assert result.message == "3 InfiniBand device(s): mlx5_0, mlx5_7, mlx5_9 (2 active)"
    assert result.ib_devices == ("mlx5_0", "mlx5_7", "mlx5_9")


def test_ib_pd_without_devices_warns(box):
    result = ib_result(make_request(pd=True), box.ctx())
    assert result.status == "warn"
    assert result.message.startswith("no InfiniBand device in /sys/class/infiniband: PD's KV transfer falls back")


def test_ib_all_ports_down_warns(box):
    box.ib("mlx5_0", "1: DOWN")
    result = ib_result(make_request(nodes=2), box.ctx())
    assert (result.status, result.message) == ("warn", "no InfiniBand port is ACTIVE (mlx5_0)")
    assert result.ib_devices == ("mlx5_0",)


def test_ib_unreadable_ports_count_as_unknown(box):
    (box.sysroot / "sys/class/infiniband/mlx5_0").mkdir(parents=True)  # no ports folder
    box.write("/sys/class/infiniband/garbage\x1b[31m", "not a device")  # a file, with an ESC in its name
    result = ib_result(make_request(nodes=2), box.ctx())
    assert result.status == "ok"
    assert result.ib_devices == ("garbage\\x1b[31m", "mlx5_0")
    assert "\x1b" not in result.message and result.message.endswith("(port state unknown)")


# --- NODE0_IP --------------------------------------------------------------------------------


def test_node0_single_node_is_skipped(box):
    assert node0_result(make_request(), box.ctx()).status == "skipped"


@pytest.mark.parametrize("value", [None, "", "<node0-ip>"])
def test_node0_placeholder_fails(box, value):
    result = node0_result(make_request(nodes=2, node0_ip=value, node0_is_placeholder=value == "<node0-ip>"), box.ctx())
    assert result.status == "fail" and result.message.startswith("NODE0_IP is still")
    assert result.fix == "set NODE0_IP to the head node's address in the Env"


def test_node0_resolves(box):
    ctx = box.ctx(resolve=lambda host: {"head.cluster": ["10.0.0.5"]}[host])
    result = node0_result(make_request(node0_ip="head.cluster", **MULTI), ctx)
    assert (result.status, result.message) == ("ok", "head.cluster resolves to 10.0.0.5")


def test_node0_literal_ip_with_the_real_resolver(box):
    ctx = box.ctx(resolve=resolve_addresses)
    result = node0_result(make_request(node0_ip="127.0.0.1", **MULTI), ctx)
    assert result.status == "warn"  # resolves, but to loopback: the other nodes cannot use it
    assert result.message == "127.0.0.1 is a loopback address: the other nodes cannot reach it"


def test_node0_does_not_resolve(box):
    def fail(host):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result = node0_result(make_request(node0_ip="head.nowhere", **MULTI), box.ctx(resolve=fail))
    assert result.status == "fail"
    assert result.message == "head.nowhere does not resolve: [Errno -2] Name or service not known"


def test_node0_resolves_to_nothing(box):
    result = node0_result(make_request(node0_ip="head.cluster", **MULTI), box.ctx(resolve=lambda host: []))
    assert (result.status, result.message) == ("fail", "head.cluster resolves to no address")


def test_node0_lookup_that_hangs_times_out(box):
    release = threading.Event()
    ctx = box.ctx(resolve=lambda host: release.wait(30) and [], command_timeout=0.3)
    result = node0_result(make_request(node0_ip="head.slow", **MULTI), ctx)
    release.set()
    assert (result.status, result.message) == ("warn", "looking up head.slow: no answer within 0.3 s")


# --- PORT on HOST_IP -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_port_free(box):
    port = free_port()
    result = port_result(make_request(host="127.0.0.1", port=port), box.ctx())
    assert (result.status, result.message) == ("ok", f"port {port} is free on 127.0.0.1")


def test_port_in_use_fails(box):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = port_result(make_request(host="127.0.0.1", port=str(port)), box.ctx())
    assert (result.status, result.message) == ("fail", f"port {port} is already in use on 127.0.0.1")


def test_port_on_a_host_name(box):
    port = free_port()
    result = port_result(make_request(host="localhost", port=port), box.ctx())
    assert (result.status, result.message) == ("ok", f"port {port} is free on localhost")


def test_host_ip_not_of_this_box_fails(box):
    result = port_result(make_request(host="192.0.2.1", port=free_port()), box.ctx())  # binding sends nothing
    assert (result.status, result.message) == ("fail", "HOST_IP 192.0.2.1 is not an address of this box")


def test_host_ip_that_does_not_resolve(box):
    result = port_result(make_request(host="nohost.invalid", port=30000), box.ctx(resolve=lambda host: []))
    assert result.status == "fail" and result.message.startswith("HOST_IP nohost.invalid does not resolve")


@pytest.mark.parametrize("port", ["abc", 0, 70000, "<port>"])
def test_bad_port_value_fails(box, port):
    result = port_result(make_request(host="127.0.0.1", port=port), box.ctx())
    assert result.status == "fail" and "is not a port" in result.message


def test_no_port_is_skipped(box):
    assert port_result(make_request(port=None), box.ctx()).status == "skipped"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_as_an_ib_port_state_never_blocks(box):
    """Issue 19, item 20: a FIFO in place of ports/N/state (nobody writes to it). Read
    blocking, it held the network checks for 20 s and the TUI could not quit."""
    from dsv4_tui.host.doctor.network import ib_devices

    box.ib("mlx5_0", "4: ACTIVE")
    port = box.sysroot / "sys/class/infiniband/mlx5_1/ports/1"
    port.mkdir(parents=True)
    os.mkfifo(port / "state")
    found: dict = {}
    worker = threading.Thread(target=lambda: found.update(ib_devices(box.ctx())), daemon=True)
    worker.start()
    worker.join(timeout=20)  # a bound for the failure case only: it returns at once
    try:
        assert not worker.is_alive(), "reading the FIFO blocked"
        assert found == {"mlx5_0": True, "mlx5_1": None}
    finally:
        if worker.is_alive():  # let the blocked reader go: a writer opens and closes the FIFO
            os.close(os.open(port / "state", os.O_WRONLY | os.O_NONBLOCK))
            worker.join(timeout=20)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_as_meminfo_or_hf_token_never_blocks(box):
    from dsv4_tui.host.doctor.hfcache import token_available
    from dsv4_tui.host.doctor.memory import mem_total

    (box.sysroot / "proc").mkdir(parents=True, exist_ok=True)
    os.mkfifo(box.sysroot / "proc" / "meminfo")
    token = box.root / "token-fifo"
    os.mkfifo(token)
    ctx = box.ctx(env={"HOME": str(box.home), "HF_TOKEN_PATH": str(token)})
    found: dict = {}
    worker = threading.Thread(target=lambda: found.update(ram=mem_total(ctx), token=token_available(ctx)), daemon=True)
    worker.start()
    worker.join(timeout=20)  # a bound for the failure case only: it returns at once
    try:
        assert not worker.is_alive(), "reading a FIFO blocked"
        assert found == {"ram": None, "token": False}
    finally:
        for fifo in (box.sysroot / "proc" / "meminfo", token):
            if worker.is_alive():
                with contextlib.suppress(OSError):
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=20)
