"""The engine's names an export reads (program, port, node count / rank / head flags, PD
mode, bootstrap port, the router's port and peer flags) come from the rules: another model
exports through `--rules`, an edit of the rules changes the export, and a rules file that
does not say them is refused naming the file and the line."""

from __future__ import annotations

import yaml

from conftest import DATA
from dsv4_tui import cli
from dsv4_tui.core.deployment import RANK, EngineNames, build, engine_names
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import lws, sbatch
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules
from test_rules_errors import copy_rules, edit, line_of, the_problem

OTHER = DATA / "othermodel"
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
B200 = Selection("b200", "flash", "fp4", "low-latency", "single")


def services(text: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all(text) if d["kind"] == "Service"}


def test_the_bundled_rules_name_sglangs_flags(rules):
    assert engine_names(rules) == EngineNames(
        program=("sglang", "serve"),
        port="--port",
        nnodes="--nnodes",
        node_rank="--node-rank",
        dist_init_addr="--dist-init-addr",
        head_prefix="",
        head_separator=":",
        pd_mode="--disaggregation-mode",
        bootstrap_port="--disaggregation-bootstrap-port",
        default_bootstrap_port=8998,
        router_port="--port",
        router_peers=(("--prefill", "prefill"), ("--decode", "decode")),
    )


def test_another_model_exports_with_its_own_rules(capsys):
    code = cli.main(["--rules", str(OTHER), "export", "--to", "sbatch", "--hw", "l40s", "--variant", "max"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert '--node-rank "$SLURM_NODEID"' in out and '--dist-init-addr "$DSV4_HEAD":25000' in out
    code = cli.main(["--rules", str(OTHER), "export", "--to", "lws", "--override", "pd-role=prefill"])
    out, _ = capsys.readouterr()
    prefill = services(out)["dsv4-l40s-mini-bf16-chat-prefill-0"]
    assert code == 0 and {p["port"] for p in prefill["spec"]["ports"]} == {8080, 8700}  # its own bootstrap default
    assert "http://dsv4-l40s-mini-bf16-chat-prefill-0:8080" in out  # the router's peer, filled in


def test_an_edit_of_the_rules_changes_the_export(tmp_path):
    folder = copy_rules(tmp_path)
    edit(folder, "model.toml", '"--node-rank {{NODE_RANK}}"', '"--rank-of-node {{NODE_RANK}}"')
    edit(folder, "playground.toml", "default_bootstrap_port = 8998", "default_bootstrap_port = 9100")
    edit(folder, "playground.toml", "--prefill http://", "--prefill-url http://")
    edit(folder, "playground.toml", 'prefill = "--prefill"', 'prefill = "--prefill-url"')
    rules = load_rules(folder)
    env = Env.defaults(rules)
    (role,) = build(rules, GB200_MULTI, env).roles
    assert [v.kind for f in role.flags if f.name == "--rank-of-node" for v in f.values] == [RANK]
    assert '--rank-of-node "$SLURM_NODEID"' in sbatch.export(build(rules, GB200_MULTI, env), sbatch.ExportOptions())
    dep = build(rules, B200, env, Overrides(pd_mode="prefill"))
    text = lws.export(dep, lws.ExportOptions())
    name = lws.ExportOptions().job_name(dep)
    assert {p["port"] for p in services(text)[f"{name}-prefill-0"]["spec"]["ports"]} == {30000, 9100}
    assert f"--prefill-url\n            - http://{name}-prefill-0:30000" in text


# --------------------------------------------------------------------------- broken rules


def test_no_flag_for_the_node_rank_names_model_toml_and_line(tmp_path):
    folder = copy_rules(tmp_path)
    edit(folder, "model.toml", '  "--node-rank {{NODE_RANK}}",\n', "")
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'model.toml'}:{line_of(folder, 'model.toml', 'flags = [')}: ")
    assert "multi_node.flags" in msg and "rank" in msg and "dsv4 export needs one" in msg


def test_two_flags_for_the_head_name_the_second_one(tmp_path):
    folder = copy_rules(tmp_path)
    old = '  "--dist-init-addr {{NODE0_IP}}:{{DIST_PORT}}",\n'
    line = edit(folder, "model.toml", old, old + '  "--head {{NODE0_IP}}",\n') + 1
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'model.toml'}:{line}: ")
    assert "multi_node.flags[3]" in msg and "2 flags carry the head node's address" in msg
    assert "(--dist-init-addr, --head)" in msg


def test_a_router_peer_flag_the_router_does_not_have(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "playground.toml", 'prefill = "--prefill"', 'prefill = "--prefil"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'playground.toml'}:{line}: ")
    assert "pd.router_peer_flags.prefill" in msg and "'--prefil' is not a flag of pd.router" in msg


def test_a_bad_bootstrap_port_and_flag(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "playground.toml", "default_bootstrap_port = 8998", "default_bootstrap_port = 0")
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'playground.toml'}:{line}: ") and "pd.default_bootstrap_port" in msg
    folder = copy_rules(tmp_path / "again")
    line = edit(folder, "playground.toml", 'bootstrap_port_flag = "--disaggregation-bootstrap-port"',
                'bootstrap_port_flag = "--disaggregation-bootstrap-port 8998"')  # fmt: skip
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'playground.toml'}:{line}: ")
    assert "pd.bootstrap_port_flag" in msg and "a flag name alone" in msg


def test_a_missing_key_is_named(tmp_path):
    folder = copy_rules(tmp_path)
    edit(folder, "playground.toml", 'router_port_flag = "--port"\n', "")
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'playground.toml'}:{line_of(folder, 'playground.toml', '[pd]')}: ")
    assert "pd.router_port_flag" in msg
