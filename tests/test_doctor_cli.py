"""`dsv4 doctor` on a fake box: fake tools first on PATH, a fake sysroot (DSV4_SYSROOT), a
temporary HF_HOME. Text and JSON output, exit codes 0/1/2, a hanging tool, the flags check
against an installed SGLang, and what the CLI accepts as an IB device."""

from __future__ import annotations

import json
import socket

import pytest

from doctor_fakes import box_as_environment, fake_docker, fake_nvidia_smi, hf_repo, nvidia_rows
from dsv4_tui import cli
from dsv4_tui.core.lookup import docker_image, model_name
from dsv4_tui.core.selection import Selection, resolve
from dsv4_tui.host.doctor import planned_checks
from dsv4_tui.host.sglang_installed import bundled_table

BUNDLED = bundled_table()["sglang"]["version"]
GB200_MULTI = ("--hw", "gb200", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2")


@pytest.fixture
def box(tmp_path, monkeypatch):
    return box_as_environment(tmp_path, monkeypatch)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sglang_on_path(box, version: str) -> None:
    """`sglang` on PATH whose interpreter (a fake python3) reports `version`."""
    python = box.tool("python3", f"echo {version}")
    (box.bin / "sglang").write_text(f"#!{python}\n")
    (box.bin / "sglang").chmod(0o755)


def healthy_h200(rules, box) -> tuple[Selection, list[str]]:
    """8 idle H200, SGLang of the bundled table's version, the weights cached; the port free."""
    sel, _ = resolve(rules, {"hw": "h200"})
    fake_nvidia_smi(box, nvidia_rows(8))
    sglang_on_path(box, BUNDLED)
    hf_repo(box.hf_home / "hub", model_name(rules, sel), shards=4)
    return sel, ["--hw", "h200", "--set", "HOST_IP=127.0.0.1", "--set", f"PORT={free_port()}"]


def by_id(out: str) -> dict[str, dict[str, str]]:
    return {item["id"]: item for item in json.loads(out)}


def test_a_healthy_box_exits_0_with_one_json_object_per_check(rules, box, capsys):
    sel, args = healthy_h200(rules, box)
    code, out, err = run(capsys, "doctor", *args, "--json")
    items = json.loads(out)
    assert [item["id"] for item in items] == [check_id for check_id, _ in planned_checks()]
    assert all(set(item) == {"id", "status", "message", "fix"} for item in items)
    assert code == 0, out
    found = by_id(out)
    assert found["gpu.detect"]["status"] == "ok" and "8 x NVIDIA H200" in found["gpu.detect"]["message"]
    assert found["gpu.count"]["status"] == "ok"
    assert found["sglang.install"]["status"] == "ok" and f"sglang {BUNDLED}" in found["sglang.install"]["message"]
    assert found["sglang.flags"] == {
        "id": "sglang.flags",
        "status": "ok",
        "message": f"every flag is accepted by bundled table for SGLang {BUNDLED}",
        "fix": "",
    }
    assert found["weights.cache"]["status"] == "ok" and model_name(rules, sel) in found["weights.cache"]["message"]
    assert found["host.port"]["status"] == "ok" and "127.0.0.1" in found["host.port"]["message"]
    assert found["docker.daemon"]["status"] == "skipped"  # Python framing
    assert not any(item["status"] == "fail" for item in items)


def test_the_text_report_names_the_selection_and_each_check(rules, box, capsys):
    _, args = healthy_h200(rules, box)
    code, out, _ = run(capsys, "doctor", *args)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("H200 · ") and lines[0].endswith(", Python framing")
    for _, title in planned_checks():
        assert any(line[6:].startswith(title) for line in lines), title
    assert lines[-1].startswith("16 checks: ")


def test_a_failing_check_exits_1(rules, box, capsys):
    code, out, _ = run(capsys, "doctor", "--hw", "h200", "--json")  # no nvidia-smi, no sglang here
    found = by_id(out)
    assert code == 1
    assert found["gpu.detect"] == {
        "id": "gpu.detect",
        "status": "fail",
        "message": "nvidia-smi not found on PATH",
        "fix": "install the NVIDIA driver and tools, or run dsv4 on the GPU box",
    }
    code, out, _ = run(capsys, "doctor", "--hw", "h200")
    assert code == 1 and "FAIL  GPUs " in out and "→ install the NVIDIA driver" in out


def test_a_hanging_nvidia_smi_holds_the_cli_no_longer_than_its_timeout(rules, box, capsys):
    _, args = healthy_h200(rules, box)
    box.hang("nvidia-smi")
    code, out, _ = run(capsys, "doctor", *args, "--timeout", "1", "--json")
    found = by_id(out)
    assert code == 1
    assert found["gpu.detect"]["message"] == "nvidia-smi did not answer within 1 s"
    assert "driver may be stuck" in found["gpu.detect"]["fix"]
    assert found["sglang.flags"]["status"] == "ok"  # the other checks were not held up


def test_flags_unknown_to_the_installed_sglang_fail(rules, box, capsys, fake_sglang):
    # a fake sglang 9.9.9 in this Python, not on PATH
    code, out, _ = run(capsys, "doctor", "--hw", "h200", "--json")
    found = by_id(out)
    assert found["sglang.install"]["status"] == "warn" and "sglang 9.9.9" in found["sglang.install"]["message"]
    flags = found["sglang.flags"]
    assert flags["status"] == "fail" and code == 1
    assert "flags unknown to SGLang 9.9.9 installed here: --trust-remote-code" in flags["message"]


def test_docker_framing_checks_the_daemon_image_and_runtime(rules, box, capsys):
    sel, args = healthy_h200(rules, box)
    fake_docker(box, images=(docker_image(rules, sel),))
    code, out, _ = run(capsys, "doctor", *args, "--docker", "--json")
    found = by_id(out)
    assert [found[c]["status"] for c in ("docker.daemon", "docker.image", "docker.runtime")] == ["ok"] * 3
    assert found["sglang.install"]["status"] == "skipped"  # SGLang runs inside the image
    assert "HF_TOKEN" in found["weights.token"]["message"]
    code, out, _ = run(capsys, "doctor", *args, "--format", "docker", "--json")
    assert by_id(out)["docker.image"]["status"] == "ok"


def test_multi_node_needs_node0_ip(rules, box, capsys):
    code, out, _ = run(capsys, "doctor", *GB200_MULTI, "--json")
    node0 = by_id(out)["net.node0"]
    assert code == 1 and node0["status"] == "fail" and node0["message"] == "NODE0_IP is still <node0-ip>"
    code, out, _ = run(capsys, "doctor", *GB200_MULTI, "--set", "NODE0_IP=127.0.0.1", "--json")
    assert by_id(out)["net.node0"]["status"] == "warn"  # loopback: the other nodes cannot reach it


def test_pd_lists_this_boxs_infiniband_devices(rules, box, capsys):
    box.ib("mlx5_3", "1: ACTIVE")
    code, out, _ = run(capsys, "doctor", "--hw", "gb300", "--override", "pd-mode=decode", "--json")
    ib = by_id(out)["net.ib"]
    assert ib["status"] == "ok" and ib["message"] == "1 InfiniBand device(s): mlx5_3 (1 active)"


def test_the_cli_takes_ib_devices_from_the_rules_only(rules, box, capsys):
    """The app offers this box's devices; the command line stays the same on every box: it
    takes the rules' list, so a script's output never depends on where it runs."""
    box.ib("mlx5_3", "1: ACTIVE")
    decode = ("--hw", "gb300", "--override", "pd-mode=decode")
    code, out, err = run(capsys, "print", *decode, "--override", "pd-ib-device=mlx5_3")
    assert code == 2 and out == "" and "valid: auto, mlx5_0, mlx5_7" in err
    code, out, err = run(capsys, "doctor", *decode, "--override", "pd-ib-device=mlx5_3")
    assert code == 2 and out == "" and "valid: auto, mlx5_0, mlx5_7" in err
    code, out, _ = run(capsys, "print", *decode, "--override", "pd-ib-device=mlx5_0")
    assert code == 0 and "--disaggregation-ib-device mlx5_0" in out


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--hw", "nope"], "unknown --hw 'nope'"),
        (["--hw", "rtx6000", "--variant", "pro"], "nearest valid selection: dsv4 doctor --hw rtx6000"),
        (["--override", "nope=1"], "unknown --override key 'nope'"),
    ],
)
def test_a_bad_argument_exits_2(rules, box, capsys, argv, says):
    code, out, err = run(capsys, "doctor", *argv)
    assert (code, out) == (2, "") and says in err


@pytest.mark.parametrize("argv", [["--timeout", "0"], ["--timeout", "soon"], ["--format", "yaml"]])
def test_a_bad_option_value_exits_2(box, capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(["doctor", *argv])
    assert exc.value.code == 2
    assert "dsv4 doctor: error:" in capsys.readouterr().err


def test_help_lists_the_exit_codes_and_the_sysroot(capsys):
    with pytest.raises(SystemExit):
        cli.main(["doctor", "--help"])
    out = capsys.readouterr().out
    assert "exit codes: 0 no check failed" in out and "DSV4_SYSROOT" in out and "--json" in out
