"""`dsv4 print --override …`: the Playground's CLI contract.

stdout is exactly the text plus one newline; notices go to stderr; exit 2 for a bad
argument, including a value the Playground hides or greys out (with the reason).
"""

from __future__ import annotations

import pytest

from conftest import reference_json
from dsv4_tui import cli
from dsv4_tui.core.diff import diff_lines
from dsv4_tui.core.env import Env
from dsv4_tui.core.playground import Overrides, playground
from dsv4_tui.core.selection import Selection

# Written on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its model and cells (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


B200_BAL = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]
B200_LL = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "low-latency", "--nodes", "single"]
B200_HT = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "high-throughput", "--nodes", "single"]
B200_PRO = ["--hw", "b200", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]
H200_FP4_BAL = ["--hw", "h200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]
GB300_ROLES = ["--hw", "gb300", "--variant", "pro", "--quant", "fp4", "--strategy", "low-latency", "--nodes", "multi-2"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["print", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def engine(rules, sel_args: list[str], framing: str = "python", **ov):
    it = iter(sel_args)
    sel = Selection(**{k[2:]: v for k, v in zip(it, it)})
    return playground(rules, sel, Overrides(**ov), framing, Env.defaults(rules).subst(), sglang_version="sglang==0.5.4")


# --------------------------------------------------------------------------- outputs


def test_command_is_the_engine_text(rules, capsys):
    code, out, err = run(capsys, *B200_BAL, "--override", "tp=8", "--override", "reasoning-parser=on")
    assert code == 0
    assert out == engine(rules, B200_BAL, tp=8, reasoning=True).text + "\n"
    assert "--tp 8" in out and "--reasoning-parser deepseek-v4" in out
    assert "MTP" in err  # the base runs EAGLE without --max-running-requests


def test_docker_framing(rules, capsys):
    code, out, _ = run(capsys, *B200_BAL, "--docker", "--override", "pd-mode=prefill")
    assert code == 0
    assert out == engine(rules, B200_BAL, "docker", pd_mode="prefill").text + "\n"
    assert "--network host" in out and "-p 30000" not in out


def test_diff_output(rules, capsys):
    code, out, _ = run(capsys, *B200_BAL, "--override", "tp=8", "--diff")
    assert code == 0
    assert out == "\n".join(diff_lines(engine(rules, B200_BAL, tp=8).diff)) + "\n"
    assert "-   --tp 4 \\\n+   --tp 8 \\\n" in out


def test_badge_output(capsys):
    assert run(capsys, *B200_BAL, "--badge") == (0, "Verified\n", "")
    assert run(capsys, *B200_BAL, "--override", "tp=8", "--badge")[1] == "Not Verified\n"
    code, out, _ = run(
        capsys, *H200_FP4_BAL, "--override", "moe-backend=marlin", "--override", "speculative=off", "--badge"
    )
    assert (code, out) == (0, "Verified (matches high-throughput)\n")


def test_curl_targets_the_router_with_pd(capsys):
    code, out, _ = run(capsys, *B200_BAL, "--override", "pd-mode=decode", "--curl")
    assert code == 0 and out.startswith("curl http://localhost:8000/v1/chat/completions")
    code, out, _ = run(capsys, *B200_BAL, "--override", "tp=8", "--curl")
    assert code == 0 and out.startswith("curl http://localhost:30000/")


def test_router(rules, capsys):
    code, out, _ = run(capsys, *B200_BAL, "--override", "pd-mode=prefill", "--router")
    assert code == 0
    assert out == engine(rules, B200_BAL, pd_mode="prefill").router + "\n"
    assert "--prefill http://<prefill-host>:30000" in out and "--port 8000" in out
    code, out, err = run(capsys, *B200_BAL, "--router")
    assert (code, out) == (2, "") and "PD disaggregation is off" in err


def test_submit_url(rules, capsys):
    code, out, err = run(capsys, *B200_LL, "--override", "tp=8", "--submit-url", "--sglang-version", "sglang==0.5.4")
    assert code == 0
    assert out == engine(rules, B200_LL, tp=8).submit_url + "\n"
    assert "real hardware" in err
    scenarios = reference_json("examples/playground-scenarios.json")["scenarios"]
    s = next(x for x in scenarios if x["name"] == "TP override 8 on b200 flash low-latency")
    assert out == s["submitUrl"] + "\n"


def test_submit_url_needs_a_version_and_something_to_submit(capsys):
    code, out, err = run(capsys, *B200_LL, "--override", "tp=8", "--submit-url")
    assert (code, out) == (2, "") and "--sglang-version" in err
    code, out, err = run(capsys, *B200_LL, "--submit-url", "--sglang-version", "sglang==0.5.4")
    assert (code, out) == (2, "") and "nothing to submit" in err


def test_one_output_at_a_time(capsys):
    code, out, err = run(capsys, *B200_BAL, "--diff", "--badge")
    assert (code, out) == (2, "") and "choose one of" in err


def test_role_cell_has_no_base_command(capsys):
    code, out, err = run(capsys, *GB300_ROLES, "--override", "pd-mode=prefill")
    assert (code, out) == (2, "") and "No single verified base command" in err
    assert run(capsys, *GB300_ROLES, "--override", "pd-mode=prefill", "--badge")[:2] == (0, "Not Verified\n")
    code, out, _ = run(capsys, *GB300_ROLES, "--override", "pd-mode=prefill", "--router")
    assert code == 0 and out.startswith("python3 -m sglang_router.launch_router")


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "sel,override,reason",
    [
        # No multi-node cell for this selection: no advice that cannot be followed.
        (
            B200_BAL,
            "tp=16",
            "not available with --nodes single, and b200/flash/fp4/balanced/single has no cell on other nodes",
        ),
        (B200_BAL, "dp-attention=16", "not available with --nodes single"),
        (B200_BAL, "ep=16", "not available with --nodes single"),
        # A selection that has a multi-node cell: the advice is the flag to add.
        (
            ["--hw", "gb300", "--variant", "pro", "--nodes", "single"],
            "tp=16",
            "not available with --nodes single: add --nodes multi-2",
        ),
        (B200_BAL, "speculative=ngram", "not available while DP-attention is on: add --override dp-attention=off"),
        (B200_LL, "speculative=dflash", "Coming soon"),
    ],
)
def test_disabled_value_exits_2_with_its_reason_in_cli_words(capsys, sel, override, reason):
    code, out, err = run(capsys, *sel, "--override", override)
    assert (code, out) == (2, "")
    assert "disabled" in err and reason in err
    assert "panel" not in err and "card above" not in err


@pytest.mark.parametrize(
    "sel,overrides,reason",
    [
        (
            B200_BAL,
            ["moe-backend=megamoe"],
            "MegaMoE only on Blackwell datacenter GPUs (B200 / B300 / GB200 / GB300) with the High-Throughput "
            "strategy, where the cookbook recommends it; offered only with --hw b200 or --hw b300 or --hw gb200 or "
            "--hw gb300 with --strategy high-throughput",
        ),
        (
            B200_BAL,
            ["pd-transfer=mori"],
            "not available: MORI is AMD's transfer engine: AMD GPUs only; not offered with --hw h100 or --hw h200",
        ),
        (B200_PRO, ["tp=2"], "not offered with --variant pro"),
        (B200_BAL, ["hisparse=on"], "HiSparse is offered only with --override pd-mode=decode"),
        (["--hw", "rtx6000"], ["hicache=on"], "HiCache is not offered with --hw rtx6000"),
        (
            B200_BAL,
            ["megamoe-quant=w4a4"],
            "MegaMoE backend only, which is offered only with --hw b200 or --hw b300 or --hw gb200 or --hw gb300 "
            "with --strategy high-throughput",
        ),
        (
            B200_HT,
            ["megamoe-quant=w4a4", "moe-backend=deepep"],
            "MegaMoE backend only: add --override moe-backend=megamoe",
        ),
    ],
)
def test_hidden_value_exits_2_with_its_reason_in_cli_words(capsys, sel, overrides, reason):
    argv = [x for o in overrides for x in ("--override", o)]
    code, out, err = run(capsys, *sel, *argv)
    assert (code, out) == (2, "")
    assert reason in err
    assert "panel" not in err and "card above" not in err


def test_availability_is_judged_on_the_final_state(capsys):
    """CP is fine once DP-attention is off, whatever the order of the overrides (the page
    offers only CP = TP without DP-attention, and SGLang refuses CP with it)."""
    code, out, _ = run(capsys, *B200_BAL, "--override", "cp=4", "--override", "dp-attention=off")
    assert code == 0 and "--enable-prefill-cp" in out
    code, out, err = run(capsys, *B200_BAL, "--override", "cp=4")
    assert code == 2 and "refused: SGLang refuses context parallel with DP-attention" in err
    code, out, _ = run(capsys, *B200_BAL, "--override", "hisparse=on", "--override", "pd-mode=decode")
    assert code == 0 and "--enable-hisparse" in out


def test_values_equal_to_the_default_ask_for_nothing(capsys):
    code, _, _ = run(capsys, *B200_BAL, "--override", "hisparse=off", "--override", "pd-mode=off")
    assert code == 0


@pytest.mark.parametrize(
    "override,message",
    [
        ("nope=1", "unknown --override key 'nope'; valid: tp, cp, dp-attention, moe-backend"),
        ("tpp=4", "unknown --override key 'tpp' (did you mean tp?); valid: tp, cp"),
        ("tp=3", "--override tp=3: unknown value '3'; valid: 1, 2, 4, 8, 16, inherit"),
        ("speculative=eagle", "valid: off, mtp-314, mtp-112, dspark, ngram, dflash"),
        ("hicache=yes", "valid: on, off"),
        ("tp", "expected KEY=VALUE"),
    ],
)
def test_unknown_key_or_value_lists_the_valid_ones(capsys, override, message):
    code, out, err = run(capsys, *B200_BAL, "--override", override)
    assert (code, out) == (2, "")
    assert message in err


@pytest.mark.parametrize(
    "argv,words",
    [
        (
            ["--hw", "gb200", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2"],
            "--override cp=2 (gb200/pro/fp4/balanced/multi-2): disabled: Prefill Context Parallel is "
            "single-machine only",
        ),
        (B200_LL, "DSpark Proposed Draft Tokens applies only when variant is flash-official / pro-official"),
    ],
)
def test_the_newer_configs_greyed_knob_and_hidden_select_exit_2_with_their_reason(capsys, argv, words):
    key = "cp=2" if "multi-2" in argv else "dspark-draft-tokens=3"
    code, out, err = run(capsys, *argv, "--override", key)
    assert code == 2 and out == "" and words in err


def test_cp_4_prints_the_0_5_23_flags_and_cp_8_is_refused_on_tp_4(capsys):
    code, out, _ = run(capsys, *B200_LL, "--override", "cp=4")  # TP 4: CP 4 is the size SGLang runs
    assert code == 0
    assert "  --tp 4 \\\n  --attn-cp-size 4 \\\n  --enable-prefill-cp \\\n  --cp-strategy interleave \\\n" in out
    assert "nsa-prefill" not in out
    code, out, err = run(capsys, *B200_LL, "--override", "cp=8")  # greyed: attn_cp_size = TP / DP
    assert code != 0 and "attn_cp_size = TP / DP-Attention (= 4 here)" in err


def test_override_help_lists_the_flag_selects_and_umbp(capsys):
    with pytest.raises(SystemExit):
        cli.main(["print", "--help"])
    out = capsys.readouterr().out
    assert "dspark-draft-tokens    auto | 1 | 2 | 3 | 4 | 5 | 6 | inherit" in out
    assert "target-concurrency" in out and "umbp-backend           mori | mooncake" in out
