"""The doctor's data: what to check (`DoctorRequest`) and what was found (`CheckResult`).

Pure data, no I/O. Every string a result carries is passed through `safe_text` when the
result is built, so anything shown on a terminal is already safe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .safe import safe_text

OK = "ok"
WARN = "warn"
FAIL = "fail"
SKIPPED = "skipped"
STATUSES = (OK, WARN, FAIL, SKIPPED)

VENDORS = ("nvidia", "amd")
FRAMINGS = ("python", "docker")


@dataclass(frozen=True)
class GpuInfo:
    """One GPU as the vendor tool reports it; memory in bytes, None when not reported."""

    index: int
    name: str
    total_bytes: int | None = None
    used_bytes: int | None = None
    free_bytes: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", safe_text(self.name))


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome.

    `status` is one of ok / warn / fail / skipped; `message` is one line of reason and `fix`
    one line of what to do (empty when there is nothing to do). The other fields are extras
    for the app, set only by the check that owns them.
    """

    id: str
    status: str
    message: str
    fix: str = ""
    gpus: tuple[GpuInfo, ...] = ()  # gpu.detect: every GPU found
    ib_devices: tuple[str, ...] = ()  # net.ib: this box's InfiniBand devices, sorted
    suggested_host_ratio: int | None = None  # host.ram: the largest offered ratio that fits
    sglang_version: str | None = None  # sglang.install: the installed version

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        object.__setattr__(self, "message", safe_text(self.message))
        object.__setattr__(self, "fix", safe_text(self.fix))
        object.__setattr__(self, "ib_devices", tuple(safe_text(name) for name in self.ib_devices))

    def as_dict(self) -> dict[str, str]:
        """The JSON shape: {"id", "status", "message", "fix"}."""
        return {"id": self.id, "status": self.status, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class DoctorRequest:
    """What the current selection needs from this box. Built by the caller from the rules.

    Nothing model-specific is known to the doctor: names, images and sizes all come in here.
    """

    hardware_label: str  # e.g. "H200", for messages
    vendor: str  # "nvidia" or "amd"
    detect: tuple[str, ...]  # substrings that identify this GPU in the vendor tool's output
    gpus_per_node: int  # GPUs the command uses on this node
    nodes: int = 1
    framing: str = "python"  # "python" or "docker"
    docker_image: str | None = None
    shm_bytes: int | None = None  # from the Docker args, e.g. parse_size("32g"); None = no need stated
    docker_hf_home: str = "~/.cache/huggingface"  # host side of the Docker volume for the HF cache
    model_repo: str | None = None  # e.g. "org/name"; None = no weights check
    model_bytes: int | None = None  # approximate size of the weights; None = unknown
    host: str = "0.0.0.0"  # HOST_IP
    port: int | str | None = 30000  # PORT; None = not checked
    node0_ip: str | None = None  # NODE0_IP value
    node0_is_placeholder: bool = True
    hf_token_set: bool = False  # HF_TOKEN has a real value in the user's Env (never the token)
    token_needed: bool = False  # the weights are gated: a token is needed to download them
    pd: bool = False  # PD disaggregation is on
    host_cache: bool = False  # HiCache or HiSparse is on
    host_ratios: Mapping[int, int] = field(default_factory=dict, hash=False)  # ratio -> host RAM it needs (bytes)
    host_ratio: int | None = None  # the ratio currently selected, if any
    other_detect: tuple[str, ...] = ()  # the other hardware's substrings: 'GB200' is not a 'B200'
    argv: tuple[str, ...] = ()  # the serve command's argv, for the flags check
    flags_check: Callable[[str], CheckResult] | None = field(default=None, compare=False, hash=False)

    @property
    def multi_node(self) -> bool:
        return self.nodes > 1

    @property
    def needs_ib(self) -> bool:
        return self.multi_node or self.pd


_SIZE_RE = re.compile(r"^\s*~?\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)(b?)\s*$", re.IGNORECASE)
_DECIMAL_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15}
_BINARY_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}


def parse_size(text: str) -> int | None:
    """Bytes in a size like '32g' (Docker: binary), '~1 TB', '2TB' (decimal), '512 MiB'; None if not one.

    A bare letter ('32g', as Docker's --shm-size takes it) and an 'i' ('GiB') are binary;
    a letter followed by 'B' ('TB', 'GB') is decimal, as sizes are written on a page.
    """
    match = _SIZE_RE.match(text)
    if match is None:
        return None
    number, unit, binary, byte = match.groups()
    unit = unit.lower()
    decimal = bool(byte) and not binary and unit != ""
    scale = _DECIMAL_UNITS[unit] if decimal else _BINARY_UNITS[unit]
    return int(float(number) * scale)


_SIZE_IN_TEXT_RE = re.compile(r"~?\s*\d+(?:\.\d+)?\s*[kmgtp]i?b\b", re.IGNORECASE)


def size_in(text: str) -> int | None:
    """The first size written with a unit ending in 'B' inside `text`: '5 (~1TB host)' -> 10**12."""
    match = _SIZE_IN_TEXT_RE.search(text)
    return parse_size(match.group()) if match else None


def shm_from_docker_args(args: Sequence[str]) -> int | None:
    """Bytes of `--shm-size 32g` / `--shm-size=32g` in Docker args (one arg may hold several words)."""
    words = [word for arg in args for word in arg.split()]
    for position, word in enumerate(words):
        if word.startswith("--shm-size="):
            return parse_size(word.split("=", 1)[1])
        if word == "--shm-size" and position + 1 < len(words):
            return parse_size(words[position + 1])
    return None


def fmt_bytes(count: int | float) -> str:
    """'140.4 GiB', '1.9 TiB', '512 MiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit in ("B", "KiB", "MiB") else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def fmt_decimal(count: int | float) -> str:
    """'290 GB', '1.6 TB', '64 kB': decimal units, as model and RAM sizes are usually written."""
    value = float(count)
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if value >= scale:
            shown = value / scale
            return f"{shown:.1f} {unit}" if unit == "TB" else f"{shown:.0f} {unit}"
    return f"{value:.0f} B"
