"""The rules cache against another local user (issue 19, HIGH 1).

The cache used to be a pickle, checked by path (`lstat`) then read by path again: a user who
could write the folder swapped the file in between and ran code as the victim. Now the file
is JSON of plain data (reading it runs nothing), and the folders and the file are checked on
the descriptors that are then read (`fstat`), so a swap changes nothing; a folder another
user owns or can write is not used at all (a notice says why, once).
"""

from __future__ import annotations

import ast
import ctypes
import ctypes.util
import json
import os
import pickle
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from dsv4_tui.host import rules_cache, rules_files
from dsv4_tui.host.paths import cache_dir
from dsv4_tui.host.rules_cache import decode, encode
from dsv4_tui.host.rules_files import load_rules

# About the rules cache: every test starts with an empty config folder (conftest.py).
pytestmark = pytest.mark.cold_rules_cache

OTHER_UID = 54321  # a user that is not us (the tests run as root, who may chown to anyone)

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user")


class Payload:
    """A pickle that runs `touch <path>` when it is loaded."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    seen: list[int] = []
    real = rules_files.build_rules

    def counting(*args, **kwargs):
        seen.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rules_files, "build_rules", counting)
    return seen


def _entry() -> Path:
    (path,) = sorted(cache_dir().glob("rules-*.json"))
    return path


def _hostile_json(good: bytes) -> bytes:
    """A well-formed cache whose first cell runs `touch PWNED` once pasted."""
    text = good.decode("utf-8")
    marker = '"flags":['
    i = text.index(marker) + len(marker)
    return (text[:i] + '"--evil $(touch PWNED)",' + text[i:]).encode()


def _is_hostile(rules) -> bool:
    return any("--evil $(touch PWNED)" in c.flags for c in rules.cells)


def test_the_cache_module_imports_no_code_running_format():
    tree = ast.parse((ROOT / "src/dsv4_tui/host/rules_cache.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"pickle", "marshal", "shelve", "dill", "cloudpickle", "_pickle"}


def test_a_pickle_in_the_cache_files_place_runs_nothing(tmp_path, builds):
    load_rules(ROOT / "rules")
    entry = _entry()
    pwned = tmp_path / "PWNED"
    entry.write_bytes(pickle.dumps(Payload(pwned)))
    os.chmod(entry, 0o600)
    rules = load_rules(ROOT / "rules")
    assert not pwned.exists()
    assert len(builds) == 2 and len(rules.cells) > 0  # ignored, validated again, written again
    assert decode(entry.read_bytes()) == rules


@pytest.mark.parametrize(
    "body",
    [
        {"format": 1, "rules": {"$": "system", "v": {"command": "touch PWNED"}}},
        {"format": 1, "rules": {"$": "Popen", "v": ["touch", "PWNED"]}},
        {"format": 1, "rules": {"$": "tuple", "v": [], "x": 1}},
        {"format": 2, "rules": None},
        [1, 2, 3],
    ],
)
def test_decode_builds_only_the_rules_own_classes(body):
    with pytest.raises(ValueError):
        decode(json.dumps(body).encode())


def test_the_json_cache_round_trips_and_names_no_rules_key_as_an_object_key():
    rules = rules_files.load_rules(ROOT / "rules", cache=False)
    data = encode(rules)
    assert decode(data) == rules

    def keys(node):
        if isinstance(node, dict):
            yield from node
            for v in node.values():
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)

    field_names = {"$", "v", "format", "rules"} | {
        n for cls in rules_cache._rules_classes().values() for n in rules_cache._field_names(cls)
    }
    assert set(keys(json.loads(data))) <= field_names  # model_names' keys etc. are never JSON keys


def _exchange():
    """renameat2(RENAME_EXCHANGE) when libc has it, else None."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]

    def swap(a: Path, b: Path) -> bool:
        return fn(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0  # AT_FDCWD, RENAME_EXCHANGE

    return swap


@needs_root
@pytest.mark.parametrize("how", ["renameat2", "rename"])
def test_a_swapping_attacker_never_gets_code_or_rules_in(tmp_path, how):
    """Another user's hostile file (a pickle that touches PWNED, or well-formed JSON with an
    injected flag) keeps being swapped with the cache entry while dsv4 loads the rules: no code
    runs and the hostile rules are never used."""
    good_rules = load_rules(ROOT / "rules")
    entry = _entry()
    good = entry.read_bytes()
    pwned = tmp_path / "PWNED"
    hostile = [pickle.dumps(Payload(pwned)), _hostile_json(good)]
    evil = entry.parent / "evil"
    swap = _exchange() if how == "renameat2" else None
    if how == "renameat2" and swap is None:
        pytest.skip("no renameat2 in libc")

    stop = threading.Event()
    swaps = [0]

    def attacker() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            if how == "renameat2":
                if not evil.exists():
                    evil.write_bytes(hostile[i % 2])
                    os.chown(evil, OTHER_UID, OTHER_UID)
                swap(entry, evil)
            else:  # plant by rename, then put a good copy back by rename
                tmp = entry.parent / "evil.tmp"
                tmp.write_bytes(hostile[i % 2])
                os.chown(tmp, OTHER_UID, OTHER_UID)
                os.chmod(tmp, 0o600)
                os.rename(tmp, entry)
                back = entry.parent / "good.tmp"
                back.write_bytes(good)
                os.chmod(back, 0o600)
                os.rename(back, entry)
            swaps[0] += 1

    thread = threading.Thread(target=attacker, daemon=True)
    thread.start()
    try:
        loaded = [load_rules(ROOT / "rules") for _ in range(150)]
    finally:
        stop.set()
        thread.join()
    assert swaps[0] > 0
    assert not pwned.exists()
    assert not any(_is_hostile(r) for r in loaded)
    assert all(r.cells == good_rules.cells for r in loaded)


@needs_root
def test_a_cache_file_of_another_user_is_not_read(builds):
    load_rules(ROOT / "rules")
    entry = _entry()
    entry.write_bytes(_hostile_json(entry.read_bytes()))
    os.chown(entry, OTHER_UID, OTHER_UID)
    os.chmod(entry, 0o600)
    rules = load_rules(ROOT / "rules")
    assert not _is_hostile(rules) and len(builds) == 2


def test_a_symlinked_cache_entry_is_not_followed(tmp_path, builds):
    load_rules(ROOT / "rules")
    entry = _entry()
    planted = tmp_path / "planted.json"
    planted.write_bytes(_hostile_json(entry.read_bytes()))
    os.chmod(planted, 0o600)
    entry.unlink()
    entry.symlink_to(planted)
    rules = load_rules(ROOT / "rules")
    assert not _is_hostile(rules) and len(builds) == 2


def _plant(folder_mode: int | None, which: str, owner: int | None = None) -> Path:
    """A well-formed hostile entry under the right key, in a folder made unsafe."""
    load_rules(ROOT / "rules")
    entry = _entry()
    entry.write_bytes(_hostile_json(entry.read_bytes()))
    os.chmod(entry, 0o600)
    folder = entry.parent if which == "cache" else entry.parent.parent
    if folder_mode is not None:
        os.chmod(folder, folder_mode)
    if owner is not None:
        os.chown(folder, owner, owner)
    return folder


@pytest.mark.parametrize("which", ["cache", "config"])
@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770, 0o722])
def test_a_folder_others_can_write_is_not_used_and_says_why_once(which, mode, builds):
    folder = _plant(mode, which)
    first = load_rules(ROOT / "rules")
    second = load_rules(ROOT / "rules")
    assert not _is_hostile(first) and not _is_hostile(second)
    assert len(builds) == 3  # written once, then validated at each start
    said = [n for n in first.notices if n.startswith("rules cache not used")]
    assert said == [f"rules cache not used: {folder} can be written by other users (mode {mode & 0o7777:04o})"]
    assert not any(n.startswith("rules cache not used") for n in second.notices)  # once


@needs_root
@pytest.mark.parametrize("which", ["cache", "config"])
def test_a_folder_another_user_owns_is_not_used(which, builds):
    folder = _plant(None, which, owner=OTHER_UID)
    rules = load_rules(ROOT / "rules")
    assert not _is_hostile(rules) and len(builds) == 2
    assert f"rules cache not used: {folder} belongs to another user (uid {OTHER_UID})" in rules.notices


def test_a_symlinked_cache_folder_is_not_used(tmp_path, builds, isolated_config):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (isolated_config / "cache").symlink_to(elsewhere)
    first = load_rules(ROOT / "rules")
    load_rules(ROOT / "rules")
    assert len(builds) == 2 and list(elsewhere.iterdir()) == []
    assert [n for n in first.notices if n.startswith("rules cache not used")] == [
        f"rules cache not used: {isolated_config / 'cache'} is a symlink or not a folder"
    ]


def test_the_cache_folder_is_created_private(isolated_config):
    load_rules(ROOT / "rules")
    assert (isolated_config / "cache").stat().st_mode & 0o777 == 0o700
    assert _entry().stat().st_mode & 0o777 == 0o600
