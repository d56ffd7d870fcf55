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
from tui_helpers import notes, settle

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
        assert await settle(pilot, lambda: any("Not started" in m for _, _, m in notes(app)), WAIT)
        said = next(m for _, _, m in notes(app) if "Not started" in m)
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
        assert await settle(pilot, lambda: again.run_view is not None and again.run_view.run_id == record.id, WAIT)
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
        assert await settle(pilot, lambda: app.run_view is not None and app.run_view.failure is not None, WAIT)
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


# -- ▶ Run's confirmations: once when the checks pass, twice when they do not --------------
@pytest.fixture
def passing_box(tmp_path, bin_dir):
    """A Doctor context on a fake box where every check passes or warns: 8 x H200 (fake
    nvidia-smi), RAM, a large disk, and the fake `sglang` on its PATH."""
    from doctor_fakes import GIB, fake_nvidia_smi, new_box, nvidia_rows

    (tmp_path / "box").mkdir()
    box = new_box(tmp_path / "box")
    fake_nvidia_smi(box, nvidia_rows(8))
    box.meminfo(2 * 1024**3)
    box.disk = {"/": (10_000 * GIB, 5_000 * GIB)}
    path = f"{bin_dir}:{box.bin}:/usr/bin:/bin"
    return box.ctx(env=box.env(PATH=path), command_timeout=5.0, check_timeout=20.0)


def runs_here(isolated_config) -> list[str]:
    """The run folders in the state dir (a run never started leaves none)."""
    folder = isolated_config / "runs"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


async def ask(pilot, app) -> str:
    """Press g and wait for the question; return it."""
    from dsv4_tui.screens.confirm_screen import ConfirmScreen

    await pilot.press("g")
    assert await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), WAIT)
    return app.screen.question


async def test_g_asks_once_and_runs_when_lint_and_doctor_pass(rules, port, passing_box, isolated_config):
    from dsv4_tui.screens.confirm_screen import ConfirmScreen

    app = new_app(rules)
    app.doctor_context = passing_box
    async with app.run_test(size=SIZE) as pilot:
        question = await ask(pilot, app)
        assert f"Start this command on this box (port {port})?" in question
        first = app.screen
        await pilot.press("y")
        assert await settle(pilot, lambda: app.run_record is not None, WAIT)
        assert not isinstance(app.screen, ConfirmScreen) and app.screen is not first  # asked once
        record = app.run_record
        assert until(lambda: log_has(record, "Using model weights format"))
        assert is_running(record) and runs_here(isolated_config) == [record.id]
        assert await settle(pilot, lambda: "Downloading" in app.run_view.headline, WAIT)


async def test_g_cancelled_starts_nothing(rules, port, passing_box, isolated_config):
    app = new_app(rules)
    app.doctor_context = passing_box
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, app)
        await pilot.press("n")
        assert await settle(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.pause(0.2)
        assert app.run_record is None
    assert runs_here(isolated_config) == []  # no process, no record, no folder


async def test_a_lint_error_asks_a_second_time_and_no_refuses(rules, port, passing_box, isolated_config):
    from dsv4_tui.core.lint.findings import Edit, Fix

    app = new_app(rules)
    app.doctor_context = passing_box
    async with app.run_test(size=SIZE) as pilot:
        assert await settle(pilot, lambda: app.linter is not None, WAIT)
        app.apply_fix(Fix("NGRAM", (Edit("set_flag", "--speculative-algorithm", "NGRAM"),)))
        assert await settle(pilot, lambda: app.tab == "playground")
        assert "--speculative-algorithm NGRAM" in app.current_command()
        first = await ask(pilot, app)
        assert "--speculative-algorithm NGRAM" in first and "fail" not in first
        await pilot.press("y")
        assert await settle(pilot, lambda: "These checks fail" in getattr(app.screen, "question", ""), WAIT)
        second = app.screen.question
        assert "lint error: dsv4-speculative-algorithm" in second and "doctor fail" not in second
        await pilot.press("n")
        assert await settle(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.pause(0.2)
        assert app.run_record is None
    assert runs_here(isolated_config) == []


async def test_a_placeholder_is_refused_without_asking(rules, port, passing_box, isolated_config, monkeypatch):
    from dsv4_tui.screens.confirm_screen import ConfirmScreen

    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    app = new_app(rules)
    app.doctor_context = passing_box
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")  # Docker framing: --env "HF_TOKEN=<your-hf-token>"
        assert await settle(pilot, lambda: "<your-hf-token>" in app.current_command())
        await pilot.press("g")
        assert await settle(pilot, lambda: any("Not started" in m for _, _, m in notes(app)), WAIT)
        said = next(m for _, _, m in notes(app) if "Not started" in m)
        assert "the command still holds placeholders: <your-hf-token>" in said
        assert not isinstance(app.screen, ConfirmScreen) and app.run_record is None
    assert runs_here(isolated_config) == []


async def test_g_before_the_checks_are_ready_still_lints_the_command(rules, port, passing_box, monkeypatch):
    """The checks' table loads in a thread at start-up; ▶ Run pressed before it is ready must
    still find the lint error (and ask a second time), not start on an unchecked command."""
    import threading

    from dsv4_tui.host import lint_setup
    from dsv4_tui.screens.confirm_screen import ConfirmScreen

    ready = threading.Event()
    real = lint_setup.make_linter

    def slow_make_linter(*args, **kwargs):
        ready.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(lint_setup, "make_linter", slow_make_linter)
    app = new_app(rules)
    app.doctor_context = passing_box
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.overrides = app.overrides.with_(edits=(("set_flag", "--speculative-algorithm", "NGRAM"),))
            await app.action_show_tab("playground")
            assert await settle(pilot, lambda: "--speculative-algorithm NGRAM" in app.current_command())
            assert app.linter is None
            await pilot.press("g")
            ready.set()  # the table finishes loading
            assert await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen), WAIT)
            await pilot.press("y")
            assert await settle(pilot, lambda: "These checks fail" in getattr(app.screen, "question", ""), WAIT)
            assert "lint error: dsv4-speculative-algorithm" in app.screen.question
            await pilot.press("n")
            await pilot.pause(0.2)
            assert app.run_record is None
    finally:
        ready.set()


async def test_g_asks_twice_when_the_checks_cannot_run(rules, port, passing_box, monkeypatch):
    from dsv4_tui.host import lint_setup

    def broken(*args, **kwargs):
        raise ValueError("the SGLang flag table is unreadable")

    monkeypatch.setattr(lint_setup, "make_linter", broken)
    app = new_app(rules)
    app.doctor_context = passing_box
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, app)
        await pilot.press("y")
        assert await settle(pilot, lambda: "These checks fail" in getattr(app.screen, "question", ""), WAIT)
        assert "the checks could not run: ValueError: the SGLang flag table is unreadable" in app.screen.question
        await pilot.press("y")
        assert await settle(pilot, lambda: app.run_record is not None, WAIT)
