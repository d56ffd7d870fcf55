"""`dsv4 run / runs / stop / watch / explain` against a fake `sglang` on PATH that replays
realistic SGLang logs and serves on 127.0.0.1 (tests/fake_sglang_cli.py). No GPU, no network."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dsv4_tui import cli
from dsv4_tui.host.runs.store import is_running, state_of
from run_helpers import latest, log_has, stop_all, until
from sglang_fake import free_port

RUNLOGS = Path(__file__).parent / "data" / "runlogs"
FAILURES = sorted(p.stem for p in RUNLOGS.glob("*.log") if p.stem != "success")
SEL = ["--hw", "h200", "--variant", "flash"]


@pytest.fixture
def port(fake_sglang_cli):
    yield free_port()
    stop_all()


def run_args(port: int, *more: str) -> list[str]:
    return ["run", *SEL, "--set", f"PORT={port}", "--set", "HOST_IP=127.0.0.1", *more]


def test_run_starts_detached_records_and_stops(port, fake_sglang_cli, capsys):
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 0
    run_id = capsys.readouterr().out.strip()
    record = latest()
    assert record.id == run_id and record.port == port and record.launcher == "setsid"
    assert record.selection["hw"] == "h200" and record.sglang_version
    assert "sglang serve" in record.command and f"--port {port}" in record.command
    assert os.getpgid(record.pid) == record.pid  # its own process group (setsid)
    assert os.getsid(record.pid) == record.pid  # and its own session: no hang-up reaches it
    assert until(lambda: log_has(record, "Using model weights format"))
    assert state_of(record) == "running"
    # One run per port: a second run on the same port is refused.
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 1
    assert f"run {record.id} already serves port {port}" in capsys.readouterr().err
    assert cli.main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["state"], r["port"]) for r in listed] == [(record.id, "running", port)]
    assert cli.main(["stop", record.id, "--grace", "5"]) == 0
    assert "stopped (SIGTERM)" in capsys.readouterr().err
    assert not is_running(record)
    assert state_of(latest()) == "stopped"


def test_stop_kills_a_process_that_ignores_sigterm(port, fake_sglang_cli, bin_dir, capsys):
    (bin_dir / "sglang").write_text("#!/bin/bash\ntrap '' TERM\necho started\nwhile true; do sleep 0.05; done\n")
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 0
    record = latest()
    assert until(lambda: log_has(record, "started"))
    assert cli.main(["stop", record.id, "--grace", "0.3"]) == 0
    assert "killed (SIGKILL after 0.3 s)" in capsys.readouterr().err
    assert not is_running(record)


def test_run_refuses_a_taken_port(port, fake_sglang_cli, capsys):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert cli.main(run_args(port, "--yes", "--no-doctor")) == 1
    assert f"port {port} is already in use" in capsys.readouterr().err


def test_run_refuses_a_placeholder(port, fake_sglang_cli, capsys):
    assert cli.main(["run", *SEL, "--docker", "--set", f"PORT={port}", "--yes", "--no-doctor"]) == 1
    assert "placeholders: <your-hf-token>" in capsys.readouterr().err


def test_run_refuses_several_nodes(port, fake_sglang_cli, capsys):
    args = ["run", "--hw", "h200", "--variant", "pro", "--nodes", "multi-2", "--nearest", "--yes", "--no-doctor"]
    assert cli.main(args) == 1
    assert "start it with Export" in capsys.readouterr().err


def test_a_doctor_fail_needs_force(port, fake_sglang_cli, capsys):
    """No GPU here: the doctor fails, so without --force nothing starts (stdin is not a tty)."""
    assert cli.main(run_args(port, "--yes", "--timeout", "2")) == 1
    err = capsys.readouterr().err
    assert "doctor fail: gpu.detect" in err and "--force starts it anyway" in err
    assert not list((Path(os.environ["DSV4_CONFIG_DIR"]) / "runs").glob("*/run.toml"))
    assert cli.main(run_args(port, "--yes", "--force", "--timeout", "2")) == 0


def test_run_asks_first(port, fake_sglang_cli, capsys):
    assert cli.main(run_args(port, "--no-doctor")) == 1  # no tty to ask: not started
    assert "not started (--yes starts without asking)" in capsys.readouterr().err


def test_watch_follows_phases_probe_and_metrics(port, fake_sglang_cli, capsys):
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 0
    record = latest()
    assert until(lambda: log_has(record, "model-00023-of-00046"))
    fake_sglang_cli.release("download", "load", "capture")
    assert cli.main(["watch", record.id, "--until-ready"]) == 0
    out = capsys.readouterr().out
    assert "✓ Downloading 46/46" in out and "✓ Loading weights 46/46" in out
    assert "✓ Capturing CUDA graphs 12/12" in out and "Ready" in out
    assert "OK — the model on 127.0.0.1" in out
    assert "Model: sgl-project/DeepSeek-V4-Flash-FP8 (matches)" in out
    assert "throughput 1602.5 tok/s · running 5 · queued 1 · KV 41%" in out


@pytest.mark.parametrize("scenario", ["cuda-oom-graph", "argparse-unrecognized"])
def test_watch_explains_a_failed_run(scenario, port, fake_sglang_cli, capsys):
    fake_sglang_cli.scenario(scenario)
    fake_sglang_cli.release_all()
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 0
    assert cli.main(["watch", "latest"]) == 3
    out = capsys.readouterr().out
    assert "server.log:" in out and f": {scenario}" in out and "fix:" in out
    assert until(lambda: state_of(latest()).startswith("exited"))


@pytest.mark.parametrize("failure", FAILURES)
def test_explain_names_each_failure(failure, rules, capsys):
    assert cli.main(["explain", str(RUNLOGS / f"{failure}.log"), "--json"]) == 3
    found = json.loads(capsys.readouterr().out)["failure"]
    assert found["id"] == failure
    assert found["meaning"] and found["fix"] and found["related"]
    assert "\x1b" not in found["line"]


def test_explain_success_is_exit_0(capsys):
    assert cli.main(["explain", str(RUNLOGS / "success.log")]) == 0
    out = capsys.readouterr().out
    assert "no known failure" in out and "last phase: Ready" in out


def test_explain_reads_stdin(monkeypatch, capsys):
    import io

    data = (RUNLOGS / "nccl-timeout.log").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert cli.main(["explain", "-"]) == 3
    out = capsys.readouterr().out
    assert "<stdin>:2: nccl-timeout" in out and "override: set NCCL_DEBUG=INFO" in out


def test_inside_tmux_the_server_runs_in_a_new_window_named_after_the_cell(port, fake_sglang_cli, bin_dir, monkeypatch):
    """A fake `tmux` that records its arguments and starts the window's command in its own
    session, printing its pid as `-P -F '#{pane_pid}'` does."""
    calls = bin_dir.parent / "tmux-calls"
    (bin_dir / "tmux").write_text(
        "#!/bin/bash\n"
        f'printf "%s\\n" "$@" > "{calls}"\n'
        'setsid bash -c "${@: -1}" </dev/null >/dev/null 2>&1 &\n'
        "echo $!\n"
    )
    (bin_dir / "tmux").chmod(0o755)
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    fake_sglang_cli.release_all()
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 0
    record = latest()
    assert record.launcher == "tmux" and record.window == "dsv4-h200-flash-fp8-low-latency-single"
    args = calls.read_text().splitlines()
    assert args[:2] == ["new-window", "-d"] and args[args.index("-n") + 1] == record.window
    assert until(lambda: log_has(record, "ready to roll"))  # tee'd into server.log too
    assert is_running(record)
    assert cli.main(["stop", record.id]) == 0
    assert not is_running(record)


def test_docker_framing_runs_and_the_token_is_never_shown(port, fake_sglang_cli, bin_dir, capsys):
    """A fake `docker` that runs what follows the image (`sglang serve …`) here."""
    (bin_dir / "docker").write_text(
        '#!/bin/bash\nwhile [ $# -gt 0 ] && [ "$1" != sglang ]; do shift; done\nexec "$@"\n'
    )
    (bin_dir / "docker").chmod(0o755)
    token = "hf_SeCrEt0123456789"
    args = ["run", *SEL, "--docker", "--set", f"PORT={port}", "--set", f"HF_TOKEN={token}", "--yes", "--no-doctor"]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    record = latest()
    assert record.framing == "docker" and "docker run" in record.command
    assert token not in err and token not in record.command
    assert token not in (record.folder / "run.toml").read_text()
    assert token in (record.folder / "command.sh").read_text()  # what runs has it (mode 0700)
    assert (record.folder / "command.sh").stat().st_mode & 0o077 == 0
    assert until(lambda: log_has(record, "Using model weights format"))


def test_watch_of_a_run_that_ended_without_a_known_failure(port, fake_sglang_cli, bin_dir, capsys):
    (bin_dir / "sglang").write_text("#!/bin/bash\necho 'something unusual happened'\nexit 7\n")
    assert cli.main(run_args(port, "--yes", "--no-doctor")) == 0
    record = latest()
    assert until(lambda: state_of(record) == "exited 7")
    assert cli.main(["watch", record.id]) == 1
    assert f"{record.id} exited 7" in capsys.readouterr().err
    assert cli.main(["explain", str(record.log)]) == 0


def test_stop_never_signals_a_process_that_reused_the_pid(tmp_path):
    """The run's leader is gone and its pid now belongs to another process group leader (its
    start time differs): `stop` must leave that process alone."""
    import subprocess
    import time as clock

    from dsv4_tui.host.runs.launch import stop
    from dsv4_tui.host.runs.store import RunRecord
    from fake_tools import alive

    other = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        record = RunRecord(
            id="20260101-000000", command="x", selection={}, framing="python", sglang_version="", started=clock.time(),
            host="127.0.0.1", port=1, launcher="setsid", pid=other.pid, pid_start="1",
        )  # fmt: skip
        assert stop(record, grace=0.2) == "not running"
        assert alive(other.pid)
    finally:
        other.kill()
        other.wait()
