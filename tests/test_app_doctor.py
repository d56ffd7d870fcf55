"""The Doctor tab and the box's facts in the Playground, driven like a user (Pilot), on a fake
box: fake `nvidia-smi` / `sglang` first on PATH, a fake sysroot (DSV4_SYSROOT), a temporary
HF_HOME. Waits are on workers and on conditions, never on the clock."""

from __future__ import annotations

import pytest
from textual.command import CommandList

from doctor_fakes import box_as_environment, nvidia_rows
from dsv4_tui.app import DSV4App
from dsv4_tui.core.env import Env
from dsv4_tui.core.playground import Overrides, playground
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.doctor import DoctorContext, planned_checks, summary
from dsv4_tui.host.doctor.request import subject
from dsv4_tui.widgets.chips import ChipOption
from dsv4_tui.widgets.doctor_pane import DoctorPane
from fake_tools import wait_dead
from tui_helpers import focus_and_enter, pg_row, plain, press_chip, settle

SIZE = (120, 40)
GB300_BAL = Selection("gb300", "flash", "fp4", "balanced", "single")
BANNER = "| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |"


@pytest.fixture
def box(tmp_path, monkeypatch):
    return box_as_environment(tmp_path, monkeypatch)


def nvidia_smi(box, rows: list[str], release=None) -> None:
    """A fake nvidia-smi that logs each call (box.root/nvidia-smi.log); with `release`, it
    answers only once that file exists (bounded: it gives up after a minute)."""
    log = box.root / "nvidia-smi.log"
    wait = f'for i in $(seq 1 1200); do [ -e "{release}" ] && break; sleep 0.05; done\n' if release else ""
    lines = "\n".join(rows)
    box.tool(
        "nvidia-smi",
        f'echo "$$ $@" >> "{log}"\n{wait}case "$1" in\n'
        f"--query-gpu=index*) cat <<'EOF'\n{lines}\nEOF\n;;\n*) echo '{BANNER}' ;;\nesac",
    )


def doctor_calls(box) -> list[int]:
    """The pid of each nvidia-smi the doctor ran to list the GPUs (detection asks otherwise)."""
    log = box.root / "nvidia-smi.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [int(line.split()[0]) for line in lines if "memory.used" in line]


def doctor_runs(box) -> int:
    return len(doctor_calls(box))


def new_app(rules, detect: bool = False) -> DSV4App:
    app = DSV4App(rules, detect=detect, remember=False)
    app.doctor_context = DoctorContext.from_env(command_timeout=60.0, check_timeout=120.0)
    return app


def pane(app) -> DoctorPane:
    return app.query_one("#doctor-pane", DoctorPane)


def row(app, check_id: str) -> str:
    return pane(app).row_text(check_id)


def status(app) -> str:
    return plain(app.query_one("#doctor-status"))


def result(app, check_id: str):
    return next(r.result for r in app.doctor_view.rows if r.id == check_id and not r.stale)


async def finished(pilot) -> None:
    """Wait for the doctor (and every other worker) and for the last result to be on screen."""
    await pilot.app.background_started.wait()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# --------------------------------------------------------------------------- the Doctor tab


async def test_the_tab_shows_one_row_per_check_filled_in_from_the_tools(rules, box):
    nvidia_smi(box, nvidia_rows(8, name="NVIDIA B200", total_mib=183359))
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        app.choose("hw", "b200")
        await pilot.press("3")
        await finished(pilot)
        assert isinstance(app.focused, DoctorPane)
        texts = [row(app, check_id) for check_id, _ in planned_checks()]
        assert len(texts) == 16 and not any("checking…" in text for text in texts)
        assert row(app, "gpu.detect").startswith("✓ GPUs 8 x NVIDIA B200 (179.1 GiB each")
        assert row(app, "sglang.install") == (
            "✗ SGLang SGLang is not installed and `sglang` is not on PATH\n"
            "→ install SGLang: pip install sglang (or uv pip install sglang), then run dsv4 doctor again"
        )
        assert row(app, "docker.daemon") == "– Docker Python framing: Docker is not used"
        assert status(app) == summary(app.doctor_view.results) + " · r re-runs"
        assert summary(app.doctor_view.results).startswith("16 checks: ")
        shown = plain(app.query_one("#doctor-subject"))
        assert shown == f"Will it run on this box? {subject(rules, app.selection, 'python')}"
        assert shown.endswith(", Python framing") and "B200 · " in shown


async def test_nothing_runs_until_the_tab_is_shown(rules, box):
    nvidia_smi(box, nvidia_rows(8))
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "h200")
        await press_chip(pilot, "variant", "pro")
        await pilot.press("2", "1")
        await finished(pilot)
        assert doctor_runs(box) == 0
        assert app.doctor_view is None  # not even built: its modules load when it is first shown
        await pilot.press("3")
        await finished(pilot)
        assert doctor_runs(box) == 1 and result(app, "gpu.count").status == "ok"


async def test_a_hanging_nvidia_smi_never_holds_a_key_press(rules, box):
    release = box.root / "release"
    nvidia_smi(box, nvidia_rows(8), release=release)
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        app.choose("hw", "b200")
        await pilot.press("3")
        assert await settle(pilot, lambda: result(app, "sglang.install") is not None)
        assert row(app, "gpu.detect") == "… GPUs checking…" and app.doctor_view.running
        # While nvidia-smi hangs: switch tabs, press a chip, switch framing; each lands at once.
        await pilot.press("1")
        await press_chip(pilot, "hw", "h200")
        await pilot.press("p")
        await pilot.pause()
        assert app.selection.hw == "h200" and app.framing == "docker"
        assert app.doctor_view.running and result(app, "gpu.detect") is None  # the doctor has not finished
        release.touch()
        await finished(pilot)
        assert result(app, "gpu.detect").status == "warn"  # 8 x H200 here, the old run was for B200
        # Shown again after the change: a new run for the new state.
        await pilot.press("3")
        await finished(pilot)
        assert result(app, "gpu.detect").status == "ok"
        assert app.doctor_view.subject.startswith("H200 · ") and app.doctor_view.subject.endswith("Docker framing")


async def test_r_and_the_button_run_it_again(rules, box):
    nvidia_smi(box, nvidia_rows(8))
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await finished(pilot)
        assert doctor_runs(box) == 1
        await pilot.press("r")
        await finished(pilot)
        assert doctor_runs(box) == 2
        await pilot.click("#doctor-rerun")
        await finished(pilot)
        assert doctor_runs(box) == 3 and status(app).endswith("· r re-runs")


def matches(app) -> list[str]:
    """The command palette's results, as plain text, best first."""
    found = app.screen.query(CommandList)
    options = found.first().options if found else []
    return [str(getattr(option.prompt, "plain", option.prompt)) for option in options]


async def test_the_palette_shows_the_doctor_and_runs_it_again(rules, box):
    nvidia_smi(box, nvidia_rows(8))
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Doctor pane" in titles and "Doctor: run the checks again" in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Doctor: run the checks")
        assert await settle(pilot, lambda: matches(app) and matches(app)[0].startswith("Doctor: run the checks again"))
        await pilot.press("enter")
        await finished(pilot)
        assert app.tab == "doctor" and doctor_runs(box) == 1  # shown and run once, not twice
        # With the tab in front, the same entry runs it again.
        await app.run_action("doctor_rerun")
        await finished(pilot)
        assert doctor_runs(box) == 2


async def test_a_change_while_the_tab_is_shown_runs_it_again(rules, box):
    nvidia_smi(box, nvidia_rows(8))
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await finished(pilot)
        assert result(app, "docker.daemon").status == "skipped"
        await pilot.press("p")  # Docker framing, from the Doctor tab
        assert await settle(pilot, lambda: app.doctor_view.subject.endswith("Docker framing"))
        await finished(pilot)
        assert result(app, "docker.daemon").message == "docker not found on PATH"
        assert row(app, "docker.daemon").startswith("✗ Docker docker not found on PATH")


async def test_a_burst_of_changes_makes_one_run_and_cancels_the_one_under_way(rules, box):
    release = box.root / "release"
    nvidia_smi(box, nvidia_rows(8), release=release)
    app = new_app(rules)
    app.DOCTOR_DEBOUNCE = 60.0  # the burst is over long before: only `r` starts the next run
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        assert await settle(pilot, lambda: doctor_runs(box) == 1)
        await pilot.press("p", "p", "p")  # three changes while the first run hangs
        await pilot.pause()
        assert doctor_runs(box) == 1 and app.doctor_view.subject.endswith("Python framing")
        await pilot.press("r")  # the burst's one run, now
        assert await settle(pilot, lambda: doctor_runs(box) == 2)
        assert wait_dead(doctor_calls(box)[0])  # the first run was cancelled: its nvidia-smi killed
        assert app.doctor_view.running and app.doctor_view.subject.endswith("Docker framing")
        release.touch()
        await finished(pilot)
        assert doctor_runs(box) == 2 and not app.doctor_view.running
        assert all(r.result is not None and not r.stale for r in app.doctor_view.rows)
        assert "8 x NVIDIA H200" in result(app, "gpu.detect").message


async def test_quitting_during_a_run_kills_its_tools(rules, box):
    nvidia_smi(box, nvidia_rows(8), release=box.root / "never")
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        assert await settle(pilot, lambda: doctor_runs(box) == 1)
        await pilot.press("q")
    assert app.return_value is None and wait_dead(doctor_calls(box)[0])


# --------------------------------------------------------------------------- the box, in the Playground


async def pd_decode_playground(pilot) -> None:
    app = pilot.app
    for dim, value in zip(("hw", "variant", "quant", "strategy", "nodes"), GB300_BAL):
        app.choose(dim, value)
    await pilot.press("2")
    await pilot.pause()
    await focus_and_enter(pilot, pg_row(app, "pd_mode"), "decode")


def pg_chip(app, key: str, cid: str) -> ChipOption:
    option = pg_row(app, key).option(cid)
    assert option is not None, f"no chip {key}={cid}"
    return option


def rules_ib_devices(rules, app) -> list[str]:
    """The rules' IB-device choices offered for the app's base (AMD's NIC list is hidden here)."""
    from dsv4_tui.core.playground import knob_view

    return [c.id for c in knob_view(rules, app.selection, app.overrides, "pd_ib_device").choices if not c.hidden]


def ib_chips(app) -> list[str]:
    """The IB-device chips on offer."""
    return [o.id for o in pg_row(app, "pd_ib_device").shown_options()]


def pg_command(app) -> str:
    return plain(app.query_one("#playground-pane #pg-command .command"))


async def test_the_ib_chips_offer_this_boxs_devices(rules, box):
    box.ib("mlx5_2", "1: ACTIVE")
    box.ib("mlx5_3", "1: ACTIVE")
    app = new_app(rules, detect=True)
    async with app.run_test(size=SIZE) as pilot:
        await finished(pilot)
        untouched = playground(rules, GB300_BAL, Overrides(), app.framing, Env.defaults(rules).subst()).text
        await pd_decode_playground(pilot)
        assert ib_chips(app) == ["auto", "mlx5_2", "mlx5_3"]
        assert pg_chip(app, "pd_ib_device", "auto").state.selected
        assert "--disaggregation-ib-device" not in pg_command(app)  # auto: SGLang picks
        await focus_and_enter(pilot, pg_row(app, "pd_ib_device"), "mlx5_3")
        assert app.overrides.pd_ib_device == "mlx5_3"
        assert "--disaggregation-ib-device mlx5_3" in pg_command(app)
        await pilot.press("R")  # back to the Deploy cell: the same command as without the box
        await pilot.pause()
        assert pg_command(app) == untouched
        assert doctor_runs(box) == 0  # reading the box ran no tool of the doctor


async def test_without_devices_the_rules_list_is_offered(rules, box):
    app = new_app(rules, detect=True)
    async with app.run_test(size=SIZE) as pilot:
        await finished(pilot)
        await pd_decode_playground(pilot)
        assert ib_chips(app) == rules_ib_devices(rules, app)


@pytest.mark.parametrize("ram_kb, ratio", [(1_000_000_000, "5"), (2_000_000_000, "10")])
async def test_the_host_ratio_is_preselected_from_the_ram(rules, box, ram_kb, ratio):
    box.meminfo(ram_kb)
    app = new_app(rules, detect=True)
    async with app.run_test(size=SIZE) as pilot:
        await finished(pilot)
        await pd_decode_playground(pilot)
        await focus_and_enter(pilot, pg_row(app, "hisparse"), "on")
        assert pg_chip(app, "hisparse_ratio", ratio).state.selected
        assert app.overrides == Overrides(pd_mode="decode", hisparse=True)  # preselected, not picked
        assert f'"host_to_device_ratio":{ratio}}}' in pg_command(app)


async def test_no_detect_reads_nothing_of_the_box(rules, box):
    box.ib("mlx5_3", "1: ACTIVE")
    box.meminfo(1_000_000_000)
    app = new_app(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await finished(pilot)
        await pd_decode_playground(pilot)
        assert ib_chips(app) == rules_ib_devices(rules, app)
        await focus_and_enter(pilot, pg_row(app, "hisparse"), "on")
        assert pg_chip(app, "hisparse_ratio", str(rules.playground.hisparse.default_host_ratio)).state.selected
