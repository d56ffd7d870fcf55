"""The doctor's building blocks: bounded commands, terminal-safe text, sizes."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from doctor_fakes import make_request, new_box
from dsv4_tui.host.doctor import (
    CheckResult,
    DoctorContext,
    fmt_bytes,
    parse_size,
    safe_text,
    shm_from_docker_args,
    size_in,
)
from dsv4_tui.host.doctor.proc import run_command
from dsv4_tui.host.doctor.safe import first_line
from fake_tools import wait_dead


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


def test_command_output_and_exit_code(box):
    box.tool("tool", 'echo "out $1"; echo "err line" >&2; exit 3')
    result = run_command(box.ctx(), "tool", ["x"])
    assert (result.returncode, result.stdout, result.stderr.strip()) == (3, "out x\n", "err line")
    assert not result.ok
    assert result.problem(2.0) == "tool exited with code 3: err line"


def test_missing_tool(box):
    result = run_command(box.ctx(), "nope", [])
    assert result.missing and not result.ok
    assert result.problem(2.0) == "nope not found on PATH"


def test_hanging_tool_times_out_and_its_children_die(box, tmp_path):
    pid_file = tmp_path / "child.pid"
    box.hang("tool", pid_file)
    result = run_command(box.ctx(command_timeout=0.3), "tool", [])
    assert result.timed_out and result.returncode is None and not result.ok
    assert result.problem(0.3) == "tool did not answer within 0.3 s"
    assert wait_dead(int(pid_file.read_text()))


def test_background_child_left_behind_is_killed(box, tmp_path):
    pid_file = tmp_path / "child.pid"
    box.tool("tool", f"sleep 30 &\necho $! > {pid_file}\necho done")
    result = run_command(box.ctx(), "tool", [])
    assert result.ok and result.stdout == "done\n"
    assert wait_dead(int(pid_file.read_text()))


def test_endless_output_is_cut_at_the_cap_on_a_line_boundary(box):
    box.tool("tool", "echo first; yes 'a line of output'")
    result = run_command(box.ctx(output_cap=4096), "tool", [])
    assert result.truncated and not result.timed_out
    assert len(result.stdout) <= 4096 and result.stdout.endswith("\n")
    assert result.stdout.startswith("first\n")
    assert set(result.stdout.splitlines()[1:]) == {"a line of output"}


def test_cancel_stops_a_running_tool(box, tmp_path):
    pid_file = tmp_path / "child.pid"
    box.hang("tool", pid_file)
    ctx = box.ctx(command_timeout=30.0)
    timer = threading.Timer(0.2, ctx.cancel.set)
    timer.start()
    result = run_command(ctx, "tool", [])
    timer.join()
    assert result.cancelled and not result.ok
    assert wait_dead(int(pid_file.read_text()))


def test_undecodable_output_is_replaced(box):
    box.tool("tool", r"printf 'GPU \xff\xfe name\n'")
    assert run_command(box.ctx(), "tool", []).stdout == "GPU \ufffd\ufffd name\n"


def test_unstartable_tool(box):
    script = box.tool("tool", "")
    script.write_bytes(b"\x7fELF garbage")  # executable bit, not a program
    result = run_command(box.ctx(), "tool", [])
    assert result.error and not result.ok
    assert result.problem(2.0).startswith("tool could not start:")


def test_context_from_env_takes_the_sysroot():
    ctx = DoctorContext.from_env({"DSV4_SYSROOT": "/tmp/fake", "PATH": "/nowhere"})
    assert ctx.host_path("/proc/meminfo") == Path("/tmp/fake/proc/meminfo")
    assert DoctorContext.from_env({}).host_path("/dev/shm") == Path("/dev/shm")
    assert ctx.which("sh") is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("NVIDIA H200", "NVIDIA H200"),
        ("evil\x1b[2Jname", "evil\\x1b[2Jname"),
        ("two\nlines\ttab", "two\\x0alines\\x09tab"),
        ("c1 \x9b31m", "c1 \\x9b31m"),
        ("bidi \u202egnp.exe\u2066x\u2069", "bidi \\u202egnp.exe\\u2066x\\u2069"),
        ("mark \u200f sep \u2028", "mark \\u200f sep \\u2028"),
        ("surrogate \udcff", "surrogate \\udcff"),
        ("unicode ✓ é 中", "unicode ✓ é 中"),
    ],
)
def test_safe_text(text, shown):
    assert safe_text(text) == shown
    assert safe_text(shown) == shown  # idempotent


def test_first_line_skips_blanks_and_cuts():
    assert first_line("\n\n  Error: \x1b[31mbad\x1b[0m  \nmore") == "Error: \\x1b[31mbad\\x1b[0m"
    assert first_line("x" * 300, 10) == "x" * 9 + "…"
    assert first_line("") == ""


def test_check_result_makes_its_text_safe_and_validates_status():
    result = CheckResult("x", "warn", "GPU \x1b]0;owned\x07", "run \u202e", ib_devices=("mlx5\x1b",))
    assert result.message == "GPU \\x1b]0;owned\\x07" and result.fix == "run \\u202e"
    assert result.ib_devices == ("mlx5\\x1b",)
    assert result.as_dict() == {"id": "x", "status": "warn", "message": result.message, "fix": result.fix}
    with pytest.raises(ValueError):
        CheckResult("x", "bad", "")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("32g", 32 * 2**30),
        ("32G", 32 * 2**30),
        ("512m", 512 * 2**20),
        ("~1 TB", 10**12),
        ("~2TB", 2 * 10**12),
        ("290 GB", 290 * 10**9),
        ("1.5 GiB", int(1.5 * 2**30)),
        ("1024", 1024),
        ("lots", None),
        ("", None),
    ],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_fmt_bytes():
    assert fmt_bytes(143771 * 2**20) == "140.4 GiB"
    assert fmt_bytes(512 * 2**20) == "512 MiB"
    assert fmt_bytes(2 * 2**40) == "2.0 TiB"
    assert fmt_bytes(100) == "100 B"


def test_a_flood_on_stderr_is_capped_and_never_blocks_the_tool(box):
    box.tool("tool", "head -c 1000000 /dev/zero | tr '\\0' 'e' >&2; echo done")
    result = run_command(box.ctx(), "tool", [])
    assert result.ok and result.stdout == "done\n"
    assert len(result.stderr) == 16 * 1024


def test_request_is_hashable_and_compares_without_the_callback():
    first = make_request(host_ratios={5: 10**12}, flags_check=lambda version: None)
    second = make_request(host_ratios={5: 10**12})
    assert first == second and hash(first) == hash(second)
    assert first.needs_ib is False and make_request(pd=True).needs_ib and make_request(nodes=2).multi_node


def test_size_in_a_label():
    assert size_in("5 (~1TB host)") == 10**12
    assert size_in("10 (~2TB host)") == 2 * 10**12
    assert size_in("ratio 5") is None


def test_shm_from_docker_args():
    amd = ["--device=/dev/kfd --device=/dev/dri", "--group-add video", "--shm-size 32g"]
    assert shm_from_docker_args(amd) == 32 * 2**30
    assert shm_from_docker_args(["--shm-size=16g"]) == 16 * 2**30
    assert shm_from_docker_args(["--ipc=host"]) is None
    assert shm_from_docker_args(["--shm-size"]) is None


def test_a_daemon_outside_the_group_holding_the_pipe_does_not_hold_us(box, tmp_path):
    pid_file = tmp_path / "daemon.pid"
    box.tool("tool", f"setsid sleep 30 &\necho $! > {pid_file}\necho done")
    result = run_command(box.ctx(), "tool", [])
    assert result.ok and result.stdout == "done\n"
    try:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)  # it left the tool's group: ours to clean up
    except ProcessLookupError:
        pass
