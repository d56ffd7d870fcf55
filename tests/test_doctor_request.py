"""The doctor's request for a selection (every fact from the rules), the flags check on the
lint engine, and what the box tells the Playground (IB devices, host ratio)."""

from __future__ import annotations

import pytest

from doctor_fakes import new_box
from dsv4_tui.core.env import Env
from dsv4_tui.core.lint import LintContext
from dsv4_tui.core.lookup import docker_image, model_name
from dsv4_tui.core.playground import BoxFacts, Overrides, cards, on_box, playground, rules_on_box, set_choice
from dsv4_tui.core.selection import Selection, first_selection
from dsv4_tui.core.view import gpus_needed_per_node
from dsv4_tui.host.doctor import parse_size, run_doctor
from dsv4_tui.host.doctor.request import (
    SglangLinters,
    box_facts,
    build_request,
    flags_result,
    host_ratios,
    placeholder,
    subject,
)
from dsv4_tui.host.doctor.sglang import flags_result as sglang_flags_result
from dsv4_tui.host.sglang_installed import bundled_table

GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
GB300_BAL = Selection("gb300", "flash", "fp4", "balanced", "single")
BUNDLED = bundled_table()["sglang"]["version"]


@pytest.fixture
def box(tmp_path):
    return new_box(tmp_path)


# --------------------------------------------------------------------------- the request


def test_every_fact_of_the_request_comes_from_the_rules(rules):
    sel = first_selection(rules)
    hw = rules.hardware(sel.hw)
    request = build_request(rules, sel)
    repo = model_name(rules, sel)
    assert (request.hardware_label, request.vendor, request.detect) == (hw.label, hw.vendor, tuple(hw.detect))
    assert set(request.other_detect) == {s for h in rules.model.hardware if h.id != hw.id for s in h.detect}
    assert request.gpus_per_node == gpus_needed_per_node(rules, sel)
    assert request.docker_image == docker_image(rules, sel)
    assert request.shm_bytes == parse_size("32g")  # --shm-size of the runtime's Docker args
    assert request.docker_hf_home == rules.model.docker.volume.split(":")[0]
    assert (request.model_repo, request.model_bytes) == (repo, rules.model.model_sizes_gb[repo] * 10**9)
    assert (request.host, str(request.port)) == ("0.0.0.0", rules.model.placeholders["PORT"].default)
    assert request.node0_is_placeholder and not request.hf_token_set
    assert not (request.multi_node or request.pd or request.host_cache)
    assert request.host_ratios == {5: 10**12, 10: 2 * 10**12}  # "5 (~1TB host)", "10 (~2TB host)"
    assert request.argv[request.argv.index("--model-path") + 1] == repo
    assert request.flags_check is None  # no lint source given: the check says it is not available
    assert sglang_flags_result(request, "0.5.23").message == "flag check not available yet"


def test_env_values_reach_the_request_found_by_placeholder_kind(rules):
    assert (placeholder(rules, "bind"), placeholder(rules, "port"), placeholder(rules, "host")) == (
        "HOST_IP",
        "PORT",
        "NODE0_IP",
    )
    env = Env.defaults(rules).with_values(
        {"HOST_IP": "127.0.0.1", "PORT": "31234", "NODE0_IP": "10.0.0.1", "HF_TOKEN": "hf_secret_value"}
    )
    request = build_request(rules, GB200_MULTI, framing="docker", env=env)
    assert (request.host, request.port, request.node0_ip) == ("127.0.0.1", "31234", "10.0.0.1")
    assert not request.node0_is_placeholder and request.hf_token_set
    assert "hf_secret_value" not in repr(request)  # the token itself never reaches the doctor
    assert request.framing == "docker" and request.multi_node and request.needs_ib


def test_a_multi_node_cell_needs_its_share_of_gpus_per_node(rules):
    request = build_request(rules, GB200_MULTI)
    assert request.nodes == rules.node_count(GB200_MULTI.nodes) == 2
    assert request.gpus_per_node == gpus_needed_per_node(rules, GB200_MULTI) == 4  # TP 8 over 2 nodes


def test_playground_overrides_change_the_request(rules):
    pd = rules.playground.pd
    ov = Overrides(pd_mode="decode", hisparse=True, tp=8)
    request = build_request(rules, GB300_BAL, overrides=ov)
    assert request.pd and request.needs_ib and request.host_cache
    assert request.host_ratio == rules.playground.hisparse.default_host_ratio
    assert request.port == str(pd.decode_port)  # the decode role's port, as the command binds it
    assert request.gpus_per_node == 8  # the Playground's TP
    five = build_request(rules, GB300_BAL, overrides=set_choice(rules, ov, "hisparse_ratio", "5"))
    assert five.host_ratio == 5
    prefill = build_request(rules, GB300_BAL, overrides=Overrides(pd_mode="prefill", hicache=True))
    assert prefill.port == str(pd.prefill_port) and prefill.host_cache and prefill.host_ratio is None
    assert subject(rules, GB300_BAL, "docker", ov).endswith("Docker framing with Playground overrides")


def test_host_ratios_come_from_the_option_labels(rules):
    assert host_ratios(rules) == {5: parse_size("~1TB"), 10: parse_size("~2TB")}


# --------------------------------------------------------------------------- the flags check


def test_flags_pass_against_the_bundled_table_of_the_same_version(rules):
    request = build_request(rules, first_selection(rules), lint=SglangLinters(use_installed=False))
    result = request.flags_check(BUNDLED)
    assert result.status == "ok"
    assert result.message == f"every flag is accepted by bundled table for SGLang {BUNDLED}"


def test_deprecated_flags_are_named_but_accepted():
    from conftest import JULY_RULES  # the July cells still wrote --enable-dp-attention
    from dsv4_tui.host.rules_files import load_rules

    rules = load_rules(JULY_RULES)
    request = build_request(rules, GB200_MULTI, lint=SglangLinters(use_installed=False))
    result = request.flags_check(BUNDLED)
    assert result.status == "ok" and "deprecated: --enable-dp-attention" in result.message


def test_another_version_on_path_is_checked_with_a_caveat(rules):
    request = build_request(rules, first_selection(rules), lint=SglangLinters(use_installed=False))
    result = request.flags_check("0.4.0")
    assert result.status == "ok"
    assert "(the sglang on PATH is 0.4.0; its own table could not be read)" in result.message


def test_unknown_flags_fail_against_the_installed_sglang(rules, fake_sglang, tmp_path):
    linters = SglangLinters(tmp_path / "cache")
    request = build_request(rules, first_selection(rules), lint=linters)
    result = request.flags_check("9.9.9")
    assert result.status == "fail"
    assert "flags unknown to SGLang 9.9.9 installed here: --trust-remote-code" in result.message
    # 9.9.9 is newer than the cookbook's SGLang: it dropped them (an older one would not know them)
    assert result.fix.startswith("change the command (remove --trust-remote-code; remove --speculative-algorithm)")
    assert result.fix.endswith("or install an SGLang that still has these flags")
    assert (tmp_path / "cache" / "sglang-9.9.9.json").is_file()  # extracted once, cached per version
    assert linters("9.9.9") is linters("1.0")  # built once per process


def test_unknown_flags_only_warn_when_the_table_is_of_another_version(rules, fake_sglang, tmp_path):
    request = build_request(rules, first_selection(rules), lint=SglangLinters(tmp_path / "cache"))
    result = request.flags_check("0.5.99")
    assert result.status == "warn" and "unknown to SGLang 9.9.9 installed here" in result.message
    assert "the sglang on PATH is 0.5.99" in result.message


def test_a_flag_an_older_sglang_lacks_and_a_rejected_value(rules):
    bundled = SglangLinters(use_installed=False)
    unit = ((), ("--model-path", "m", "--no-such-flag", "--tp", "four"), LintContext())
    result = flags_result(bundled, [unit], BUNDLED)
    assert result.status == "fail"
    assert result.message.startswith(f"1 flag unknown to bundled table for SGLang {BUNDLED}: --no-such-flag; ")
    assert "1 flag rejected: --tp expects" in result.message
    only_unknown = flags_result(bundled, [((), ("--model-path", "m", "--no-such-flag"), LintContext())], BUNDLED)
    assert only_unknown.fix == "install a newer SGLang (pip install -U sglang): this one does not know these flags"


def test_the_flags_check_runs_inside_the_doctor(rules, box, fake_sglang, tmp_path):
    python = box.tool("python3", "echo 9.9.9")
    (box.bin / "sglang").write_text(f"#!{python}\n")
    (box.bin / "sglang").chmod(0o755)
    request = build_request(rules, first_selection(rules), lint=SglangLinters(tmp_path / "cache"))
    results = {r.id: r for r in run_doctor(request, box.ctx())}
    assert results["sglang.install"].status == "ok" and results["sglang.flags"].status == "fail"
    assert "unknown to SGLang 9.9.9 installed here" in results["sglang.flags"].message


def test_a_failing_lint_source_is_a_warning_not_a_crash(rules):
    def broken(version):
        raise OSError("table unreadable")

    request = build_request(rules, first_selection(rules), lint=broken)
    result = sglang_flags_result(request, "0.5.23")
    assert result.status == "warn" and "table unreadable" in result.message


# --------------------------------------------------------------------------- the box


def test_box_facts_read_ib_devices_and_ram_under_the_sysroot(rules, box):
    box.ib("mlx5_3", "1: ACTIVE")
    box.ib("mlx5_1", "1: DOWN")
    box.meminfo(1_000_000_000)  # kB: ~1 TB
    assert box_facts(rules, box.ctx()) == BoxFacts(("mlx5_1", "mlx5_3"), 5)
    box.meminfo(2_000_000_000)
    assert box_facts(rules, box.ctx()).host_ratio == 10


def test_box_facts_on_an_empty_or_garbled_box(rules, box):
    assert box_facts(rules, box.ctx()) == BoxFacts()
    box.write("/proc/meminfo", "MemTotal: lots\n\x1b[31m")
    assert box_facts(rules, box.ctx()) == BoxFacts()
    box.meminfo(100)  # 100 kB: no ratio fits
    assert box_facts(rules, box.ctx()) == BoxFacts()


def test_the_box_devices_replace_the_fixed_list_auto_first(rules):
    pg = rules.playground
    first = pg.pd.ib_device.option[0].id
    placed = on_box(pg, BoxFacts(("mlx5_2", "mlx5_3", "bad name", "x;rm -rf", first)))
    assert [o.id for o in placed.pd.ib_device.option] == [first, "mlx5_2", "mlx5_3"]
    kept = on_box(pg, BoxFacts(("mlx5_2",)), keep=("mlx5_7",))
    assert [o.id for o in kept.pd.ib_device.option] == [first, "mlx5_2", "mlx5_7"]
    assert on_box(pg, BoxFacts()) is pg and on_box(pg, BoxFacts(("bad name",))) is pg
    assert rules_on_box(rules, BoxFacts()) is rules


def test_the_box_only_changes_what_is_offered_and_preselected(rules):
    on = rules_on_box(rules, BoxFacts(("mlx5_3",), 5))
    assert on.playground.hisparse.default_host_ratio == 5 and rules.playground.hisparse.default_host_ratio == 10
    for sel in (first_selection(rules), GB300_BAL, GB200_MULTI):  # an untouched Playground emits the same
        assert playground(on, sel, Overrides()).text == playground(rules, sel, Overrides()).text
    knob = next(c for c in cards(on, GB300_BAL, Overrides(pd_mode="decode")) if c.id == "pd").knob("pd_ib_device")
    assert [c.id for c in knob.choices] == ["auto", "mlx5_3"] and knob.selected == "auto"
    picked = set_choice(on, Overrides(pd_mode="decode", hisparse=True), "pd_ib_device", "mlx5_3")
    text = playground(on, GB300_BAL, picked).text
    assert "--disaggregation-ib-device mlx5_3" in text and '"host_to_device_ratio":5' in text
    # the preselected ratio is the knob's default there: picking it keeps the state untouched
    assert set_choice(on, Overrides(), "hisparse_ratio", "5") == Overrides()


def test_a_ratio_the_rules_do_not_offer_is_not_preselected(rules):
    assert on_box(rules.playground, BoxFacts((), 7)) is rules.playground
