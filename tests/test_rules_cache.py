"""The validated rules cache: a warm start reads it (and imports no pydantic); any change to
a rules text, or to dsv4's core code, validates again; broken rules are never cached; a cache
file that cannot be trusted or read is ignored; `dsv4 check` always validates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dsv4_tui import cli
from dsv4_tui.core.problems import RulesError
from dsv4_tui.host import rules_files
from dsv4_tui.host.paths import cache_dir
from dsv4_tui.host.rules_files import load_rules

# About the rules cache: every test starts with an empty config folder (conftest.py).
pytestmark = pytest.mark.cold_rules_cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """Each validation of the rules (build_rules), by the sources it validated."""
    seen: list[str] = []
    real = rules_files.build_rules

    def counting(*args, **kwargs):
        seen.append(str(args[3] if len(args) > 3 else kwargs.get("sources")))
        return real(*args, **kwargs)

    monkeypatch.setattr(rules_files, "build_rules", counting)
    return seen


def copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


def cache_files() -> list[Path]:
    return sorted(cache_dir().glob("rules-*.json"))


def test_the_second_load_comes_from_the_cache(builds):
    first = load_rules(ROOT / "rules")
    assert len(builds) == 1 and len(cache_files()) == 1
    second = load_rules(ROOT / "rules")
    assert len(builds) == 1  # not validated again
    assert second.cells == first.cells and second.playground == first.playground
    assert second.model == first.model and second.checks == first.checks and second.sources == first.sources


def test_the_cache_holds_the_generated_and_optional_rules(builds):
    """benchmarks.toml, srt_slurm.toml (laid over model.toml), run.toml and failures.toml
    come back from the cache as they were validated."""
    first = load_rules(ROOT / "rules")
    second = load_rules(ROOT / "rules")
    assert len(builds) == 1
    assert first.model.benchmark and first.model.srt_slurm is not None and first.run and first.failures
    assert second.model.benchmark == first.model.benchmark and second.model.srt_slurm == first.model.srt_slurm
    assert second.run == first.run and second.failures == first.failures


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("benchmarks.toml", "ttft_ms = 218.9", "ttft_ms = 219.9"),
        ("srt_slurm.toml", "[srt_slurm]", "[srt_slurm]\n# edited"),
        ("failures.toml", "[[failure]]", "# edited\n[[failure]]"),
        ("run.toml", "\n", "\n# edited\n"),
    ],
)
def test_a_changed_generated_or_optional_file_is_validated_again(tmp_path, builds, name, old, new):
    folder = copy_rules(tmp_path)
    load_rules(folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    load_rules(folder)
    assert len(builds) == 2  # its text is part of the key


def test_a_changed_rules_text_is_validated_again(tmp_path, builds):
    folder = copy_rules(tmp_path)
    before = load_rules(folder)
    cells = folder / "cells.toml"
    cells.write_text(cells.read_text(encoding="utf-8").replace("--tp 4", "--tp 2", 1), encoding="utf-8")
    after = load_rules(folder)
    assert len(builds) == 2
    assert [c.flags for c in after.cells] != [c.flags for c in before.cells]
    assert len(cache_files()) == 1  # the old entry is gone


def test_broken_rules_are_never_cached(tmp_path, builds):
    folder = copy_rules(tmp_path)
    model = folder / "model.toml"
    model.write_text(model.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RulesError, match="unknown key 'bogus'"):
            load_rules(folder)
    assert len(builds) == 2 and cache_files() == []


def test_a_corrupt_cache_file_is_ignored_and_written_again(builds):
    load_rules(ROOT / "rules")
    (path,) = cache_files()
    path.write_bytes(b'{"format": 1, not json')
    again = load_rules(ROOT / "rules")
    assert len(builds) == 2 and len(again.cells) > 0
    assert path.read_bytes() != b'{"format": 1, not json'


def test_a_cache_file_others_can_write_is_not_read(builds):
    load_rules(ROOT / "rules")
    (path,) = cache_files()
    os.chmod(path, 0o666)
    load_rules(ROOT / "rules")
    assert len(builds) == 2  # validated again instead of trusting the file


def test_an_unwritable_cache_folder_still_loads(builds, isolated_config):
    (isolated_config / "cache").write_text("a file where the folder should be", encoding="utf-8")
    assert len(load_rules(ROOT / "rules").cells) > 0
    assert len(load_rules(ROOT / "rules").cells) > 0
    assert len(builds) == 2


def test_dsv4_check_always_validates(builds, capsys):
    load_rules(ROOT / "rules")
    assert cli.main(["--rules", str(ROOT / "rules"), "check"]) == 0
    assert len(builds) == 2
    assert "OK" in capsys.readouterr().out


# A start with the rules, up to the first command, in a fresh interpreter; then `tail`.
FIRST_COMMAND = (
    "import sys\n"
    "from dsv4_tui.host.rules_files import load_rules, user_overlays\n"
    "from dsv4_tui.core.view import deploy_view\n"
    "from dsv4_tui.core.selection import first_selection\n"
    "from dsv4_tui.core.env import Env\n"
    "rules = load_rules(overlays=user_overlays())\n"
    "first = deploy_view(rules, first_selection(rules), 'python', Env.defaults(rules), None).display\n"
)


def cold_then_warm(config: Path, tail: str) -> tuple[str, str]:
    """The output of a cold start (an empty config folder) and of the warm one after it."""
    env = {**os.environ, "DSV4_CONFIG_DIR": str(config)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", FIRST_COMMAND + tail], env=env, capture_output=True, text=True, timeout=120
        )
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), "".join(run.stderr for run in runs)
    return runs[0].stdout, runs[1].stdout


def test_a_cached_start_imports_no_pydantic(isolated_config):
    """The promise behind the cache: a warm start of the app validates nothing."""
    cold, warm = cold_then_warm(isolated_config, "print('pydantic' in sys.modules)\nprint(first)\n")
    assert cold.splitlines()[0] == "True"  # the first start validated
    assert warm.splitlines()[0] == "False"  # the second did not even import pydantic
    assert warm.splitlines()[1:] == cold.splitlines()[1:]


def test_a_cached_start_makes_no_rules_record_a_dataclass(isolated_config):
    """`dataclasses` works out a record's fields only when asked (core/pydantic_hooks.py,
    ~70 records at a tenth of a millisecond each): a warm start builds the rules and the
    first command without asking."""
    cold, warm = cold_then_warm(
        isolated_config,
        "from dsv4_tui.core.pydantic_hooks import Strict\n"
        "todo, made = list(Strict.__subclasses__()), 0\n"
        "while todo:\n"
        "    cls = todo.pop(); todo.extend(cls.__subclasses__())\n"
        "    made += type(cls.__dict__['__dataclass_fields__']) is dict\n"
        "print(made)\n",
    )
    assert int(cold) > 50  # validating the files made them dataclasses
    assert int(warm) == 0


def test_a_records_field_names_without_dataclasses_are_its_fields():
    """What the cache reads a record with (`record_field_names`) is `dataclasses.fields`."""
    import dataclasses

    from dsv4_tui.core import rules  # noqa: F401 - every record class is defined by now
    from dsv4_tui.core.pydantic_hooks import Strict, record_field_names

    todo, seen = list(Strict.__subclasses__()), 0
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        assert record_field_names(cls) == tuple(f.name for f in dataclasses.fields(cls)), cls
        seen += 1
    assert seen > 60
