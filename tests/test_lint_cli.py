"""`dsv4 lint` and `dsv4 print --check`: what a script relies on (exit codes, stderr, JSON),
and the verified cells checked as the user copies them."""

from __future__ import annotations

import io
import json

import pytest

from dsv4_tui import cli
from dsv4_tui.core.checks_view import command_checks
from dsv4_tui.core.env import Env
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.lint_setup import make_linter

H200_BAL = ["--hw", "h200", "--variant", "flash", "--quant", "fp8", "--strategy", "balanced", "--nodes", "single"]
B200_BAL = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def linter(rules):
    return make_linter(rules, use_installed=False).linter


@pytest.mark.parametrize("framing", ["python", "docker"])
def test_every_verified_cell_as_copied_has_no_error(rules, linter, framing):
    env = Env.defaults(rules)
    for cell in rules.cells:
        sel = Selection.of(cell)
        checks = command_checks(linter, rules, sel, render_command(rules, sel, framing, env.subst()))
        assert checks.reports, sel
        errors = [f for f in checks.findings if f.level == "error"]
        # Only the known refusals (checks.toml): a flag that exists only in the cell's own image,
        # saying so; the Docker framing runs that image, so there they are warnings.
        known = [f for f in errors if rules.checks.refusal(cell.key_text, f.id, f.subject) is not None and f.note]
        assert [f.message for f in errors if f not in known] == [], sel
        assert framing == "python" or not errors, sel


def test_print_refuses_overrides_sglang_refuses_and_says_why(capsys):
    """Like the Playground greys them (core/option_gate.py), `--override` refuses a choice
    whose command SGLang refuses, with the rule's reason: nothing is printed."""
    code, out, err = run(capsys, "print", *B200_BAL, "--override", "dp-attention=8", "--check")
    assert code == 2 and out == ""
    assert "refused: DP-attention 8 needs TP ≥ 8 and a multiple: this command runs TP 4" in err
    # Together with what it needs, it is printed, and lints without an error.
    code, out, err = run(capsys, "print", *B200_BAL, "--override", "tp=8", "--override", "dp-attention=8", "--check")
    assert code == 0 and "--attn-dp-size 8" in out and "✗" not in err


def test_the_playground_cp_flags_are_sglang_0_5_23s(capsys):
    """The newer config's CP: --attn-cp-size / --enable-prefill-cp / --cp-strategy, which
    SGLang 0.5.23 knows (the old NSA flags were removed there). SGLang refuses CP with
    DP-attention: the override says so until DP-attention is off."""
    code, out, err = run(capsys, "print", *B200_BAL, "--override", "cp=4", "--check")
    assert code == 2 and "refused: SGLang refuses context parallel with DP-attention (4 ranks)" in err
    code, out, err = run(capsys, "print", *B200_BAL, "--override", "cp=4", "--override", "dp-attention=off", "--check")
    assert code == 0 and "--enable-prefill-cp" in out and "removed-flag" not in err and "unknown-flag" not in err


@pytest.mark.parametrize("other", ["--curl", "--diff", "--badge", "--router", "--submit-url"])
def test_print_check_with_another_output_is_a_usage_error_not_silence(capsys, other):
    """--check lints the command; with an output that is not the command it would check
    nothing, so it says so and exits 2 instead of printing as if all were well."""
    code, out, err = run(capsys, "print", *B200_BAL, "--override", "pd-mode=prefill", "--check", other)
    assert code == 2 and out == ""
    assert f"--check lints the command, so it cannot go with {other}" in err


def test_print_check_of_a_verified_cell_exits_0_with_its_warnings_on_stderr(capsys):
    code, out, err = run(capsys, "print", *H200_BAL, "--check")
    assert code == 0 and out.startswith("SGLANG_DSV4_FP4_EXPERTS=0")
    assert "checked against bundled table for SGLang 0.5.23" in err
    assert "--attn-dp-size 4" in out and "deprecated-flag" not in err  # the cell writes SGLang 0.5.23's form


def test_the_deepep_rule_on_the_issue_example_offers_both_fixes(capsys, monkeypatch):
    code, out, err = run(capsys, "print", *H200_BAL, "--override", "speculative=mtp-314", "--check")
    assert code == 0  # the page's 128 × 4 = 512 > 256, but per DP-attention rank 128 // 4 × 4 = 128 fits
    assert "deepep-dispatch-fits-per-rank" in err and "Fits:" in err and "128 tokens per rank" in err
    code, _, err = run(
        capsys, "print", *H200_BAL, "--override", "speculative=mtp-314", "--override", "dp-attention=off", "--check"
    )
    assert code == 2 and "refused: " in err  # the Playground would build a command SGLang refuses
    # That command, pasted: without DP-attention, 128 × 4 = 512 per rank, 256 over.
    pasted = "".join(line for line in out.splitlines(keepends=True) if "--attn-dp-size" not in line)
    monkeypatch.setattr("sys.stdin", io.StringIO(pasted))
    code, found, _ = run(capsys, "lint", "-", "--hw", "h200", "--bundled")
    assert code == 3
    assert "= 512 tokens: 256 over SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256" in found
    assert "fix: set --max-running-requests 64" in found
    assert "fix: set SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=512" in found


SCRIPT = """#!/bin/bash
# a pasted command, over several lines
export SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256
docker run --gpus all --shm-size 32g -p 30000:30000 \\
  --env SGLANG_TYPO_FLAG=1 \\
  lmsysorg/sglang:latest \\
  sglang serve --model-path deepseek-ai/DeepSeek-V4-Flash --tp 4 \\
    --cp 2 --moe-runner-backend nope
python3 -m sglang.launch_server --model-path x --tp-size 4
"""


def test_lint_a_script_file(tmp_path, capsys):
    path = tmp_path / "launch.sh"
    path.write_text(SCRIPT, encoding="utf-8")
    code, out, err = run(capsys, "lint", str(path), "--bundled")
    assert code == 3
    assert "line 4: sglang serve" in out and "line 9: python -m sglang.launch_server" in out
    assert "ambiguous-flag [--cp]" in out
    assert "invalid-choice [--moe-runner-backend] --moe-runner-backend 'nope' is not one of" in out
    assert "unknown-env [SGLANG_TYPO_FLAG]" in out


def test_lint_json_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("sglang serve --model-path m --tp-size 4 --port 30000\n"))
    code, out, _ = run(capsys, "lint", "-", "--json", "--bundled")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list)
    assert all({"id", "level", "message", "subject", "source", "fixes"} <= set(d) for d in data)


def test_lint_with_the_hardware_rules(tmp_path, capsys):
    path = tmp_path / "pro-on-rtx.sh"
    path.write_text("sglang serve --model-path deepseek-ai/DeepSeek-V4-Pro --tp 8\n", encoding="utf-8")
    code, out, _ = run(capsys, "lint", str(path), "--hw", "RTX PRO 6000", "--variant", "pro", "--bundled")
    assert code == 3 and "rtx6000-flash-only" in out
    code, _, err = run(capsys, "lint", str(path), "--hw", "rtx9000")
    assert code == 2 and "did you mean" in err


def test_lint_a_missing_file_or_a_text_without_a_command(tmp_path, capsys):
    code, out, err = run(capsys, "lint", str(tmp_path / "nope.sh"))
    assert (code, out) == (2, "") and "file not found" in err
    empty = tmp_path / "empty.sh"
    empty.write_text("echo hello\n", encoding="utf-8")
    code, out, _ = run(capsys, "lint", str(empty), "--bundled")
    assert code == 3 and "no `sglang serve`" in out


def test_lint_names_the_installed_sglang(fake_sglang, tmp_path, capsys):
    path = tmp_path / "cmd.sh"
    path.write_text("sglang serve --model-path m --tp-size 4\n", encoding="utf-8")
    code, out, _ = run(capsys, "lint", str(path))
    assert "checked against SGLang 9.9.9 installed here" in out
    code, out, _ = run(capsys, "lint", str(path), "--bundled")
    assert "checked against bundled table for SGLang 0.5.23" in out


def test_lint_help_says_that_dash_reads_stdin(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["lint", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "[FILE|-]" in out and "- or nothing reads stdin" in " ".join(out.split())


def test_lint_against_one_bundled_version(tmp_path, capsys):
    path = tmp_path / "serve.sh"
    path.write_text("sglang serve --model-path m --tp-size 8 --attn-dp-size 8\n", encoding="utf-8")
    code, out, _ = run(capsys, "lint", "--sglang", "0.5.18", str(path))
    assert code == 3 and "checked against bundled table for SGLang 0.5.18" in out
    assert "--attn-dp-size is not an option of SGLang 0.5.18" in out
    code, out, _ = run(capsys, "lint", "--sglang", "0.5.23", str(path))
    assert code == 0 and "SGLang 0.5.23" in out
    code, _, err = run(capsys, "lint", "--sglang", "0.4.0", str(path))
    assert code == 2 and "no bundled table" in err and "0.5.18, 0.5.20, 0.5.23" in err


def test_the_checks_line_says_which_versions_a_command_runs_on(tmp_path, capsys):
    path = tmp_path / "serve.sh"
    path.write_text("sglang serve --model-path m --tp-size 8 --attn-dp-size 8\n", encoding="utf-8")
    _, out, _ = run(capsys, "lint", "--bundled", str(path))
    assert "runs on SGLang 0.5.23 (of the bundled 0.5.18, 0.5.20, 0.5.23)" in out
    path.write_text("sglang serve --model-path m --tp-size 8\n", encoding="utf-8")
    _, out, _ = run(capsys, "lint", "--bundled", str(path))
    assert "runs on SGLang 0.5.18–0.5.23" in out


def test_the_pages_stale_note_keeps_its_text_and_gets_the_correction(capsys):
    code, _, err = run(capsys, "print", "--hw", "h200", "--variant", "flash", "--strategy", "low-latency")
    assert code == 0
    assert "SGLang resets --max-running-requests to 48" in err  # the page's text, kept
    assert "Correction: SGLang 0.5.23 sets 256 for DeepSeek-V4" in err and "apply_deepseek_v4_defaults" in err
    lines = err.splitlines()
    note = next(i for i, t in enumerate(lines) if t.startswith("dsv4: note: ") and "to 48" in t)
    assert lines[note + 1].startswith("dsv4: lint: Correction: ")  # beside the page's note, after it
