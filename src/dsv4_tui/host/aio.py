"""`wait_within`: `asyncio.wait_for` without its lost-cancellation race.

On Python 3.10 and 3.11, `asyncio.wait_for` returns the inner result when the inner
awaitable finishes in the same loop step as the caller is cancelled: the cancellation is
swallowed (CPython gh-86296). The probe waits on a stream that delivers a token every few
milliseconds, so that step comes often, and a cancelled probe would keep streaming. Here a
cancellation of the caller always propagates, and the inner task is cancelled with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def wait_within(awaitable: Awaitable[T], seconds: float) -> T:
    """The result of `awaitable`, or `asyncio.TimeoutError` after `seconds` (the inner task
    is then cancelled). Cancelling the caller cancels the inner task and always raises."""
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=max(seconds, 0))
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        await asyncio.wait({task})  # let it unwind; a cancellation of ours still propagates
        raise asyncio.TimeoutError
    return task.result()
