"""Host memory checks: /dev/shm against the Docker args (Docker framing only), host RAM against the HiCache /
HiSparse host ratio (and the ratio to suggest, even when neither is on).

RAM comes from `<sysroot>/proc/meminfo`; /dev/shm's size from the file system under
`<sysroot>/dev/shm` (ctx.disk_usage).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ..files import read_small
from .context import DoctorContext
from .model import FAIL, OK, SKIPPED, WARN, CheckResult, DoctorRequest, fmt_bytes, fmt_decimal

CHECKS = (("host.shm", "/dev/shm"), ("host.ram", "Host RAM"))
# Sizes on the page are approximate ("~1 TB"): a box whose MemTotal is within this factor fits.
RAM_SLACK = 0.9
_MEMTOTAL_RE = re.compile(r"^MemTotal:\s*(\d+)\s*kB\s*$", re.MULTILINE | re.IGNORECASE)


def check_memory(request: DoctorRequest, ctx: DoctorContext) -> Iterator[CheckResult]:
    yield shm_result(request, ctx)
    yield ram_result(request, ctx)


def shm_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    if request.framing != "docker":  # --shm-size is a `docker run` flag: nothing of it applies here
        return CheckResult(
            "host.shm",
            SKIPPED,
            "Python framing: no --shm-size (that is Docker's); SGLang uses this box's /dev/shm as it is",
        )
    need = request.shm_bytes
    if need is None:
        return CheckResult("host.shm", SKIPPED, "no shared-memory size asked for")
    path = ctx.host_path("/dev/shm")
    try:
        total, _free = ctx.disk_usage(path)
    except OSError as exc:
        return CheckResult("host.shm", WARN, f"cannot read the size of /dev/shm: {exc.strerror or exc}")
    if total >= need:
        return CheckResult("host.shm", OK, f"/dev/shm is {fmt_bytes(total)} (needs {fmt_bytes(need)})")
    message = f"/dev/shm is {fmt_bytes(total)}; the command needs {fmt_bytes(need)}"
    fix = f"grow it: sudo mount -o remount,size={-(-need // 2**30)}G /dev/shm"
    # Docker's --ipc=host shares the host's /dev/shm: the container gets what the host has.
    return CheckResult("host.shm", FAIL, message, fix)


def mem_total(ctx: DoctorContext) -> int | None:
    """Host RAM in bytes (MemTotal), None if /proc/meminfo cannot be read."""
    try:
        text = read_small(ctx.host_path("/proc/meminfo"))
    except OSError:
        return None
    match = _MEMTOTAL_RE.search(text)
    return int(match.group(1)) * 1024 if match else None


def suggest_ratio(ram: int, ratios: Mapping[int, int]) -> int | None:
    """The largest ratio whose host RAM need this box meets (with RAM_SLACK); None if none."""
    fitting = [ratio for ratio, need in ratios.items() if ram >= need * RAM_SLACK]
    return max(fitting) if fitting else None


def ram_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    ram = mem_total(ctx)
    ratios = request.host_ratios
    if ram is None:
        status = WARN if request.host_cache else SKIPPED
        return CheckResult("host.ram", status, "cannot read MemTotal from /proc/meminfo")
    suggested = suggest_ratio(ram, ratios) if ratios else None
    have = f"{fmt_decimal(ram)} RAM"
    if not request.host_cache or not ratios:
        hint = f"; host ratio {suggested} fits" if suggested is not None else ""
        reason = "HiCache / HiSparse is off" if not request.host_cache else "no host ratio to check"
        return CheckResult("host.ram", SKIPPED, f"{reason} ({have}{hint})", suggested_host_ratio=suggested)
    smallest = min(ratios)
    if suggested is None:
        message = f"{have}: even host ratio {smallest} needs ~{fmt_decimal(ratios[smallest])}"
        fix = "turn HiCache / HiSparse off, or run on a box with more RAM"
        return CheckResult("host.ram", FAIL, message, fix)
    chosen = request.host_ratio
    if chosen is not None and chosen in ratios and ram < ratios[chosen] * RAM_SLACK:
        message = f"{have}: host ratio {chosen} needs ~{fmt_decimal(ratios[chosen])}; {suggested} fits"
        return CheckResult("host.ram", WARN, message, f"use host ratio {suggested}", suggested_host_ratio=suggested)
    fits = (
        f"host ratio {chosen} fits (up to {suggested})"
        if chosen not in (None, suggested)
        else f"host ratio {suggested} fits"
    )
    return CheckResult("host.ram", OK, f"{have}: {fits}", suggested_host_ratio=suggested)
