"""Export in the app (E): pick a target, preview exactly the core's export, copy, save
(atomically, 0644), ask before replacing a file, show errors, close with Esc."""

from __future__ import annotations

import os
import stat

import pytest
from textual.widgets import Input, Static, Tabs, TextArea

from dsv4_tui.app import DSV4App
from dsv4_tui.core.deployment import ExportOptions, build
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import TARGETS
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.selection import Selection
from dsv4_tui.screens.confirm_screen import ConfirmScreen
from dsv4_tui.screens.export_screen import ExportScreen
from tui_helpers import notes, plain, settle

# Written on the July page (its cells wrote --enable-dp-attention; GB300 Pro PD role cells):
# this module runs on its rules (tests/data/july-rules).
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


SIZE = (120, 40)
B200 = Selection("b200", "flash", "fp4", "low-latency", "single")
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
GB300_ROLES = Selection("gb300", "pro", "fp4", "low-latency", "multi-2")
TOKEN = "hf_FakeToken0123456789abcdef"


@pytest.fixture(autouse=True)
def no_local_clipboard(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)


def new_app(rules) -> DSV4App:
    return DSV4App(rules, detect=False, remember=False)


async def select(pilot, sel: Selection) -> None:
    pilot.app.selection = sel
    await pilot.pause()


async def open_export(pilot) -> ExportScreen:
    await pilot.press("E")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


def preview(screen: ExportScreen) -> str:
    return screen.query_one("#export-preview", TextArea).text


def errors(screen: ExportScreen) -> str:
    return plain(screen.query_one("#export-errors", Static))


def status(screen: ExportScreen) -> str:
    return plain(screen.query_one("#export-status", Static))


def core_export(rules, target: str, sel: Selection, env: Env, overrides: Overrides | None = None) -> str:
    return TARGETS[target].export(build(rules, sel, env, overrides), ExportOptions())


async def choose_target(pilot, screen: ExportScreen, target: str) -> None:
    """Move through the target tabs with the arrow keys, like a user."""
    tabs = screen.query_one("#export-targets", Tabs)
    tabs.focus()
    await pilot.pause()
    for _ in range(len(TARGETS)):
        if screen.target.id == target:
            return
        await pilot.press("right")
        await pilot.pause()
    assert screen.target.id == target


async def save_to(pilot, screen: ExportScreen, path) -> None:
    screen.query_one("#export-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await pilot.pause()


# --------------------------------------------------------------------------- open, targets


async def test_e_opens_the_first_target_with_exactly_the_core_export(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, GB200_MULTI)
        screen = await open_export(pilot)
        first = next(iter(TARGETS))
        assert screen.query_one("#export-targets", Tabs).active == f"export-to-{first}"
        assert preview(screen) == core_export(rules, first, GB200_MULTI, app.env)
        assert "kind: LeaderWorkerSet" in preview(screen) and errors(screen) == ""
        name = ExportOptions().job_name(build(rules, GB200_MULTI, app.env))
        assert screen.query_one("#export-path", Input).value == f"./{name}{TARGETS[first].suffix}"
        assert any("Kubernetes / SLURM" in what for _, what in app.key_table())  # in the help


async def test_switching_the_target_previews_that_target(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, GB200_MULTI)
        screen = await open_export(pilot)
        for target in TARGETS:
            await choose_target(pilot, screen, target)
            assert preview(screen) == core_export(rules, target, GB200_MULTI, app.env), target
            assert screen.query_one("#export-path", Input).value.endswith(TARGETS[target].suffix)
            assert screen.query_one("#export-preview", TextArea).language == TARGETS[target].language
        assert preview(screen).startswith("# DeepSeek-V4 gb200/pro/fp4/balanced/multi-2")


async def test_a_typed_path_survives_a_target_switch(rules, tmp_path):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        screen.query_one("#export-path", Input).value = str(tmp_path / "mine.txt")
        await choose_target(pilot, screen, "sbatch")
        assert screen.query_one("#export-path", Input).value == str(tmp_path / "mine.txt")


async def test_the_playground_in_front_exports_its_overrides(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        await pilot.press("2")
        await pilot.pause()
        app.overrides = Overrides(pd_mode="prefill")
        await pilot.pause()
        screen = await open_export(pilot)
        want = core_export(rules, "lws", B200, app.env, Overrides(pd_mode="prefill"))
        assert preview(screen) == want and "kind: DisaggregatedSet" in want and "(Playground, Not Verified)" in want
        await pilot.press("escape")
        await pilot.press("1")  # Deploy in front: the Deploy cell, overrides or not
        await pilot.pause()
        screen = await open_export(pilot)
        assert preview(screen) == core_export(rules, "lws", B200, app.env)


async def test_the_role_cells_export_their_roles(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, GB300_ROLES)
        screen = await open_export(pilot)
        assert "kind: DisaggregatedSet" in preview(screen) and "kind: Deployment" in preview(screen)


async def test_hf_token_is_never_shown(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, GB200_MULTI)
        app.env = Env.defaults(rules).with_values({"HF_TOKEN": TOKEN})
        await pilot.pause()
        screen = await open_export(pilot)
        for target in TARGETS:
            await choose_target(pilot, screen, target)
            assert "HF_TOKEN" in preview(screen) and TOKEN not in preview(screen), target


# --------------------------------------------------------------------------- copy, save, close


async def test_copy_puts_the_file_on_the_clipboard(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        await choose_target(pilot, screen, "sbatch")
        await pilot.press("c")
        assert await settle(pilot, lambda: any(title == "⧉ Export" for title, _, _ in notes(app)))
        assert app.clipboard == core_export(rules, "sbatch", B200, app.env)
        assert isinstance(app.screen, ExportScreen)  # still open: save it too if you like


async def test_save_writes_the_file_atomically_with_mode_0644(rules, tmp_path):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, GB200_MULTI)
        screen = await open_export(pilot)
        await choose_target(pilot, screen, "srt-slurm")
        path = tmp_path / "sub" / "recipe.yaml"
        await save_to(pilot, screen, path)
        assert isinstance(app.screen, ConfirmScreen)  # the folder is missing: asked, never silent
        assert f"{path.parent} does not exist" in plain(app.screen.query_one(".question", Static))
        await pilot.press("y")
        await pilot.pause()
        assert path.read_text(encoding="utf-8") == core_export(rules, "srt-slurm", GB200_MULTI, app.env)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        assert status(screen) == f"Saved to {path}" and errors(screen) == ""
        assert any(title == "Export" and str(path) in message for title, _, message in notes(app))
        assert sorted(os.listdir(path.parent)) == ["recipe.yaml"]  # no temp file left


async def test_a_missing_folder_is_not_created_after_no(rules, tmp_path):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        await save_to(pilot, screen, tmp_path / "nonexistent" / "dir" / "x")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and not (tmp_path / "nonexistent").exists()
        assert "does not exist" in errors(screen)


async def test_the_saved_path_is_shown_in_full(rules, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        default = screen.query_one("#export-path", Input).value
        assert default.startswith("./")
        await save_to(pilot, screen, default)
        assert status(screen) == f"Saved to {tmp_path / default[2:]}"


async def test_enter_in_the_path_saves(rules, tmp_path):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        field = screen.query_one("#export-path", Input)
        field.value = str(tmp_path / "b200.yaml")
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "b200.yaml").read_text(encoding="utf-8") == preview(screen)


async def test_an_existing_file_is_replaced_only_after_yes(rules, tmp_path):
    path = tmp_path / "job.sbatch"
    path.write_text("old\n", encoding="utf-8")
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        await choose_target(pilot, screen, "sbatch")
        await save_to(pilot, screen, path)
        assert isinstance(app.screen, ConfirmScreen)
        assert str(path) in plain(app.screen.query_one(".question", Static))
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and path.read_text(encoding="utf-8") == "old\n"
        assert "kept" in errors(screen)
        await save_to(pilot, screen, path)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen and path.read_text(encoding="utf-8") == preview(screen)
        assert status(screen) == f"Saved to {path}"


async def test_escape_on_the_question_keeps_the_file(rules, tmp_path):
    path = tmp_path / "keep.yaml"
    path.write_text("mine\n", encoding="utf-8")
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        await save_to(pilot, screen, path)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and path.read_text(encoding="utf-8") == "mine\n"


async def test_escape_closes(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        await open_export(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        await pilot.press("E")  # and it opens again
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)


# --------------------------------------------------------------------------- errors


async def test_save_problems_are_shown_not_raised(rules, tmp_path):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, B200)
        screen = await open_export(pilot)
        await save_to(pilot, screen, tmp_path)
        assert "is a folder" in errors(screen)
        blocker = tmp_path / "a-file"
        blocker.write_text("", encoding="utf-8")
        await save_to(pilot, screen, blocker / "x.yaml")  # its folder is a file
        assert errors(screen).startswith("Not saved") and status(screen) == ""
        await save_to(pilot, screen, "")
        assert "Type the file" in errors(screen)
        assert isinstance(app.screen, ExportScreen)


async def test_nothing_to_export_is_shown_and_nothing_is_written(rules, tmp_path):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, GB300_ROLES)
        await pilot.press("2")
        await pilot.pause()
        app.overrides = Overrides(pd_mode="prefill")  # a role cell has no single base command
        await pilot.pause()
        screen = await open_export(pilot)
        assert preview(screen) == "" and "Nothing to export" in errors(screen)
        await save_to(pilot, screen, tmp_path / "x.yaml")
        await pilot.press("c")
        await pilot.pause()
        assert not (tmp_path / "x.yaml").exists() and app.clipboard == ""


async def test_the_palette_entry_opens_export(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        command = app.export_system_command()
        assert command.title == "Export" and all(target in command.help for target in TARGETS)
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.action_export()  # already open: not a second one
        await pilot.pause()
        assert sum(isinstance(s, ExportScreen) for s in app.screen_stack) == 1
