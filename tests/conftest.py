"""Shared fixtures: the bundled rules, and for every test an isolated, empty config folder
and an empty system root (DSV4_SYSROOT) instead of this machine's /sys, /proc and /dev."""

from __future__ import annotations

import importlib
import json
import os
import shutil
from pathlib import Path

import pytest

from dsv4_tui.core.rules import Rules
from dsv4_tui.host.rules_files import load_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
REFERENCE = DATA / "reference"  # copies of the cookbook's facts (tools/refresh_test_data.py)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: pytest -p no:xdist knows no such hook
def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto` (`make test`) starts one worker more than there are cores: a Pilot test spends
    about a fifth of its time waiting on its event loop (screen refresh timers, subprocesses,
    fake tools), and a third worker on 2 cores runs in those gaps."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


# The longest tests (seconds each), sent to the xdist workers first: one of them drawn last
# (pytest-randomly shuffles) would leave the other workers idle at the end. Order only.
SLOW_FIRST = (
    "tests/test_lint_fixes.py",
    "tests/test_random_walk.py",
    "tests/test_rules_cache_hostile.py::test_a_swapping_attacker",
    "tests/test_rules_shell_mutations.py::test_a_mutated",
    "tests/test_export_srt_slurm.py::test_every_cell",
    "tests/test_export_lws.py::test_every_pd",
    "tests/test_export_sbatch.py::test_every",
    "tests/test_lint_verdicts.py",
    "tests/test_app_run.py",
    "tests/test_app_doctor.py::test_a_hanging",
)


def pytest_collection_modifyitems(config, items) -> None:
    """The SLOW_FIRST tests first; a stable sort, so the shuffled order stays otherwise."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "cold_rules_cache: the config folder starts empty, without the warm rules cache entries"
    )


WARM_RULES = ("rules", "tests/data/july-rules")  # the rules most tests load: their cache entries


@pytest.fixture(scope="session")
def warm_rules_cache(tmp_path_factory) -> list[Path]:
    """The rules cache entries (host/rules_cache.py) of the bundled and the July rules, each
    written once a session by `load_rules` itself, in a config folder of its own (writing an
    entry removes the others). Entries are keyed by the rules texts and dsv4's core code, so
    a stale entry is never read: an edit of either is a new key, and dsv4 validates again."""
    entries = []
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DSV4_RULES", raising=False)
        for name in WARM_RULES:
            cfg = tmp_path_factory.mktemp("warm-config")
            mp.setenv("DSV4_CONFIG_DIR", str(cfg))
            load_rules(ROOT / name)
            (entry,) = (cfg / "cache").glob("rules-*.json")
            entries.append(entry)
    return entries


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory, monkeypatch, request) -> Path:
    """Every test gets its own DSV4_CONFIG_DIR, never the developer's real one. Its cache holds
    the bundled and July rules' entries (`warm_rules_cache`: validating costs ~0.2 s a load,
    and most tests are not about the cache), except in a test marked `cold_rules_cache`, whose
    config folder is empty as on a first start."""
    cfg = tmp_path_factory.mktemp("config")
    if not request.node.get_closest_marker("cold_rules_cache"):
        cache = cfg / "cache"
        cache.mkdir(mode=0o700)
        for entry in request.getfixturevalue("warm_rules_cache"):
            shutil.copyfile(entry, cache / entry.name)
            (cache / entry.name).chmod(0o600)
    monkeypatch.setenv("DSV4_CONFIG_DIR", str(cfg))
    monkeypatch.delenv("DSV4_RULES", raising=False)
    # The box's /sys, /proc and /dev: an empty root unless a test builds a fake one.
    monkeypatch.setenv("DSV4_SYSROOT", str(tmp_path_factory.mktemp("sysroot")))
    return cfg


@pytest.fixture(autouse=True)
def notifications_kept(monkeypatch) -> None:
    """Every notification an app posts is also kept in `app.notified`, for `notes(app)`: the
    toast on screen expires after its timeout, so a test that read the screen's list could
    miss a notification on a loaded machine."""
    from textual.app import App

    post = App.notify

    def notify(self, message, *args, **kwargs):
        self.__dict__.setdefault("notified", []).append(
            (kwargs.get("title", ""), kwargs.get("severity", "information"), message)
        )
        return post(self, message, *args, **kwargs)

    monkeypatch.setattr(App, "notify", notify)


@pytest.fixture
def snap_env(tmp_path, monkeypatch):
    """An empty config folder shown as `config/env.toml` (this test's own folder), no clipboard
    (the snapshot tests)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DSV4_CONFIG_DIR", "config")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config"


@pytest.fixture
def bin_dir(tmp_path, monkeypatch) -> Path:
    """An empty folder first on PATH (for fake tools); only /usr/bin:/bin follow (bash, sleep, cat)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return folder


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(ROOT / "rules")


ROLES_OVERLAY = ROOT / "tests" / "data" / "roles-overlay"
JULY_RULES = ROOT / "tests" / "data" / "july-rules"  # the July page's rules (69 cells), for July recordings


@pytest.fixture
def july_rules(monkeypatch):
    """`dsv4` itself reads the July page's rules (for tests recorded on the July page)."""
    monkeypatch.setenv("DSV4_RULES", str(JULY_RULES))
    return JULY_RULES


@pytest.fixture(scope="session")
def role_rules() -> Rules:
    """The bundled rules with the July page's three GB300 Pro PD role cells laid over them."""
    return load_rules(ROOT / "rules", overlays=[ROLES_OVERLAY])


@pytest.fixture
def fake_sglang(tmp_path, monkeypatch):
    """A fake installed SGLang 9.9.9 (source + dist-info) first on sys.path: the folder it is
    in. Its flag table lacks most flags (tests/data/sglang/fake_src)."""
    root = tmp_path / "site-packages"
    shutil.copytree(DATA / "sglang" / "fake_src" / "sglang", root / "sglang")
    meta = root / "sglang-9.9.9.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: sglang\nVersion: 9.9.9\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    yield root
    importlib.invalidate_caches()


def reference_json(name: str) -> dict:
    """A copy of a cookbook reference file in tests/data/reference (the app never reads it)."""
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


class FakeSglangCli:
    """The fake `sglang` command on PATH (tests/fake_sglang_cli.py): pick a scenario, and
    release its `@wait` points one by one."""

    def __init__(self, ctl: Path, monkeypatch):
        self.ctl = ctl
        self._monkeypatch = monkeypatch

    def scenario(self, name: str) -> None:
        self._monkeypatch.setenv("FAKE_SGLANG_SCENARIO", name)

    def release(self, *names: str) -> None:
        for name in names:
            (self.ctl / name).touch()

    def release_all(self) -> None:
        self._monkeypatch.delenv("FAKE_SGLANG_CTL", raising=False)


@pytest.fixture
def fake_sglang_cli(bin_dir, tmp_path, monkeypatch) -> FakeSglangCli:
    """`sglang` on PATH replays tests/data/runlogs/<scenario>.log and serves on 127.0.0.1;
    each `@wait NAME` of the log holds until `release(NAME)` (or runs through after
    `release_all()`, for runs started afterwards)."""
    import sys

    ctl = tmp_path / "ctl"
    ctl.mkdir()
    script = ROOT / "tests" / "fake_sglang_cli.py"
    (bin_dir / "sglang").write_text(f'#!/bin/bash\nexec "{sys.executable}" "{script}" "$@"\n')
    (bin_dir / "sglang").chmod(0o755)
    monkeypatch.setenv("FAKE_SGLANG_CTL", str(ctl))
    monkeypatch.setenv("FAKE_SGLANG_SCENARIO", "success")
    monkeypatch.delenv("TMUX", raising=False)
    return FakeSglangCli(ctl, monkeypatch)
