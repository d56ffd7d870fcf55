"""Saves against hostile files (issue 19, items 6, 7, 11, 15, 22): a device node, FIFO or
loop of links in place of a file, a planted link, temp files of a killed save, the lock file
and a byte order mark. Each test fails without the defence it names."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dsv4_tui import cli
from dsv4_tui.app import DSV4App
from dsv4_tui.host.envfile import load_env_file, save_env_text
from dsv4_tui.host.files import WriteProblem, atomic_write, clean_config_folder, read_text, temp_prefix
from dsv4_tui.host.paths import config_dir, env_path, state_path
from dsv4_tui.host.state import load_state, save_state
from tui_helpers import notes

POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and links")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def special_file(path: Path) -> Path:
    """A node that is not a regular file: a character device like /dev/null when root may
    make one (mknod), else a FIFO. Never the machine's own /dev/null: a broken save would
    replace it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        os.mkfifo(path)
    return path


def still_special(path: Path) -> bool:
    mode = os.lstat(path).st_mode
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


# --------------------------------------------------------------------------- 6: device nodes are never replaced


@POSIX
@pytest.mark.parametrize("linked", [False, True], ids=["in-place", "through-a-link"])
def test_a_save_never_replaces_a_device_node_or_fifo(rules, tmp_path, linked):
    node = special_file(tmp_path / "devnull")
    config_dir().mkdir(parents=True, exist_ok=True)
    for path in (env_path(), state_path()):
        if linked:
            path.symlink_to(node)  # the `ln -s /dev/null state.toml` idiom
        else:
            special_file(path)
    with pytest.raises(WriteProblem, match="not a regular file"):
        save_state({"hw": "h200"})
    with pytest.raises(WriteProblem, match="not a regular file"):
        save_env_text(env_path(), 'PORT = "1"\n', rules.model.placeholders)
    assert still_special(node)
    for path in (env_path(), state_path()):
        assert path.is_symlink() if linked else still_special(path)


@POSIX
async def test_the_app_says_once_that_state_is_not_remembered_and_leaves_the_node(rules, tmp_path):
    node = special_file(tmp_path / "devnull")
    config_dir().mkdir(parents=True, exist_ok=True)
    state_path().symlink_to(node)
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        for framing in ("docker", "python", "docker"):
            app.framing = framing
            app._save_state()  # what the timer does after a chip press
        await pilot.pause()
        messages = [m for _, _, m in notes(app) if "not remembered" in m]
        assert len(messages) == 1 and "not a regular file" in messages[0]
    assert state_path().is_symlink() and still_special(node)


def test_a_symlinked_state_file_is_written_through_to_its_regular_target(tmp_path):
    target = tmp_path / "dotfiles" / "state.toml"
    target.parent.mkdir()
    target.write_text('hw = "b200"\n', encoding="utf-8")
    config_dir().mkdir(parents=True, exist_ok=True)
    state_path().symlink_to(target)
    save_state({"hw": "h200"})
    assert state_path().is_symlink() and load_state()[0] == {"hw": "h200"}


# --------------------------------------------------------------------------- 7: never write through a planted link


def test_a_cache_write_replaces_a_planted_link_not_its_target(tmp_path):
    victim = tmp_path / "root-owned.conf"
    victim.write_text("precious\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "rules.bin").symlink_to(victim)
    written = atomic_write(cache / "rules.bin", "cache data", mode=0o600)
    assert written == cache / "rules.bin"
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (cache / "rules.bin").is_symlink()
    assert (cache / "rules.bin").read_text(encoding="utf-8") == "cache data"


@POSIX
def test_the_rules_cache_rebuild_replaces_a_planted_link_not_its_target(tmp_path):
    from dsv4_tui.host.paths import cache_dir
    from dsv4_tui.host.rules_files import load_rules

    load_rules(cache=True)  # writes the cache
    cached = [p for p in cache_dir().rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert cached
    for i, path in enumerate(cached):  # planted: not trusted, so the rules are built and cached again
        victim = tmp_path / f"root-owned-{i}.conf"
        victim.write_text("precious\n", encoding="utf-8")
        path.unlink()
        path.symlink_to(victim)
    load_rules(cache=True)
    for i in range(len(cached)):
        assert (tmp_path / f"root-owned-{i}.conf").read_text(encoding="utf-8") == "precious\n"


@POSIX
def test_export_force_refuses_a_symlink_and_keeps_its_target(capsys, tmp_path):
    victim = tmp_path / "root-owned.conf"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "job.sbatch"
    out.symlink_to(victim)
    code, stdout, err = run(capsys, "export", "--to", "sbatch", "-o", str(out), "--force")
    assert code == 2 and stdout == ""
    assert "is a symbolic link" in err and "does not write through links" in err
    assert "Traceback" not in err
    assert victim.read_text(encoding="utf-8") == "precious\n" and out.is_symlink()


@POSIX
async def test_export_save_in_the_app_refuses_a_symlink(rules, tmp_path):
    from textual.widgets import Input

    from dsv4_tui.screens.export_screen import ExportScreen

    victim = tmp_path / "root-owned.conf"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "job.sbatch"
    out.symlink_to(victim)
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_export()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-path", Input).value = str(out)
        screen.action_save()
        await pilot.pause()
        assert app.screen is screen  # no "Replace it?" question: there is nothing to confirm
    assert victim.read_text(encoding="utf-8") == "precious\n" and out.is_symlink()
    # and the App's own writer refuses it too, whoever calls it
    with pytest.raises(WriteProblem, match="symbolic link"):
        app.save_export(out, "text")
    assert victim.read_text(encoding="utf-8") == "precious\n"


# --------------------------------------------------------------------------- 11: loops of links


def make_loop(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    other = path.parent / f"{path.name}.loop"
    path.symlink_to(other)
    other.symlink_to(path)


@POSIX
def test_a_loop_of_links_is_a_clear_problem_for_state_and_env(rules):
    make_loop(state_path())
    make_loop(env_path())
    assert "Too many levels of symbolic links" in (load_state()[1] or "")
    with pytest.raises(WriteProblem, match="loop of symbolic links"):
        save_state({"hw": "h200"})
    with pytest.raises(WriteProblem, match="loop of symbolic links"):
        save_env_text(env_path(), 'PORT = "1"\n', rules.model.placeholders)
    with pytest.raises(Exception, match="symbolic links"):
        load_env_file(env_path(), rules.model.placeholders)


@POSIX
async def test_the_app_survives_a_loop_for_state_and_env_and_saves_env_nowhere(rules):
    from textual.widgets import TextArea

    make_loop(state_path())
    make_loop(env_path())
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.framing = "docker"
        app._save_state()  # the autosave after a change
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(TextArea).load_text('PORT = "8080"\n')
        await pilot.press("ctrl+s")
        await pilot.pause()
        messages = " ".join(m for _, _, m in notes(app))
        assert "NOT saved" in messages and "loop of symbolic links" in messages
        assert "not remembered" in messages
    assert app.return_code in (None, 0)
    assert env_path().is_symlink() and state_path().is_symlink()


@POSIX
def test_export_to_a_loop_of_links_is_a_clear_error(capsys, tmp_path):
    out = tmp_path / "job.sbatch"
    make_loop(out)
    for extra in ([], ["--force"]):
        code, _, err = run(capsys, "export", "--to", "sbatch", "-o", str(out), *extra)
        assert code == 2 and "is a symbolic link" in err and "Traceback" not in err


# --------------------------------------------------------------------------- 15: temp files of a killed save


def test_a_temp_file_is_hidden_and_out_of_the_toml_listing(tmp_path):
    prefix = temp_prefix(tmp_path / "env.toml")
    assert prefix.startswith(".env.toml.")
    leftover = tmp_path / f"{prefix}abc.tmp"
    leftover.write_text("x", encoding="utf-8")
    assert list(tmp_path.glob("*.toml")) == []
    assert [name for name in os.listdir(tmp_path) if not name.startswith(".")] == []  # what `ls` lists


def _killed_save(folder: Path) -> list[Path]:
    """A real save killed (SIGKILL) between writing its temp file and renaming it."""
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "import dsv4_tui.host.files as f\n"
        "os.replace = lambda *a: os.kill(os.getpid(), 9)\n"
        "f.atomic_write(Path(sys.argv[1]) / 'env.toml', 'HF_TOKEN = \"hf_secret\"\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(folder)], timeout=60)
    assert proc.returncode == -signal.SIGKILL
    left = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and "hf_secret" in left[0].read_text(encoding="utf-8")
    return left


@pytest.mark.cold_rules_cache  # lists the config folder: nothing in it but what the test made
def test_the_app_start_removes_the_temp_file_of_a_killed_env_save(rules):
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _killed_save(folder)
    DSV4App(rules, detect=False)  # start-up, no save
    assert [p.name for p in folder.iterdir()] == []


def test_a_running_save_keeps_its_temp_file(tmp_path):
    mine = tmp_path / f"{temp_prefix(tmp_path / 'env.toml')}abc.tmp"  # this process: a save in progress
    mine.write_text("x", encoding="utf-8")
    assert clean_config_folder(tmp_path) == 0 and mine.exists()


# --------------------------------------------------------------------------- 22: no lock file; a BOM is fine


def test_a_save_leaves_no_lock_file_and_start_removes_an_old_one(rules, tmp_path):
    atomic_write(tmp_path / "out.yaml", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]
    (tmp_path / ".dsv4.lock").write_bytes(b"")  # an older dsv4's, in a folder it exported to
    atomic_write(tmp_path / "out.yaml", "y")
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / ".dsv4.lock").write_bytes(b"")
    DSV4App(rules, detect=False)
    assert not (config_dir() / ".dsv4.lock").exists()


def test_an_env_file_with_a_utf8_bom_is_read(rules):
    config_dir().mkdir(parents=True, exist_ok=True)
    env_path().write_bytes(b'\xef\xbb\xbfPORT = "8080"\n')
    assert load_env_file(env_path(), rules.model.placeholders) == {"PORT": "8080"}
    assert read_text(env_path()) == 'PORT = "8080"\n'


# --------------------------------------------------------------------------- 14: an Env file with too many keys


def test_an_env_file_with_too_many_keys_is_one_clear_problem(capsys):
    config_dir().mkdir(parents=True, exist_ok=True)
    env_path().write_text("".join(f'K{i} = "x"\n' for i in range(101)), encoding="utf-8")
    code, out, err = run(capsys, "print")
    assert code == 1 and out == ""
    assert f"{env_path()}: 101 keys; an Env file has at most 100" in err
    assert "unknown key" not in err  # one line, not one per key (and no scan per key)


def test_many_unknown_keys_are_listed_up_to_a_cap_with_their_lines(rules):
    from dsv4_tui.core.env import EnvError, parse_env_toml

    text = "# comment\n" * 3 + "".join(f'K{i} = "x"\n' for i in range(100))
    with pytest.raises(EnvError) as exc:
        parse_env_toml(text, rules.model.placeholders, "env.toml")
    problems = exc.value.problems
    assert len(problems) == 21 and problems[-1] == "… and 80 more problems"
    assert problems[0].startswith("env.toml:4: unknown key 'K0'")
    assert problems[19].startswith("env.toml:23: unknown key 'K19'")
