"""GPU checks: what the vendor tool sees, against what the command needs.

One probe (nvidia-smi on NVIDIA; rocm-smi, else amd-smi on AMD) feeds three results:
`gpu.detect` (what is there), `gpu.count` (enough of the right GPU) and `gpu.busy`
(another process already holds GPU memory).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..files import read_small
from .context import DoctorContext
from .gpu_parse import (
    AMD_SMI_METRIC_ARGS,
    AMD_SMI_STATIC_ARGS,
    NVIDIA_QUERY_ARGS,
    ROCM_SMI_ARGS,
    amd_gpus,
    matches,
    merge_fields,
    parse_amd_fields,
    parse_cuda_version,
)
from .gpu_parse import parse_nvidia_query as _parse_nvidia
from .model import FAIL, OK, SKIPPED, WARN, CheckResult, DoctorRequest, GpuInfo, fmt_bytes
from .proc import CommandResult, run_command
from .safe import first_line

CHECKS = (("gpu.detect", "GPUs"), ("gpu.count", "GPUs needed"), ("gpu.busy", "GPUs free"))
BUSY_BYTES = 2 * 2**30  # more used memory than this on an idle box means another process holds it


@dataclass
class GpuReport:
    """What the vendor tool said; `failed` is the run that explains an empty `gpus`."""

    tool: str
    gpus: list[GpuInfo] = field(default_factory=list)
    driver: str | None = None
    runtime: str | None = None  # "CUDA 12.4", "ROCm 6.2.0"
    truncated: bool = False
    failed: CommandResult | None = None


def probe_nvidia(ctx: DoctorContext) -> GpuReport:
    result = run_command(ctx, "nvidia-smi", NVIDIA_QUERY_ARGS)
    if not result.usable:
        return GpuReport("nvidia-smi", failed=result)
    gpus, driver = _parse_nvidia(result.stdout)
    report = GpuReport("nvidia-smi", gpus, driver, truncated=result.truncated, failed=None if gpus else result)
    if gpus:
        banner = run_command(ctx, "nvidia-smi", ())
        cuda = parse_cuda_version(banner.stdout) if banner.usable else None
        report.runtime = f"CUDA {cuda}" if cuda else None
    return report


def probe_amd(ctx: DoctorContext, detect: tuple[str, ...]) -> GpuReport:
    """rocm-smi first, then amd-smi; the first that lists a GPU wins."""
    rocm = run_command(ctx, "rocm-smi", ROCM_SMI_ARGS)
    if rocm.usable:
        gpus, driver = amd_gpus(*parse_amd_fields(rocm.stdout), detect)
        if gpus:
            return _with_rocm(ctx, GpuReport("rocm-smi", gpus, driver, truncated=rocm.truncated))
    static = run_command(ctx, "amd-smi", AMD_SMI_STATIC_ARGS)
    if static.usable:
        metric = run_command(ctx, "amd-smi", AMD_SMI_METRIC_ARGS)
        parsed = [parse_amd_fields(static.stdout)]
        if metric.usable:
            parsed.append(parse_amd_fields(metric.stdout))
        gpus, driver = amd_gpus(*merge_fields(*parsed), detect)
        if gpus:
            return _with_rocm(ctx, GpuReport("amd-smi", gpus, driver, truncated=static.truncated or metric.truncated))
    # Explain with the tool that got furthest: one that ran beats one that is missing.
    if static.missing and rocm.missing:
        return GpuReport("rocm-smi / amd-smi", failed=CommandResult("rocm-smi / amd-smi", missing=True))
    failed = rocm if static.missing else static
    return GpuReport(failed.tool, failed=failed)


def _with_rocm(ctx: DoctorContext, report: GpuReport) -> GpuReport:
    try:
        text = read_small(ctx.host_path("/opt/rocm/.info/version"), 4096)
    except OSError:
        return report
    version = first_line(text, 40)
    report.runtime = f"ROCm {version}" if version else None
    return report


def probe_gpus(request: DoctorRequest, ctx: DoctorContext) -> GpuReport:
    return probe_amd(ctx, request.detect) if request.vendor == "amd" else probe_nvidia(ctx)


def check_gpus(request: DoctorRequest, ctx: DoctorContext) -> Iterator[CheckResult]:
    report = probe_gpus(request, ctx)
    mine = [gpu for gpu in report.gpus if matches(gpu.name, request.detect, request.other_detect)]
    yield detect_result(request, ctx, report, mine)
    yield count_result(request, report, mine)
    yield busy_result(request, report, mine)


def describe(gpus: list[GpuInfo]) -> str:
    """'8 x NVIDIA H200 (140.4 GiB each, at least 139.9 GiB free)' for each kind of GPU."""
    parts = []
    for name, count in Counter(gpu.name for gpu in gpus).most_common():
        same = [gpu for gpu in gpus if gpu.name == name]
        totals = [gpu.total_bytes for gpu in same if gpu.total_bytes is not None]
        frees = [gpu.free_bytes for gpu in same if gpu.free_bytes is not None]
        memory = []
        if totals:
            memory.append(f"{fmt_bytes(max(totals))} each")
        if frees:
            memory.append(f"at least {fmt_bytes(min(frees))} free")
        parts.append(f"{count} x {name}" + (f" ({', '.join(memory)})" if memory else ""))
    return ", ".join(parts)


def _failure_fix(request: DoctorRequest, failed: CommandResult | None) -> str:
    tool = "nvidia-smi" if request.vendor == "nvidia" else "rocm-smi"
    if failed is not None and failed.missing:
        return f"install the {request.vendor.upper()} driver and tools, or run dsv4 on the GPU box"
    if failed is not None and failed.timed_out:
        return f"the driver may be stuck: `{tool}` must answer before a server can start (see dmesg)"
    return f"check the driver: `{tool}` must list the GPUs"


def detect_result(request: DoctorRequest, ctx: DoctorContext, report: GpuReport, mine: list[GpuInfo]) -> CheckResult:
    if not report.gpus:
        failed = report.failed
        reason = failed.problem(ctx.command_timeout) if failed and not failed.usable else f"{report.tool} listed no GPU"
        return CheckResult("gpu.detect", FAIL, reason, _failure_fix(request, failed))
    versions = [v for v in (f"driver {report.driver}" if report.driver else None, report.runtime) if v]
    message = describe(report.gpus) + (", " + ", ".join(versions) if versions else "") + f" ({report.tool})"
    if report.truncated:
        message += f"; output cut at {fmt_bytes(ctx.output_cap)}, GPUs after the cut not counted"
    gpus = tuple(report.gpus)
    if not mine:
        fix = "select the hardware this box has, or run the command on a box with " + request.hardware_label
        return CheckResult("gpu.detect", WARN, f"{message}: no {request.hardware_label}", fix, gpus=gpus)
    return CheckResult("gpu.detect", OK, message, gpus=gpus)


def count_result(request: DoctorRequest, report: GpuReport, mine: list[GpuInfo]) -> CheckResult:
    if not report.gpus:
        return CheckResult("gpu.count", SKIPPED, "no GPU could be read")
    need, have, label = request.gpus_per_node, len(mine), request.hardware_label
    if have >= need:
        uses = f"the command uses {need}" if have == need else f"the command uses {need} of them"
        return CheckResult("gpu.count", OK, f"{have} x {label} here, {uses}")
    return CheckResult(
        "gpu.count",
        FAIL,
        f"the command needs {need} x {label} per node; this box has {have}",
        f"run it on a box with {need} x {label}, or pick a selection that needs fewer GPUs",
    )


def busy_result(request: DoctorRequest, report: GpuReport, mine: list[GpuInfo]) -> CheckResult:
    known = [gpu for gpu in mine if gpu.used_bytes is not None]
    if not known:
        reason = f"no {request.hardware_label} with a memory reading" if report.gpus else "no GPU could be read"
        return CheckResult("gpu.busy", SKIPPED, reason)
    busy = [gpu for gpu in known if gpu.used_bytes is not None and gpu.used_bytes > BUSY_BYTES]
    if not busy:
        most = max(gpu.used_bytes or 0 for gpu in known)
        return CheckResult("gpu.busy", OK, f"no other process holds GPU memory (at most {fmt_bytes(most)} in use)")
    idle = [gpu.index for gpu in mine if gpu not in busy]
    held = ", ".join(f"GPU {gpu.index}: {fmt_bytes(gpu.used_bytes or 0)}" for gpu in busy[:8])
    more = f" and {len(busy) - 8} more" if len(busy) > 8 else ""
    message = f"{len(busy)} GPU(s) already hold memory ({held}{more})"
    tool = "nvidia-smi" if request.vendor == "nvidia" else "rocm-smi --showpids"
    if len(idle) >= request.gpus_per_node:
        var = "CUDA_VISIBLE_DEVICES" if request.vendor == "nvidia" else "HIP_VISIBLE_DEVICES"
        chosen = ",".join(str(index) for index in idle[: request.gpus_per_node])
        return CheckResult("gpu.busy", WARN, message, f"stop what runs there ({tool}), or set {var}={chosen}")
    return CheckResult("gpu.busy", FAIL, message, f"stop the processes that hold GPU memory (see {tool})")
