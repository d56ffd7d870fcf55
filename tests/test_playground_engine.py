"""Unit tests of the Playground engine: state, helpers, cards, availability, revert,
LCS diff, Submit URL and saving a user cell."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from dsv4_tui.core.diff import diff_lines, lcs_diff, line_diff
from dsv4_tui.core.env import Env
from dsv4_tui.core.flags import insert_after, insert_before, strip_env, strip_flag_prefix, strip_flags
from dsv4_tui.core.playground import (
    INHERIT,
    NO_BASE,
    SLOTS,
    Overrides,
    UnknownChoice,
    apply,
    cards,
    knob_view,
    playground,
    revert_hidden,
    set_choice,
    slots,
)
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection
from dsv4_tui.core.submit import cell_snippet, form_encode, submit_url
from dsv4_tui.host.rules_files import load_rules
from dsv4_tui.host.user_cells import save_user_cell

# Written on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its model and cells (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


B200_BAL = Selection("b200", "flash", "fp4", "balanced", "single")
B200_LL = Selection("b200", "flash", "fp4", "low-latency", "single")
B200_HT = Selection("b200", "flash", "fp4", "high-throughput", "single")
B200_PRO = Selection("b200", "pro", "fp4", "balanced", "single")
GB200_PRO_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
GB300_ROLES = Selection("gb300", "pro", "fp4", "low-latency", "multi-2")
MI355X = Selection("mi355x", "flash", "fp4", "balanced", "single")
RTX = Selection("rtx6000", "flash", "fp4", "low-latency", "single")


def knob(rules, sel, ov, key):
    return knob_view(rules, sel, ov, key)


def card(rules, sel, ov, cid):
    return next(c for c in cards(rules, sel, ov) if c.id == cid)


# --------------------------------------------------------------------------- Overrides


def test_overrides_default_is_untouched_and_hashable():
    ov = Overrides()
    assert ov.is_untouched()
    assert hash(ov) == hash(Overrides())
    assert {ov: 1}[Overrides()] == 1
    assert not ov.with_(tp=8).is_untouched()
    assert ov.with_(tp=8).with_(tp=None).is_untouched()


def test_overrides_dp_off_spellings():
    assert Overrides(dp_attention="off").dp_attention == 0
    assert Overrides(dp_attention=False).dp_attention == 0
    assert Overrides(dp_attention="off") == Overrides(dp_attention=0)


def test_overrides_reject_an_unknown_pd_mode():
    with pytest.raises(ValueError, match="pd_mode"):
        Overrides(pd_mode="router")


# --------------------------------------------------------------------------- strip / insert helpers

FLAGS = [
    "--trust-remote-code",
    "--model-path M",
    "--tp 4",
    "--dp 4",
    "--enable-dp-attention",
    "--host 0.0.0.0",
    "--port 1",
]


def test_strip_flags_matches_the_first_token_at_space_or_equals():
    flags = ["--tp 4", "--tp=8", "--tpx 1", "--ep 2"]
    assert strip_flags(flags, "--tp") == ["--tpx 1", "--ep 2"]
    assert strip_flags(flags, "--tp", "--ep") == ["--tpx 1"]


def test_strip_flag_prefix():
    flags = ["--speculative-algorithm EAGLE", "--speculative-num-steps 1", "--tp 4"]
    assert strip_flag_prefix(flags, "--speculative-") == ["--tp 4"]


def test_strip_env_by_name():
    env = ["A=1", "B=2=3", "AB=4"]
    assert strip_env(env, "A", "B") == ["AB=4"]


def test_insert_after_takes_the_first_anchor_present():
    assert insert_after(FLAGS, ("--enable-dp-attention", "--dp", "--tp"), ["--x"])[5] == "--x"
    assert insert_after(FLAGS, ("--nope", "--dp"), ["--x"])[4] == "--x"
    assert insert_after(FLAGS, ("--model-path",), ["--x"])[2] == "--x"
    assert insert_after(["--a"], ("--nope",), ["--x"]) == ["--a", "--x"]


def test_insert_before_host():
    assert insert_before(FLAGS, "--host", ["--x", "--y"])[5:7] == ["--x", "--y"]
    assert insert_before(["--a"], "--host", ["--x"]) == ["--a", "--x"]


# --------------------------------------------------------------------------- apply


def test_untouched_is_the_base_for_every_cell(rules):
    subst = Env.defaults(rules).subst()
    for cell in rules.cells:
        sel = Selection.of(cell)
        res = playground(rules, sel, Overrides(), "docker", subst)
        if cell.has_roles:
            assert not res.has_base
            continue
        assert (list(res.env), list(res.flags)) == (cell.env, cell.flags)
        assert res.text == res.base_text == render_command(rules, sel, "docker", subst)
        assert res.badge == "Verified" and res.matched == cell and res.sibling_text is None
        assert not res.can_submit and res.router is None


def test_apply_card_order_and_anchors(rules):
    """Attention (TP, DP, CP) before MoE: the backend lands right after
    --attn-dp-size (before the CP flags), EP right after the backend."""
    ov = Overrides(tp=8, dp_attention=8, cp=2, moe_backend="deepep", ep=8)
    _, flags = apply(rules, B200_LL, ov)
    assert flags[:9] == [
        "--trust-remote-code",
        "--model-path {{MODEL_NAME}}",
        "--tp 8",
        "--attn-dp-size 8",
        "--moe-a2a-backend deepep",
        "--ep 8",
        "--attn-cp-size 2",
        "--enable-prefill-cp",
        "--cp-strategy interleave",
    ]
    assert "--moe-runner-backend flashinfer_mxfp4" not in flags


def test_cp_1_and_ep_1_only_strip(rules):
    _, flags = apply(rules, B200_BAL, Overrides(cp=1, ep=1))
    assert flags == rules.cell(B200_BAL).flags


def test_megamoe_env_follows_the_effective_backend(rules):
    env, flags = apply(rules, B200_HT, Overrides(moe_quant="w4a4"))
    assert env == ["SGLANG_OPT_DEEPGEMM_MEGA_MOE_NUM_MAX_TOKENS_PER_RANK=8320"]
    # W4A4 is the flag (the newer config), right after the MegaMoE backend
    at = flags.index("--moe-a2a-backend megamoe")
    assert flags[at + 1] == "--enable-w4a4-mxfp4-megamoe" and flags.count("--enable-w4a4-mxfp4-megamoe") == 1
    env, flags = apply(rules, B200_HT, Overrides(moe_quant="w4a8"))
    assert "--enable-w4a4-mxfp4-megamoe" not in flags
    env, flags = apply(rules, B200_HT, Overrides(moe_backend="flashinfer_mxfp4"))
    assert env == [] and "--moe-runner-backend flashinfer_mxfp4" in flags
    # a quant pick without MegaMoE does nothing
    assert apply(rules, B200_BAL, Overrides(moe_quant="w4a4")) == (rules.cell(B200_BAL).env, rules.cell(B200_BAL).flags)


def test_parsers_equal_to_the_base_change_nothing(rules):
    base = rules.cell(B200_BAL)
    assert apply(rules, B200_BAL, Overrides(reasoning=False, tool_call=False)) == (base.env, base.flags)
    _, flags = apply(rules, B200_BAL, Overrides(tool_call=True))
    assert flags[-3:] == ["--tool-call-parser deepseekv4", "--host {{HOST_IP}}", "--port {{PORT}}"]


def test_speculative_equal_to_the_base_preset_or_disabled_is_a_noop(rules):
    base = rules.cell(B200_BAL)
    for spec in (None, "mtp-112", "ngram", "dflash"):  # NGRAM: DP-attention is on
        assert apply(rules, B200_BAL, Overrides(speculative=spec)) == (base.env, base.flags)


def test_pd_decode_on_a_multi_node_base(rules):
    res = playground(rules, GB200_PRO_MULTI, Overrides(pd_mode="decode", pd_transfer="nixl"), "docker")
    assert res.banner[0] == "# === PD Disaggregation: DECODE role ==="
    assert res.text.startswith("\n".join(res.banner) + "\n# Multi-node (2 nodes).")
    assert "--dist-init-addr <node0-ip>:30435" in res.text and "--network host" in res.text
    assert "--port 30100" in res.flags and "--disaggregation-transfer-backend nixl" in res.flags
    assert "SGLANG_MOONCAKE_CUSTOM_MEM_POOL=True" not in res.env  # Mooncake's env only
    assert res.curl.startswith("curl http://localhost:8000/")


def test_hisparse_needs_the_decode_role(rules):
    _, flags = apply(rules, B200_BAL, Overrides(pd_mode="prefill", hisparse=True))
    assert "--enable-hisparse" not in flags
    _, flags = apply(rules, B200_BAL, Overrides(pd_mode="decode", hisparse=True))
    assert '--hisparse-config \'{"top_k":2048,"device_buffer_size":6144,"host_to_device_ratio":10}\'' in flags


def test_hicache_write_policy_auto_is_write_through_and_l3_adds_storage(rules):
    _, flags = apply(rules, B200_BAL, Overrides(hicache=True, hicache_backend="mooncake"))
    hic = [f for f in flags if "hicache" in f or "hierarchical" in f]
    assert hic == [
        "--enable-hierarchical-cache",
        "--hicache-ratio 2",
        "--hicache-size 0",
        "--hicache-mem-layout page_first_direct",
        "--hicache-io-backend direct",
        "--hicache-write-policy write_through",
        "--hicache-storage-backend mooncake",
        "--hicache-storage-prefetch-policy wait_complete",
    ]


# --------------------------------------------------------------------------- no base


def test_role_cell_is_no_base(rules):
    assert apply(rules, GB300_ROLES, Overrides(tp=8)) == ([], [])
    res = playground(rules, GB300_ROLES, Overrides(pd_mode="prefill"), sglang_version="sglang==0.5.4")
    assert not res.has_base and res.no_base_reason == NO_BASE
    assert res.text == res.base_text == "" and res.diff == ()
    assert res.badge == "Not Verified" and not res.can_submit and res.submit_url is None
    assert res.router is not None and ":8000/" in res.curl
    assert not res.notes


def test_role_cell_offers_the_inherit_choices(rules):
    views = cards(rules, GB300_ROLES, Overrides())
    tp = views[0].knob("tp")
    assert tp.current is None and tp.selected == INHERIT and tp.choices[0].label == "Auto"
    spec = next(c for c in views if c.id == "speculative").knob("speculative")
    assert spec.selected == INHERIT and spec.choices[0].label == "Inherited from base"


# --------------------------------------------------------------------------- cards / availability


def test_knob_shows_the_base_value_without_inherit(rules):
    tp = knob(rules, B200_BAL, Overrides(), "tp")
    assert tp.current == tp.selected == "4"
    assert INHERIT not in [c.id for c in tp.choices]
    assert [c.label for c in tp.choices if not c.hidden] == ["1", "2", "4", "8", "16"]
    sixteen = tp.choice("16")
    assert sixteen.disabled and "16 ranks" in sixteen.reason
    assert knob(rules, B200_BAL, Overrides(), "dp_attention").selected == "4"
    assert knob(rules, B200_LL, Overrides(), "dp_attention").selected == "off"
    assert knob(rules, B200_BAL, Overrides(), "moe_backend").selected == "deepep"
    assert knob(rules, B200_BAL, Overrides(), "speculative").selected == "mtp-112"
    assert knob(rules, B200_BAL, Overrides(), "ep").selected == INHERIT  # the base has no --ep
    assert knob(rules, B200_BAL, Overrides(tp=8), "tp").selected == "8"


def test_pro_hides_1_and_2_and_16_is_enabled_on_multi_node(rules):
    for key in ("tp", "dp_attention", "ep"):
        view = knob(rules, B200_PRO, Overrides(), key)
        assert view.choice("1").hidden and view.choice("2").hidden
        assert view.choice("16").disabled
        multi = knob(rules, GB200_PRO_MULTI, Overrides(), key)
        assert not multi.choice("16").disabled


def test_megamoe_only_on_blackwell_high_throughput(rules):
    for sel in (B200_BAL, B200_LL, Selection("h200", "flash", "fp8", "high-throughput", "single"), RTX, MI355X):
        assert knob(rules, sel, Overrides(), "moe_backend").choice("megamoe").hidden, sel
    assert not knob(rules, B200_HT, Overrides(), "moe_backend").choice("megamoe").hidden
    quant = knob(rules, B200_HT, Overrides(), "moe_quant")
    assert not quant.hidden and quant.selected == "w4a8" and INHERIT not in [c.id for c in quant.choices]
    assert knob(rules, B200_HT, Overrides(moe_backend="deepep"), "moe_quant").hidden


def test_ngram_disabled_with_effective_dp_attention_and_dflash_always(rules):
    assert knob(rules, B200_BAL, Overrides(), "speculative").choice("ngram").disabled
    assert not knob(rules, B200_BAL, Overrides(dp_attention=0), "speculative").choice("ngram").disabled
    assert not knob(rules, B200_LL, Overrides(), "speculative").choice("ngram").disabled
    assert knob(rules, B200_LL, Overrides(dp_attention=8), "speculative").choice("ngram").disabled
    assert knob(rules, B200_LL, Overrides(), "speculative").choice("dflash").disabled


def test_cards_hidden_rtx_hicache_and_hisparse_outside_decode(rules):
    assert card(rules, RTX, Overrides(), "hicache").hidden
    assert not card(rules, B200_BAL, Overrides(), "hicache").hidden
    assert card(rules, B200_BAL, Overrides(), "hisparse").hidden
    assert card(rules, B200_BAL, Overrides(pd_mode="prefill"), "hisparse").hidden
    assert not card(rules, B200_BAL, Overrides(pd_mode="decode"), "hisparse").hidden


def test_mori_only_on_amd(rules):
    assert knob(rules, B200_BAL, Overrides(), "pd_transfer").choice("mori").hidden
    assert not knob(rules, MI355X, Overrides(), "pd_transfer").choice("mori").hidden


def test_every_knob_has_a_cli_key_and_a_view(rules):
    every = slots(rules.playground)
    views = {k.key: k for c in cards(rules, B200_BAL, Overrides()) for k in c.knobs}
    assert set(views) == {k.key for k in every} and {k.key for k in SLOTS} <= set(views)
    assert len({k.cli(rules.playground) for k in every}) == len(every)


def test_set_choice_ids_and_inherit(rules):
    ov = set_choice(rules, Overrides(), "tp", "8")
    assert ov.tp == 8
    assert set_choice(rules, ov, "tp", INHERIT).tp is None
    assert set_choice(rules, Overrides(), "dp-attention", "off").dp_attention == 0
    assert set_choice(rules, Overrides(), "reasoning-parser", "on").reasoning is True
    assert set_choice(rules, Overrides(), "hisparse_ratio", "5").hisparse_ratio == 5
    assert set_choice(rules, Overrides(), "speculative", "ngram").speculative == "ngram"
    assert set_choice(rules, Overrides(speculative="off"), "speculative", INHERIT).speculative is None
    with pytest.raises(UnknownChoice, match="valid: 1, 2, 4, 8, 16"):
        set_choice(rules, Overrides(), "tp", "3")
    with pytest.raises(UnknownChoice, match="valid: tp, cp"):
        set_choice(rules, Overrides(), "nope", "1")


# --------------------------------------------------------------------------- revert_hidden


def test_revert_hidden_resets_hidden_picks_and_keeps_disabled_ones(rules):
    picked = Overrides(tp=16, moe_backend="megamoe", moe_quant="w4a4", pd_transfer="mori", hicache=True)
    # on AMD: MegaMoE and its quant are hidden, MORI is fine, TP 16 is only disabled
    ov = revert_hidden(rules, MI355X, picked)
    assert ov == Overrides(tp=16, pd_transfer="mori", hicache=True)
    # on RTX PRO 6000: the HiCache card is hidden by the base, MORI too
    assert revert_hidden(rules, RTX, ov) == Overrides(tp=16)


def test_revert_hidden_pro_small_values(rules):
    assert revert_hidden(rules, B200_PRO, Overrides(tp=2, dp_attention=1, ep=2, cp=2)) == Overrides(cp=2)


def test_revert_hidden_keeps_hisparse_while_pd_is_not_decode(rules):
    ov = Overrides(hisparse=True, hisparse_ratio=5)
    assert revert_hidden(rules, B200_BAL, ov) == ov
    assert playground(rules, B200_BAL, ov).text == playground(rules, B200_BAL, Overrides()).text


# --------------------------------------------------------------------------- badge / sibling


def test_badge_line_and_sibling(rules):
    h200 = Selection("h200", "flash", "fp4", "balanced", "single")
    res = playground(rules, h200, Overrides(moe_backend="marlin", speculative="off"))
    assert res.badge_line == "Verified (matches high-throughput)"
    assert res.matched.strategy == "high-throughput" and not res.can_submit
    res = playground(rules, B200_BAL, Overrides(tp=8))
    assert res.badge_line == "Not Verified" and res.can_submit and res.submit_url is None
    assert playground(rules, B200_BAL, Overrides(tp=8), sglang_version="v").submit_url.startswith(
        "https://github.com/sgl-project/sglang/issues/new?template=3-playground-verified-cell.yml&title="
    )


def test_env_compared_as_a_set(rules):
    """Reordering env entries does not lose the Verified badge."""
    from dsv4_tui.core.playground import matching_cell

    cell = rules.cell(GB200_PRO_MULTI)
    assert matching_cell(rules, GB200_PRO_MULTI, list(reversed(cell.env)), cell.flags) == cell
    assert matching_cell(rules, GB200_PRO_MULTI, cell.env, list(reversed(cell.flags))) is None


# --------------------------------------------------------------------------- LCS diff


def test_lcs_diff_puts_removals_before_additions():
    assert lcs_diff(["a", "b", "c"], ["a", "x", "c"]) == [(" ", "a"), ("-", "b"), ("+", "x"), (" ", "c")]
    assert lcs_diff(["a", "b"], ["x", "y"]) == [("-", "a"), ("-", "b"), ("+", "x"), ("+", "y")]


def test_lcs_diff_moves_and_edges():
    assert lcs_diff([], []) == []
    assert lcs_diff([], ["a"]) == [("+", "a")]
    assert lcs_diff(["a"], []) == [("-", "a")]
    assert lcs_diff(["s1", "k", "s2"], ["k", "n1"]) == [("-", "s1"), (" ", "k"), ("-", "s2"), ("+", "n1")]


def test_line_diff_and_text_form():
    assert line_diff("", "") == []
    assert line_diff("a\nb", "a\nc") == [(" ", "a"), ("-", "b"), ("+", "c")]
    assert diff_lines([(" ", "x"), ("+", "y"), ("-", "z")]) == ["  x", "+ y", "- z"]


# --------------------------------------------------------------------------- Submit


def test_form_encode_like_urlsearchparams():
    assert form_encode([("a b", 'x~y*z-._/\n"{}é')]) == "a+b=x%7Ey*z-._%2F%0A%22%7B%7D%C3%A9"


def test_cell_snippet_empty_env():
    text = cell_snippet(B200_LL, [], ["--tp 4"])
    assert text.splitlines()[3] == "      env: [],"
    assert text.endswith('      flags: [\n        "--tp 4",\n      ],\n    },')


def test_submit_url_fields_in_order(rules):
    base = rules.cell(B200_BAL)
    env, flags = apply(rules, B200_BAL, Overrides(tp=8))
    url = submit_url(rules, B200_BAL, base, env, flags, "sglang==0.5.4", "1.2 req/s", "ran it")
    parts = urlsplit(url)
    assert parts.netloc == "github.com" and parts.path == "/sgl-project/sglang/issues/new"
    fields = parse_qsl(parts.query, keep_blank_values=True)
    assert [k for k, _ in fields] == [
        "template",
        "title",
        "model",
        "combination",
        "cell-snippet",
        "existing-cell",
        "sglang-version",
        "bench-result",
        "notes",
    ]
    d = dict(fields)
    assert d["title"] == "[Playground] Verified cell: b200 / flash / fp4 / balanced / single"
    assert '"--tp 8",' in d["cell-snippet"] and '"--tp 4",' in d["existing-cell"]
    assert d["bench-result"] == "1.2 req/s" and d["notes"] == "ran it"


# --------------------------------------------------------------------------- save_user_cell


def test_save_user_cell_round_trip(rules, isolated_config: Path):
    folder = isolated_config / "rules"
    ov = Overrides(tp=8, pd_mode="decode", hisparse=True)
    res = playground(rules, B200_BAL, ov)
    path = save_user_cell(rules, B200_BAL, res.env, res.flags, folder)
    assert path == folder / "cells.toml" and path.is_file()

    loaded = load_rules(overlays=[folder])
    cell = loaded.cell(B200_BAL)
    assert (cell.env, cell.flags) == (list(res.env), list(res.flags))
    assert cell.verified is False and cell.derived_from == "b200/flash/fp4/balanced/single"
    assert any("replaces the bundled cell b200/flash/fp4/balanced/single" in n for n in loaded.notices)
    subst = Env.defaults(loaded).subst()
    # the saved cell is now the Deploy base; it renders the same flags (without the PD extras)
    again = playground(loaded, B200_BAL, Overrides(), "python", subst)
    assert again.flags == res.flags and again.env == res.env
    assert again.badge == "Not Verified" and again.can_submit

    # saving the same selection again replaces it (no duplicate cell)
    res2 = playground(rules, B200_BAL, Overrides(tp=2))
    save_user_cell(rules, B200_BAL, res2.env, res2.flags, folder)
    loaded = load_rules(overlays=[folder])
    assert loaded.cell(B200_BAL).flags == list(res2.flags)
    assert sum(c.key == rules.cell(B200_BAL).key for c in loaded.cells) == 1


def test_save_user_cell_appends_and_quotes_safely(rules, tmp_path: Path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "cells.toml").write_text("# mine\n", encoding="utf-8")
    tricky_env = ["WEIRD='a \"quoted\" \\ back slash \u00e9'"]  # TOML-tricky, shell-safe
    save_user_cell(rules, B200_LL, tricky_env, rules.cell(B200_LL).flags, folder)
    save_user_cell(rules, B200_BAL, [], ["--model-path {{MODEL_NAME}}", "--x '{\"a\":1}'"], folder)
    text = (folder / "cells.toml").read_text(encoding="utf-8")
    assert text.startswith("# mine\n")
    loaded = load_rules(overlays=[folder])
    assert loaded.cell(B200_LL).env == tricky_env
    assert loaded.cell(B200_BAL).flags == ["--model-path {{MODEL_NAME}}", "--x '{\"a\":1}'"]


def test_save_user_cell_leaves_a_broken_file_alone(rules, tmp_path: Path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "cells.toml").write_text("[[cell]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        save_user_cell(rules, B200_LL, [], ["--tp 4"], folder)
    assert (folder / "cells.toml").read_text(encoding="utf-8") == "[[cell]\n"


def test_save_user_cell_needs_flags(rules, tmp_path: Path):
    res = playground(rules, GB300_ROLES, Overrides())
    with pytest.raises(ValueError, match="nothing to save"):
        save_user_cell(rules, GB300_ROLES, res.env, res.flags, tmp_path / "rules")
    assert not (tmp_path / "rules").exists()
