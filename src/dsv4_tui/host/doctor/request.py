"""What the doctor checks for one selection: a `DoctorRequest` built from the rules.

Every fact comes from the rules (hardware, image, Docker args, model repo and size, the
HiSparse host ratios, the Env placeholders found by kind), and the command itself from
`core.deployment` (the same text `dsv4 print` gives, Playground overrides included):

    request = build_request(rules, sel, framing="docker", env=env, overrides=ov,
                            lint=SglangLinters(cache_dir() / "sglang"))
    results = run_doctor(request)

`lint` fills the flags check: every flag of the command is looked up in the table of the
SGLang installed here (or the bundled table). `box_facts(rules)` reads what the Playground
offers and preselects on this box (its InfiniBand devices, the host ratio its RAM fits).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ...core.deployment import PD_ROLES, Deployment, Role, build
from ...core.env import Env
from ...core.formats import FRAMINGS
from ...core.lint import Finding, LintContext, Linter, SglangTable
from ...core.lookup import docker_image, model_name
from ...core.playground import BoxFacts, Overrides
from ...core.playground.knobs import SLOT_BY_KEY, effective
from ...core.rules import DIMS, Rules
from ...core.selection import Selection
from ...core.view import gpus_needed_per_node
from ..sglang_installed import choose_table
from .context import DoctorContext
from .memory import mem_total, suggest_ratio
from .model import FAIL, OK, WARN, CheckResult, DoctorRequest, shm_from_docker_args, size_in
from .network import ib_devices

UNKNOWN_IDS = ("unknown-flag", "removed-flag", "retired-flag")  # lint findings: SGLang has no such flag
SHOWN = 4  # flag names listed in one message


# --------------------------------------------------------------------------- the lint engine


@dataclass(frozen=True)
class LintTable:
    """A Linter on one SGLang flag table, and how to name that table in a message."""

    linter: Linter
    label: str  # "SGLang 0.5.23 installed here" / "bundled table for SGLang 0.5.23"
    version: str | None  # the SGLang version the table describes


LintSource = Callable[[str], LintTable]  # the installed SGLang's version -> the table to check against


class SglangLinters:
    """The table of the SGLang installed in this Python (cached per version under `cache`),
    else the bundled one; built once, on the first flags check, from any thread."""

    def __init__(self, cache: Path | None = None, *, use_installed: bool = True):
        self._cache, self._use_installed = cache, use_installed
        self._lock = threading.Lock()
        self._table: LintTable | None = None

    def __call__(self, version: str) -> LintTable:
        with self._lock:
            if self._table is None:
                choice = choose_table(self._cache, use_installed=self._use_installed)
                table = SglangTable.from_dict(choice.data, choice.label)
                found = choice.data.get("sglang", {}).get("version")
                self._table = LintTable(Linter(table), choice.label, found if isinstance(found, str) else None)
            return self._table


Unit = tuple[tuple[str, ...], tuple[str, ...], LintContext]  # (env NAME=VALUE, argv, context) of one command


def _names(findings: Sequence[Finding]) -> str:
    names = list(dict.fromkeys(f.subject for f in findings))
    return ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def _count(findings: Sequence[Finding], word: str) -> str:
    count = len({f.subject for f in findings})
    return f"{count} {word}{'' if count == 1 else 's'}"


def flags_result(source: LintSource, units: Sequence[Unit], version: str) -> CheckResult:
    """Lint every command of `units` against the table `source` gives for `version`.

    An error (a flag SGLang does not have, a value it rejects) fails when the table is of
    that very version, and warns when only another version's table could be read."""
    table = source(version)
    reports = [table.linter.lint(env, argv, ctx) for env, argv, ctx in units]
    errors = [f for report in reports for f in report.errors]
    exact = table.version == version
    caveat = "" if exact else f" (the sglang on PATH is {version}; its own table could not be read)"
    if not errors:
        old = [f for report in reports for f in report.findings if f.id == "deprecated-flag"]
        deprecated = f"; deprecated: {_names(old)}" if old else ""
        return CheckResult("sglang.flags", OK, f"every flag is accepted by {table.label}{deprecated}{caveat}")
    unknown = [f for f in errors if f.id in UNKNOWN_IDS]
    other = [f for f in errors if f.id not in UNKNOWN_IDS]
    parts = [f"{_count(unknown, 'flag')} unknown to {table.label}: {_names(unknown)}"] if unknown else []
    if other:
        parts.append(f"{_count(other, 'flag')} rejected: {other[0].message}")
    return CheckResult("sglang.flags", FAIL if exact else WARN, "; ".join(parts) + caveat, _flags_fix(errors))


def _flags_fix(errors: Sequence[Finding]) -> str:
    """An older SGLang lacks new flags: upgrade. A newer one dropped or renamed some: the lint's fix."""
    if all(f.id == "unknown-flag" for f in errors):
        return "install a newer SGLang (pip install -U sglang): this one does not know these flags"
    fixes = list(dict.fromkeys(f.fix.describe() for f in errors if f.fix is not None))[:2]
    change = f"change the command ({'; '.join(fixes)}), or " if fixes else ""
    return change + "install an SGLang that still has these flags"


# --------------------------------------------------------------------------- the request


def placeholder(rules: Rules, kind: str, target: str = "command") -> str | None:
    """The Env placeholder of that kind and target (HOST_IP is `bind`, PORT `port`, …)."""
    found = [key for key, ph in rules.model.placeholders.items() if ph.kind == kind and ph.target == target]
    used = " ".join(rules.model.multi_node.flags)
    return next((key for key in found if "{{" + key + "}}" in used), found[0] if found else None)


def host_ratios(rules: Rules) -> dict[int, int]:
    """HiSparse host ratio -> the host RAM its label names ('5 (~1TB host)' -> 5: 10**12)."""
    out = {}
    for option in rules.playground.hisparse.host_ratio.option:
        need = size_in(option.label)
        if type(option.value) is int and need is not None:
            out[option.value] = need
    return out


def _deployment(rules: Rules, sel: Selection, env: Env, overrides: Overrides | None) -> Deployment | None:
    try:
        return build(rules, sel, env, overrides, this_box=True)
    except ValueError:  # no command for the selection (a user's cell may lack one)
        return None


def this_role(deployment: Deployment | None, overrides: Overrides | None) -> Role | None:
    """The role this box runs: the Playground's PD role when one is chosen, else the first."""
    if deployment is None or not deployment.gpu_roles:
        return None
    mode = overrides.pd_mode if overrides is not None else "off"
    return deployment.role(mode) or deployment.gpu_roles[0]


def _gpus_per_node(rules: Rules, sel: Selection, role: Role | None) -> int:
    """TP / nodes of the command (the Playground's TP when it sets one), else the hardware's."""
    tp = role.text(rules.playground.attention.tp.flag) if role is not None else None
    if tp is not None and tp.isascii() and tp.isdigit() and int(tp) > 0 and role is not None:
        return max(1, int(tp) // max(role.nodes, 1))
    return gpus_needed_per_node(rules, sel) or rules.hardware(sel.hw).gpus_per_node


def _units(rules: Rules, sel: Selection, deployment: Deployment | None, framing: str) -> tuple[Unit, ...]:
    if deployment is None:
        return ()
    hw = rules.hardware(sel.hw)
    units = []
    for role in deployment.gpu_roles:
        ctx = LintContext(
            hw=hw.id, vendor=hw.vendor, arch=hw.arch, gpus_per_node=hw.gpus_per_node, nodes=role.nodes,
            role=role.name if role.name in PD_ROLES else None,  # type: ignore[arg-type]
            framing=framing if framing in ("python", "docker") else None,  # type: ignore[arg-type]
            variant=sel.variant,
        )  # fmt: skip
        units.append((tuple(f"{name}={value}" for name, value in role.env), tuple(role.argv()), ctx))
    return tuple(units)


def _host_cache(rules: Rules, role: Role | None, overrides: Overrides | None) -> tuple[bool, int | None]:
    """(HiCache or HiSparse is on in the command, the HiSparse host ratio it uses)."""
    pg = rules.playground
    on = role is not None and any(role.flag(name) for name in (pg.hisparse.flag, pg.hicache.flag))
    sparse = role is not None and role.flag(pg.hisparse.flag) is not None
    ratio = effective(SLOT_BY_KEY["hisparse_ratio"], pg, overrides.hisparse_ratio) if overrides and sparse else None
    return on, ratio if type(ratio) is int else None


def _network(rules: Rules, env: Env, role: Role | None) -> dict[str, object]:
    """HOST_IP, PORT (as the command binds them) and NODE0_IP, found by placeholder kind."""
    engine = rules.model.engine
    host_key, port_key, node0_key = placeholder(rules, "bind"), placeholder(rules, "port"), placeholder(rules, "host")
    host = (role.text(engine.host_flag) if role else None) or (env.get(host_key) if host_key else "0.0.0.0")
    port = (role.text(engine.port_flag) if role else None) or (env.get(port_key) if port_key else None)
    return {
        "host": host,
        "port": port,
        "node0_ip": env.get(node0_key) if node0_key else None,
        "node0_is_placeholder": env.is_default(node0_key) if node0_key else True,
    }


def subject(rules: Rules, sel: Selection, framing: str, overrides: Overrides | None = None) -> str:
    """Whom the checks are for: 'B200 · Flash · FP4 · Low-Latency · Single Node, Python framing'."""
    text = " · ".join(rules.label(d, sel[d]) for d in DIMS) + f", {FRAMINGS[framing].label} framing"
    return text + (" with Playground overrides" if overrides is not None and not overrides.is_untouched() else "")


def build_request(
    rules: Rules,
    sel: Selection,
    *,
    framing: str = "python",
    env: Env | None = None,
    overrides: Overrides | None = None,
    lint: LintSource | None = None,
) -> DoctorRequest:
    """The doctor's request for `sel` (with the Playground's `overrides`, if any) in `framing`.

    `lint` (e.g. `SglangLinters(...)`) turns the flags check on; without it that check says
    it is not available."""
    env = env if env is not None else Env.defaults(rules)
    hw = rules.hardware(sel.hw)
    others = tuple(s for h in rules.model.hardware if h.id != hw.id for s in h.detect)
    deployment = _deployment(rules, sel, env, overrides)
    role = this_role(deployment, overrides)
    repo = deployment.model if deployment is not None else model_name(rules, sel)
    size_gb = rules.model.model_sizes_gb.get(repo)
    docker = rules.model.docker
    runtime = docker.runtime.get(hw.vendor)
    host_side = docker.volume.partition(":")[0]
    host_cache, ratio = _host_cache(rules, role, overrides)
    units = _units(rules, sel, deployment, framing)
    return DoctorRequest(
        hardware_label=hw.label,
        vendor=hw.vendor,
        detect=tuple(hw.detect),
        other_detect=others,
        gpus_per_node=_gpus_per_node(rules, sel, role),
        nodes=role.nodes if role is not None else rules.node_count(sel.nodes),
        framing=framing,
        docker_image=docker_image(rules, sel),
        shm_bytes=shm_from_docker_args(runtime.args) if runtime is not None else None,
        docker_hf_home=host_side or "~/.cache/huggingface",
        model_repo=repo or None,
        model_bytes=size_gb * 10**9 if size_gb else None,
        hf_token_set=docker.token_env in env.placeholders and not env.is_default(docker.token_env),
        pd=bool(deployment and deployment.disaggregated),
        host_cache=host_cache,
        host_ratios=host_ratios(rules),
        host_ratio=ratio,
        argv=units[0][1] if units else (),
        flags_check=partial(flags_result, lint, units) if lint is not None and units else None,
        **_network(rules, env, role),  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- the box, for the Playground


def box_facts(rules: Rules, ctx: DoctorContext | None = None) -> BoxFacts:
    """This box's InfiniBand devices (sysfs) and the HiSparse host ratio its RAM fits
    (/proc/meminfo), both under DSV4_SYSROOT; cheap reads, no tool is run."""
    ctx = ctx if ctx is not None else DoctorContext.from_env()
    ram, ratios = mem_total(ctx), host_ratios(rules)
    return BoxFacts(tuple(ib_devices(ctx)), suggest_ratio(ram, ratios) if ram is not None and ratios else None)
