"""Whether a command may start on this box: what refuses it outright, and what needs the
user to confirm again (`--force`). Pure: the host gathers the facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Preflight:
    refused: tuple[str, ...]  # never started: a placeholder, several nodes, the port taken
    confirm: tuple[str, ...]  # started only when confirmed again: a lint error, a doctor fail

    @property
    def ok(self) -> bool:
        return not self.refused and not self.confirm


def preflight(
    *,
    unfilled: Sequence[str],
    nodes: int,
    several_roles: bool,
    port: int | None,
    port_problem: str | None,
    port_run: str | None,
    lint_errors: Sequence[str],
    doctor_fails: Sequence[str],
) -> Preflight:
    refused = []
    if nodes > 1:
        refused.append(f"this selection runs on {nodes} nodes: start it with Export (a Kubernetes or SLURM file)")
    if several_roles:
        refused.append("PD disaggregation runs several servers and a router: start it with Export")
    if unfilled:
        refused.append(f"the command still holds placeholders: {', '.join(unfilled)} (fill them in the Env)")
    if port is None:
        refused.append("the command names no port")
    elif port_run:
        refused.append(f"run {port_run} already serves port {port} (one run per port; `dsv4 stop {port_run}`)")
    elif port_problem:
        refused.append(port_problem)
    confirm = [f"lint error: {e}" for e in lint_errors] + [f"doctor fail: {d}" for d in doctor_fails]
    return Preflight(tuple(refused), tuple(confirm))
