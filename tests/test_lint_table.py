"""The bundled SGLang 0.5.23 table: what it says, where it came from, and the pure core."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from code_facts import imports_and_calls
from dsv4_tui.core.lint.history import merge_history
from test_lint_support import BUNDLED, DATA, ROOT, bundled_data, table


def test_bundled_table_is_sglang_0_5_23():
    data = bundled_data()
    assert data["sglang"]["version"] == "0.5.23"
    assert data["parser"] == {"allow_abbrev": True, "prog": "sglang serve"}
    assert data["counts"]["flags"] == len(data["flags"]) > 500


def test_flags_from_fields_and_add_argument():
    t = table()
    tp = t.spec("--tp-size")
    assert tp is not None and tp.type == "int" and "--tensor-parallel-size" in tp.options and tp.default == 1
    assert t.spec("--moe-a2a-backend").choices is not None and "megamoe" in t.spec("--moe-a2a-backend").choices
    assert "deepseek-v4" in t.spec("--reasoning-parser").choices  # dynamic choices, from the names module
    assert t.spec("--context-length").type == "human_int"
    assert t.spec("--trust-remote-code").kind == "switch"
    assert t.spec("--model-path").required and "--model" in t.spec("--model-path").options


def test_enable_dp_attention_is_deprecated_with_a_removal_date():
    dep = table().spec("--enable-dp-attention").deprecated
    assert dep == {"replacement": "--attn-dp-size <dp-size>", "removal_after": "2026-12-31"}


def test_argparse_prefixes():
    t = table()
    assert t.lookup("--tp").status == "abbrev" and t.lookup("--tp").spec.primary == "--tp-size"
    assert t.lookup("--dp").spec.primary == "--dp-size"
    assert t.lookup("--cp").status == "ambiguous"
    assert t.lookup("--ep").status == "exact"  # an alias of --ep-size in 0.5.23
    assert t.lookup("--tp-size=4").explicit == "4"


def test_history_maps_removed_flags_to_their_replacement():
    removed = bundled_data()["removed_flags"]
    assert removed["--enable-nsa-prefill-context-parallel"]["replacement_flag"] == "--enable-prefill-cp"
    assert removed["--nsa-prefill-cp-mode"]["replacement_flag"] == "--cp-strategy"
    assert removed["--enable-deepep-waterfill"]["replacement_flag"] == "--enable-waterfill"
    assert removed["--cuda-graph-max-bs"]["replacement_flag"] == "--cuda-graph-max-bs-decode"


def test_bundled_history_is_what_merging_the_older_tables_gives():
    """Strip the history and merge the older reference tables again: the same history."""
    data = bundled_data()
    bare = {**data, "removed_flags": {}, "removed_envs": {}}
    older = [json.loads((DATA / "sglang" / name).read_text(encoding="utf-8")) for name in ("flags.json", "envs.json")]
    renames = json.loads((ROOT / "src/dsv4_tui/data/sglang-renames.json").read_text(encoding="utf-8"))["renames"]
    merged = merge_history(bare, older, renames)
    assert merged["removed_flags"] == data["removed_flags"]
    assert merged["removed_envs"] == data["removed_envs"]


def test_env_table():
    t = table()
    assert t.env("SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK").default == 128
    assert t.env("SGLANG_OPT_DEEPGEMM_MEGA_MOE_NUM_MAX_TOKENS_PER_RANK").default == 8192
    assert t.env("SGLANG_OPT_USE_DEEPGEMM_MEGA_MOE") is None
    assert t.env("SGLANG_ENABLE_UNIFIED_RADIX_TREE") is None
    assert t.canonical_env("SGL_LOG_GC") == "SGLANG_LOG_GC"


def test_bundled_table_is_deterministic_json():
    text = BUNDLED.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


FORBIDDEN = {
    "os",
    "pathlib",
    "subprocess",
    "socket",
    "zipfile",
    "shutil",
    "tempfile",
    "io",
    "importlib",
    "textual",
    "rich",
    "httpx",
    "dsv4_tui.host",
    "platformdirs",
}


def test_the_lint_core_is_pure():
    for path in sorted((ROOT / "src/dsv4_tui/core/lint").glob("*.py")):
        modules, calls = imports_and_calls(path)
        for name in modules:
            assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), f"{path.name} imports {name}"
        for name in calls:
            assert name not in ("open", "eval", "exec", "__import__"), f"{path.name} calls {name}"


def test_module_and_function_sizes():
    paths = [
        *Path(ROOT / "src/dsv4_tui/core/lint").glob("*.py"),
        ROOT / "src/dsv4_tui/host/sglang_installed.py",
        ROOT / "tools/sglang_table.py",
    ]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 60, f"{path.name}:{node.name}"
