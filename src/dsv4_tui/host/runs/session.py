"""Gathering what `dsv4 run` and the app's ▶ Run decide on, and building the run's record.

`check_start` asks the box (the port, the runs recorded here) and takes the lint and doctor
outcomes the caller already has; `make_record` fills in the run's record before it starts.
"""

from __future__ import annotations

import time

from ...core.lookup import model_name
from ...core.rules import Rules
from ...core.run.plan import Target, hide_secrets, read_target, window_name
from ...core.run.preflight import Preflight, preflight
from ...core.selection import Selection
from ...core.view import unfilled
from .launch import in_tmux, port_in_use
from .store import RunRecord, new_id, running_on


def target_of(rules: Rules, text: str) -> Target:
    engine = rules.model.engine
    return read_target(text, engine.host_flag, engine.port_flag)


def check_start(
    rules: Rules,
    sel: Selection,
    text: str,
    *,
    several_roles: bool,
    lint_errors: list[str],
    doctor_fails: list[str],
) -> Preflight:
    target = target_of(rules, text)
    run = running_on(target.port) if target.port else None
    problem = port_in_use(target.host, target.port) if target.port and run is None else None
    return preflight(
        unfilled=unfilled(text),
        nodes=rules.node_count(sel.nodes),
        several_roles=several_roles,
        port=target.port,
        port_problem=problem,
        port_run=run.id if run else None,
        lint_errors=lint_errors,
        doctor_fails=doctor_fails,
    )


def sglang_version() -> str:
    from ..sglang_installed import find_installed_sglang

    found = find_installed_sglang()
    return (found.version or "installed, version unknown") if found else "not installed"


def make_record(
    rules: Rules,
    sel: Selection,
    framing: str,
    text: str,
    overrides: list[str] | None = None,
    *,
    tmux: bool | None = None,
    secrets: dict[str, str] | None = None,
) -> RunRecord:
    """The run's record; `secrets` (raw → masked) are masked in the command it keeps."""
    target = target_of(rules, text)
    assert target.port is not None
    use_tmux = in_tmux() if tmux is None else tmux
    cell = "-".join(sel.as_dict().values())
    return RunRecord(
        id=new_id(),
        command=hide_secrets(text, secrets or {}),
        selection=dict(sel.as_dict()),
        framing=framing,
        sglang_version=sglang_version(),
        started=time.time(),
        host=target.host,
        port=target.port,
        launcher="tmux" if use_tmux else "setsid",
        window=window_name(cell) if use_tmux else "",
        model=model_name(rules, sel),
        overrides=list(overrides or []),
    )
