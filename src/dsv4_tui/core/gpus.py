"""What the GPU tools print, read: which GPUs this box has, matched to the rules' hardware.

Pure parsing of `nvidia-smi`, `rocm-smi` and `amd-smi` output; running them is the host's
job (`host/detect.py`). Linear time whatever a tool prints: string methods only, and lines
over `tool_text.MAX_LINE` characters skipped (`tool_text.py`).
"""

from __future__ import annotations

from collections import Counter

from .frozen import frozen
from .tool_text import bracket_index, is_number, leading_number, tool_lines
from .visible import visible_line

Hardware = list[tuple[str, list[str]]]  # (hardware id, names it goes by in tool output)

NVIDIA_ARGS = ("--query-gpu=name,memory.total", "--format=csv,noheader")
ROCM_ARGS = ("--showproductname", "--csv")
AMD_SMI_ARGS = ("static", "--asic")

_NOT_AVAILABLE = frozenset({"n/a", "[n/a", "n/a]", "[n/a]"})


def _gpu_index(line: str) -> tuple[str, bool] | None:
    """The GPU index a line names, and whether it is an amd-smi block header: "GPU[0] : ...",
    "card0,...", or "GPU: 0" (any case)."""
    text = line.lstrip()
    found = bracket_index(text, "GPU[")
    if found is not None:
        return str(found[0]), False
    head = text[:4].lower()
    if head == "card":
        number = leading_number(text[4:])
        after = text[4 + len(number) : 5 + len(number)]
        if number and not (after.isalnum() or after == "_"):  # card(\d+)\b
            return number, False
    if head == "gpu:":
        number = text[4:].strip()
        if is_number(number):
            return number, True
    return None


def _memory_mib(text: str) -> tuple[bool, int | None]:
    """'81559 MiB' as (True, 81559), 'N/A' as (True, None), anything else (False, None)."""
    if text.lower() in _NOT_AVAILABLE:
        return True, None
    number = leading_number(text)
    if number and text[len(number) :].lstrip().lower() == "mib":
        return True, int(number)
    return False, None


def _without_vendor(name: str) -> str:
    """'NVIDIA H200' as 'H200' ('NVIDIA' or 'AMD' then spaces, any case)."""
    for vendor in ("nvidia", "amd"):
        rest = name[len(vendor) :]
        if name[: len(vendor)].lower() == vendor and rest[:1].isspace():
            return rest.lstrip()
    return name


@frozen
class Detection:
    """The most common GPU kind found; `hw_id` is None when it has no recipe."""

    hw_id: str | None
    name: str
    count: int
    memory_mib: int | None
    tool: str

    def summary(self) -> str:
        """E.g. '8 x H200' or '4 x NVIDIA A100-SXM4-80GB' (the tool's name, made visible-safe)."""
        name = self.name if self.hw_id is None else _without_vendor(self.name)
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
    for line in tool_lines(output):
        if "," not in line:
            continue
        name, mem = (part.strip() for part in line.rsplit(",", 1))
        is_memory, mib = _memory_mib(mem)
        if not name or not is_memory:  # the header line, or garbage
            continue
        names.append(name)
        memory.setdefault(name, mib)
    if not names:
        return None
    name, count = Counter(names).most_common(1)[0]
    return Detection(match_hardware(name, hardware), name, count, memory[name], tool)


def parse_amd(output: str, hardware: Hardware, tool: str) -> Detection | None:
    """Find known GPU names in rocm-smi / amd-smi text; one GPU per index (or per row)."""
    names_by_gpu: dict[str, str] = {}
    block: str | None = None  # current amd-smi "GPU: n" block
    for row, line in enumerate(tool_lines(output)):
        index = _gpu_index(line)
        if index:
            key, is_block = index
            if is_block:
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
    for cell in line.replace(":", ",").replace("\t", ",").split(","):
        cell = cell.strip().strip('"').strip()
        if cell and match_hardware(cell, hardware) is not None:
            return cell
    return None
