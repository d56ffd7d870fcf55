"""Detect the local GPUs with the vendor tools, to preselect the hardware.

`detect_gpus` asks `nvidia-smi`, then `rocm-smi`, then `amd-smi`, each found on the
current PATH. Any problem (no tool, non-zero exit, timeout, output it cannot read)
gives None: detection is a convenience and never raises or prints.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass

Hardware = list[tuple[str, list[str]]]

NVIDIA_ARGS = ("--query-gpu=name,memory.total", "--format=csv,noheader")
ROCM_ARGS = ("--showproductname", "--csv")
AMD_SMI_ARGS = ("static", "--asic")

# A line naming a GPU index: "GPU[0] : ...", "card0,...", or an amd-smi block header "GPU: 0".
_GPU_INDEX_RE = re.compile(r"^\s*(?:GPU\[(\d+)\]|card(\d+)\b|GPU:\s*(\d+)\s*$)", re.IGNORECASE)
_MEMORY_RE = re.compile(r"^(?:(\d+)\s*MiB|\[?N/A\]?)$", re.IGNORECASE)
_VENDOR_PREFIX_RE = re.compile(r"^(?:NVIDIA|AMD)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Detection:
    """The most common GPU kind found; `hw_id` is None when it has no recipe."""

    hw_id: str | None
    name: str
    count: int
    memory_mib: int | None
    tool: str

    def label(self) -> str:
        """E.g. '8 x H200 detected' or '4 x NVIDIA A100-SXM4-80GB detected (no DeepSeek-V4 recipe)'."""
        if self.hw_id is None:
            return f"{self.count} x {self.name} detected (no DeepSeek-V4 recipe)"
        return f"{self.count} x {_VENDOR_PREFIX_RE.sub('', self.name)} detected"


def match_hardware(name: str, hardware: Hardware) -> str | None:
    """The hardware id whose substring occurs in `name` (case-insensitive); longest wins."""
    lowered = name.lower()
    best: tuple[int, str] | None = None
    for hw_id, substrings in hardware:
        for sub in substrings:
            if sub and sub.lower() in lowered and (best is None or len(sub) > best[0]):
                best = (len(sub), hw_id)
    return best[1] if best else None


def _run(tool: str, args: tuple[str, ...], timeout: float) -> str | None:
    """Run `tool` found on PATH; its stdout, or None on any failure. A hung tool is killed."""
    path = shutil.which(tool, path=os.environ.get("PATH", os.defpath))
    if path is None or timeout <= 0:
        return None
    try:
        proc = subprocess.Popen(
            [path, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # so a timeout can kill the tool's children too
        )
    except OSError:
        return None
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return None
    except BaseException:
        _kill(proc)
        raise
    if proc.returncode != 0:
        return None
    return out.decode("utf-8", errors="replace")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process (and its process group on POSIX) and reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except OSError:
        pass
    if proc.stdout is not None:
        proc.stdout.close()
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:  # pragma: no cover - unkillable process
        pass


def parse_nvidia_smi(output: str, hardware: Hardware, tool: str = "nvidia-smi") -> Detection | None:
    """Parse `name, memory.total` CSV lines (a header line is skipped)."""
    names: list[str] = []
    memory: dict[str, int | None] = {}
    for line in output.splitlines():
        if "," not in line:
            continue
        name, mem = (part.strip() for part in line.rsplit(",", 1))
        mem_match = _MEMORY_RE.match(mem)
        if not name or mem_match is None:  # the header line, or garbage
            continue
        names.append(name)
        memory.setdefault(name, int(mem_match.group(1)) if mem_match.group(1) else None)
    if not names:
        return None
    name, count = Counter(names).most_common(1)[0]
    return Detection(match_hardware(name, hardware), name, count, memory[name], tool)


def parse_amd(output: str, hardware: Hardware, tool: str) -> Detection | None:
    """Find known GPU names in rocm-smi / amd-smi text; one GPU per index (or per row)."""
    names_by_gpu: dict[str, str] = {}
    block: str | None = None  # current amd-smi "GPU: n" block
    for row, line in enumerate(output.splitlines()):
        index = _GPU_INDEX_RE.match(line)
        if index:
            key = next(group for group in index.groups() if group is not None)
            if index.group(3) is not None:
                block = key
        else:
            key = block if block is not None else f"row{row}"
        name = _known_name_in(line, hardware)
        if name is not None:
            names_by_gpu.setdefault(key, name)
    if not names_by_gpu:
        return None
    name, count = Counter(names_by_gpu.values()).most_common(1)[0]
    return Detection(match_hardware(name, hardware), name, count, None, tool)


def _known_name_in(line: str, hardware: Hardware) -> str | None:
    """The CSV / 'key: value' cell of `line` that names a known GPU, if any."""
    for cell in re.split(r"[,:\t]", line):
        cell = cell.strip().strip('"').strip()
        if cell and match_hardware(cell, hardware) is not None:
            return cell
    return None


def detect_gpus(hardware: Hardware, timeout: float = 2.0) -> Detection | None:
    """Detect the local GPUs within `timeout` seconds in total; None if nothing usable."""
    try:
        deadline = time.monotonic() + timeout
        output = _run("nvidia-smi", NVIDIA_ARGS, timeout)
        if output is not None:
            found = parse_nvidia_smi(output, hardware)
            if found is not None:
                return found
        for tool, args in (("rocm-smi", ROCM_ARGS), ("amd-smi", AMD_SMI_ARGS)):
            output = _run(tool, args, deadline - time.monotonic())
            if output is not None:
                found = parse_amd(output, hardware, tool)
                if found is not None:
                    return found
    except Exception:  # detection is best effort: never let it break the app
        return None
    return None
