"""Checks driven by SGLang's own table (bundled 0.5.23): options, values, env vars."""

from __future__ import annotations

import pytest

from dsv4_tui.core.lint import LintContext
from test_lint_support import H200, MODEL, bundled_data, ids, lint, linter, only


def test_playground_cp_override_is_an_error_naming_enable_prefill_cp():
    """The Playground's CP flags are gone from SGLang 0.5.23 (deprecated aliases before)."""
    report = lint(
        ["--tp 4", "--enable-nsa-prefill-context-parallel", "--nsa-prefill-cp-mode round-robin-split"], **H200
    )
    errors = [f for f in report.findings if f.level == "error"]
    assert {f.subject for f in errors} >= {"--enable-nsa-prefill-context-parallel", "--nsa-prefill-cp-mode"}
    cp = next(f for f in errors if f.subject == "--enable-nsa-prefill-context-parallel")
    assert "--enable-prefill-cp" in cp.message
    assert [(e.op, e.name) for e in cp.fixes[0].edits] == [
        ("remove_flag", "--enable-nsa-prefill-context-parallel"),
        ("set_flag", "--enable-prefill-cp"),
    ]
    mode = next(f for f in errors if f.subject == "--nsa-prefill-cp-mode")
    assert "--cp-strategy" in mode.message and "zigzag" in mode.message
    assert report.has_errors


def test_deprecated_enable_dp_attention_names_replacement_and_removal_date():
    report = lint(["--tp 4", "--dp 4", "--enable-dp-attention"], **H200)
    finding = only(report, "deprecated-flag")
    assert finding.level == "warning" and finding.subject == "--enable-dp-attention"
    assert "--attn-dp-size" in finding.message and "2026-12-31" in finding.message
    assert "server_args.py" in finding.source
    env, flags = linter().apply_fix([], [MODEL, "--tp 4", "--dp 4", "--enable-dp-attention"], finding.fixes[0])
    assert flags == [MODEL, "--tp 4", "--attn-dp-size 4"]
    assert "deprecated-flag" not in ids(linter().lint_flags(env, flags, LintContext(**H200)))


def test_unknown_flag_with_did_you_mean():
    finding = only(lint(["--tp 4", "--mem-fraction-statc 0.9"]), "unknown-flag")
    assert finding.level == "error" and "did you mean --mem-fraction-static" in finding.message
    assert finding.fixes[0].edits[-1].name == "--mem-fraction-static"


def test_ambiguous_prefix_is_an_error():
    finding = only(lint(["--cp 2"]), "ambiguous-flag")
    assert finding.level == "error" and "--cp-strategy" in finding.message and "--cpu-offload-gb" in finding.message


def test_abbreviation_is_info_with_the_full_name():
    report = lint(["--tp 4"])
    finding = only(report, "abbreviated-flag")
    assert finding.level == "info" and "--tp-size" in finding.message
    assert [(e.op, e.name, e.value) for e in finding.fixes[0].edits] == [("set_flag", "--tp-size", "4")]
    assert not report.has_errors


def test_removed_alias_that_is_now_ambiguous():
    finding = only(lint(["--cuda-graph-max-bs 128"]), "removed-flag")
    assert "--cuda-graph-max-bs-decode" in finding.message and "ambiguous" in finding.message
    assert finding.fixes[0].edits[-1].value == "128"


def test_page_waterfill_flag_is_renamed():
    finding = only(lint(["--enable-deepep-waterfill"]), "removed-flag")
    assert "--enable-waterfill" in finding.message and finding.level == "error"


@pytest.mark.parametrize(
    "flags, id_, words",
    [
        (["--moe-a2a-backend deeepep"], "invalid-choice", "deepep"),
        (["--tp-size four"], "invalid-type", "integer"),
        (["--mem-fraction-static high"], "invalid-type", "number"),
        (["--context-length 1.5Ki"], "invalid-type", "integer"),
        (['--deepep-config \'{"normal_dispatch":{"num_sms":96}\''], "invalid-json", "JSON"),
        (['--hisparse-config "\'{\\"top_k\\": 1}\'"'], "invalid-json", "shell quotes"),
        (["--tp"], "missing-value", "expected one argument"),
        (["--tp --dp 2"], "missing-value", "expected one argument"),
        (["--trust-remote-code=yes"], "unexpected-value", "takes no value"),
        (["stray"], "unexpected-argument", "stray"),
    ],
)
def test_value_checks(flags, id_, words):
    finding = only(lint(flags), id_)
    assert finding.level == "error" and words in finding.message


def test_json_and_human_ints_that_parse_are_fine():
    report = lint(
        [
            '--deepep-config \'{"normal_dispatch":{"num_sms":96},"normal_combine":{"num_sms":96}}\'',
            "--context-length 384k",
        ]
    )
    assert ids(report) == []


def test_missing_model_path_is_required():
    report = linter().lint_flags([], ["--tp-size 4"], None)
    assert only(report, "missing-required").subject == "--model-path"
    assert "missing-required" not in ids(linter().lint_flags([], ["--config x.yaml"], None))


def test_placeholders_are_info_not_errors():
    report = linter().lint_flags(
        [], ["--model-path {{MODEL_NAME}}", "--node-rank <node-rank>", "--port {{PORT}}"], None
    )
    assert set(ids(report)) == {"placeholder"}
    assert all(f.level == "info" for f in report.findings)


def test_no_negated_boolean_optional_and_equals_spelling():
    assert ids(lint(["--no-enable-tf32-matmul", "--tp-size=4"])) == []


def test_env_checks():
    env = [
        "SGLANG_OPT_USE_DEEPGEMM_MEGA_MOE=1",  # not read by 0.5.23
        "SGLANG_ENABLE_CP_V2=1",  # deprecated (registry)
        "SGL_LOG_GC=1",  # legacy prefix
        "SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=lots",  # not an int
        "NCCL_CUMEM_ENABLE=1",  # not SGLang's: not checked
    ]
    report = lint([], env)
    unknown = only(report, "unknown-env")
    assert unknown.level == "warning" and unknown.subject == "SGLANG_OPT_USE_DEEPGEMM_MEGA_MOE"
    assert "not read by SGLang 0.5.23" in unknown.message and "newer or dedicated build" in unknown.message
    assert only(report, "deprecated-env").subject == "SGLANG_ENABLE_CP_V2"
    assert only(report, "legacy-env-prefix").fixes[0].edits[-1].name == "SGLANG_LOG_GC"
    assert "default 128" in only(report, "invalid-env-value").message


def test_env_known_to_an_older_sglang_says_so():
    finding = only(lint([], ["SGLANG_OPT_DEEPGEMM_MEGA_MOE_USE_FP4_ACTS=1"]), "unknown-env")
    assert "--enable-w4a4-mxfp4-megamoe" in finding.message and "0003215c" in finding.message


def test_findings_name_the_table_they_were_checked_against():
    report = lint(["--tp 4"])
    assert report.checked_against == "bundled table for SGLang 0.5.23"
    assert report.checked > 0


def test_lint_is_cached_but_equal():
    first = lint(["--tp 4", "--foo 1"])
    assert lint(["--tp 4", "--foo 1"]) == first


# ---------------------------------------------------------------- parser details (issue 17 item 3)
PARSER_CASES = [
    # (command text, the finding id expected, or None for clean)
    ('sglang serve --model-path m --cuda-graph-config \'{"decode": {"max_bs": 64}}\'', None),
    ("sglang serve --model-path m --cuda-graph-config '{\"verify\": {}}'", "invalid-value"),
    ('sglang serve --model-path m --cuda-graph-config \'{"decode": {"max_seq": 1}}\'', "invalid-value"),
    ("sglang serve --model-path m --cuda-graph-config '[1, 2]'", "invalid-value"),
    ("sglang serve --model-path m --config a.yaml", None),
    ("sglang serve --model-path m --config a.json", "config-not-yaml"),
    ("sglang serve --model-path m --config a.yml --config b.yml", "config-twice"),
    ("sglang serve --model-path m --config=a.yaml", "config-ignored"),
    ("sglang serve --model-path m --conf a.yaml", "config-ignored"),
    ("sglang serve --model-pat m", "model-path-not-exact"),
    ("sglang serve --model m", None),
    ("python3 -m sglang.launch_server --model-pat m", None),
    ("sglang serve --model-path m --forward-hooks '[{\"a\": NaN}]'", "invalid-json"),
    ("sglang serve --model-path m --forward-hooks '[{\"a\": 1}]'", None),
    ("sglang serve --model-path m --model-type llm", None),
    ("sglang serve --model-path m --model-type chat", "invalid-model-type"),
    # false alarms removed
    ("sglang serve --model-path m --constrained-json-whitespace-pattern '[\\n\\t ]*'", None),
    ("sglang serve --model-path m --lmcache-config-file '[lm].yaml'", None),
    ("sglang serve --model-path m --sampling-backend token_oracle", "invalid-choice"),
    ("SGLANG_KV_CANARY_ENABLE_TOKEN_ORACLE=1 sglang serve --model-path m --sampling-backend token_oracle", None),
    ("SGLANG_DP_SHARED_EXPERT_LOCAL=1 SGLANG_DP_USE_GATHERV=1 SGLANG_USE_ROCM700A=1 sglang serve --model-path m", None),
]


@pytest.mark.parametrize("text, expected", PARSER_CASES)
def test_parser_details_as_sglang_reads_them(text, expected):
    (report,), problems = linter().lint_text(text)
    assert problems == []
    found = [f.id for f in report.findings if f.level != "info"]
    if expected is None:
        assert found == [], [(f.id, f.message) for f in report.findings]
    else:
        assert expected in found, [(f.id, f.message) for f in report.findings]
        finding = next(f for f in report.findings if f.id == expected)
        assert finding.source.startswith("SGLang 0.5.23")


def test_envs_read_directly_are_in_the_table():
    data = bundled_data()
    direct = {n for n, e in data["envs"].items() if e.get("read_directly")}
    assert len(direct) >= 180 and "SGLANG_DP_USE_GATHERV" in direct
    assert data["envs"]["SGLANG_USE_ROCM700A"]["read_directly"].endswith("dp_attention.py")
