"""What the GPU tools print, read: which GPUs this box has, matched to the rules' hardware.

Pure parsing of `nvidia-smi`, `rocm-smi` and `amd-smi` output; running them is the host's
job (`host/detect.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .visible import visible_line

Hardware = list[tuple[str, list[str]]]  # (hardware id, names it goes by in tool output)

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

    def summary(self) -> str:
        """E.g. '8 x H200' or '4 x NVIDIA A100-SXM4-80GB' (the tool's name, made visible-safe)."""
        name = self.name if self.hw_id is None else _VENDOR_PREFIX_RE.sub("", self.name)
        return f"{self.count} x {visible_line(name)}"

    def label(self, model: str = "this model") -> str:
        """E.g. '8 x H200 detected' or '4 x NVIDIA A100-SXM4-80GB detected (no DeepSeek-V4 recipe)'."""
        if self.hw_id is None:
            return f"{self.summary()} detected (no {model} recipe)"
        return f"{self.summary()} detected"


def match_hardware(name: str, hardware: Hardware) -> str | None:
    """The hardware id whose substring occurs in `name` (case-insensitive); longest wins."""
    lowered = name.lower()
    best: tuple[int, str] | None = None
    for hw_id, substrings in hardware:
        for sub in substrings:
            if sub and sub.lower() in lowered and (best is None or len(sub) > best[0]):
                best = (len(sub), hw_id)
    return best[1] if best else None


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
