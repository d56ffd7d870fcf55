"""GPU detection in the app, with fake `nvidia-smi` scripts first on PATH."""

from __future__ import annotations

from dsv4_tui.app import DSV4App
from dsv4_tui.core.selection import Selection, first_selection
from dsv4_tui.host.paths import config_dir
from fake_tools import fake_nvidia_smi, fake_tool
from tui_helpers import chip, command_on_screen, settle, status_on_screen, warnings_on_screen


def saved(sel: Selection) -> None:
    """The state file as the app saved it last time, with `sel` chosen."""
    (config_dir() / "state.toml").write_text("".join(f'{dim} = "{value}"\n' for dim, value in sel.as_dict().items()))


SIZE = (100, 40)


async def detected(pilot) -> None:
    """Wait for the detection worker (started after the first frame) and for its result to
    reach the screen."""
    await pilot.app.background_started.wait()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_h200_x8_is_preselected(rules, bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA H200, 143771 MiB"] * 8)
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.detection is not None and app.detection.count == 8
        assert app.selection == Selection("h200", "flash-official", "fp4", "low-latency", "single")
        assert "8 x H200 detected" in app.sub_title
        assert status_on_screen(app) == "8 x H200 detected: preselected H200."
        assert chip(app, "hw", "h200").state.selected
        assert "--tp 4" in command_on_screen(app) or "--tp 8" in command_on_screen(app)
        assert warnings_on_screen(app) == ""  # 8 GPUs are enough for this cell


async def test_b200_x4_warns_that_the_tp8_cell_needs_8_gpus(rules, bin_dir):
    fake_nvidia_smi(bin_dir, ["name, memory.total [MiB]"] + ["NVIDIA B200, 183359 MiB"] * 4)
    # The remembered selection is a TP-8 cell on the detected hardware.
    saved(Selection("b200", "pro", "fp4", "low-latency", "single"))
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.selection == Selection("b200", "pro", "fp4", "low-latency", "single")
        assert "--tp 8" in command_on_screen(app)
        assert "4 x B200 detected" in app.sub_title
        warning = warnings_on_screen(app)
        assert warning == "⚠ This recipe needs 8 GPUs (TP 8); this box has 4."
        # A TP-4 cell on the same box has no warning.
        app.choose("variant", "flash")
        await pilot.pause()
        assert "--tp 4" in command_on_screen(app)
        assert warnings_on_screen(app) == ""


async def test_rtx_pro_6000_x4_is_preselected(rules, bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA RTX PRO 6000 Blackwell Workstation Edition, 97887 MiB"] * 4)
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.selection.hw == "rtx6000"
        assert "4 x RTX PRO 6000 Blackwell Workstation Edition detected" in app.sub_title


async def test_unknown_gpu_keeps_the_selection_and_says_so(rules, bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA A100-SXM4-80GB, 81920 MiB"] * 4)
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.selection == first_selection(rules)
        assert "4 x NVIDIA A100-SXM4-80GB detected (no DeepSeek-V4 recipe)" in app.sub_title
        assert "This recipe is for B200; this box has 4 x NVIDIA A100-SXM4-80GB" in warnings_on_screen(app)


async def test_detection_does_not_override_a_choice_made_meanwhile(rules, bin_dir):
    fake_tool(
        bin_dir, "nvidia-smi", "sleep 0.3\n" + "for i in 1 2 3 4 5 6 7 8; do echo 'NVIDIA H200, 143771 MiB'; done"
    )
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.choose("hw", "mi355x")  # the user was quicker than nvidia-smi
        await detected(pilot)
        assert app.detection is not None and app.detection.hw_id == "h200"
        assert app.selection.hw == "mi355x"
        assert "This recipe is for MI355X; this box has 8 x H200." in warnings_on_screen(app)


async def test_a_hanging_tool_does_not_block_the_app(rules, bin_dir, tmp_path):
    started = tmp_path / "started"
    fake_tool(bin_dir, "nvidia-smi", f"touch {started}\nexec sleep 30")
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        assert await settle(pilot, started.exists)  # detection is running …
        await pilot.press("right", "enter")  # … and the app answers meanwhile
        await pilot.pause()
        assert app.selection.hw == "b300"
        await pilot.press("p")
        await pilot.pause()
        assert command_on_screen(app).startswith("docker run")
        assert app.detection is None
        assert "detected" not in app.sub_title


async def test_no_detect_never_runs_the_tool(rules, bin_dir, tmp_path):
    marker = tmp_path / "ran"
    fake_tool(bin_dir, "nvidia-smi", f"touch {marker}\necho 'NVIDIA H200, 143771 MiB'")
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE):
        await app.background_started.wait()
        await app.workers.wait_for_complete()
        assert app.detection is None
        assert app.selection == first_selection(rules)
        assert "detected" not in app.sub_title
    assert not marker.exists()


async def test_with_detect_the_tool_does_run(rules, bin_dir, tmp_path):
    """The counterpart of the test above: the marker approach does see a call."""
    marker = tmp_path / "ran"
    fake_tool(bin_dir, "nvidia-smi", f"touch {marker}\necho 'NVIDIA H200, 143771 MiB'")
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.detection is not None and app.detection.count == 1
    assert marker.exists()


async def test_failed_detection_says_why_in_one_line(rules, bin_dir):
    fake_tool(
        bin_dir,
        "nvidia-smi",
        "echo 'NVIDIA-SMI has failed because it could not communicate with the driver' >&2; exit 9",
    )
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.detection is None and app.selection == first_selection(rules)
        status = status_on_screen(app)
        assert status.startswith("ⓘ No GPU detected: nvidia-smi exited with 9: NVIDIA-SMI has failed")
        assert "\n" not in status


async def test_no_gpu_tool_at_all_is_said_plainly(rules, bin_dir):
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert status_on_screen(app) == "ⓘ No GPU detected: none of nvidia-smi, rocm-smi, amd-smi is on PATH"


async def test_a_gpu_name_with_escape_sequences_is_shown_as_text(rules, bin_dir):
    fake_nvidia_smi(bin_dir, ["NVIDIA \x1b]52;c;eA==\x07A100\x9b2J, 81920 MiB"] * 2)
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.detection is not None
        for text in (app.sub_title, *app.view.warnings):
            assert not any(ch in text for ch in "\x1b\x07\x9b"), repr(text)
        assert "\\x1b]52;c;" in app.sub_title


async def test_a_saved_selection_is_kept_on_a_box_with_other_gpus(rules, bin_dir):
    """The hardware chosen last time wins over detection; the warning line says the recipe is
    for other GPUs."""
    fake_nvidia_smi(bin_dir, ["NVIDIA H200, 143771 MiB"] * 8)
    saved(Selection("b200", "flash", "fp4", "balanced", "single"))
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.selection == Selection("b200", "flash", "fp4", "balanced", "single")
        assert "8 x H200 detected" in app.sub_title
        assert status_on_screen(app) == "8 x H200 detected: kept the selection you saved (B200)."
        assert "This recipe is for B200; this box has 8 x H200." in warnings_on_screen(app)


async def test_detection_never_rewrites_a_broken_state_file(rules, bin_dir):
    """A preselection by detection is not the user's choice: nothing is saved for it."""
    fake_nvidia_smi(bin_dir, ["NVIDIA H200, 143771 MiB"] * 8)
    state = config_dir() / "state.toml"
    state.write_text("hw = \n")
    app = DSV4App(rules)
    async with app.run_test(size=SIZE) as pilot:
        await detected(pilot)
        assert app.selection.hw == "h200"
        await pilot.pause(0.8)  # longer than the save's delay
    assert state.read_text() == "hw = \n"  # nor when the app closed
