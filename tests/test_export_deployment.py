"""The target-independent `Deployment`: roles, replicas, nodes, env and argv of a selection,
with the launcher's values (rank, head, node count, peers) kept symbolic."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from code_facts import imports_and_calls
from dsv4_tui.core import deployment as deployment_module
from dsv4_tui.core.deployment import (
    HEAD,
    NNODES,
    PEER,
    RANK,
    ExportOptions,
    Slot,
    as_printed,
    build,
    default_name,
    from_deploy,
    from_playground,
)
from dsv4_tui.core.env import Env
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.selection import Selection
from test_export_support import at_rank, printed, printed_router

# Recorded on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its rules (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


GB300_LL = Selection("gb300", "pro", "fp4", "low-latency", "multi-2")
GB300_HT = Selection("gb300", "pro", "fp4", "high-throughput", "multi-2")
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
B200_SINGLE = Selection("b200", "flash", "fp4", "low-latency", "single")
SRC = Path(deployment_module.__file__).resolve().parent


def slots(role) -> list[Slot]:
    return [v for f in role.flags for v in f.values if isinstance(v, Slot)]


def test_every_role_as_printed_is_dsv4_print(rules):
    """With the slots written back as printed, every role is word for word `dsv4 print`."""
    env = Env.defaults(rules).with_values({"NODE_RANK": "0", "NODE0_IP": "10.0.0.1"})
    for cell in rules.cells:
        sel = Selection.of(cell)
        dep = from_deploy(rules, sel, env)
        for role, cmd in zip(dep.roles, printed(sel), strict=True):
            assert role.command(as_printed) == list(cmd.argv), (sel.text, role.name)
            assert role.env == cmd.env
        assert dep.verified is cell.verified and dep.origin == "deploy"


def test_single_node_cell(rules):
    dep = from_deploy(rules, B200_SINGLE, Env.defaults(rules))
    (role,) = dep.roles
    assert (role.name, role.replicas, role.nodes, role.gpus, role.port) == ("serve", 1, 1, True, 30000)
    assert role.program == ("sglang", "serve") and slots(role) == [] and not role.needs_fabric
    assert dep.model == "deepseek-ai/DeepSeek-V4-Flash" and dep.gpus_per_node == 8 and dep.vendor == "nvidia"
    assert dep.total_nodes == 1 and not dep.disaggregated and dep.router is None


def test_multinode_cell_keeps_rank_head_and_count_symbolic(rules):
    dep = from_deploy(rules, GB200_MULTI, Env.defaults(rules))
    (role,) = dep.roles
    assert role.nodes == 2 and dep.total_nodes == 2 and role.needs_fabric
    kinds = {s.kind: s for s in slots(role)}
    assert set(kinds) == {RANK, HEAD, NNODES}
    assert kinds[HEAD].text == "<node0-ip>" and kinds[HEAD].suffix == ":20000" and kinds[NNODES].text == "2"
    fill = {RANK: "1", HEAD: "10.0.0.1", NNODES: "2"}
    assert role.command(lambda s: s.fill(fill[s.kind])) == list(printed(GB200_MULTI, rank=1)[0].argv)
    assert dep.hints == tuple(rules.model.multi_node_hints["gb200"])


def test_role_cells_have_replicas_nodes_and_router_peers(rules):
    env = Env.defaults(rules)
    ll = from_deploy(rules, GB300_LL, env)
    assert [(r.name, r.replicas, r.nodes, r.gpus) for r in ll.roles] == [
        ("prefill", 1, 2, True),
        ("decode", 1, 1, True),
        ("router", 1, 1, False),
    ]
    ht = from_deploy(rules, GB300_HT, env)
    assert [(r.name, r.replicas, r.nodes) for r in ht.gpu_roles] == [("prefill", 6, 2), ("decode", 1, 4)]
    assert ht.total_nodes == 16 and ht.disaggregated
    router = ht.router
    peers = [s for s in slots(router) if s.kind == PEER]
    assert [(p.role, p.replica) for p in peers] == [("prefill", i) for i in range(6)] + [("decode", 0)]
    assert peers[3].text == "<prefill-worker-3-head-ip>" and peers[3].prefix == "http://"
    assert router.program == ("python3", "-m", "sglang_router.launch_router") and router.port == 8000
    prefill = ht.role("prefill")
    head = next(s for s in slots(prefill) if s.kind == HEAD)
    assert head.text == "<prefill-worker-head-ip>" and prefill.bootstrap_port == 8998
    assert at_rank(printed(GB300_HT)[0], 1).argv == tuple(
        prefill.command(lambda s: s.fill({RANK: "1", HEAD: "10.0.0.1", NNODES: "2"}[s.kind]))
    )


def test_playground_pd_gives_both_roles_and_the_router(rules):
    env = Env.defaults(rules)
    for mode in ("prefill", "decode"):
        dep = from_playground(rules, GB200_MULTI, Overrides(pd_mode=mode, hisparse=True), env)
        prefill, decode, router = dep.roles
        assert (prefill.name, decode.name, router.name) == ("prefill", "decode", "router")
        assert (prefill.port, decode.port, router.port) == (30000, 30100, 8000)
        assert next(s for s in slots(prefill) if s.kind == HEAD).suffix == ":30335"
        assert next(s for s in slots(decode) if s.kind == HEAD).suffix == ":30435"
        assert "--enable-hisparse" in decode.command() and "--enable-hisparse" not in prefill.command()
        assert dep.origin == "playground" and not dep.verified
        want = printed_router(GB200_MULTI, Overrides(pd_mode=mode))
        assert router.command(as_printed) == list(want.argv)


def test_build_picks_deploy_or_playground(rules):
    env = Env.defaults(rules)
    assert build(rules, B200_SINGLE, env).origin == "deploy"
    assert build(rules, B200_SINGLE, env, Overrides()).origin == "deploy"
    tp = build(rules, B200_SINGLE, env, Overrides(tp=8))
    assert tp.origin == "playground" and tp.roles[0].text("--tp") == "8"
    with pytest.raises(ValueError, match="(?i)no single verified base command"):
        build(rules, GB300_LL, env, Overrides(pd_mode="prefill"))


def test_hf_token_is_never_an_env_value(rules):
    env = Env.defaults(rules).with_values({"HF_TOKEN": "hf_supersecret123"})
    cell = rules.cell(B200_SINGLE)
    sneaky = dataclasses.replace(cell, env=[*cell.env, "HF_TOKEN={{HF_TOKEN}}", "A=1"])
    patched = dataclasses.replace(rules, cells=[sneaky if c is cell else c for c in rules.cells])
    dep = from_deploy(patched, B200_SINGLE, env)
    assert dep.secret_env == ("HF_TOKEN",)
    assert dep.roles[0].env[-1] == ("A", "1")
    assert all(name != "HF_TOKEN" and "hf_supersecret123" not in value for name, value in dep.roles[0].env)
    assert "hf_supersecret123" not in repr(dep)


def test_user_env_values_are_substituted(rules):
    """PORT is the user's; the bind host never is: a pod or job binds its own (issue 18, 4)."""
    env = Env.defaults(rules).with_values({"PORT": "31000", "HOST_IP": "10.1.2.3"})
    (role,) = build(rules, B200_SINGLE, env).roles
    assert role.port == 31000 and role.text("--host") == "0.0.0.0"
    (here,) = build(rules, B200_SINGLE, env, this_box=True).roles  # the Doctor's: as it runs here
    assert here.text("--host") == "10.1.2.3"


def test_options_defaults_and_names(rules):
    o = ExportOptions()
    assert (o.hf_token_secret, o.hf_token_key, o.time_limit, o.pyxis, o.host_network) == (
        "hf-token",
        "token",
        "04:00:00",
        False,
        False,
    )
    env = Env.defaults(rules)
    for cell in rules.cells:
        dep = from_deploy(rules, Selection.of(cell), env)
        name = default_name(dep)
        assert (
            len(name) <= 40
            and name[0].isalpha()
            and name[-1].isalnum()
            and set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
        )
        assert o.job_name(dep) == name and o.image_for(dep) == dep.image
        assert ExportOptions(whole_node=True).gpus(dep) == dep.gpus_per_node >= o.gpus(dep)
    with pytest.raises(ValueError) as err:
        ExportOptions(name="x" * 41, partition="a b", image="two words")
    assert all(k in str(err.value) for k in ("name", "partition", "image"))


def test_the_export_modules_are_pure():
    """No file, process or network I/O, no UI, no host layer, no PyYAML at run time."""
    forbidden = {"os", "subprocess", "socket", "pathlib", "io", "yaml", "textual", "rich", "httpx", "shutil"}
    files = [SRC / f for f in ("deployment.py", "deployment_types.py", "deployment_parse.py", "engine_names.py")]
    files += [SRC / "export_options.py"]
    files += [SRC / "formats" / f for f in ("lws.py", "k8s.py", "sbatch.py", "srt_slurm.py", "yaml_text.py")]
    for path in files:
        modules, calls = imports_and_calls(path)
        for name in modules:
            assert name.split(".")[0] not in forbidden and not name.startswith("dsv4_tui.host"), (path.name, name)
        assert "open" not in calls, f"{path.name} opens a file"
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name


def test_no_engine_name_is_written_in_the_deployment_code():
    """Flag names and the program come from the rules (engine_names), never from constants."""
    found = []
    for name in ("deployment.py", "deployment_types.py", "deployment_parse.py", "engine_names.py"):
        tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if re.match(r"--[A-Za-z]", text) or "sglang" in text.lower().split():
                found.append(f"{name}:{node.lineno}: {text!r}")
    assert not found, found


def test_a_router_naming_a_missing_worker_is_refused(rules):
    """The balanced GB300 router lists 2 prefill workers: with replicas = 1 one would dangle."""
    cell = rules.cell(Selection("gb300", "pro", "fp4", "balanced", "multi-2"))
    roles = [dataclasses.replace(r, replicas=1) for r in cell.role]
    broken = dataclasses.replace(cell, role=roles)
    patched = dataclasses.replace(rules, cells=[broken if c is cell else c for c in rules.cells])
    with pytest.raises(ValueError, match="<prefill-worker-1-head-ip>"):
        from_deploy(patched, Selection.of(cell), Env.defaults(rules))
