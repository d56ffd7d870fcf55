"""Hostile files and values: nothing crashes, nothing hangs, nothing reaches a shell or a
terminal raw. Each test fails without the defence it names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from dsv4_tui import cli
from dsv4_tui.app import DSV4App
from dsv4_tui.core.env import Env, EnvError, is_host
from dsv4_tui.core.problems import RulesError
from dsv4_tui.host.envfile import load_env_file, save_env_text
from dsv4_tui.host.files import atomic_write, read_text
from dsv4_tui.host.paths import env_path
from dsv4_tui.host.rules_files import load_rules
from dsv4_tui.host.state import load_state
from tui_helpers import notes

DEEP = "x = " + "[" * 3000 + "]" * 3000 + "\n"
CELL = """
[[cell]]
hw = "b200"
variant = "flash"
quant = "fp4"
strategy = "low-latency"
nodes = "single"
verified = false
derived_from = "b200/flash/fp4/low-latency/single"
{body}
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def user_cells(body: str) -> Path:
    folder = env_path().parent / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cells.toml"
    path.write_text(CELL.format(body=body), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- rules that would run code


@pytest.mark.parametrize(
    "body,words",
    [
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo 1; pwned"]', "';' outside quotes"),
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo $(pwned)"]', "'$' outside quotes"),
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo `pwned`"]', "'`' outside quotes"),
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo 1 && pwned"]', "'&' outside quotes"),
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo \\"1\\npwned\\""]', "control character"),
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo \\u001b]52;c;eA==\\u0007"]', "control character"),
        ('flags = ["--model-path {{MODEL_NAME}}", "--foo \'unclosed"]', "unclosed ' quote"),
        ('env = ["FOO=$(pwned)"]\nflags = ["--model-path x"]', "'$' outside quotes"),
        ('env = ["FOO=1\\n"]\nflags = ["--model-path x"]', "control character"),
        ('env = ["FOO=a b"]\nflags = ["--model-path x"]', "space outside quotes"),
    ],
)
def test_a_user_cell_that_would_run_code_is_rejected_with_file_and_line(capsys, body, words):
    path = user_cells(body)
    code, out, err = run(capsys, "check")
    assert code == 1 and out == ""
    assert f"{path}:" in err and words in err
    code, out, _ = run(capsys, "print")  # the same checks guard every command
    assert code == 1 and out == ""


def test_a_role_title_or_note_with_a_newline_cannot_leave_its_comment(capsys):
    body = """
[[cell.role]]
title = "Prefill\\nrm -rf ~"
flags = ["--model-path x"]
"""
    path = user_cells(body.replace("derived_from", "#"))
    code, _, err = run(capsys, "check")
    assert code == 1 and f"{path}:" in err and "one line" in err


def test_bundled_rules_get_the_same_checks(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    text = (folder / "cells.toml").read_text(encoding="utf-8")
    (folder / "cells.toml").write_text(text.replace('"--tp 4",', '"--tp 4; touch pwned",', 1), encoding="utf-8")
    with pytest.raises(RulesError, match="';' outside quotes"):
        load_rules(folder)


def test_printed_commands_are_only_words(tmp_path):
    """Every cell, in both framings, is plain shell words: given to `set --` in bash, it runs
    nothing (no file appears in an empty folder) and bash reads it without an error."""
    from dsv4_tui.core.render import render_command
    from dsv4_tui.core.selection import Selection

    rules = load_rules()
    env = Env.defaults(rules)
    lines = []
    for cell in rules.cells:
        for framing in ("python", "docker"):
            text = render_command(rules, Selection.of(cell), framing, env.subst())
            text = text.replace("<", "_").replace(">", "_")  # the fill-me-in placeholders, filled
            words = " ".join(line for line in text.splitlines() if not line.startswith("#"))
            lines.append(f"set -- {words}")
    script = tmp_path.parent / f"{tmp_path.name}-words.sh"  # too long for an argument
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(["bash", "-e", str(script)], cwd=tmp_path, timeout=30, capture_output=True)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    "value",
    ["::1%\x1b]52;c;eA==\x07", "::1%\x00x", "fe80::1%eth0 x", "host\n", "host.\n", "a\u202eb", "x\x9b2J"],
)
def test_host_values_with_control_characters_or_a_bad_scope_are_refused(value):
    assert not is_host(value)


def test_good_hosts_still_pass():
    for value in ("::1", "[::1]", "fe80::1%eth0", "10.0.0.1", "node-1.cluster.local", "localhost"):
        assert is_host(value), value


@pytest.mark.parametrize("token", ["hf_ok\x9bbad", "hf_ok\u202ebad", "hf_ok\x1b[2J", "hf_ok\nbad"])
def test_a_token_with_c1_bidi_or_c0_controls_is_refused(rules, token):
    with pytest.raises(EnvError, match="printable"):
        Env.defaults(rules).with_values({"HF_TOKEN": token})


# --------------------------------------------------------------------------- files that never end or nest forever


def test_deeply_nested_toml_in_every_file_is_a_problem_not_a_crash(rules, tmp_path, capsys):
    env_path().parent.mkdir(parents=True, exist_ok=True)
    env_path().write_text(DEEP, encoding="utf-8")
    with pytest.raises(EnvError, match="nested too deeply"):
        load_env_file(env_path(), rules.model.placeholders)
    state = env_path().parent / "state.toml"
    state.write_text(DEEP, encoding="utf-8")
    assert load_state(state)[1] is not None and "nested too deeply" in load_state(state)[1]
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / "playground.toml").write_text(DEEP, encoding="utf-8")
    with pytest.raises(RulesError, match="playground.toml: TOML nested too deeply"):
        load_rules(folder)
    code, _, err = run(capsys, "print")
    assert code == 1 and "nested too deeply" in err


async def test_the_app_starts_on_defaults_when_env_and_state_nest_forever(rules):
    env_path().parent.mkdir(parents=True, exist_ok=True)
    env_path().write_text(DEEP, encoding="utf-8")
    (env_path().parent / "state.toml").write_text(DEEP, encoding="utf-8")
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        messages = [m for _, _, m in notes(app)]
        assert any("nested too deeply" in m for m in messages)
        assert app.env.overrides == {}


async def test_saving_a_deeply_nested_env_text_says_so_and_keeps_the_session(rules):
    from textual.widgets import TextArea

    from dsv4_tui.screens.env_screen import EnvScreen

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EnvScreen)
        screen.query_one(TextArea).load_text(DEEP)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen and "nested too deeply" in str(screen.query_one("#env-errors").content)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("name", ["env.toml", "state.toml"])
def test_a_fifo_in_place_of_a_file_is_reported_not_read_forever(rules, name):
    path = env_path().parent / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # nobody ever writes to it: opening it for reading would block
    if name == "env.toml":
        with pytest.raises(EnvError, match="not a regular file"):
            load_env_file(path, rules.model.placeholders)
    else:
        assert "not a regular file" in (load_state(path)[1] or "")


def test_dev_zero_and_huge_files_are_read_with_a_cap(tmp_path):
    from dsv4_tui.host.files import ReadProblem

    if Path("/dev/zero").exists():
        with pytest.raises(ReadProblem, match="not a regular file"):
            read_text(Path("/dev/zero"))
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024)
    with pytest.raises(ReadProblem, match="larger than 4 MB"):
        read_text(big)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_user_overlay_that_is_a_folder_or_a_fifo_is_reported(capsys, kind):
    folder = env_path().parent / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        (folder / "cells.toml").mkdir()
    else:
        os.mkfifo(folder / "cells.toml")
    code, _, err = run(capsys, "check")
    assert code == 1 and str(folder / "cells.toml") in err
    assert ("a folder" if kind == "folder" else "not a regular file") in err


# --------------------------------------------------------------------------- saves


def test_stale_temp_files_of_a_killed_save_are_removed_at_the_next_save(tmp_path):
    from dsv4_tui.host.files import temp_prefix

    path = tmp_path / "env.toml"
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait(timeout=60)  # a process that is gone: its temp files are stale
    prefix = temp_prefix(path).replace(f"-{os.getpid()}-", f"-{dead.pid}-")
    for i in range(5):  # what a save killed between mkstemp and os.replace leaves behind
        (tmp_path / f"{prefix}dead{i}.tmp").write_text("HF_TOKEN = 'hf_secret'\n", encoding="utf-8")
    old = tmp_path / ".env.toml.abcd1234.tmp"  # an older dsv4's, long ago
    old.write_text("HF_TOKEN = 'hf_secret'\n", encoding="utf-8")
    os.utime(old, (1, 1))
    (tmp_path / ".other.toml.x.tmp").write_text("not ours\n", encoding="utf-8")
    atomic_write(path, 'PORT = "1"\n')
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".other.toml.x.tmp", "env.toml"]


def test_a_symlinked_env_file_is_written_through_to_its_target(rules, tmp_path):
    target = tmp_path / "dotfiles" / "dsv4-env.toml"
    target.parent.mkdir()
    target.write_text('PORT = "1"\n', encoding="utf-8")
    env_path().parent.mkdir(parents=True, exist_ok=True)
    env_path().symlink_to(target)
    save_env_text(env_path(), 'PORT = "8080"\n', rules.model.placeholders)
    assert env_path().is_symlink() and env_path().resolve() == target
    assert target.read_text(encoding="utf-8") == 'PORT = "8080"\n'


def test_concurrent_saves_never_leave_a_torn_file(tmp_path):
    """Several processes saving at once: the file is always one of the texts, whole."""
    path = tmp_path / "env.toml"
    code = (
        "import sys; from pathlib import Path; from dsv4_tui.host.files import atomic_write\n"
        "for i in range(40): atomic_write(Path(sys.argv[1]), sys.argv[2] * 2000)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), ch]) for ch in "abcd"]
    for p in procs:
        assert p.wait(timeout=120) == 0
    text = path.read_text(encoding="utf-8")
    assert text in {ch * 2000 for ch in "abcd"}
    assert not list(tmp_path.glob("*.tmp"))
