"""Weights checks: the model in the Hugging Face cache, the disk free for the rest, HF_TOKEN.

In Docker framing the cache that counts is the host side of the command's volume
(`request.docker_hf_home`), whatever HF_HOME says: that is what the container sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .context import DoctorContext
from .hfcache import CachedModel, hub_cache_dir, scan_model, token_available
from .model import FAIL, OK, SKIPPED, WARN, CheckResult, DoctorRequest, fmt_decimal
from .safe import first_line

CHECKS = (("weights.cache", "Weights"), ("weights.disk", "Disk space"), ("weights.token", "HF_TOKEN"))
COMPLETE_SHARE = 0.97  # without a shard index, this share of the model's size counts as downloaded
DISK_MARGIN = 1.05  # free space wanted over what is left to download


def cache_dir_for(request: DoctorRequest, ctx: DoctorContext) -> Path:
    if request.framing == "docker":
        return ctx.expand(request.docker_hf_home) / "hub"
    return hub_cache_dir(ctx)


def check_weights(request: DoctorRequest, ctx: DoctorContext) -> Iterator[CheckResult]:
    cache_dir = cache_dir_for(request, ctx)
    model: CachedModel | None = None
    if request.model_repo is None:
        yield CheckResult("weights.cache", SKIPPED, "no model for this selection")
    else:
        try:
            model = scan_model(cache_dir, request.model_repo)
        except ImportError:
            yield CheckResult(
                "weights.cache", SKIPPED, "huggingface_hub is not installed", "pip install huggingface_hub"
            )
        except PermissionError:  # a folder on the way this user may not search or list
            yield CheckResult(
                "weights.cache",
                WARN,
                f"cannot read the cache {cache_dir}: permission denied",
                "run as the user who downloads the weights, or give this user read access to the folder",
            )
        except Exception as exc:  # a cache it cannot read must not stop the other checks
            reason = first_line(str(exc)) or type(exc).__name__
            yield CheckResult("weights.cache", WARN, f"cannot scan the cache {cache_dir}: {reason}", "")
        else:
            yield cache_result(request, model)
    yield disk_result(request, ctx, cache_dir, model)
    yield token_result(request, ctx)


def is_complete(request: DoctorRequest, model: CachedModel) -> bool:
    if not model.found or model.incomplete_bytes:
        return False
    shards = model.shards_complete
    if shards is not None:
        return shards
    if request.model_bytes:
        return model.present_bytes >= request.model_bytes * COMPLETE_SHARE
    return model.present_bytes > 0


def _download_fix(request: DoctorRequest, model: CachedModel) -> str:
    fix = f"hf download {request.model_repo}"
    if request.framing == "docker":
        fix += f" --cache-dir {model.cache_dir}"
    return fix


def cache_result(request: DoctorRequest, model: CachedModel) -> CheckResult:
    repo = request.model_repo
    size = f"~{fmt_decimal(request.model_bytes)}" if request.model_bytes else "the weights"
    if not model.found and model.problems:
        message = f"{repo}'s cache entry is damaged: {first_line(model.problems[0], 160)}"
        return CheckResult("weights.cache", WARN, message, "download it again: " + _download_fix(request, model))
    if not model.found:
        message = f"{repo} is not in the cache ({model.cache_dir}): sglang downloads {size} when it starts"
        return CheckResult("weights.cache", WARN, message, "download it ahead: " + _download_fix(request, model))
    have = fmt_decimal(model.present_bytes)
    shards = f"{model.shards_present} of {model.shards_total} weight files, " if model.shards_total is not None else ""
    if is_complete(request, model):
        return CheckResult("weights.cache", OK, f"{repo} is in the cache: {shards}{have} ({model.cache_dir})")
    parts = [f"{repo} is partly in the cache: {shards}{have}"]
    if request.model_bytes:
        parts[0] += f" of {size}"
    if model.incomplete_bytes:
        parts.append(f"an interrupted download left {fmt_decimal(model.incomplete_bytes)}")
    parts += [first_line(problem, 120) for problem in model.problems[:1]]
    return CheckResult("weights.cache", WARN, "; ".join(parts), "finish the download: " + _download_fix(request, model))


def _existing(path: Path) -> Path:
    """`path`, else its nearest parent that exists and can be looked at (a folder this user
    may not search counts as not there: its parent's disk is the one that counts)."""
    while path.parent != path:
        try:
            if path.exists():
                return path
        except OSError:  # PermissionError: a parent cannot be searched
            pass
        path = path.parent
    return path


def disk_result(request: DoctorRequest, ctx: DoctorContext, cache_dir: Path, model: CachedModel | None) -> CheckResult:
    if request.model_repo is None:
        return CheckResult("weights.disk", SKIPPED, "no model for this selection")
    if model is not None and is_complete(request, model):
        return CheckResult("weights.disk", OK, "the weights are already downloaded")
    if not request.model_bytes:
        return CheckResult("weights.disk", SKIPPED, "the model's size is unknown")
    left = max(request.model_bytes - (model.present_bytes if model else 0), 0)
    where = _existing(cache_dir)
    try:
        _total, free = ctx.disk_usage(where)
    except OSError as exc:
        return CheckResult("weights.disk", WARN, f"cannot read the free space under {where}: {exc.strerror or exc}")
    if free >= left * DISK_MARGIN:
        return CheckResult(
            "weights.disk", OK, f"~{fmt_decimal(left)} to download, {fmt_decimal(free)} free under {where}"
        )
    fix = "free space there, or point HF_HOME at a bigger disk"
    if request.framing == "docker":
        fix = "free space there, or mount a bigger disk as the cache volume"
    message = f"~{fmt_decimal(left)} to download but only {fmt_decimal(free)} free under {where}"
    return CheckResult("weights.disk", FAIL, message, fix)


def token_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    if request.framing == "docker":
        if request.hf_token_set:
            return CheckResult("weights.token", OK, "HF_TOKEN is set in the Env and passed to the container")
        message = "the command passes the placeholder as HF_TOKEN: the hub may refuse the download"
        if request.token_needed:
            message = "the weights need an HF token and HF_TOKEN is not set in the Env"
        return CheckResult("weights.token", FAIL if request.token_needed else WARN, message, "set HF_TOKEN in the Env")
    if not request.token_needed:
        return CheckResult("weights.token", SKIPPED, "the weights are public: no token needed")
    if request.hf_token_set or token_available(ctx):
        return CheckResult("weights.token", OK, "an HF token is available")
    return CheckResult(
        "weights.token",
        FAIL,
        "the weights need an HF token and none is set",
        "export HF_TOKEN=<your-hf-token>, or run: hf auth login",
    )
