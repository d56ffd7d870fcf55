"""The extractor (tools/sglang_table.py over dsv4_tui.core.lint.extract), on a tiny fake SGLang.

tests/data/sglang/fake_src is shaped like SGLang 0.5.23: annotated fields in
sglang/srt/arg_groups/fields/*.py collected by `_INPUT_NAMESPACES`, `add_argument` calls with
the deprecated actions in server_args.py, env descriptors in environ.py. Its
`sglang/__init__.py` raises: importing it would fail these tests.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import pytest

from dsv4_tui.core.lint.compare import compare_tables
from dsv4_tui.core.lint.extract import ExtractError, extract_table
from dsv4_tui.core.lint.history import merge_history
from dsv4_tui.host.sglang_installed import dump_table, tree_sources
from test_lint_support import DATA, ROOT

FAKE = DATA / "sglang" / "fake_src"


def _tool():
    spec = importlib.util.spec_from_file_location("sglang_table_tool", ROOT / "tools" / "sglang_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fake() -> dict:
    sources, packages = tree_sources(FAKE)
    return extract_table(sources, "9.9.9", packages=packages, source="fake")


def test_fields_become_flags(fake):
    flags = fake["flags"]
    assert flags["--tp-size"]["options"] == ["--tp-size", "--tensor-parallel-size"]
    assert flags["--tp-size"]["type"] == "int" and flags["--tp-size"]["default"] == 1
    assert flags["--ep-size"]["options"] == ["--ep-size", "--expert-parallel-size", "--ep"]
    assert flags["--enable-prefill-cp"]["kind"] == "switch"
    assert flags["--cp-strategy"]["choices"] == ["zigzag", "interleave"]
    assert flags["--moe-a2a-backend"]["choices"] == ["none", "deepep", "megamoe"]  # from Literal[...]
    assert flags["--moe-runner-backend"]["choices"] == [
        "auto",
        "marlin",
        "flashinfer_mxfp4",
        "cutlass",
    ]  # imported + concat
    assert flags["--cuda-graph-backend-decode"]["choices"] == ["full", "disabled"]  # Backend.ALL in another module
    assert flags["--gc-threshold"]["nargs"] == "+" and flags["--gc-threshold"]["type"] == "int"
    assert flags["--context-length"]["type"] == "human_int"
    assert flags["--json-override"]["type"] == "json"
    assert flags["--elastic-ep-join-mode"]["dest"] == "ep_join_mode"  # cli_name
    assert flags["--ngram-capacity"]["default"] == 10_000_000
    assert flags["--encoder-urls"]["default"] == []
    assert flags["--model-path"]["required"] is True
    assert flags["--enable-tf32-matmul"]["negations"] == ["--no-enable-tf32-matmul"]
    assert flags["--swa-full-tokens-ratio"]["type"] == "float"
    assert (flags["--swa-full-tokens-ratio"]["default"], flags["--swa-full-tokens-ratio"]["fallback"]) == (None, 0.8)


def test_fields_without_a_flag_are_left_out(fake):
    assert "--enable-dp-attention" in fake["flags"]  # only from its add_argument
    assert fake["flags"]["--enable-dp-attention"]["origin"].startswith("sglang/srt/server_args.py:")
    assert "--attn-tp-size" not in fake["flags"]  # Derived
    assert "--sampling-backend" in fake["flags"] and "--reasoning-parser" in fake["flags"]


def test_add_argument_choices_defaults_and_deprecations(fake):
    flags = fake["flags"]
    assert flags["--sampling-backend"]["choices"] == ["flashinfer", "pytorch"]  # a set: sorted
    assert flags["--reasoning-parser"]["choices"] == ["auto", "deepseek-v4", "qwen3"]  # via a function's import
    assert flags["--kv-canary-real-data"]["choices"] == ["none", "partial", "all"]  # enum comprehension
    assert flags["--enable-dp-attention"]["deprecated"] == {
        "replacement": "--attn-dp-size <dp-size>",
        "removal_after": "2027-01-31",
    }
    assert flags["--grpc-mode"]["deprecated"] == {"replacement": "--smg-grpc-mode"}  # from the help text
    assert flags["--enable-expert-distribution-metrics"]["kind"] == "error"
    assert fake["parser"] == {"allow_abbrev": True, "prog": "sglang serve"}


def test_envs(fake):
    envs = fake["envs"]
    assert envs["SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK"] == {"type": "int", "default": 128}
    assert envs["SGLANG_DP_USE_REDUCE_SCATTER"] == {"type": "bool", "default_computed": True}
    assert envs["SGLANG_CACHE_SUBDIR"]["default_computed"] is True
    assert envs["SGLANG_NEW_KNOB"] == {"type": "int", "default": 5}
    assert envs["SGLANG_SPLIT_CTX"]["default"] == 200_000
    assert fake["deprecated_envs"]["SGLANG_OLD_KNOB"] == {"replacement": "SGLANG_NEW_KNOB"}
    assert fake["deprecated_envs"]["SGLANG_GC_LOG"] == {"replacement": "SGLANG_LOG_GC"}
    assert fake["legacy_env_prefix"] == {"SGL_": "SGLANG_"}


def test_sglang_is_never_imported(fake):
    assert "sglang" not in sys.modules


def test_not_an_sglang_tree(tmp_path):
    sources, packages = tree_sources(tmp_path)
    with pytest.raises(ExtractError):
        extract_table(sources, "1", packages=packages)


def test_history_merge_keeps_deprecated_aliases(fake):
    old = {
        "source": {"commit": "0123456789"},
        "flags": [
            {
                "option_strings": ["--enable-nsa-prefill-context-parallel"],
                "dest": "x",
                "type": "bool (store_true, deprecated alias)",
                "deprecated": True,
                "replacement": "--enable-prefill-cp",
            },
            {"option_strings": ["--tp-old"], "dest": "tp_size", "type": "int"},
            {"option_strings": ["--gone"], "dest": "gone", "type": "str"},
        ],
        "envs": [{"name": "SGLANG_GONE_ENV", "type": "bool", "default": False}],
    }
    merged = merge_history(
        fake, [old], [{"old": "--enable-deepep-waterfill", "new": "--enable-prefill-cp", "source": "test"}]
    )
    removed = merged["removed_flags"]
    assert removed["--enable-nsa-prefill-context-parallel"]["replacement_flag"] == "--enable-prefill-cp"
    assert removed["--tp-old"]["replacement_flag"] == "--tp-size"  # same dest: renamed
    assert "replacement" not in removed["--gone"] and removed["--gone"]["last_seen"] == "SGLang commit 01234567"
    assert removed["--enable-deepep-waterfill"]["source"] == "test"
    assert merged["removed_envs"]["SGLANG_GONE_ENV"]["last_seen"] == "SGLang commit 01234567"


def _wheel(tmp_path: Path) -> Path:
    whl = tmp_path / "sglang-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as archive:
        for path in sorted(FAKE.rglob("*.py")):
            archive.write(path, path.relative_to(FAKE).as_posix())
        archive.writestr("sglang-9.9.9.dist-info/METADATA", "Metadata-Version: 2.1\nName: sglang\nVersion: 9.9.9\n")
    return whl


def test_tool_reads_a_wheel_and_a_tree_the_same_and_is_deterministic(tmp_path, capsys):
    tool = _tool()
    out_tree, out_whl, again = tmp_path / "tree.json", tmp_path / "whl.json", tmp_path / "again.json"
    assert tool.main([str(FAKE), "-o", str(out_tree)]) == 0
    assert tool.main([str(_wheel(tmp_path)), "-o", str(out_whl)]) == 0
    assert tool.main([str(_wheel(tmp_path)), "-o", str(again)]) == 0
    assert out_whl.read_bytes() == again.read_bytes()
    tree, whl = json.loads(out_tree.read_text()), json.loads(out_whl.read_text())
    assert tree["sglang"]["version"] == whl["sglang"]["version"] == "9.9.9"
    assert tree["flags"] == whl["flags"] and tree["envs"] == whl["envs"]
    assert out_tree.read_text() == dump_table(tree)


def test_tool_history_and_compare(tmp_path, capsys):
    tool = _tool()
    out = tmp_path / "t.json"
    history = DATA / "sglang" / "flags.json"
    assert tool.main([str(FAKE), "--history", str(history), "-o", str(out)]) == 0
    table = json.loads(out.read_text())
    assert table["removed_flags"]["--enable-nsa-prefill-context-parallel"]["replacement_flag"] == "--enable-prefill-cp"
    capsys.readouterr()
    assert tool.main([str(out), "--compare", str(history)]) == 0
    printed = capsys.readouterr().out
    assert "SGLang commit 001067ff → SGLang 9.9.9" in printed
    assert (
        "newly deprecated (1):\n  --enable-dp-attention → --attn-dp-size <dp-size> (removal after 2027-01-31)"
        in printed
    )
    assert "--nsa-prefill-cp-mode  (--nsa-prefill-cp-mode → --cp-strategy)" in printed


def test_compare_lists_added_removed_and_changed():
    old = {
        "sglang": {"version": "1"},
        "flags": {
            "--a": {"options": ["--a"], "kind": "value", "type": "int", "choices": ["x", "y"]},
            "--b": {"options": ["--b"], "kind": "switch", "type": "bool"},
        },
        "envs": {"E": {"type": "int", "default": 1}},
    }
    new = {
        "sglang": {"version": "2"},
        "flags": {
            "--a": {"options": ["--a"], "kind": "value", "type": "str", "choices": ["x", "z"]},
            "--c": {"options": ["--c"], "kind": "switch", "type": "bool"},
        },
        "envs": {"E": {"type": "int", "default": 2}},
    }
    lines = compare_tables(old, new)
    assert "flags added (1):" in lines and "  --c" in lines
    assert "flags removed (1):" in lines and "  --b" in lines
    assert "  --a: +z -y" in lines and "  --a: int → str" in lines
    assert "  E: 1 → 2" in lines


def test_tool_reports_a_bad_source_without_a_traceback(tmp_path, capsys):
    assert _tool().main([str(tmp_path / "missing.whl")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
