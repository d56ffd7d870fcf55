"""The Run tab (4) and ▶ Run (g), driven like a user (Pilot), with the fake `sglang` on PATH
(tests/fake_sglang_cli.py) replaying realistic logs and serving on 127.0.0.1. Waits are on
conditions (bounded), never on the clock."""

from __future__ import annotations

import pytest

from dsv4_tui.app import DSV4App
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.doctor import DoctorContext
from dsv4_tui.host.runs.launch import start
from dsv4_tui.host.runs.session import make_record
from dsv4_tui.host.runs.store import is_running, state_of
from dsv4_tui.widgets.run_pane import RunPane
from run_helpers import latest, log_has, stop_all, until
from sglang_fake import free_port
from tui_helpers import settle

SIZE = (120, 48)
SEL = Selection("h200", "flash", "fp8", "low-latency", "single")
WAIT = 1500  # pauses of 20 ms: a bound for a hung test only


@pytest.fixture
def port(fake_sglang_cli, isolated_config):
    chosen = free_port()
    (isolated_config / "env.toml").write_text(f'PORT = "{chosen}"\nHOST_IP = "127.0.0.1"\n')
    (isolated_config / "state.toml").write_text('hw = "h200"\nvariant = "flash"\n')
    yield chosen
    stop_all()


def new_app(rules) -> DSV4App:
    app = DSV4App(rules, detect=False)
    app.doctor_context = DoctorContext.from_env(command_timeout=5.0, check_timeout=20.0)
    return app


def start_outside_the_app(rules, port: int):
    """A run started by `dsv4 run` (the same host code), before any app is open."""
    from dsv4_tui.core.env import Env
    from dsv4_tui.core.render import render_command

    env = Env(rules.model.placeholders, {"PORT": str(port), "HOST_IP": "127.0.0.1"})
    text = render_command(rules, SEL, "python", env.subst())
    return start(make_record(rules, SEL, "python", text, tmux=False), text)


def pane_text(app) -> str:
    return app.query_one("#run-pane", RunPane).text()


async def test_the_run_tab_says_how_to_start(rules, port):
    async with new_app(rules).run_test(size=SIZE) as pilot:
        await pilot.press("4")
        assert await settle(pilot, lambda: pilot.app.query("#run-pane"))
        assert pilot.app.tab == "run"
        assert "No run yet. ▶ Run (g) starts the command" in pane_text(pilot.app)


async def test_g_starts_after_two_confirmations_follows_phases_probe_and_metrics(rules, port, fake_sglang_cli):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        from dsv4_tui.screens.confirm_screen import ConfirmScreen

        assert await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), WAIT)
        assert f"Start this command on this box (port {port})?" in app.screen.question
        assert "sglang serve" in app.screen.question
        await pilot.press("y")
        # No GPU here: the Doctor fails, so it asks a second time.
        assert await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen) and "fail" in app.screen.question)
        assert "doctor fail: gpu.detect" in app.screen.question
        await pilot.press("y")
        assert await settle(pilot, lambda: app.tab == "run" and app.run_record is not None, WAIT)
        record = app.run_record
        assert record.command == app.view.command  # the exact text the Deploy pane shows
        assert await settle(pilot, lambda: "Downloading 23/46" in app.run_view.headline, WAIT)
        row = app.run_view.phases[0]
        assert (row.status, row.detail, round(row.fraction, 2)) == ("active", "23/46", 0.5)
        fake_sglang_cli.release("download")
        assert await settle(pilot, lambda: "Loading weights 12/46" in app.run_view.headline, WAIT)
        fake_sglang_cli.release("load")
        assert await settle(pilot, lambda: "Capturing CUDA graphs 5/12" in app.run_view.headline, WAIT)
        fake_sglang_cli.release("capture")
        assert await settle(pilot, lambda: app.run_view.probe, WAIT)
        assert app.run_view.probe[0].startswith("OK — the model on 127.0.0.1")
        assert "Model: sgl-project/DeepSeek-V4-Flash-FP8 (matches)" in app.run_view.probe
        assert await settle(pilot, lambda: app.run_view.sample is not None, WAIT)
        assert app.run_view.headline == "Ready: the server answers"
        assert app.run_view.sample.throughput == 1602.5 and app.run_view.sample.kv_usage == pytest.approx(0.41)
        text = pane_text(app)
        assert "Throughput" in text and "1602 tok/s" in text and "KV cache" in text
        # ■ Stop asks, then stops the process group.
        app.query_one("#run-pane", RunPane).focus()
        await pilot.press("S")
        assert await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        assert await settle(pilot, lambda: app.run_view.state == "stopped", WAIT)
        assert not is_running(record)


async def test_a_second_run_on_the_same_port_is_refused(rules, port):
    first = start_outside_the_app(rules, port)
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert await settle(pilot, lambda: any("Not started" in str(n.message) for n in app._notifications), WAIT)
        said = next(str(n.message) for n in app._notifications if "Not started" in str(n.message))
        assert f"run {first.id} already serves port {port}" in said


async def test_a_run_survives_the_app_and_the_next_app_reattaches(rules, port, fake_sglang_cli):
    fake_sglang_cli.release_all()
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        from dsv4_tui.screens.confirm_screen import ConfirmScreen

        for _ in range(2):
            assert await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), WAIT)
            await pilot.press("y")
            await pilot.pause()
        assert await settle(pilot, lambda: app.run_record is not None, WAIT)
        record = app.run_record
    assert is_running(record)  # the app is gone; the server is not
    assert until(lambda: log_has(record, "ready to roll"))
    again = new_app(rules)
    async with again.run_test(size=SIZE) as pilot:
        assert await settle(pilot, lambda: again.run_view.run_id == record.id, WAIT)
        assert await settle(pilot, lambda: again.run_view.sample is not None, WAIT)
        assert again.run_view.phases[-1].status == "done"
        await pilot.press("4")
        assert await settle(pilot, lambda: f"Run {record.id} · running · port {port}" in pane_text(again))
    assert latest().id == record.id


async def test_a_failure_is_explained_and_enter_applies_its_fix(rules, port, fake_sglang_cli):
    fake_sglang_cli.scenario("cuda-oom-graph")
    fake_sglang_cli.release_all()
    record = start_outside_the_app(rules, port)
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        assert await settle(pilot, lambda: app.run_view.failure is not None, WAIT)
        await pilot.press("4")
        assert await settle(pilot, lambda: app.query("#run-pane"))
        text = pane_text(app)
        assert "✗ cuda-oom-graph (phase: Capturing CUDA graphs), log line" in text
        assert "Exception: Capture cuda graph failed: CUDA out of memory." in text
        assert "Fix: Capture smaller graphs" in text
        assert "Enter: apply “set --cuda-graph-max-bs 64”" in text
        assert await settle(pilot, lambda: app.run_view.state.startswith("exited"), WAIT)
        assert await settle(pilot, lambda: app.linter is not None, WAIT)
        app.query_one("#run-pane", RunPane).focus()
        await pilot.press("enter")
        assert await settle(pilot, lambda: app.tab == "playground")
        assert ("set_flag", "--cuda-graph-max-bs", "64") in app.overrides.edits
        assert "--cuda-graph-max-bs 64" in app.playground_now().result.text
    assert state_of(record).startswith("exited")
