"""Shared by the run tests: start a run of the fake sglang, wait on its state, clean up."""

from __future__ import annotations

import time

from dsv4_tui.host.runs.store import RunRecord, all_runs, find, is_running


def until(condition, bound_s: float = 30.0, step: float = 0.02):
    """Poll `condition` until it holds (the assertion is on the state; the bound only stops a
    hung test). Returns its last value."""
    deadline = time.monotonic() + bound_s
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = condition()
    return value


def log_has(record: RunRecord, text: str) -> bool:
    try:
        return text in record.log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def stop_all() -> None:
    from dsv4_tui.host.runs.launch import stop

    for r in all_runs():
        if is_running(r):
            stop(r, grace=3.0)


def latest() -> RunRecord:
    record = find("latest")
    assert record is not None
    return record
