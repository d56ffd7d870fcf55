"""`dsv4 export --to sbatch`: a bash script for SLURM.

Every script passes `bash -n` and shellcheck. The scripts really run under bash with fake
`scontrol`, `srun`, `sglang` and `python3` on PATH: the fake srun starts one task per node
with SLURM_NODEID set, and the fake programs record their argv and env, which must equal
what `dsv4 print` gives for that node's rank (head = the worker's first node).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dsv4_tui.core.deployment import ExportOptions, build, from_deploy, from_playground
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import sbatch
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection
from test_export_support import (
    Command,
    at_rank,
    hostile_env,
    multinode_cells,
    override_args,
    parse_printed,
    pd_combinations,
    printed,
    printed_router,
    router_hosts,
)

# Recorded on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its rules (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


SHELLCHECK = Path(sys.executable).with_name("shellcheck")
HEREDOC = re.compile(r"<<'DSV4_END'\n(.*?)\nDSV4_END\n", re.S)
GB300_ROLES = Selection("gb300", "pro", "fp4", "high-throughput", "multi-2")  # prefill 6 x 2, decode 1 x 4
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
B200_SINGLE = Selection("b200", "flash", "fp4", "low-latency", "single")
HOSTILE = [
    "a'b",
    'a"b',
    "$(touch CANARY)",
    "`touch CANARY`",
    "a b\tc",
    "x\nDSV4_END\ntouch CANARY",
    "\\",
    "$HOME ${HOME} $'x' !! #c",
    "; touch CANARY #",
    "*",
    "~",
    "-- --port 1",
    "é€😀",
    "\r\x7f\x01",
]

FAKE_SRUN = """
import json, os, subprocess, sys
args, opts = sys.argv[1:], {}
while args and args[0].startswith("--"):
    key, _, value = args.pop(0)[2:].partition("=")
    opts[key] = value
nodes = opts["nodelist"].split(",") if "nodelist" in opts else os.environ["SLURM_JOB_NODELIST"].split(",")
nodes = nodes[: int(opts.get("nodes", len(nodes)))]
for i, node in enumerate(nodes):
    env = dict(os.environ, SLURM_NODEID=str(i), SLURM_PROCID=str(i), SLURMD_NODENAME=node, FAKE_SRUN=json.dumps(opts))
    code = subprocess.call(args, env=env)
    if code:
        sys.exit(code)
"""
FAKE_SCONTROL = """
import sys
assert sys.argv[1:3] == ["show", "hostnames"], sys.argv
print("\\n".join(sys.argv[3].split(",")))
"""
FAKE_PROGRAM = """
import json, os, sys


record = {"argv": [os.path.basename(sys.argv[0]), *sys.argv[1:]], "env": dict(os.environ)}
path = os.path.join(os.environ["FAKE_LOG"], f"{os.environ['SLURMD_NODENAME']}-{os.getpid()}.json")
with open(path, "w", encoding="utf-8") as fh:
    json.dump(record, fh)
"""


@pytest.fixture
def fakes(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, code in (
        ("srun", FAKE_SRUN),
        ("scontrol", FAKE_SCONTROL),
        ("sglang", FAKE_PROGRAM),
        ("python3", FAKE_PROGRAM),
    ):
        path = bin_dir / name
        path.write_text(f"#!{sys.executable}\n{code}", encoding="utf-8")
        path.chmod(0o755)
    return tmp_path


def run_script(fakes: Path, text: str, nodes: int) -> list[dict]:
    """Run the script like `sbatch` would on `nodes` nodes; the records of every program run."""
    log = fakes / f"log-{len(list(fakes.glob('log-*')))}"
    log.mkdir()
    script = log / "job.sbatch"
    script.write_text(text, encoding="utf-8")
    env = {
        "PATH": f"{fakes / 'bin'}:/usr/bin:/bin",
        "HOME": str(fakes),
        "SLURM_JOB_NODELIST": ",".join(f"n{i}" for i in range(nodes)),
        "HF_TOKEN": "hf_from_the_environment",
        "FAKE_LOG": str(log),
    }
    proc = subprocess.run(["bash", str(script)], cwd=log, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(log.glob("n*.json"))]
    assert not (log / "CANARY").exists()
    return records


def node_command(record: dict, like: Command) -> Command:
    """The record as a Command: the env entries `like` names, and the argv."""
    return Command(tuple((n, record["env"].get(n)) for n, _ in like.env), tuple(record["argv"]))


def skeleton(text: str) -> str:
    """The script without its quoted heredoc bodies (literal data to bash and shellcheck) and
    comments (#SBATCH included; no shellcheck directive among them): what shellcheck judges."""
    assert all(line != sbatch.END for body in HEREDOC.findall(text) for line in body.split("\n"))
    assert "shellcheck" not in text
    return "\n".join(line for line in HEREDOC.sub("", text).split("\n") if not line.startswith("#") or line[:2] == "#!")


def shellcheck(paths: list[Path]) -> None:
    """`bash -n` on every script; shellcheck on one script per distinct skeleton (scripts that
    differ only inside a quoted heredoc are the same program to shellcheck)."""
    loop = 'for f; do bash -n "$f" || { echo "$f"; exit 1; }; done'
    proc = subprocess.run(["bash", "-c", loop, "bash", *map(str, paths)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    distinct = {skeleton(p.read_text(encoding="utf-8")): p for p in reversed(paths)}
    proc = subprocess.run(
        [str(SHELLCHECK), "--shell=bash", *map(str, distinct.values())], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[:4000]


# --------------------------------------------------------------------------- valid


def test_every_script_passes_bash_n_and_shellcheck(rules, tmp_path):
    env = Env.defaults(rules)
    jobs = [(from_deploy(rules, Selection.of(c), env), pyxis) for c in rules.cells for pyxis in (False, True)]
    jobs += [(from_playground(rules, sel, ov, env), False) for sel, ov in pd_combinations(rules)]
    paths = []
    for i, (dep, pyxis) in enumerate(jobs):
        path = tmp_path / f"{i}.sbatch"
        path.write_text(sbatch.export(dep, ExportOptions(pyxis=pyxis, partition="gpu", account="a1")), encoding="utf-8")
        paths.append(path)
    shellcheck(paths)


# --------------------------------------------------------------------------- exact


def test_every_multinode_task_runs_exactly_what_dsv4_print_gives(rules, fakes):
    env = Env.defaults(rules)
    for sel in multinode_cells(rules):
        dep = from_deploy(rules, sel, env)
        records = run_script(fakes, sbatch.export(dep, ExportOptions()), dep.total_nodes)
        gpu_roles = dep.gpu_roles
        assert len([r for r in records if r["argv"][0] == "sglang"]) == dep.total_nodes
        at = 0
        for k, role in enumerate(gpu_roles):
            for _replica in range(role.replicas):
                head = f"n{at}"
                for rank in range(role.nodes):
                    node = f"n{at + rank}"
                    (rec,) = [r for r in records if r["argv"][0] == "sglang" and r["env"]["SLURMD_NODENAME"] == node]
                    want = at_rank(printed(sel, rank=rank)[k], rank, head)
                    assert node_command(rec, want) == want, (sel.text, role.name, rank)
                    assert rec["env"]["HF_TOKEN"] == "hf_from_the_environment"
                at += role.nodes


def test_role_cells_router_reaches_every_worker_head(rules, fakes):
    dep = from_deploy(rules, GB300_ROLES, Env.defaults(rules))
    records = run_script(fakes, sbatch.export(dep, ExportOptions()), dep.total_nodes)
    (router,) = [r for r in records if r["argv"][0] == "python3"]
    assert router["env"]["SLURMD_NODENAME"] == "n0" and json.loads(router["env"]["FAKE_SRUN"])["overlap"] == ""
    hosts = {("prefill", i): f"n{2 * i}" for i in range(6)} | {("decode", 0): "n12"}
    assert tuple(router["argv"]) == router_hosts(printed(GB300_ROLES)[-1], hosts).argv
    text = sbatch.export(dep, ExportOptions())
    assert "#SBATCH --nodes=16" in text and "#SBATCH --ntasks-per-node=1" in text


@pytest.mark.parametrize(
    "sel,ov",
    [(B200_SINGLE, Overrides(pd_mode="prefill")), (GB200_MULTI, Overrides(pd_mode="decode", hisparse=True))],
)
def test_playground_pd_runs_both_roles_and_the_router_exactly(rules, fakes, sel, ov):
    dep = from_playground(rules, sel, ov, Env.defaults(rules))
    records = run_script(fakes, sbatch.export(dep, ExportOptions(pyxis=True)), dep.total_nodes)
    nodes = dep.gpu_roles[0].nodes
    for k, mode in enumerate(("prefill", "decode")):
        for rank in range(nodes):
            (rec,) = [
                r for r in records if r["argv"][0] == "sglang" and r["env"]["SLURMD_NODENAME"] == f"n{k * nodes + rank}"
            ]
            (want,) = printed(sel, *override_args(ov.with_(pd_mode=mode)), rank=rank)
            want = at_rank(want, rank, f"n{k * nodes}")
            assert node_command(rec, want) == want
            assert json.loads(rec["env"]["FAKE_SRUN"])["container-image"] == dep.image
    (router,) = [r for r in records if r["argv"][0] == "python3"]
    hosts = {("prefill", 0): "n0", ("decode", 0): f"n{nodes}"}
    assert tuple(router["argv"]) == router_hosts(printed_router(sel, ov), hosts).argv


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1))
@example(HOSTILE[0])
@example("\n\n")  # a blank line inside the quoted value (found by hypothesis)
@example("a\n# b")
@example("\\\n")  # a backslash before a newline: a line continuation if unquoted (found by hypothesis)
def test_any_value_is_passed_exactly_and_never_runs(rules, fakes, value):
    dep = from_deploy(rules, GB200_MULTI, hostile_env(rules, PORT=value))
    text = sbatch.export(dep, ExportOptions())
    records = run_script(fakes, text, 2)
    subst = hostile_env(rules, PORT=value, NODE_RANK="1", NODE0_IP="n0").subst()
    (want,) = parse_printed(render_command(rules, GB200_MULTI, "python", subst))
    (rec,) = [r for r in records if r["env"]["SLURMD_NODENAME"] == "n1"]
    assert node_command(rec, want) == want


def test_hostile_values_pass_bash_n_shellcheck_and_run_exactly(rules, fakes, tmp_path):
    paths = []
    for i, value in enumerate(HOSTILE):
        dep = build(rules, GB200_MULTI, hostile_env(rules, HOST_IP=value, PORT=value))
        text = sbatch.export(dep, ExportOptions(pyxis=True))
        path = tmp_path / f"hostile-{i}.sbatch"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        for rec in run_script(fakes, text, 2):
            argv = rec["argv"]
            # The bind host is never the Env's (a job has its own address); the port is passed exactly.
            assert argv[argv.index("--host") + 1] == "0.0.0.0" and argv[argv.index("--port") + 1] == value
    shellcheck(paths)


# --------------------------------------------------------------------------- what a user relies on


def test_hf_token_is_never_written(rules):
    env = Env.defaults(rules).with_values({"HF_TOKEN": "hf_supersecret123"})
    for sel in (GB200_MULTI, GB300_ROLES):
        text = sbatch.export(from_deploy(rules, sel, env), ExportOptions(pyxis=True))
        assert "hf_supersecret123" not in text and "HF_TOKEN" in text


def test_directives_rank_head_and_container(rules):
    dep = from_deploy(rules, GB200_MULTI, Env.defaults(rules))
    text = sbatch.export(dep, ExportOptions(partition="gpu", account="proj", time_limit="1-00:00:00", pyxis=True))
    for line in (
        "#SBATCH --nodes=2",
        "#SBATCH --ntasks-per-node=1",
        "#SBATCH --gpus-per-node=4",
        "#SBATCH --partition=gpu",
        "#SBATCH --account=proj",
        "#SBATCH --time=1-00:00:00",
        'DSV4_HEAD=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)',
        '  --node-rank "$SLURM_NODEID" \\',
        "--container-image=lmsysorg/sglang:latest",
    ):
        assert line in text, line
    plain = sbatch.export(dep, ExportOptions())
    assert "--container-image" not in plain and "sglang serve \\" in plain
    with pytest.raises(ValueError, match="time_limit"):
        ExportOptions(time_limit="4h; rm -rf /")


def test_pd_steps_use_disjoint_nodes(rules, fakes):
    dep = from_deploy(rules, GB300_ROLES, Env.defaults(rules))
    records = run_script(fakes, sbatch.export(dep, ExportOptions()), dep.total_nodes)
    gpu_nodes = [r["env"]["SLURMD_NODENAME"] for r in records if r["argv"][0] == "sglang"]
    assert sorted(gpu_nodes) == sorted(f"n{i}" for i in range(16))


def test_format_entry():
    assert sbatch.FORMAT.id == "sbatch" and sbatch.FORMAT.export is sbatch.export
    assert os.access(SHELLCHECK, os.X_OK)
