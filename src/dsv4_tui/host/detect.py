"""Detect the local GPUs with the vendor tools, to preselect the hardware.

`detect` asks `nvidia-smi`, then `rocm-smi`, then `amd-smi`, each found on the current
PATH, within one time budget. It never raises: a result holds what was found, or one line
saying why nothing was (no tool, a tool that failed or hung, output it could not read).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..core.gpus import AMD_SMI_ARGS, NVIDIA_ARGS, ROCM_ARGS, Detection, Hardware, parse_amd, parse_nvidia_smi
from .run import run_tool

TOOLS = (
    ("nvidia-smi", NVIDIA_ARGS, parse_nvidia_smi),
    ("rocm-smi", ROCM_ARGS, parse_amd),
    ("amd-smi", AMD_SMI_ARGS, parse_amd),
)


@dataclass(frozen=True)
class Detected:
    found: Detection | None
    problem: str | None = None  # why nothing was found, in one line


def detect(hardware: Hardware, timeout: float = 2.0) -> Detected:
    """Detect the local GPUs within `timeout` seconds in total."""
    deadline = time.monotonic() + timeout
    problems: list[str] = []
    try:
        for tool, args, parse in TOOLS:
            result = run_tool(tool, args, deadline - time.monotonic())
            if result.missing:
                continue
            if result.problem:
                problems.append(result.problem)
                continue
            found = parse(result.stdout, hardware, tool)
            if found is not None:
                return Detected(found)
            problems.append(f"{tool} printed no GPU it could read")
    except Exception as exc:  # detection is best effort: never let it break the app
        return Detected(None, f"GPU detection failed: {type(exc).__name__}: {exc}")
    if not problems:
        return Detected(None, "No GPU detected: none of nvidia-smi, rocm-smi, amd-smi is on PATH")
    return Detected(None, "No GPU detected: " + "; ".join(problems))


def detect_gpus(hardware: Hardware, timeout: float = 2.0) -> Detection | None:
    """The detected GPUs, or None."""
    return detect(hardware, timeout).found
