"""The `dsv4 print / list` contract that scripts rely on: stdout is exactly the text and one
newline, notices on stderr, exit codes 0/1/2, Env precedence, and the installed script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.ids import find_id
from dsv4_tui.core.render import badge, render_command, render_curl
from dsv4_tui.core.rules import DIMS
from dsv4_tui.core.selection import Selection, first_selection

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "dsv4"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def text(rules, sel: Selection, framing: str = "python", env: Env | None = None) -> str:
    env = env or Env.defaults(rules)
    if framing == "curl":
        return render_curl(rules, sel, env.subst())
    return render_command(rules, sel, framing, env.subst())


# --------------------------------------------------------------------------- print


def test_print_is_exactly_the_text_and_one_newline(rules, capsys):
    sel = Selection("h200", "flash", "fp8", "balanced", "single")
    code, out, err = run(capsys, "print", *[f"--{d}={sel[d]}" for d in DIMS])
    assert code == 0
    assert out == text(rules, sel) + "\n"
    assert out.startswith("SGLANG_") or out.startswith("sglang serve")
    assert not out.endswith("\n\n")


def test_print_docker_and_curl(rules, capsys):
    sel = Selection("mi355x", "pro", "fp8", "balanced", "single")
    argv = ["print", *[f"--{d}={sel[d]}" for d in DIMS]]
    code, out, _ = run(capsys, *argv, "--docker")
    assert code == 0 and out == text(rules, sel, "docker") + "\n"
    assert out.startswith("docker run \\\n  --device=/dev/kfd")
    code, out, err = run(capsys, *argv, "--curl")
    assert code == 0 and out == text(rules, sel, "curl") + "\n"
    assert out.startswith("curl http://localhost:30000/v1/chat/completions")
    assert "sgl-project/DeepSeek-V4-Pro-FP8" in out


def test_unknown_id_exits_2_listing_the_valid_ids(rules, capsys):
    code, out, err = run(capsys, "print", "--hw", "a100")
    assert code == 2 and out == ""
    assert "a100" in err
    for h in rules.model.hardware:
        assert h.id in err
    code, out, err = run(capsys, "print", "--strategy", "fastest")
    assert code == 2 and out == ""
    assert "low-latency" in err and "balanced" in err and "high-throughput" in err


def test_missing_dims_take_the_first_valid_value(rules, capsys):
    code, out, err = run(capsys, "print", "--hw", "h200")
    assert code == 0 and "resolved" not in err
    assert out == text(rules, Selection("h200", "pro-official", "fp4", "low-latency", "single")) + "\n"
    code, out, err = run(capsys, "print", "--hw", "h200", "--variant", "pro")
    assert code == 0 and "resolved" not in err
    assert out == text(rules, Selection("h200", "pro", "fp8", "low-latency", "multi-2")) + "\n"
    code, out, err = run(capsys, "print", "--strategy", "balanced")
    assert code == 0 and "resolved" not in err
    assert out == text(rules, Selection("b200", "flash-official", "fp4", "balanced", "single")) + "\n"


def test_no_arguments_print_the_initial_cell(rules, capsys):
    code, out, _ = run(capsys, "print")
    assert code == 0 and out == text(rules, first_selection(rules)) + "\n"


def test_impossible_selection_exits_2_naming_the_nearest_valid_one(rules, capsys):
    code, out, err = run(capsys, "print", "--hw", "rtx6000", "--variant", "pro", "--nodes", "multi-2")
    assert (code, out) == (2, "")
    assert "--variant pro cannot be kept: RTX PRO 6000 runs Flash / Flash Official only" in err
    assert "so RTX PRO 6000 runs Flash only (Flash and Flash Official)" in err
    assert "--nodes multi-2 cannot be kept" in err
    nearest = "dsv4 print --hw rtx6000 --variant flash-official --quant fp4 --strategy low-latency --nodes single"
    assert f"nearest valid selection: {nearest}" in err and "--nearest" in err
    # The nearest line is ready to run: it prints that very cell.
    code, out2, _ = run(capsys, *nearest.split()[1:])
    sel = Selection("rtx6000", "flash-official", "fp4", "low-latency", "single")
    assert code == 0 and out2 == text(rules, sel) + "\n"


def test_nearest_resolves_like_the_page_with_a_notice_on_stderr(rules, capsys):
    code, out, err = run(capsys, "print", "--hw", "rtx6000", "--variant", "pro", "--nodes", "multi-2", "--nearest")
    assert code == 0
    assert out == text(rules, Selection("rtx6000", "flash-official", "fp4", "low-latency", "single")) + "\n"
    assert "Pro" in err and "Flash Official" in err and "Multi-Nodes" in err and "Single Node" in err
    assert "RTX PRO 6000 runs Flash only" in err


def test_mtp_note_goes_to_stderr_only(rules, capsys):
    code, out, err = run(capsys, "print", "--variant", "flash")  # b200 flash low-latency: EAGLE, no cap
    assert code == 0 and "Speculative decoding (MTP) is on" in err and "48" in err
    assert "MTP" not in out
    code, out, err = run(capsys, "print")  # b200 flash-official low-latency: DSpark, no cap
    assert code == 0 and "Speculative decoding (DSpark) is on" in err
    code, out, err = run(capsys, "print", "--hw", "h200", "--variant", "flash", "--strategy", "high-throughput")
    assert code == 0 and err == ""


def test_list_prints_every_cell_with_its_badge(rules, capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 136 == len(rules.cells)
    for line, cell in zip(lines, rules.cells):
        assert line.split()[:5] == list(cell.key)
        assert line.rstrip().endswith(badge(rules, cell)) or "(roles)" in line
    assert sum(line.rstrip().endswith(" In progress") for line in lines) == 18
    assert sum(line.rstrip().endswith(" Not Verified") for line in lines) == 31


# --------------------------------------------------------------------------- Env


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def port_and_host(out: str) -> tuple[str, str]:
    lines = out.splitlines()
    port = next(ln for ln in lines if ln.strip().startswith("--port")).split()[1]
    host = next(ln for ln in lines if ln.strip().startswith("--host")).split()[1]
    return port, host


def test_env_precedence(isolated_config, tmp_path, capsys):
    # defaults
    code, out, _ = run(capsys, "print")
    assert code == 0 and port_and_host(out) == ("30000", "0.0.0.0")
    # the saved Env file
    write(isolated_config / "env.toml", 'PORT = "1111"\nHOST_IP = "10.0.0.1"\n')
    code, out, _ = run(capsys, "print")
    assert code == 0 and port_and_host(out) == ("1111", "10.0.0.1")
    # --env-file beats the saved file, key by key
    env_file = write(tmp_path / "mine.toml", 'PORT = "2222"\n')
    code, out, _ = run(capsys, "print", "--env-file", str(env_file))
    assert code == 0 and port_and_host(out) == ("2222", "10.0.0.1")
    # --set beats both
    code, out, _ = run(capsys, "print", "--env-file", str(env_file), "--set", "PORT=3333")
    assert code == 0 and port_and_host(out) == ("3333", "10.0.0.1")
    code, out, _ = run(capsys, "print", "--set", "HOST_IP=::1", "--set", "PORT=4444")
    assert code == 0 and port_and_host(out) == ("4444", "::1")


def test_env_values_are_shared_with_curl(isolated_config, capsys):
    write(isolated_config / "env.toml", 'CURL_HOST = "gpu-box.local"\n')
    code, out, _ = run(capsys, "print", "--curl", "--set", "CURL_PORT=8000")
    assert code == 0
    assert out.startswith("curl http://gpu-box.local:8000/v1/chat/completions \\\n")


def test_docker_port_mapping_follows_set_port(capsys):
    code, out, _ = run(capsys, "print", "--docker", "--set", "PORT=8080")
    assert code == 0
    assert "\n  -p 8080:8080 \\\n" in out and out.endswith("    --port 8080\n")


@pytest.mark.parametrize("value", ["99999", "0", "abc", "-1"])
def test_bad_set_value_exits_1_naming_the_key(capsys, value):
    code, out, err = run(capsys, "print", "--set", f"PORT={value}")
    assert code == 1 and out == ""
    assert "PORT" in err and value in err


def test_set_of_an_unknown_key_or_without_equals_exits_1(capsys):
    code, out, err = run(capsys, "print", "--set", "PROT=1")
    assert code == 1 and out == "" and "PROT" in err
    code, out, err = run(capsys, "print", "--set", "PORT")
    assert code == 1 and out == "" and "KEY=VALUE" in err


def test_missing_env_file_exits_1(tmp_path, capsys):
    code, out, err = run(capsys, "print", "--env-file", str(tmp_path / "nope.toml"))
    assert code == 1 and out == "" and "nope.toml" in err


@pytest.mark.parametrize(
    "content,line,needle",
    [
        ('PORT = "1234"\nHOST_IP = \n', 2, None),
        ('PORT = "1234"\n\nHOST_IP = "a b"\n', 3, "HOST_IP"),
        ('# mine\nPORTT = "1"\n', 2, "PORTT"),
    ],
)
def test_corrupt_saved_env_exits_1_and_leaves_the_file_alone(isolated_config, capsys, content, line, needle):
    path = write(isolated_config / "env.toml", content)
    os.chmod(path, 0o600)

    def listing() -> list[str]:  # cache/ (the validated rules) may appear: it is not the user's
        return sorted(set(os.listdir(isolated_config)) - {"cache"})

    before = (path.read_bytes(), path.stat().st_mtime_ns, listing())
    code, out, err = run(capsys, "print")
    assert code == 1 and out == ""
    assert str(path) in err
    assert f"{path}:{line}" in err or f"line {line}" in err
    if needle:
        assert needle in err
    assert (path.read_bytes(), path.stat().st_mtime_ns, listing()) == before


# --------------------------------------------------------------------------- the installed script


def test_installed_script_finds_the_rules_outside_the_checkout(rules, isolated_config):
    assert SCRIPT.is_file()
    env = {**os.environ, "DSV4_CONFIG_DIR": str(isolated_config)}
    env.pop("DSV4_RULES", None)
    sel = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
    proc = subprocess.run(
        [str(SCRIPT), "print", *[f"--{d}={sel[d]}" for d in DIMS], "--docker"],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == text(rules, sel, "docker") + "\n"
    assert proc.stderr.endswith(
        "dsv4: fill in before running: <node-rank>, <node0-ip>, <your-nic>, <your-hca-list>, <your-hf-token>\n"
    )


def test_curl_follows_port_unless_curl_port_is_set(capsys):
    code, out, err = run(capsys, "print", "--curl", "--set", "PORT=31000")
    assert code == 0 and out.startswith("curl http://localhost:31000/v1/chat/completions") and err == ""
    code, out, _ = run(capsys, "print", "--curl", "--set", "PORT=31000", "--set", "CURL_PORT=32000")
    assert out.startswith("curl http://localhost:32000/")
    code, out, err = run(capsys, "print", "--curl")  # no MTP note for the cURL (the cell has MTP on)
    assert out.startswith("curl http://localhost:30000/") and err == ""


def test_the_chips_texts_name_their_options(rules, capsys, tmp_path):
    """What a chip shows works on the command line too (issue 18, 17): `--hw "H200 141G"`,
    `--variant "Flash 284B"`, for every option of every dimension, data-driven."""
    code, by_id, _ = run(capsys, "print", "--hw", "h200", "--variant", "flash")
    assert code == 0
    code, by_chip, err = run(capsys, "print", "--hw", "H200 141G", "--variant", "Flash 284B")
    assert (code, by_chip) == (0, by_id), err
    for dim, options in rules.options.items():
        for o in options:
            assert find_id(rules.chip_text(dim, o.id), rules.names(dim), dim) == o.id
    script = tmp_path / "serve.sh"
    script.write_text(by_id, encoding="utf-8")
    code, _, err = run(capsys, "lint", "--hw", "h200 141g", "--variant", "flash 284b", str(script))
    assert code == 0, err
