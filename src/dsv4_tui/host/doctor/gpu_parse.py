"""Read the vendor tools' output: nvidia-smi CSV, rocm-smi and amd-smi text.

Parsers are pure and forgiving: a line they cannot read is skipped, so garbage gives an
empty list rather than an exception, and a cut output still gives the GPUs before the cut.
They take linear time whatever the tool prints: string methods only, no regular expression,
and a line over `core.tool_text.MAX_LINE` characters is skipped (see `core/tool_text.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ...core.tool_text import (
    bracket_index,
    digits_end,
    dotted_end,
    is_number,
    key_value,
    spaces_end,
    tool_lines,
)
from .model import GpuInfo

NVIDIA_FIELDS = "index,name,memory.total,memory.used,memory.free,driver_version"
NVIDIA_QUERY_ARGS = (f"--query-gpu={NVIDIA_FIELDS}", "--format=csv,noheader,nounits")
ROCM_SMI_ARGS = ("--showproductname", "--showmeminfo", "vram", "--showdriverversion")
AMD_SMI_STATIC_ARGS = ("static", "--asic", "--driver")
AMD_SMI_METRIC_ARGS = ("metric", "--mem-usage")

MIB = 2**20
_NA = {"", "n/a", "[n/a]", "not supported", "[not supported]"}
_UNIT_BYTES = {"b": 1, "kb": 2**10, "kib": 2**10, "mb": MIB, "mib": MIB, "gb": 2**30, "gib": 2**30, "tb": 2**40}

_CUDA = "cuda version"
_UNITS = frozenset(f"{p}{i}b" for p in ("", "k", "m", "g", "t") for i in ("", "i"))  # [KMGT]?i?B
_NAME_KEYS = ("card series", "market_name", "asic.market_name", "product_name", "card sku")
_TOTAL_KEYS = (("vram total memory (b)", "b"), ("mem_usage.total_vram", "mb"), ("total_vram", "mb"))
_USED_KEYS = (("vram total used memory (b)", "b"), ("mem_usage.used_vram", "mb"), ("used_vram", "mb"))
_DRIVER_KEYS = ("driver version", "driver.version", "driver_version")


def _mib(text: str) -> int | None:
    """MiB (nvidia-smi nounits) as bytes; None for N/A or garbage."""
    text = text.strip()
    if text.lower() in _NA or not text.isdigit():
        return None
    return int(text) * MIB


def parse_nvidia_query(output: str) -> tuple[list[GpuInfo], str | None]:
    """GPUs and the driver version from `nvidia-smi --query-gpu=NVIDIA_FIELDS --format=csv,noheader,nounits`."""
    gpus: list[GpuInfo] = []
    driver: str | None = None
    for line in tool_lines(output):
        parts = [part.strip() for part in line.split(",")]
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        name = ", ".join(parts[1:-4])
        total, used, free = (_mib(value) for value in parts[-4:-1])
        if not name:
            continue
        gpus.append(GpuInfo(int(parts[0]), name, total, used, free))
        if parts[-1].lower() not in _NA:
            driver = driver or parts[-1]
    return gpus, driver


def parse_cuda_version(output: str) -> str | None:
    """'12.4' from the `nvidia-smi` banner (or `nvidia-smi --version`)."""
    for line in tool_lines(output):
        lowered = line.lower()
        at = lowered.find(_CUDA)
        while at >= 0:  # each look ends before the next "cuda version": linear in the line
            i = spaces_end(line, at + len(_CUDA))
            if i < len(line) and line[i] == ":":
                start = spaces_end(line, i + 1)
                end = dotted_end(line, start)
                if end > start:
                    return line[start:end]
            at = lowered.find(_CUDA, at + len(_CUDA))
    return None


def _rocm_line(line: str) -> tuple[int, str, str] | None:
    """'GPU[0] : Card Series: AMD Instinct MI300X' as (0, 'Card Series', 'AMD Instinct MI300X')."""
    found = bracket_index(line.lstrip(), "GPU[")
    if found is None:
        return None
    index, rest = found
    rest = rest.lstrip()
    if not rest.startswith(":"):
        return None
    key, sep, value = rest[1:].partition(":")
    return (index, key.strip(), value.strip()) if sep else None


def _amd_block(line: str) -> int | None:
    """'GPU: 0' (amd-smi's block header, any case and spacing) as 0."""
    head, sep, number = line.partition(":")
    number = number.strip()
    return int(number) if sep and head.strip().lower() == "gpu" and is_number(number) else None


def parse_amd_fields(output: str) -> tuple[dict[int, dict[str, str]], dict[str, str]]:
    """Per-GPU 'key: value' fields and the global ones from rocm-smi or amd-smi text.

    rocm-smi writes 'GPU[0] : Card Series: AMD Instinct MI300X'; amd-smi writes a
    'GPU: 0' block with nested 'SECTION:' headers, kept as 'section.key' and as 'key'.
    Keys are lower case.
    """
    per_gpu: dict[int, dict[str, str]] = {}
    globals_: dict[str, str] = {}
    block: int | None = None
    section = ""
    for line in tool_lines(output):
        rocm = _rocm_line(line)
        if rocm:
            per_gpu.setdefault(rocm[0], {}).setdefault(rocm[1].lower(), rocm[2])
            continue
        header = _amd_block(line)
        if header is not None:
            block, section = header, ""
            per_gpu.setdefault(block, {})
            continue
        pair = key_value(line)
        if pair is None:
            continue
        key, value = pair[0].lower(), pair[1]
        if block is None:
            globals_.setdefault(key, value)
        elif not value:
            section = key
        else:
            fields = per_gpu[block]
            fields.setdefault(f"{section}.{key}" if section else key, value)
            fields.setdefault(key, value)
    return per_gpu, globals_


def merge_fields(
    *parsed: tuple[dict[int, dict[str, str]], dict[str, str]],
) -> tuple[dict[int, dict[str, str]], dict[str, str]]:
    """Several tool outputs' fields as one (the first value of a key wins)."""
    per_gpu: dict[int, dict[str, str]] = {}
    globals_: dict[str, str] = {}
    for gpus, glob in parsed:
        for index, fields in gpus.items():
            target = per_gpu.setdefault(index, {})
            for key, value in fields.items():
                target.setdefault(key, value)
        for key, value in glob.items():
            globals_.setdefault(key, value)
    return per_gpu, globals_


def _amount(value: str, default_unit: str) -> int | None:
    """'206141652992' (unit given by the key), '196592 MB' (amd-smi's MB are MiB) as bytes."""
    value = value.strip()
    end = digits_end(value)
    if 0 < end < len(value) and value[end] == "." and digits_end(value, end + 1) > end + 1:
        end = digits_end(value, end + 1)  # one fraction, as in '1.5 GB'
    number, unit = value[:end], value[end:].lstrip().lower()
    if not number or (unit and unit not in _UNITS):
        return None
    return int(float(number) * _UNIT_BYTES.get(unit or default_unit.lower(), 1))


def _first(fields: Mapping[str, str], keys: Iterable[str]) -> str | None:
    for key in keys:
        if fields.get(key):
            return fields[key]
    return None


def _first_amount(fields: Mapping[str, str], keys: Iterable[tuple[str, str]]) -> int | None:
    for key, unit in keys:
        if key in fields:
            amount = _amount(fields[key], unit)
            if amount is not None:
                return amount
    return None


def _amd_name(fields: Mapping[str, str], detect: Iterable[str]) -> str | None:
    """The value naming the GPU: one that contains a detect substring, else a name key."""
    subs = [sub.lower() for sub in detect if sub]
    for value in fields.values():
        if any(sub in value.lower() for sub in subs):
            return value
    return _first(fields, _NAME_KEYS)


def amd_gpus(
    per_gpu: Mapping[int, Mapping[str, str]], globals_: Mapping[str, str], detect: Iterable[str]
) -> tuple[list[GpuInfo], str | None]:
    """GPUs (those with a name) and the driver version from parsed AMD fields."""
    detect = tuple(detect)
    gpus: list[GpuInfo] = []
    driver = _first(globals_, _DRIVER_KEYS)
    for index in sorted(per_gpu):
        fields = per_gpu[index]
        name = _amd_name(fields, detect)
        if not name:
            continue
        total = _first_amount(fields, _TOTAL_KEYS)
        used = _first_amount(fields, _USED_KEYS)
        free = total - used if total is not None and used is not None else None
        gpus.append(GpuInfo(index, name, total, used, free))
        driver = driver or _first(fields, _DRIVER_KEYS)
    return gpus, driver


def _longest(lowered: str, subs: Iterable[str]) -> int:
    return max((len(sub) for sub in subs if sub and sub.lower() in lowered), default=0)


def matches(name: str, detect: Iterable[str], others: Iterable[str] = ()) -> bool:
    """Whether a GPU name is this hardware: it contains one of `detect` (case-insensitive),
    and no longer substring of another hardware (`others`), so 'B200' leaves 'GB200' alone."""
    lowered = name.lower()
    ours = _longest(lowered, detect)
    return ours > 0 and ours >= _longest(lowered, others)
