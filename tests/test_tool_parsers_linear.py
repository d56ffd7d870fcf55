"""The GPU tools' output is read in linear time (issue 19, HIGH 3).

`rocm-smi` printing `GPU[0] : ` and 4 KB of spaces took 20 s in a backtracking regular
expression (200 KB: over 10 minutes), holding the GIL, so the app froze and no timeout
helped. The parsers now use string methods only (no regular expression in their modules)
and skip lines over `MAX_LINE` characters. The tests:

- the parser modules import no `re` (the structure that makes them linear);
- every parser, and each line helper on an uncapped line, gets 1 MB lines of the shapes
  that made the old patterns cubic or quadratic, and still finds the GPUs around them
  (a pathological parser would hang the suite here: no timed assertion);
- on many random short lines, each helper agrees with the regular expression it replaces.
"""

from __future__ import annotations

import ast
import random
import re

import pytest

from conftest import ROOT
from dsv4_tui.core import gpus as core_gpus
from dsv4_tui.core import tool_text
from dsv4_tui.core.gpus import parse_amd, parse_nvidia_smi
from dsv4_tui.host.doctor import gpu_parse
from dsv4_tui.host.doctor.gpu_parse import amd_gpus, parse_amd_fields, parse_cuda_version, parse_nvidia_query

MB = 1 << 20
HW = [("h200", ["H200"]), ("mi300x", ["MI300X"])]

PARSER_MODULES = [
    "src/dsv4_tui/core/tool_text.py",
    "src/dsv4_tui/core/gpus.py",
    "src/dsv4_tui/host/doctor/gpu_parse.py",
]


@pytest.mark.parametrize("path", PARSER_MODULES)
def test_the_tool_parsers_use_no_regular_expression(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"re", "regex"}


def hostile_lines() -> list[str]:
    """1 MB lines shaped to make the old patterns backtrack."""
    return [
        "GPU[0] : " + " " * MB,  # _ROCM_LINE_RE: cubic
        "GPU[0] : a" + " :" * (MB // 2) + "x",
        "GPU[0]" + " " * MB + "x",
        "  Key" + " " * MB + "x",  # _KEY_VALUE_RE: quadratic
        "a: x" + " " * MB + "y",
        "a" + "b " * (MB // 2) + ":",
        "GPU: " + "1" * (MB // 2) + " " * (MB // 2) + "x",  # _GPU_INDEX_RE / _AMD_BLOCK_RE
        "GPU" + " " * MB + ": 1x",
        "card" + "1" * MB + "x",
        "CUDA Version" + " " * MB + "x",  # _CUDA_RE
        "CUDA Version: " + "1." * (MB // 2) + "x",
        "1." * (MB // 2) + "x",
        "CUDA Version" * (MB // 12),
        "CUDA Version:" * (MB // 13),
        "name, " + "1" * MB + " MiBx",  # _MEMORY_RE
        "0, " + "H200, " * (MB // 6) + "1, 2, 3, 4",  # the nvidia query CSV
        " " * MB,
        ":" * MB,
        "\t," * (MB // 2),
    ]


def _around(lines: list[str], before: str, after: str) -> str:
    return "\n".join([before, *lines, after]) + "\n"


def test_nvidia_query_with_1mb_lines():
    text = _around(
        hostile_lines(), "0, NVIDIA H200, 143771, 0, 143771, 570.1", "1, NVIDIA H200, 143771, 1, 143770, 570.1"
    )
    gpus, driver = parse_nvidia_query(text)
    assert [g.index for g in gpus] == [0, 1] and driver == "570.1"


def test_cuda_version_with_1mb_lines():
    text = _around(hostile_lines(), "| NVIDIA-SMI 570.1", "| Driver Version: 570.1    CUDA Version: 12.8     |")
    assert parse_cuda_version(text) == "12.8"


def test_rocm_smi_fields_with_1mb_lines():
    text = _around(
        hostile_lines(),
        "GPU[0]\t\t: Card Series: \t\tAMD Instinct MI300X",
        "GPU[0]\t\t: VRAM Total Memory (B): 206141652992",
    )
    gpus, _ = amd_gpus(*parse_amd_fields(text), ["MI300X"])
    assert [(g.index, g.name, g.total_bytes) for g in gpus] == [(0, "AMD Instinct MI300X", 206141652992)]


def test_amd_smi_fields_with_1mb_lines():
    text = "GPU: 0\n    ASIC:\n        MARKET_NAME: MI300X\n" + "\n".join(hostile_lines()) + "\n"
    text += "GPU: 1\n    ASIC:\n        MARKET_NAME: MI300X\n    MEM_USAGE:\n        TOTAL_VRAM: 196592 MB\n"
    per_gpu, _ = parse_amd_fields(text)
    gpus, _ = amd_gpus(per_gpu, {}, ["MI300X"])
    assert [g.index for g in gpus] == [0, 1] and gpus[1].total_bytes == 196592 * 2**20


def test_detection_parsers_with_1mb_lines():
    nvidia = _around(hostile_lines(), "NVIDIA H200, 143771 MiB", "NVIDIA H200, 143771 MiB")
    found = parse_nvidia_smi(nvidia, HW)
    assert found is not None and (found.hw_id, found.count, found.memory_mib) == ("h200", 2, 143771)
    rocm = _around(hostile_lines(), "card0,AMD Instinct MI300X", "card1,AMD Instinct MI300X")
    found = parse_amd(rocm, HW, "rocm-smi")
    assert found is not None and (found.hw_id, found.count) == ("mi300x", 2)
    amd = "GPU: 0\n  MARKET_NAME: MI300X\n" + "\n".join(hostile_lines()) + "\nGPU: 1\n  MARKET_NAME: MI300X\n"
    found = parse_amd(amd, HW, "amd-smi")
    assert found is not None and (found.hw_id, found.count) == ("mi300x", 2)


@pytest.mark.parametrize("line", hostile_lines(), ids=range(len(hostile_lines())))
def test_each_line_helper_is_linear_on_an_uncapped_1mb_line(line):
    """Past the cap too: the helpers themselves do no backtracking."""
    tool_text.key_value(line)
    tool_text.bracket_index(line, "GPU[")
    gpu_parse._rocm_line(line)
    gpu_parse._amd_block(line)
    gpu_parse._amount(line, "b")
    tool_text.dotted_end(line)
    gpu_parse.parse_cuda_version("CUDA Version: " + line)
    core_gpus._gpu_index(line)
    core_gpus._memory_mib(line)
    core_gpus._known_name_in(line, HW)


# --------------------------------------------------------------------------- the same answers as before

OLD_ROCM = re.compile(r"^\s*GPU\[(\d+)\]\s*:\s*(.*?)\s*:\s*(.*?)\s*$")
OLD_BLOCK = re.compile(r"^\s*GPU\s*:\s*(\d+)\s*$", re.IGNORECASE)
OLD_KEY_VALUE = re.compile(r"^\s*([A-Za-z][^:]*?)\s*:\s*(.*?)\s*$")
OLD_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?$", re.IGNORECASE)
OLD_CUDA = re.compile(r"CUDA Version\s*:\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
OLD_INDEX = re.compile(r"^\s*(?:GPU\[(\d+)\]|card(\d+)\b|GPU:\s*(\d+)\s*$)", re.IGNORECASE)
OLD_MEMORY = re.compile(r"^(?:(\d+)\s*MiB|\[?N/A\]?)$", re.IGNORECASE)

PIECES = ["GPU", "gpu", "[", "]", ":", " ", "\t", "0", "1", "12", ".", "a", "Key", "card", "MiB", "MB", "KiB", "B"]
PIECES += ["N/A", "CUDA Version", "x", "_", "-", ","]


def random_lines(n: int = 20000) -> list[str]:
    rng = random.Random(19)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 9))) for _ in range(n)]


def test_the_helpers_agree_with_the_patterns_they_replace():
    for line in random_lines():
        m = OLD_ROCM.match(line)
        # the old pattern wanted "GPU[" in capitals; the new one takes any case
        if line.lstrip().startswith("GPU["):
            assert gpu_parse._rocm_line(line) == ((int(m[1]), m[2], m[3]) if m else None), line
        m = OLD_BLOCK.match(line)
        assert gpu_parse._amd_block(line) == (int(m[1]) if m else None), line
        m = OLD_KEY_VALUE.match(line)
        assert tool_text.key_value(line) == ((m[1], m[2]) if m else None), line
        m = OLD_AMOUNT.match(line.strip())
        old = int(float(m[1]) * gpu_parse._UNIT_BYTES.get((m[2] or "mb").lower(), 1)) if m else None
        assert gpu_parse._amount(line, "mb") == old, line
        m = OLD_CUDA.search(line)
        assert parse_cuda_version(line) == (m[1] if m else None), line
        m = OLD_INDEX.match(line)
        old_index = (next(g for g in m.groups() if g is not None), m[3] is not None) if m else None
        assert core_gpus._gpu_index(line) == old_index, line
        m = OLD_MEMORY.match(line.strip())
        assert core_gpus._memory_mib(line.strip()) == ((True, int(m[1]) if m[1] else None) if m else (False, None)), (
            line
        )
