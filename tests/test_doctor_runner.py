"""The runner (run_doctor / iter_doctor: order, concurrency, timeouts, crashes, cancel) and
the output helpers (text, JSON, exit code, facts), on a whole fake box."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest

from doctor_fakes import GIB, fake_docker, fake_nvidia_smi, hf_repo, make_request, new_box, nvidia_rows
from dsv4_tui.host.doctor import (
    STATUSES,
    TITLES,
    CheckResult,
    exit_code,
    facts,
    iter_doctor,
    parse_size,
    planned_checks,
    run_doctor,
    summary,
    to_json,
    to_text,
)
from dsv4_tui.host.doctor.runner import GROUPS, Group

RATIOS = {5: parse_size("~1 TB"), 10: parse_size("~2 TB")}


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


def healthy_box(box) -> None:
    """8 idle H200, sglang 0.5.14, docker with image and runtime, IB, 2 TiB RAM, weights cached."""
    fake_nvidia_smi(box, nvidia_rows(8))
    python = box.tool("python3", "echo 0.5.14")
    (box.bin / "sglang").write_text(f"#!{python}\n")
    (box.bin / "sglang").chmod(0o755)
    fake_docker(box, images=("img:1",))
    box.ib("mlx5_0", "4: ACTIVE")
    box.meminfo(2 * 2**30)
    box.disk[str(box.sysroot / "dev/shm")] = (64 * GIB, 64 * GIB)
    hf_repo(box.hf_home / "hub", "org/model", shards=8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_planned_checks_cover_every_group_in_order():
    planned = planned_checks()
    assert [check_id for check_id, _ in planned] == [
        "gpu.detect", "gpu.count", "gpu.busy",
        "sglang.install", "sglang.flags",
        "docker.daemon", "docker.image", "docker.runtime", "host.shm",
        "net.ib", "net.node0",
        "weights.cache", "weights.disk", "weights.token",
        "host.port", "host.ram",
    ]  # fmt: skip
    assert dict(planned) == TITLES and TITLES["gpu.detect"] == "GPUs"


def test_healthy_box_python_framing(box):
    healthy_box(box)
    request = make_request(port=free_port(), host="127.0.0.1", host_cache=True, host_ratios=RATIOS)
    seen = []
    results = run_doctor(request, box.ctx(), on_result=seen.append)
    assert [r.id for r in results] == [check_id for check_id, _ in planned_checks()]
    assert sorted(r.id for r in seen) == sorted(r.id for r in results)
    assert {r.id: r.status for r in results if r.status != "ok"} == {
        "sglang.flags": "skipped",
        "docker.daemon": "skipped",
        "docker.image": "skipped",
        "docker.runtime": "skipped",
        "host.shm": "skipped",  # no --shm-size without Docker
        "net.ib": "skipped",
        "net.node0": "skipped",
        "weights.token": "skipped",
    }
    assert exit_code(results) == 0
    found = facts(results)
    assert len(found.gpus) == 8 and found.ib_devices == ("mlx5_0",)
    assert (found.suggested_host_ratio, found.sglang_version) == (10, "0.5.14")


def test_healthy_box_docker_multi_node(box):
    healthy_box(box)
    request = make_request(
        framing="docker",
        docker_image="img:1",
        docker_hf_home=str(box.hf_home),
        nodes=2,
        node0_ip="10.0.0.1",
        node0_is_placeholder=False,
        hf_token_set=True,
        port=free_port(),
        host="127.0.0.1",
    )
    results = run_doctor(request, box.ctx(resolve=lambda host: [host]))
    statuses = {r.id: r.status for r in results}
    assert statuses["docker.daemon"] == statuses["docker.image"] == statuses["docker.runtime"] == "ok"
    assert statuses["net.ib"] == statuses["net.node0"] == statuses["weights.cache"] == "ok"
    assert statuses["sglang.install"] == "skipped"
    assert exit_code(results) == 0


def test_bare_box_fails_and_every_check_still_reports(box):
    results = run_doctor(make_request(nodes=2), box.ctx())
    assert len(results) == len(planned_checks())
    assert {r.id for r in results if r.status == "fail"} >= {"gpu.detect", "sglang.install", "net.node0"}
    assert exit_code(results) == 1


def test_hanging_tools_never_hold_the_caller_past_their_timeout(box, tmp_path):
    box.hang("nvidia-smi", tmp_path / "nvidia.pid")
    box.hang("docker", tmp_path / "docker.pid")
    request = make_request(framing="docker", docker_image="img:1")
    results = run_doctor(request, box.ctx(command_timeout=0.3))
    by_id = {r.id: r for r in results}
    assert by_id["gpu.detect"].message == "nvidia-smi did not answer within 0.3 s"
    assert by_id["docker.daemon"].message == "docker did not answer within 0.3 s"
    assert exit_code(results) == 1


def slow_group(release: threading.Event) -> Group:
    def run(request, ctx):
        yield CheckResult("slow.first", "ok", "answered")
        release.wait(30)
        yield CheckResult("slow.second", "ok", "too late")

    return Group("slow", (("slow.first", "First"), ("slow.second", "Second")), run)


def test_a_group_that_hangs_is_reported_as_a_timeout(box):
    release = threading.Event()
    groups = (*GROUPS[:1], slow_group(release))
    fake_nvidia_smi(box, nvidia_rows(8))
    results = run_doctor(make_request(), box.ctx(check_timeout=0.3), groups=groups)
    release.set()
    by_id = {r.id: r for r in results}
    assert by_id["slow.first"].status == "ok"
    assert (by_id["slow.second"].status, by_id["slow.second"].message) == ("warn", "no answer within 0.3 s")
    assert by_id["gpu.detect"].status == "ok"


def test_a_crashing_group_is_reported_and_the_others_go_on(box):
    def crash(request, ctx):
        yield CheckResult("bad.one", "ok", "fine")
        raise KeyError("oops")

    groups = (Group("bad", (("bad.one", "One"), ("bad.two", "Two")), crash), *GROUPS[1:2])
    results = run_doctor(make_request(), box.ctx(), groups=groups)
    by_id = {r.id: r for r in results}
    assert by_id["bad.one"].status == "ok"
    assert by_id["bad.two"].status == "warn"
    assert by_id["bad.two"].message == "the check crashed: KeyError: 'oops'"
    assert by_id["sglang.install"].status == "fail"


def test_a_group_that_forgets_a_result_is_reported(box):
    quiet = Group("quiet", (("quiet.one", "One"),), lambda request, ctx: iter(()))
    (result,) = run_doctor(make_request(), box.ctx(), groups=(quiet,))
    assert (result.id, result.status, result.message) == ("quiet.one", "warn", "the check reported nothing")


def test_results_arrive_as_they_come(box):
    release = threading.Event()
    iterator = iter_doctor(make_request(), box.ctx(check_timeout=30.0), groups=(slow_group(release),))
    first = next(iterator)
    assert first.id == "slow.first"  # yielded while the group still waits
    release.set()
    assert [r.id for r in iterator] == ["slow.second"]


def test_cancel_stops_the_run_and_kills_running_tools(box, tmp_path):
    pid_file = tmp_path / "nvidia.pid"
    box.hang("nvidia-smi", pid_file)
    cancel = threading.Event()
    got = []
    worker = threading.Thread(
        target=lambda: got.extend(iter_doctor(make_request(), box.ctx(command_timeout=30.0), cancel=cancel))
    )
    worker.start()
    for _ in range(100):  # wait (bounded) until the fake tool runs
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    cancel.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert "gpu.detect" not in {r.id for r in got}
    assert wait_dead(int(pid_file.read_text()))


def test_closing_the_iterator_cancels(box, tmp_path):
    pid_file = tmp_path / "nvidia.pid"
    box.hang("nvidia-smi", pid_file)
    ctx = box.ctx(command_timeout=30.0)
    iterator = iter_doctor(make_request(), ctx, groups=(*GROUPS[:2],))
    next(iterator)  # sglang answers at once; the GPU group hangs
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    iterator.close()
    assert wait_dead(int(pid_file.read_text()))


def wait_dead(pid: int) -> bool:
    for _ in range(100):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.05)
    return False


# --- output ---------------------------------------------------------------------------------

SAMPLE = [
    CheckResult("gpu.detect", "ok", "8 x NVIDIA H200"),
    CheckResult("gpu.count", "fail", "needs 8, has 4", "use a bigger box"),
    CheckResult("docker.image", "warn", "img not here \x1b[31m", "docker pull img"),
    CheckResult("net.ib", "skipped", "not needed"),
]


def test_json_is_a_list_of_id_status_message_fix():
    data = json.loads(to_json(SAMPLE))
    assert data[1] == {"id": "gpu.count", "status": "fail", "message": "needs 8, has 4", "fix": "use a bigger box"}
    assert all(set(item) == {"id", "status", "message", "fix"} for item in data)
    assert data[2]["message"] == "img not here \\x1b[31m"


def test_exit_code():
    assert exit_code(SAMPLE) == 1
    assert exit_code([r for r in SAMPLE if r.status != "fail"]) == 0
    assert exit_code([]) == 0


def test_text_output():
    text = to_text(SAMPLE)
    lines = text.splitlines()
    assert lines[0] == "ok    GPUs          8 x NVIDIA H200"
    assert lines[1] == "FAIL  GPUs needed   needs 8, has 4"
    assert lines[2] == "                    → use a bigger box"
    assert lines[-1] == summary(SAMPLE) == "4 checks: 1 ok, 1 warn, 1 fail, 1 skipped"
    assert "\x1b" not in text


def test_every_status_has_a_mark():
    assert len(to_text([CheckResult("x", status, "m") for status in STATUSES]).splitlines()) == len(STATUSES) + 1
