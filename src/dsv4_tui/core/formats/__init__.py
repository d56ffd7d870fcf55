"""The output-format registry: every way dsv4 can hand over a command.

Framings (`python`, `docker`) frame the one command of a selection; export targets write a
file for a scheduler that already exists. Each format is one module defining `FORMAT`;
adding one is a new module here plus its tests. Everything that offers formats reads this
registry: the command box's toggle, the Install line, the help, `dsv4 print --format`,
`dsv4 export --to`.
"""

from __future__ import annotations

from . import docker, lws, python, sbatch, srt_slurm
from .base import ExportTarget, Framing

FRAMINGS: dict[str, Framing] = {f.id: f for f in (python.FORMAT, docker.FORMAT)}
TARGETS: dict[str, ExportTarget] = {t.id: t for t in (lws.FORMAT, sbatch.FORMAT, srt_slurm.FORMAT)}
DEFAULT_FRAMING = "python"


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
        return TARGETS[target_id]
    except KeyError:
        raise UnknownFormat(f"unknown export target {target_id!r}; expected one of {', '.join(TARGETS)}") from None
