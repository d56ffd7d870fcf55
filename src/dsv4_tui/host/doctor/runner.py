"""Run every check, concurrently, bounded in time.

Checks come in groups that share one probe (one nvidia-smi call feeds three results). Each
group runs in a daemon thread; results are handed over as they arrive. A group that does
not finish within `ctx.check_timeout` (a safety net: each external command has its own,
shorter timeout) or that crashes gets a `warn` for every result it still owed, so a caller
always receives one result per planned check and never waits longer than that.

    for result in iter_doctor(request):          # as they arrive (e.g. in an app worker)
        ...
    results = run_doctor(request)                # all of them, in `planned_checks` order
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from . import docker, gpus, memory, network, sglang, weights
from .context import DoctorContext
from .model import WARN, CheckResult, DoctorRequest

GroupFn = Callable[[DoctorRequest, DoctorContext], Iterable[CheckResult]]


@dataclass(frozen=True)
class Group:
    name: str
    checks: tuple[tuple[str, str], ...]  # (id, title) in order
    run: GroupFn


GROUPS: tuple[Group, ...] = (
    Group("gpus", gpus.CHECKS, gpus.check_gpus),
    Group("sglang", sglang.CHECKS, sglang.check_sglang),
    Group("docker", docker.CHECKS, docker.check_docker),
    Group("memory", memory.CHECKS, memory.check_memory),
    Group("network", network.CHECKS, network.check_network),
    Group("weights", weights.CHECKS, weights.check_weights),
)

# The order results are listed in: what a reader checks first, first.
ORDER = (
    "gpu.detect", "gpu.count", "gpu.busy",
    "sglang.install", "sglang.flags",
    "docker.daemon", "docker.image", "docker.runtime", "host.shm",
    "net.ib", "net.node0",
    "weights.cache", "weights.disk", "weights.token",
    "host.port", "host.ram",
)  # fmt: skip
TITLES: dict[str, str] = {check_id: title for group in GROUPS for check_id, title in group.checks}


def planned_checks(groups: tuple[Group, ...] = GROUPS) -> list[tuple[str, str]]:
    """Every (id, title) a run reports, in display order: rows to show before results arrive."""
    ids = [check_id for group in groups for check_id, _ in group.checks]
    ids.sort(key=lambda check_id: ORDER.index(check_id) if check_id in ORDER else len(ORDER))
    titles = {check_id: title for group in groups for check_id, title in group.checks}
    return [(check_id, titles[check_id]) for check_id in ids]


def _run_group(group: Group, request: DoctorRequest, ctx: DoctorContext, out: queue.Queue) -> None:
    try:
        for result in group.run(request, ctx):
            out.put((group.name, result))
    except Exception as exc:  # a bug in a check: report it, keep the others going
        out.put((group.name, exc))
    finally:
        out.put((group.name, None))


def iter_doctor(
    request: DoctorRequest,
    ctx: DoctorContext | None = None,
    cancel: threading.Event | None = None,
    groups: tuple[Group, ...] = GROUPS,
) -> Iterator[CheckResult]:
    """Yield one result per planned check, as each arrives.

    Setting `cancel` (or closing the iterator) stops the run: running tools are killed and
    nothing more is yielded. Safe to call from a worker thread.
    """
    base = ctx if ctx is not None else DoctorContext.from_env()
    run_ctx = dataclasses.replace(base, cancel=cancel if cancel is not None else threading.Event())
    out: queue.Queue = queue.Queue()
    pending = {group.name: [check_id for check_id, _ in group.checks] for group in groups}
    for group in groups:
        threading.Thread(
            target=_run_group, args=(group, request, run_ctx, out), daemon=True, name=f"doctor {group.name}"
        ).start()
    deadline = time.monotonic() + run_ctx.check_timeout
    try:
        while pending and not run_ctx.cancel.is_set():
            try:
                name, item = out.get(timeout=max(0.0, min(deadline - time.monotonic(), 0.1)))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    yield from _owed(pending, f"no answer within {run_ctx.check_timeout:g} s")
                    return
                continue
            if run_ctx.cancel.is_set():  # what a cancelled tool said is not news
                return
            yield from _handle(pending, name, item)
    finally:
        run_ctx.cancel.set()  # kills tools still running in abandoned groups


def _handle(pending: dict[str, list[str]], name: str, item: object) -> Iterator[CheckResult]:
    owed = pending.get(name)
    if owed is None:
        return
    if isinstance(item, CheckResult):
        if item.id in owed:
            owed.remove(item.id)
            yield item
        return
    if isinstance(item, Exception):
        reason = f"the check crashed: {type(item).__name__}: {item}"
        yield from _owed({name: owed}, reason, "please report this as a dsv4 bug")
    else:  # the group ended: anything it did not report is owed
        yield from _owed({name: owed}, "the check reported nothing", "please report this as a dsv4 bug")
    pending.pop(name, None)


def _owed(pending: dict[str, list[str]], reason: str, fix: str = "run dsv4 doctor again") -> Iterator[CheckResult]:
    for owed in pending.values():
        for check_id in list(owed):
            owed.remove(check_id)
            yield CheckResult(check_id, WARN, reason, fix)


def run_doctor(
    request: DoctorRequest,
    ctx: DoctorContext | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    cancel: threading.Event | None = None,
    groups: tuple[Group, ...] = GROUPS,
) -> list[CheckResult]:
    """Every check's result, in `planned_checks` order; `on_result` is called as each arrives."""
    results: dict[str, CheckResult] = {}
    for result in iter_doctor(request, ctx, cancel, groups):
        results[result.id] = result
        if on_result is not None:
            on_result(result)
    return [results[check_id] for check_id, _ in planned_checks(groups) if check_id in results]
