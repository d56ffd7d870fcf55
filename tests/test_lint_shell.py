"""`dsv4 lint FILE`: finding the `sglang serve` commands in a text, and the reports."""

from __future__ import annotations

import json

import pytest

from dsv4_tui.core.lint import LintContext, exit_code, format_text, parse_commands, summary_line, to_json
from dsv4_tui.host.rules_files import load_rules
from test_lint_support import DATA, RULES, ids, linter


def test_script_with_exports_comments_and_continuations():
    text = """#!/bin/bash
# serve DeepSeek-V4-Flash

export SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256
export HF_HOME=/data/hf
SGLANG_DSV4_FP4_EXPERTS=0 \\
sglang serve \\
  --model-path sgl-project/DeepSeek-V4-Flash-FP8 \\
  --tp 4 \\
  --deepep-config '{"normal_dispatch": {"num_sms": 96},
                    "normal_combine": {"num_sms": 96}}' \\
  --port 30000   # the default port
"""
    commands, problems = parse_commands(text)
    assert problems == []
    (cmd,) = commands
    assert cmd.line == 6 and cmd.launcher == "sglang serve" and cmd.framing == "python"
    assert cmd.env == (
        "SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256",
        "HF_HOME=/data/hf",
        "SGLANG_DSV4_FP4_EXPERTS=0",
    )
    assert cmd.argv[:4] == ("--model-path", "sgl-project/DeepSeek-V4-Flash-FP8", "--tp", "4")
    assert json.loads(cmd.argv[5])["normal_combine"] == {"num_sms": 96}
    assert cmd.argv[-2:] == ("--port", "30000")


def test_docker_wrapper_keeps_docker_args_and_env():
    text = """docker run --gpus all --shm-size 32g -p 30000:30000 \\
  -v ~/.cache/huggingface:/root/.cache/huggingface \\
  --env "HF_TOKEN=<your-hf-token>" -e SGLANG_DSV4_FP4_EXPERTS=0 --env=SGLANG_X=1 \\
  --ipc=host --privileged -it \\
  lmsysorg/sglang:latest \\
  sglang serve --model-path m --tp 4"""
    (cmd,) = parse_commands(text)[0]
    assert cmd.framing == "docker" and cmd.docker_image == "lmsysorg/sglang:latest"
    assert cmd.env == ("HF_TOKEN=<your-hf-token>", "SGLANG_DSV4_FP4_EXPERTS=0", "SGLANG_X=1")
    assert "--privileged" in cmd.docker_args and cmd.argv == ("--model-path", "m", "--tp", "4")


@pytest.mark.parametrize(
    "text, launcher, argv",
    [
        (
            "python3 -m sglang.launch_server --model-path m --tp 8",
            "python -m sglang.launch_server",
            ("--model-path", "m", "--tp", "8"),
        ),
        (
            "/usr/bin/python3.11 -u -m sglang.launch_server --model m",
            "python -m sglang.launch_server",
            ("--model", "m"),
        ),
        (
            "sglang serve deepseek-ai/DeepSeek-V4-Flash --model-type llm --tp 4",
            "sglang serve",
            ("--model-path", "deepseek-ai/DeepSeek-V4-Flash", "--tp", "4"),
        ),
        ("sudo -E env A=1 nohup sglang serve --model-path m &", "sglang serve", ("--model-path", "m")),
        ("docker run --rm img bash -c 'B=2 sglang serve --model-path m'", "sglang serve", ("--model-path", "m")),
        (
            "nohup sglang serve --model-path m --node-rank <node-rank> > serve.log 2>&1 &",
            "sglang serve",
            ("--model-path", "m", "--node-rank", "<node-rank>"),
        ),
    ],
)
def test_launchers(text, launcher, argv):
    (cmd,) = parse_commands(text)[0]
    assert cmd.launcher == launcher and cmd.argv == argv


def test_several_commands_each_with_its_line():
    text = "pip install sglang\nsglang serve --model-path a --tp 4\n\n# router\npython3 -m sglang_router.launch_router --pd-disaggregation\nsglang serve --model-path b; sglang serve --model-path c && echo ok\n"
    commands, problems = parse_commands(text)
    assert problems == []
    assert [(c.line, c.argv[1]) for c in commands] == [(2, "a"), (6, "b"), (6, "c")]
    reports, _ = linter().lint_text(text)
    assert [r.line for r in reports] == [2, 6, 6]


def test_unparseable_text_is_a_message_not_a_traceback():
    text = 'sglang serve --model-path m \\\n  --deepep-config \'{"a": 1}\n'
    reports, problems = linter().lint_text(text)
    assert reports == [] and len(problems) == 1
    assert problems[0].line == 1 and "closing quotation" in problems[0].message
    assert exit_code(reports, problems) == 3
    assert "line 1" in format_text(reports, problems)


def test_no_command_found():
    reports, problems = linter().lint_text("echo hello\n# nothing here\n")
    assert reports == [] and "no `sglang serve`" in problems[0].message


def _context(sel: dict) -> LintContext:
    rules = load_rules(RULES)
    hw = rules.hardware(sel["hw"])
    return LintContext(
        hw=hw.id,
        vendor=hw.vendor,
        arch=hw.arch,
        gpus_per_node=hw.gpus_per_node,
        nodes=rules.node_count(sel["nodes"]),
        variant=sel["variant"],
    )


def test_page_examples_lint_clean_in_both_framings_and_parse_alike():
    """The page's own examples (tests/data/reference): Python and Docker parse alike, and the
    only error is the page's own Docker PD command without the InfiniBand devices."""
    examples = json.loads((DATA / "reference" / "examples" / "deploy-examples.json").read_text(encoding="utf-8"))[
        "examples"
    ]
    examples = [ex for ex in examples if "python" in ex and "docker" in ex]
    assert len(examples) >= 5
    for ex in examples:
        py_reports, py_problems = linter().lint_text(ex["python"], _context(ex["sel"]))
        dk_reports, dk_problems = linter().lint_text(ex["docker"], _context(ex["sel"]))
        assert py_problems == dk_problems == [] and py_reports
        assert [r.argv for r in py_reports] == [r.argv for r in dk_reports]
        assert [tuple(e for e in r.env if not e.startswith("HF_TOKEN=")) for r in dk_reports] == [
            r.env for r in py_reports
        ]
        for report in py_reports:
            assert not report.has_errors, (ex["sel"], [f.message for f in report.errors])
        for report in dk_reports:
            assert not report.has_errors, (ex["sel"], [f.message for f in report.errors])


def test_text_report_and_summary_lines():
    reports, problems = linter().lint_text(
        "sglang serve --model-path m --tp 4 --cp 2\nsglang serve --model-path m --tp 4 --enable-dp-attention --dp 4\nsglang serve --model-path m\n"
    )
    text = format_text(reports, problems)
    lines = text.splitlines()
    assert lines[0] == "line 1: sglang serve — checked against bundled table for SGLang 0.5.23"
    assert any(line.strip().startswith("✗ error   ambiguous-flag [--cp]") for line in lines)
    assert summary_line(reports[0]) == "✗ 1 error"
    assert summary_line(reports[1]) == "⚠ 1 warning"
    assert summary_line(reports[2]).startswith("✓ ") and summary_line(reports[2]).endswith(" checks")
    assert "→ fix: remove --enable-dp-attention; remove --dp-size; set --attn-dp-size 4" in text
    assert exit_code(reports, problems) == 3
    assert exit_code(reports[1:], []) == 0


def test_json_form():
    reports, problems = linter().lint_text("sglang serve --model-path m --tp 4 --cp 2\n")
    data = to_json(reports, problems)
    json.dumps(data)  # plain JSON
    amb = next(d for d in data if d["id"] == "ambiguous-flag")
    assert set(amb) == {
        "id",
        "level",
        "message",
        "subject",
        "source",
        "fixes",
        "known_refusal",
        "line",
        "checked_against",
    }
    assert amb["known_refusal"] is None
    assert amb["level"] == "error" and amb["line"] == 1 and amb["subject"] == "--cp"
    abbrev = next(d for d in data if d["id"] == "abbreviated-flag")
    assert abbrev["fixes"] == [
        {"label": "spell out --tp-size", "edits": [{"op": "set_flag", "name": "--tp-size", "value": "4"}]}
    ]


def test_docker_framing_reaches_the_rules():
    text = (
        "docker run --gpus all lmsysorg/sglang:latest sglang serve --model-path m --tp 4 --disaggregation-mode prefill"
    )
    (report,), _ = linter().lint_text(text, LintContext(hw="h200", arch="hopper", gpus_per_node=8, nodes=1))
    assert "pd-mooncake-docker-ib" in ids(report, "warning")
    text = "docker run --gpus all --privileged lmsysorg/sglang:latest sglang serve --model-path m --tp 4 --disaggregation-mode prefill"
    (report,), _ = linter().lint_text(text, LintContext(hw="h200", arch="hopper", gpus_per_node=8, nodes=1))
    assert "pd-mooncake-docker-ib" not in ids(report)


def test_words_are_read_as_bash_reads_them():
    """`#` inside a word is not a comment; a quoted value keeps U+2028, a form feed and the
    spaces before its newline; only "\\n" ends a line."""
    text = "sglang serve --model-path m#1 --host 'a\u2028b' --x 'p  \nq' --y \"f\x0cg\" --tp 4  # a comment\r\n"
    (cmd,) = parse_commands(text)[0]
    assert cmd.argv == ("--model-path", "m#1", "--host", "a\u2028b", "--x", "p  \nq", "--y", "f\x0cg", "--tp", "4")


def test_a_comment_ends_at_its_line_and_may_hold_a_quote():
    text = "# don't\nsglang serve --tp 4 # it's the default\nsglang serve --tp 8\n"
    first, second = parse_commands(text)[0]
    assert (first.line, first.argv, second.line, second.argv) == (2, ("--tp", "4"), 3, ("--tp", "8"))
