"""The Deploy pane on the bundled (cookbook) rules: five variant chips with the page's
subtitles, the new hardware, three badge states, the warn banner under the command (links as
text + URL), the page's speculative-decoding notes, the measured speed under the badge, and
the GB300 · Pro · Multi-Nodes srt-slurm panel. Every row is reachable at 60x20."""

from __future__ import annotations

from dsv4_tui.app import DSV4App
from dsv4_tui.core.bench import NO_MEASUREMENT, bench_lines
from dsv4_tui.core.rules import DIMS
from dsv4_tui.core.selection import Selection
from dsv4_tui.widgets.chips import ChipRow
from dsv4_tui.widgets.command_text import CommandText
from dsv4_tui.widgets.toolbar import ToolItem
from tool_items import click_tool, drawn_style, tool
from tui_helpers import block_on_screen, command_on_screen, notes, press_chip, settle

SIZE = (100, 40)
VISION = Selection("b300", "flash-vision", "fp4", "low-latency", "single")  # in progress + banner
SPARK = Selection("dgx-spark", "flash-official", "nvfp4", "balanced", "multi-2")  # banner + pinned note


def box(app, name: str) -> str:
    """One block of the Deploy command box (speed, notes, banner) as shown."""
    return block_on_screen(app, name)


def badge(app) -> ToolItem:
    return tool(app, "deploy-badge")


async def test_variant_and_hardware_chips_follow_the_cookbook(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE):
        variants = app.query_one("#deploy-pane #row-variant", ChipRow)
        assert [o.text for o in variants.options] == [
            "Flash 284B",
            "Flash Official 284B · 0731",
            "Flash Vision 305B · Exp",
            "Pro 1.6T",
            "Pro Official 1.6T · 0813",
        ]
        assert "bundled DSpark draft head" in variants.option("flash-official").detail
        hw = [o.state.id for o in app.query_one("#deploy-pane #row-hw", ChipRow).options]
        assert "rtx5090" in hw and "dgx-spark" in hw


async def test_three_badge_states_have_their_own_word_and_colour(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        seen = {}
        for sel in (
            Selection("b200", "flash-official", "fp4", "low-latency", "single"),
            VISION,
            Selection("rtx5090", "flash-official", "fp4", "low-latency", "single"),
        ):
            app.selection = sel
            await settle(pilot, lambda s=sel: app.view.selection == s)
            await pilot.pause()
            b = badge(app)
            drawn = drawn_style(app, "deploy-badge")
            seen[b.label] = (b.state, (drawn.bgcolor, drawn.color))
        assert {word: state for word, (state, _) in seen.items()} == {
            "Verified": "verified",
            "In progress": "in-progress",
            "Not Verified": "unverified",
        }
        assert len({colours for _, colours in seen.values()}) == 3  # each in colours of its own


async def test_the_warn_banner_is_under_the_command_with_its_link_as_text_and_url(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        app.selection = SPARK
        await settle(pilot, lambda: app.view.selection == SPARK)
        await pilot.pause()
        shown_lines = box(app, "banner")
        text = " ".join(shown_lines.splitlines())  # wrapped between words to the box's width
        assert text.startswith("⚠ The Docker image lmsysorg/sglang:dev-v4f-2dgx-v2 is a DGX Spark-only preview build")
        assert (
            "See DGX Spark notes (https://docs.sglang.ai/cookbook/autoregressive/DeepSeek/DeepSeek-V4#spark-note)."
            in text
        )
        # Under the command: the banner comes after the command text in the box.
        shown = app.query_one("#deploy-pane #deploy-command .command", CommandText).plain
        assert shown.index(shown_lines) > shown.index(command_on_screen(app)) > 0
        # The page's pinned-value note, worded as the page words it.
        notes = box(app, "notes")
        assert "Speculative decoding (DSpark) is on and this recipe pins --max-running-requests to 32." in notes


async def test_the_measured_speed_is_under_the_badge_or_says_there_is_none(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        first = app.selection
        await pilot.pause()
        assert box(app, "speed").splitlines() == bench_lines(rules, first)
        assert "8192/1024 @ 1: TTFT 218.9 ms · TPOT 1.28 ms · 481 tok/s/GPU" in box(app, "speed")
        app.selection = SPARK
        await settle(pilot, lambda: app.view.selection == SPARK)
        await pilot.pause()
        assert box(app, "speed") == NO_MEASUREMENT


async def test_gb300_pro_multi_node_shows_the_srt_slurm_recipes_and_no_command(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        app.selection = Selection("gb300", "pro", "fp4", "balanced", "single")
        await settle(pilot, lambda: app.view.selection.hw == "gb300")
        assert not app.query_one("#deploy-pane #row-srt-workload", ChipRow).display  # a cell: no recipe rows
        await press_chip(pilot, "nodes", "multi-2")
        await settle(pilot, lambda: app.view.srt_panel)
        shown = command_on_screen(app)
        assert "NVIDIA srt-slurm recipes" in shown
        assert shown.count("srtctl apply -f ") == 1  # the chosen recipe's; the others in one line each
        assert shown.count("\n#   ") == 8
        # The Deploy strategy (Balanced) picks the first recipe until the panel's own rows are used.
        assert app.view.command == (
            "srtctl apply -f recipes/multi-node/DeepSeek-V4-Pro/GB300/1k1k/sglang/disagg/stp/disagg-1p1d-dep4-mega-moe.yaml"
        )
        assert "sglang serve" not in app.view.command
        assert "pick a recipe" in box(app, "notes")
        # The badge says what is true: an srt-slurm recipe (the page gives it no verification state).
        assert badge(app).label == "srt-slurm recipe" and badge(app).state == "srt"
        assert "Verified" not in badge(app).label
        assert "https://github.com/NVIDIA/srt-slurm-recipes" in str(badge(app).tooltip)


async def test_the_srt_slurm_recipe_is_chosen_by_keyboard_and_copy_copies_its_apply_line(rules, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        app.selection = Selection("gb300", "pro", "fp4", "balanced", "multi-2")
        await settle(pilot, lambda: app.view.srt_panel)
        workload = app.query_one("#deploy-pane #row-srt-workload", ChipRow)
        assert [o.text for o in workload.options] == ["1K / 1K", "8K / 1K", "Agentic"]
        app.query_one("#deploy-pane #row-nodes", ChipRow).focus()
        await pilot.press("down", "right", "enter")  # Workload row: 1K / 1K → 8K / 1K
        await settle(pilot, lambda: app.srt_choice[0] == "8k1k")
        await pilot.press("down", "right", "enter")  # Recipe row: Balanced → High-Throughput
        await settle(pilot, lambda: app.srt_choice == ("8k1k", "high-throughput"))
        assert app.selection.strategy == "balanced"  # the Deploy strategy is not touched
        apply = "srtctl apply -f recipes/multi-node/DeepSeek-V4-Pro/GB300/8k1k/sglang/disagg/disagg-high-conc-8p1d-dep4-dep8-mtp.yaml"
        assert app.view.command == apply
        assert "# ▶ 8K / 1K · High-Throughput: 8 prefill + 2 decode nodes" in command_on_screen(app)
        assert app.status == "8K / 1K · High-Throughput recipe chosen: c copies its srtctl apply line."
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == apply  # the chosen recipe's line, not the whole list
        assert any(m.startswith("The srtctl apply line of 8K / 1K · High-Throughput: ") for _, _, m in notes(app))
        await click_tool(pilot, "deploy-copy")  # the ⧉ Copy button too
        await pilot.pause()
        assert app.clipboard == apply
        workload.focus()
        await pilot.pause()
        await pilot.press("left", "left", "enter")  # Workload row: 8K / 1K → Agentic (a pending recipe)
        await settle(pilot, lambda: badge(app).label == "srt-slurm recipe · pending")
        assert app.srt_choice == ("agentic", "high-throughput")
        assert badge(app).label == "srt-slurm recipe · pending"
        assert "nvpohanh/srt-slurm-recipes" in str(badge(app).tooltip)


async def test_every_row_is_reachable_at_60x20(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(60, 20)) as pilot:
        pane = app.query_one("#deploy-pane")
        for dim in DIMS:
            row = app.query_one(f"#deploy-pane #row-{dim}", ChipRow)
            row.focus()
            await pilot.pause()
            assert app.focused is row
            assert pane.region.contains_region(row.region) or row.region.intersection(pane.region).height > 0, dim
