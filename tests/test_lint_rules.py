"""Every rule of rules/checks.toml: a command that passes it and one that fails it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dsv4_tui.core.lint import Edit, Fix, LintContext, parse_checks
from test_lint_support import B200, GB200, H200, MODEL, RTX, RULES, ids, lint, linter, only, table, toml

DEEPEP = ["--tp 4", "--dp 4", "--enable-dp-attention", "--moe-a2a-backend deepep"]
MTP4 = [
    "--speculative-algorithm EAGLE",
    "--speculative-num-steps 3",
    "--speculative-eagle-topk 1",
    "--speculative-num-draft-tokens 4",
]
MTP2 = [
    "--speculative-algorithm EAGLE",
    "--speculative-num-steps 1",
    "--speculative-eagle-topk 1",
    "--speculative-num-draft-tokens 2",
]
ENV256 = ["SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256"]
MEGAMOE = ["--tp 4", "--dp 4", "--enable-dp-attention", "--moe-a2a-backend megamoe"]
MEGA_ENV = ["SGLANG_OPT_DEEPGEMM_MEGA_MOE_NUM_MAX_TOKENS_PER_RANK=8320"]
PD_MOONCAKE = ["--tp 4", "--disaggregation-mode prefill", "--disaggregation-transfer-backend mooncake"]
MNNVL = ["MC_FORCE_MNNVL=1", "NCCL_MNNVL_ENABLE=1", "NCCL_CUMEM_ENABLE=1"]
AMD = {"hw": "mi355x", "vendor": "amd", "arch": "cdna4", "gpus_per_node": 8, "nodes": 1, "variant": "flash"}
DOCKER = {"framing": "docker", "docker_image": "lmsysorg/sglang:latest"}

# (check id, passing (flags, env, context), failing (flags, env, context))
CASES = [
    (
        "deepep-dispatch-per-rank",
        ([*DEEPEP, *MTP4, "--max-running-requests 256"], ENV256, H200),  # 256 // 4 × 4 = 256
        ([*DEEPEP, *MTP4, "--max-running-requests 260"], ENV256, H200),  # 65 × 4 = 260
    ),
    (
        "deepep-dispatch-fits-per-rank",
        ([*DEEPEP, *MTP4, "--max-running-requests 64"], ENV256, H200),  # the page's product holds
        ([*DEEPEP, *MTP4, "--max-running-requests 128"], ENV256, H200),  # 512 > 256, per rank 128
    ),
    (
        "deepep-dispatch-max-1024",
        (["--tp 8", "--moe-a2a-backend deepep"], ["SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=1024"], H200),
        (["--tp 8", "--moe-a2a-backend deepep"], ["SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=2048"], H200),
    ),
    (
        "dsv4-speculative-algorithm",
        (["--tp 8", *MTP4], [], H200),
        (["--tp 8", "--speculative-algorithm NGRAM"], [], H200),
    ),
    (
        "dsv4-eagle-topk",
        (["--tp 8", *MTP4], [], H200),
        (["--tp 8", "--speculative-algorithm EAGLE", "--speculative-eagle-topk 2"], [], H200),
    ),
    (
        "dsv4-cp-strategy-set",
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave"], [], H200),
        (["--tp 8", "--enable-prefill-cp"], [], H200),
    ),
    (
        "dsv4-cp-interleave",
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave"], [], H200),
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy zigzag"], [], H200),
    ),
    (
        "dsv4-cp-no-dp-attention",
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave"], [], H200),
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave", "--attn-dp-size 2"], [], H200),
    ),
    (
        "dsv4-cp-single-node",
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave"], [], H200),
        (["--tp 16", "--nnodes 2", "--enable-prefill-cp", "--cp-strategy interleave"], [], H200),
    ),
    (
        "dsv4-cp-hip",
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave"], [], AMD),
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave", "--enable-two-batch-overlap"], [], AMD),
    ),
    (
        "dsv4-cp-moe-a2a",
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave", "--moe-a2a-backend deepep"], [], H200),
        (["--tp 8", "--enable-prefill-cp", "--cp-strategy interleave", "--moe-a2a-backend flashinfer"], [], H200),
    ),
    (
        "dsv4-dp-attention-divides-tp",
        (["--tp 8", "--dp 4", "--enable-dp-attention"], [], H200),
        (["--tp 8", "--dp 3", "--enable-dp-attention"], [], H200),
    ),
    (
        "dp-size-with-attn-dp-size",
        (["--tp 8", "--attn-dp-size 4"], [], H200),
        (["--tp 8", "--attn-dp-size 4", "--dp-size 2"], [], H200),
    ),
    (
        "hisparse-no-mixed-chunk",
        (["--tp 4", "--disaggregation-mode decode", "--disable-radix-cache", "--enable-hisparse"], [], H200),
        (["--tp 4", "--disable-radix-cache", "--enable-hisparse", "--enable-mixed-chunk"], [], H200),
    ),
    (
        "hisparse-spec-topk",
        (["--tp 4", "--disable-radix-cache", "--enable-hisparse", *MTP4], [], H200),
        (["--tp 4", "--disable-radix-cache", "--enable-hisparse", *MTP4, "--speculative-adaptive"], [], H200),
    ),
    (
        "megamoe-chunked-prefill",
        (MEGAMOE, MEGA_ENV, B200),
        ([*MEGAMOE, "--chunked-prefill-size -1"], MEGA_ENV, B200),
    ),
    (
        "megamoe-decode-tokens-per-rank",
        ([*MEGAMOE, *MTP4, "--max-running-requests 1024"], MEGA_ENV, B200),
        ([*MEGAMOE, *MTP4, "--max-running-requests 16384"], MEGA_ENV, B200),
    ),
    (
        "megamoe-no-runner-backend",
        (MEGAMOE, MEGA_ENV, B200),
        ([*MEGAMOE, "--moe-runner-backend flashinfer_mxfp4"], MEGA_ENV, B200),
    ),
    ("megamoe-blackwell-only", (MEGAMOE, MEGA_ENV, B200), (MEGAMOE, MEGA_ENV, H200)),
    ("megamoe-tokens-per-rank", (MEGAMOE, MEGA_ENV, B200), (MEGAMOE, [], B200)),
    (
        "megamoe-tokens-hbm",
        (MEGAMOE, MEGA_ENV, B200),
        (MEGAMOE, ["SGLANG_OPT_DEEPGEMM_MEGA_MOE_NUM_MAX_TOKENS_PER_RANK=9216"], B200),
    ),
    ("megamoe-no-batch-overlap", (MEGAMOE, MEGA_ENV, B200), ([*MEGAMOE, "--enable-two-batch-overlap"], MEGA_ENV, B200)),
    (
        "waterfill-needs-deepep",
        ([*DEEPEP, "--enable-waterfill"], [], H200),
        ([*MEGAMOE, "--enable-waterfill"], MEGA_ENV, B200),
    ),
    (
        "hisparse-decode-only",
        (["--tp 4", "--disaggregation-mode decode", "--disable-radix-cache", "--enable-hisparse"], [], H200),
        (["--tp 4", "--disaggregation-mode prefill", "--disable-radix-cache", "--enable-hisparse"], [], H200),
    ),
    (
        "hisparse-no-radix-cache",
        (["--tp 4", "--disaggregation-mode decode", "--disable-radix-cache", "--enable-hisparse"], [], H200),
        (["--tp 4", "--disaggregation-mode decode", "--enable-hisparse"], [], H200),
    ),
    (
        "pd-mooncake-docker-ib",
        (
            PD_MOONCAKE,
            [],
            {**H200, **DOCKER, "docker_args": ("--gpus", "all", "--privileged", "--ulimit", "memlock=-1")},
        ),
        (PD_MOONCAKE, [], {**H200, **DOCKER, "docker_args": ("--gpus", "all", "--shm-size", "32g")}),
    ),
    ("pd-mooncake-mnnvl", (PD_MOONCAKE, MNNVL, GB200), (PD_MOONCAKE, [], GB200)),
    ("rtx6000-flash-only", (["--tp 4"], [], {**RTX, "variant": "flash"}), (["--tp 4"], [], {**RTX, "variant": "pro"})),
    ("rtx6000-no-hicache", (["--tp 4"], [], RTX), (["--tp 4", "--enable-hierarchical-cache"], [], RTX)),
    ("rtx6000-no-megamoe", (["--tp 4"], [], RTX), (["--tp 4", "--moe-a2a-backend megamoe"], [], RTX)),
    (
        "rtx6000-docker-image",
        (["--tp 4"], [], {**RTX, "framing": "docker", "docker_image": "lmsysorg/sglang:dev"}),
        (["--tp 4"], [], {**RTX, "framing": "docker", "docker_image": "lmsysorg/sglang:latest"}),
    ),
    ("gpus-fit", (["--tp 8"], [], H200), (["--tp 16"], [], H200)),
    (
        "gpus-fit-dp-attention",
        (["--tp 8", "--dp 8", "--enable-dp-attention"], [], H200),
        (["--tp 16", "--dp 16", "--enable-dp-attention"], [], H200),
    ),
    (
        "think-max-context",
        (["--tp 4", "--context-length 1M"], [], H200),
        (["--tp 4", "--context-length 128k"], [], H200),
    ),
    (
        "fp4-indexer-sm100",
        (["--tp 4", "--enable-deepseek-v4-fp4-indexer"], [], B200),
        (["--tp 4", "--enable-deepseek-v4-fp4-indexer"], [], H200),
    ),
]


def test_every_check_has_a_case():
    in_file = {c["id"] for c in toml(RULES / "checks.toml")["check"]}
    assert in_file == {case[0] for case in CASES}


@pytest.mark.parametrize("check_id, passing, failing", CASES, ids=[c[0] for c in CASES])
def test_rule_passes_and_fails(check_id, passing, failing):
    flags, env, ctx = passing
    assert check_id not in ids(lint(flags, env, **ctx))
    flags, env, ctx = failing
    report = lint(flags, env, **ctx)
    finding = only(report, check_id)
    level = next(c["level"] for c in toml(RULES / "checks.toml")["check"] if c["id"] == check_id)
    assert finding.level == level
    assert finding.source and finding.message and "{" not in finding.message


def test_issue_example_per_rank_fits_and_says_so():
    """H200 · Balanced with the MTP 3-1-4 preset: the page's 128 × 4 = 512 > 256, but SGLang
    dispatches 128 // 4 × 4 = 128 per DP-attention rank: it fits, and the lint says so."""
    report = lint([*DEEPEP, *MTP4, "--max-running-requests 128"], ENV256, **H200)
    assert not report.has_errors and "deepep-dispatch-per-rank" not in ids(report)
    fits = only(report, "deepep-dispatch-fits-per-rank")
    assert fits.level == "info" and fits.message.startswith("Fits:") and "128 tokens per rank" in fits.message


def test_per_rank_overflow_gives_the_exact_figures_and_fixes():
    flags = [*DEEPEP, *MTP4, "--max-running-requests 512"]
    finding = only(lint(flags, ENV256, **H200), "deepep-dispatch-per-rank")
    assert "128 requests (--max-running-requests 512 // 4 rank(s)" in finding.message
    assert "× 4 token(s) per request = 512 tokens: 256 over SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256" in (
        finding.message
    )
    assert "moe_hook.py" in finding.source and "_decode_graph_dispatch_tokens_per_rank" in finding.source
    lower, raise_env = finding.fixes
    assert [(e.name, e.value) for e in lower.edits] == [("--max-running-requests", "259")]  # 259 // 4 × 4 = 256
    assert [(e.name, e.value) for e in raise_env.edits] == [("SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK", "512")]
    for fix in (lower, raise_env):
        env, fixed = linter().apply_fix(ENV256, [MODEL, *flags], fix)
        assert not linter().lint_flags(env, fixed, LintContext(**H200)).has_errors


def test_a_fix_never_proposes_more_than_1024():
    flags = ["--tp 8", "--moe-a2a-backend deepep", "--max-running-requests 2048"]
    finding = only(lint(flags, ENV256, **H200), "deepep-dispatch-per-rank")
    assert [f.label for f in finding.fixes] == ["lower --max-running-requests"]
    env1024 = ["SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=1024"]
    finding = only(
        lint([*flags[:2], "--max-running-requests 512"], env1024[:0] + ENV256, **H200), "deepep-dispatch-per-rank"
    )
    assert [e.value for f in finding.fixes for e in f.edits if e.name.startswith("SGLANG_")] == ["512"]


def test_env_over_1024_is_an_error_naming_1024():
    finding = only(
        lint(["--tp 8", "--moe-a2a-backend deepep"], ["SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=2048"], **H200),
        "deepep-dispatch-max-1024",
    )
    assert finding.level == "error" and "1024" in finding.message and "deepep.py" in finding.source


def test_deepep_defaults_are_sglangs_and_said_so():
    finding = only(lint(["--tp 8", "--moe-a2a-backend deepep"], (), **H200), "deepep-dispatch-per-rank")
    # DeepSeek-V4's 256 running requests (apply_deepseek_v4_defaults) and the env's 128
    assert "--max-running-requests 256 (default)" in finding.message
    assert "=128 (SGLang's default)" in finding.message


def test_no_decode_graph_no_dispatch_check():
    for extra in (["--disaggregation-mode prefill"], ["--disable-cuda-graph"]):
        report = lint(["--tp 8", "--moe-a2a-backend deepep", "--max-running-requests 4096", *extra], ENV256, **H200)
        assert "deepep-dispatch-per-rank" not in ids(report)


def test_the_decode_graph_max_bs_caps_the_per_rank_requests():
    flags = ["--tp 8", "--moe-a2a-backend deepep", "--max-running-requests 1024"]
    assert "deepep-dispatch-per-rank" in ids(lint(flags, ENV256, **H200))
    assert "deepep-dispatch-per-rank" not in ids(lint([*flags, "--cuda-graph-max-bs-decode 256"], ENV256, **H200))


def test_playground_words_for_refused_options():
    ngram = only(lint(["--tp 8", "--speculative-algorithm NGRAM"], (), **H200), "dsv4-speculative-algorithm")
    assert ngram.message.startswith("SGLang refuses NGRAM for DeepSeek-V4 (EAGLE or DSpark only")
    dp = only(lint(["--tp 4", "--dp 8", "--enable-dp-attention"], (), **H200), "dsv4-dp-attention-divides-tp")
    assert dp.message == "DP-attention 8 needs TP ≥ 8 and a multiple of it: this command runs TP 4."


def test_cookbook_advice_is_a_warning_citing_the_page():
    for check_id in ("megamoe-no-runner-backend", "hisparse-decode-only"):
        check = next(c for c in toml(RULES / "checks.toml")["check"] if c["id"] == check_id)
        assert check["level"] == "warning" and check["source"].startswith("cookbook:")


def test_unknown_context_skips_with_a_reason():
    report = lint(MEGAMOE, MEGA_ENV)  # no hardware known
    assert "megamoe-blackwell-only" not in ids(report)
    reasons = {s.check_id: s.reason for s in report.skipped}
    assert "arch unknown" in reasons["megamoe-blackwell-only"]
    assert "gpus_per_node unknown" in reasons["gpus-fit-dp-attention"]


def test_rules_see_prefixes_aliases_and_removed_names():
    # --tp/--dp are prefixes of --tp-size/--dp-size; --enable-hicache an alias; the page's
    # --enable-deepep-waterfill is the removed name of --enable-waterfill.
    assert "gpus-fit" in ids(lint(["--tp 16"], (), **H200))
    assert "rtx6000-no-hicache" in ids(lint(["--tp 4", "--enable-hicache"], (), **RTX))
    report = lint([*MEGAMOE, "--enable-deepep-waterfill"], MEGA_ENV, **B200)
    assert {"waterfill-needs-deepep", "removed-flag"} <= set(ids(report))


def test_pd_rules_use_sglang_defaults_and_framing():
    # the transfer backend defaults to mooncake in SGLang; python framing needs no docker flags
    flags = ["--tp 4", "--disaggregation-mode decode"]
    assert "pd-mooncake-mnnvl" in ids(lint(flags, (), **GB200))
    assert "pd-mooncake-docker-ib" not in ids(lint(flags, (), **H200, framing="python"))
    devices = ("--device", "/dev/infiniband:/dev/infiniband", "--cap-add", "IPC_LOCK")
    assert "pd-mooncake-docker-ib" not in ids(lint(flags, (), **H200, **DOCKER, docker_args=devices))


def test_sizing_counts_nodes_from_the_command_or_the_context():
    assert "gpus-fit" not in ids(lint(["--tp 16"], (), **{**H200, "nodes": 2}))
    assert "gpus-fit" not in ids(lint(["--tp 16", "--nnodes 2"], (), **H200))
    message = only(lint(["--tp 16"], (), **H200), "gpus-fit").message
    assert "16 GPUs" in message and "8 GPUs per node × 1 node(s) = 8" in message


@pytest.mark.parametrize(
    "variant, ok", [("flash", True), ("flash-official", True), ("flash-vision", False), ("pro-official", False)]
)
def test_rtx_runs_flash_and_flash_official_only(variant, ok):
    """dsv4's rule, kept with the newer config's variants: Flash and Flash Official."""
    found = [f for f in lint(["--tp 2"], (), **{**RTX, "variant": variant}).findings if f.id == "rtx6000-flash-only"]
    assert (found == []) == ok
    if found:
        assert "Flash only (Flash and Flash Official)" in found[0].message


def test_rtx_flash_only_reads_the_model_path_when_the_variant_is_unknown():
    ctx = {k: v for k, v in RTX.items() if k != "variant"}
    pro = linter().lint_flags([], ["--model-path deepseek-ai/DeepSeek-V4-Pro", "--tp 4"], None)
    assert "rtx6000-flash-only" not in ids(pro)  # no hardware: not applicable
    pro = linter().lint_flags([], ["--model-path deepseek-ai/DeepSeek-V4-Pro", "--tp 4"], LintContext(**ctx))
    assert "rtx6000-flash-only" in ids(pro)
    assert "rtx6000-flash-only" not in ids(lint(["--tp 4"], (), **ctx))


def test_think_max_fix_sets_384k():
    finding = only(lint(["--tp 4", "--context-length 131072"], (), **H200), "think-max-context")
    assert [(e.op, e.name, e.value) for e in finding.fixes[0].edits] == [("set_flag", "--context-length", "384000")]


@pytest.mark.parametrize(
    "data, where",
    [
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "fatal",
                        "source": "s",
                        "message": "m",
                        "require": [{"flag": "--a", "present": True}],
                    }
                ]
            },
            "level",
        ),
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "error",
                        "source": "s",
                        "message": "m",
                        "require": [{"flag": "--a", "present": True}],
                        "extra": 1,
                    }
                ]
            },
            "extra",
        ),
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "error",
                        "source": "s",
                        "message": "{nope}",
                        "require": [{"flag": "--a", "present": True}],
                    }
                ]
            },
            "nope",
        ),
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "error",
                        "source": "s",
                        "message": "m",
                        "require": [{"flag": "--a", "gt": "1"}],
                    }
                ]
            },
            "gt",
        ),
        (
            {
                "check": [
                    {"id": "x", "level": "error", "source": "s", "message": "m", "require": [{"predicate": "nope"}]}
                ]
            },
            "predicate",
        ),
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "error",
                        "source": "s",
                        "message": "m",
                        "require": [{"flag": "a", "present": True}],
                    }
                ]
            },
            "--",
        ),
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "error",
                        "source": "s",
                        "message": "m",
                        "require": [{"flag": "--a", "matches": "("}],
                    }
                ]
            },
            "regular expression",
        ),
        ({"check": [{"id": "x", "level": "error", "source": "s", "message": "m"}]}, "require or compare"),
        (
            {
                "check": [
                    {
                        "id": "x",
                        "level": "error",
                        "source": "s",
                        "message": "m",
                        "require": [{"flag": "--a", "present": True}],
                    }
                ]
                * 2
            },
            "duplicate",
        ),
    ],
)
def test_checks_schema_is_strict(data, where):
    with pytest.raises(ValidationError) as err:
        parse_checks(data)
    assert where in str(err.value)


def test_bundled_checks_name_only_flags_sglang_knows():
    names = set()

    def walk(cond):
        if isinstance(cond, dict):
            if "flag" in cond:
                names.add(cond["flag"])
            for value in cond.values():
                walk(value)
        elif isinstance(cond, list):
            for item in cond:
                walk(item)

    walk(toml(RULES / "checks.toml"))
    for edit_flag in names:
        assert table().spec(edit_flag) is not None or edit_flag in table().removed, edit_flag


def test_unfilled_node_count_falls_back_to_the_context():
    flags = ["--tp 16", "--nnodes {{NNODES}}", "--node-rank {{NODE_RANK}}"]
    assert "gpus-fit" not in ids(lint(flags, (), **{**H200, "nodes": 2}))
    assert "gpus-fit" in ids(lint(flags, (), **H200))


def test_apply_fix_keeps_the_order_of_the_command():
    flags = [MODEL, "--tp 4", "--dp 4", "--enable-dp-attention", "--moe-a2a-backend deepep", "--host 0.0.0.0"]
    finding = only(lint(flags[1:], (), **H200), "deprecated-flag")
    _, fixed = linter().apply_fix([], flags, finding.fixes[0])
    assert fixed == [MODEL, "--tp 4", "--attn-dp-size 4", "--moe-a2a-backend deepep", "--host 0.0.0.0"]
    add = Fix("add", (Edit("set_flag", "--disable-radix-cache"), Edit("set_env", "A", "1"), Edit("set_env", "B", "2")))
    env, fixed = linter().apply_fix(["B=0", "C=3"], flags, add)
    assert fixed[-2:] == ["--disable-radix-cache", "--host 0.0.0.0"] and env == ["B=2", "C=3", "A=1"]
