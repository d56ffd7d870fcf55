"""Measured speed (benchmarks.toml) and the srt-slurm recipes panel (srt_slurm.toml), in the
core and through `dsv4 print`."""

from __future__ import annotations

import json

import pytest

from dsv4_tui import cli
from dsv4_tui.core.bench import NO_MEASUREMENT, bench_json, bench_lines
from dsv4_tui.core.selection import Selection, availability, choose
from dsv4_tui.core.srt_panel import panel_for, panel_lines, rows
from dsv4_tui.host.rules_files import load_rules

MEASURED = Selection("b200", "flash-official", "fp4", "low-latency", "single")
UNMEASURED = Selection("rtx5090", "flash-official", "fp4", "low-latency", "single")


class Res:
    def __init__(self, code, out, err):
        self.returncode, self.stdout, self.stderr = code, out, err


@pytest.fixture
def run_cli(capsys):
    def run(*argv: str) -> Res:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return Res(code, out, err)

    return run


@pytest.fixture(scope="module")
def rules():
    return load_rules(cache=False)


def test_a_measured_cell_shows_each_workload_with_the_sglang_version(rules):
    assert bench_lines(rules, MEASURED) == [
        "Measured on SGLang 0.5.16 (P50 latency; ISL/OSL @ concurrency):",
        "8192/1024 @ 1: TTFT 218.9 ms · TPOT 1.28 ms · 481 tok/s/GPU",
        "8192/1024 @ 16: TTFT 189.89 ms · TPOT 3.38 ms · 3383 tok/s/GPU",
    ]


def test_a_cell_without_a_measurement_says_so(rules):
    assert bench_lines(rules, UNMEASURED) == [NO_MEASUREMENT]
    assert bench_json(rules, UNMEASURED)["measured"] is False


def test_94_cells_have_an_entry_and_51_a_speed_measurement(rules):
    measured = [c for c in rules.cells if bench_json(rules, Selection.of(c))["measured"]]
    assert len(rules.model.benchmark) == 94
    assert len(measured) == 51


def test_print_bench_and_json(run_cli):
    args = ["print", *MEASURED_ARGS, "--bench"]
    res = run_cli(*args)
    assert res.returncode == 0
    assert res.stdout.splitlines()[1] == "8192/1024 @ 1: TTFT 218.9 ms · TPOT 1.28 ms · 481 tok/s/GPU"
    data = json.loads(run_cli(*args, "--json").stdout)
    assert data["sglang_version"] == "0.5.16"
    assert data["workloads"][1] == {
        "dataset": "random",
        "isl": 8192,
        "osl": 1024,
        "concurrency": 16,
        "ttft_ms": 189.89,
        "tpot_ms": 3.38,
        "tok_s_gpu": 3383.0,
    }


MEASURED_ARGS = ["--hw", "b200", "--variant", "flash-official", "--quant", "fp4", "--strategy", "low-latency"]


def test_gb300_pro_multi_node_is_the_srt_slurm_panel(rules):
    single = Selection("gb300", "pro", "fp4", "balanced", "single")
    nodes = {o.id: o.enabled for o in availability(rules, single)["nodes"]}
    assert nodes == {"single": True, "multi-2": True}
    sel, changes = choose(rules, single, "nodes", "multi-2")
    assert sel == single.with_(nodes="multi-2") and changes == []
    assert rules.cell(sel) is None  # no cell, no invented command
    panel = panel_for(rules, sel)
    assert panel is not None and len(rows(panel)) == 9
    first = rows(panel)[0]
    assert (first.workload, first.strategy, first.nodes) == ("1K / 1K", "Low-Latency", "1 prefill + 1 decode")
    assert first.apply == (
        "srtctl apply -f recipes/multi-node/DeepSeek-V4-Pro/GB300/1k1k/sglang/disagg/stp/disagg-1p1d-tp4-mxfp4.yaml"
    )
    assert panel_for(rules, single) is None
    assert panel_for(rules, Selection("gb300", "flash", "fp4", "balanced", "multi-2")) is None


def test_print_of_the_panel_selection_prints_the_recipes_only(run_cli, rules):
    res = run_cli("print", "--hw", "gb300", "--variant", "pro", "--nodes", "multi-2")
    assert res.returncode == 0
    panel = panel_for(rules, Selection("gb300", "pro", "fp4", "balanced", "multi-2"))
    assert res.stdout == "\n".join(panel_lines(rules, panel)) + "\n"
    assert "sglang serve" not in res.stdout
    assert [ln for ln in res.stdout.splitlines() if ln and not ln.startswith("#")] == [r.apply for r in rows(panel)]
    data = json.loads(run_cli("print", "--hw", "gb300", "--variant", "pro", "--nodes", "multi-2", "--json").stdout)
    assert data["panel"] == "srt-slurm" and len(data["recipes"]) == 9


def test_the_panel_view_hands_over_the_chosen_recipes_apply_line_only(rules):
    from dsv4_tui.core.env import Env
    from dsv4_tui.core.srt_panel import STRATEGY, WORKLOAD, chosen_recipe
    from dsv4_tui.core.view import deploy_view

    sel = Selection("gb300", "pro", "fp4", "low-latency", "multi-2")
    panel = panel_for(rules, sel)
    env = Env.defaults(rules)
    by = {(r.workload, r.strategy): r for r in panel.recipe}
    for (wl, st), recipe in by.items():
        view = deploy_view(rules, sel, "python", env, srt=(wl, st))
        assert view.command == f"srtctl apply -f {recipe.path}"  # what Copy and print-on-exit hand over
        assert view.display.count("srtctl apply -f ") == 1 and f"\n{view.command}\n" in view.display
        picked = {d: [o.id for o in opts if o.selected] for d, opts in view.srt_options.items()}
        assert picked == {WORKLOAD: [wl], STRATEGY: [st]}
        assert view.badge_state == "srt" and view.badge.startswith("srt-slurm recipe")  # never "Not Verified"
        assert ("pending" in view.badge) == (recipe.status == "pending")
    # No choice yet: the first workload, with the Deploy strategy; an unknown one falls back.
    assert deploy_view(rules, sel, "python", env).command.endswith(by[("1k1k", "low-latency")].path)
    assert chosen_recipe(panel, "nope", "nope") == by[("1k1k", "low-latency")]
    assert (
        deploy_view(rules, Selection("gb300", "pro", "fp4", "low-latency", "single"), "python", env).srt_options == {}
    )
