"""SGLang checks: is it installed, which version, is `sglang` on PATH, and (later) its flags.

sglang is never imported. The version is read with importlib.metadata: in the Python
behind the `sglang` found on PATH (its shebang; that is the one `sglang serve` runs), and
in this Python (dsv4 may be installed next to it).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from .context import DoctorContext
from .model import FAIL, OK, SKIPPED, WARN, CheckResult, DoctorRequest
from .proc import run_argv
from .safe import first_line

CHECKS = (("sglang.install", "SGLang"), ("sglang.flags", "SGLang flags"))
DIST = "sglang"
_SNIPPET = (
    "import importlib.metadata as m\n"
    "try:\n    print(m.version('sglang'))\n"
    "except m.PackageNotFoundError:\n    print('')\n"
)
_VERSION_RE = re.compile(r"^[0-9][0-9A-Za-z.+!_-]{0,63}$")
_INSTALL_FIX = "install SGLang: pip install sglang (or uv pip install sglang), then run dsv4 doctor again"


def script_python(ctx: DoctorContext, script: str) -> str | None:
    """The interpreter named by `script`'s shebang ('#!/usr/bin/env python3' looked up on PATH)."""
    try:
        with open(script, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].decode("utf-8", errors="replace").split()
    if words and Path(words[0]).name == "env":
        words = [word for word in words[1:] if not word.startswith("-")]
        return ctx.which(words[0]) if words else None
    if not words or "python" not in Path(words[0]).name:
        return None
    return words[0] if shutil.which(words[0]) else None


def version_behind(ctx: DoctorContext, script: str) -> tuple[str | None, str]:
    """(version, problem) of sglang as the Python behind `script` sees it; problem is '' when read."""
    python = script_python(ctx, script)
    if python is None:
        return None, "its interpreter is not a Python dsv4 can ask"
    result = run_argv(ctx, Path(python).name, [python, "-c", _SNIPPET], ctx.command_timeout)
    if not result.ok:
        return None, result.problem(ctx.command_timeout)
    text = result.stdout.strip()
    if text == "":
        return None, f"{Path(python).name} does not have the sglang package"
    if not _VERSION_RE.match(text):
        return None, f'unreadable version "{first_line(text, 40)}"'
    return text, ""


def check_sglang(request: DoctorRequest, ctx: DoctorContext) -> Iterator[CheckResult]:
    install = install_result(request, ctx)
    yield install
    yield flags_result(request, install.sglang_version)


def install_result(request: DoctorRequest, ctx: DoctorContext) -> CheckResult:
    if request.framing == "docker":
        return CheckResult("sglang.install", SKIPPED, "Docker framing: SGLang runs inside the image")
    script = ctx.which("sglang")
    here = ctx.dist_version(DIST)
    if script is None:
        if here is None:
            return CheckResult(
                "sglang.install", FAIL, "SGLang is not installed and `sglang` is not on PATH", _INSTALL_FIX
            )
        return CheckResult(
            "sglang.install",
            WARN,
            f"sglang {here} is installed in this Python, but `sglang` is not on PATH",
            "activate that environment (or add its bin folder to PATH) before running the command",
            sglang_version=here,
        )
    version, problem = version_behind(ctx, script)
    if version is not None:
        return CheckResult("sglang.install", OK, f"sglang {version} ({script})", sglang_version=version)
    if here is not None:
        message = f"sglang {here} in this Python; could not ask the `sglang` on PATH: {problem}"
        return CheckResult(
            "sglang.install", WARN, message, f"check that {script} is the SGLang you mean", sglang_version=here
        )
    return CheckResult(
        "sglang.install", WARN, f"`sglang` is on PATH ({script}) but its version is unknown: {problem}", _INSTALL_FIX
    )


def flags_result(request: DoctorRequest, version: str | None) -> CheckResult:
    """The flags check: the caller's `flags_check(version)` when given, else not available yet."""
    if request.framing == "docker":
        return CheckResult("sglang.flags", SKIPPED, "Docker framing: the image's SGLang is not checked")
    if request.flags_check is None:
        return CheckResult("sglang.flags", SKIPPED, "flag check not available yet")
    if version is None:
        return CheckResult("sglang.flags", SKIPPED, "SGLang version unknown")
    try:
        result = request.flags_check(version)
    except Exception as exc:  # the caller's code: report, never crash the doctor
        return CheckResult("sglang.flags", WARN, f"flag check failed: {type(exc).__name__}: {exc}")
    return dataclasses.replace(result, id="sglang.flags")
