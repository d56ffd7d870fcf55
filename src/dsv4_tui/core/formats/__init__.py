"""The output-format registry: every way dsv4 can hand over a command.

Framings (`python`, `docker`) frame the one command of a selection; export targets write a
file for a scheduler that already exists. Each format is one module defining `FORMAT`;
adding one is a new module here plus its tests. Everything that offers formats reads this
registry: the command box's toggle, the Install line, the help, `dsv4 print --format`,
`dsv4 export --to`.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from . import docker, python
from .base import Framing

if TYPE_CHECKING:
    from .base import ExportTarget

FRAMINGS: dict[str, Framing] = {f.id: f for f in (python.FORMAT, docker.FORMAT)}
TARGET_MODULES = ("lws", "sbatch", "srt_slurm")  # imported on first use: start-up needs none
DEFAULT_FRAMING = "python"


@cache
def targets() -> dict[str, ExportTarget]:
    """The export targets by id (`TARGETS`), imported the first time they are asked for."""
    found = [import_module(f"{__name__}.{m}").FORMAT for m in TARGET_MODULES]
    return {t.id: t for t in found}


def __getattr__(name: str) -> object:
    if name == "TARGETS":
        return targets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class UnknownFormat(ValueError):
    """An id that is not in the registry; the message lists the valid ones."""


def framing(format_id: str) -> Framing:
    try:
        return FRAMINGS[format_id]
    except KeyError:
        raise UnknownFormat(f"unknown format {format_id!r}; expected one of {', '.join(FRAMINGS)}") from None


def next_framing(format_id: str) -> str:
    """The framing after `format_id`, in registry order (the `p` key cycles through them)."""
    ids = list(FRAMINGS)
    return ids[(ids.index(format_id) + 1) % len(ids)] if format_id in FRAMINGS else DEFAULT_FRAMING


def target(target_id: str) -> ExportTarget:
    try:
        return targets()[target_id]
    except KeyError:
        raise UnknownFormat(f"unknown export target {target_id!r}; expected one of {', '.join(targets())}") from None
