"""`wait_within`: a cancelled caller is always cancelled (the probe's stop key relies on it)."""

from __future__ import annotations

import asyncio

import pytest

from dsv4_tui.host.aio import wait_within


async def test_returns_the_result():
    assert await wait_within(asyncio.sleep(0, result="done"), 5) == "done"


async def test_times_out_and_cancels_the_inner_task():
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def forever():
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(asyncio.TimeoutError):
        await wait_within(forever(), 0.01)
    assert started.is_set() and cancelled.is_set()


async def test_a_cancellation_in_the_same_step_as_the_result_is_not_lost():
    """The race that made a cancelled probe keep streaming: the awaited line arrives in the
    same loop step as the cancellation. `asyncio.wait_for` on 3.10/3.11 returns the line."""
    fut = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(wait_within(fut, 10))
    for _ in range(3):  # let the task reach its wait
        await asyncio.sleep(0)
    fut.set_result("a line")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancelling_the_caller_cancels_the_inner_task():
    inner_cancelled = asyncio.Event()

    async def forever():
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            inner_cancelled.set()
            raise

    task = asyncio.create_task(wait_within(forever(), 10))
    for _ in range(3):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0)
    assert inner_cancelled.is_set()
