"""`dsv4 export --to srt-slurm`: a recipe for NVIDIA's srtctl.

Every recipe has the config reference's required keys and the shape of NVIDIA's own
DeepSeek-V4 recipes; read back the way srtctl turns `sglang_config` into flags, each
mode's flags and env equal what `dsv4 print` gives (srtctl adds host, port and the
multi-node flags itself).
"""

from __future__ import annotations

import pytest
import yaml

from dsv4_tui.core.deployment import ExportOptions, from_deploy, from_playground
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import srt_slurm
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.selection import Selection
from test_export_support import (
    DATA,
    Command,
    base_cells,
    multinode_cells,
    override_args,
    pd_combinations,
    printed,
    printed_router,
)

# Recorded on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its rules (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GB300_ROLES = Selection("gb300", "pro", "fp4", "balanced", "multi-2")
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
B200_SINGLE = Selection("b200", "flash", "fp4", "low-latency", "single")
SRTCTL_OWNED = {"--host", "--port", "--nnodes", "--node-rank", "--dist-init-addr", "--disaggregation-bootstrap-port"}
RESOURCE_KEYS = {  # the config reference's `resources` fields
    "gpu_type", "gpus_per_node", "prefill_nodes", "decode_nodes", "prefill_workers", "decode_workers",
    "agg_nodes", "agg_workers", "gpus_per_prefill", "gpus_per_decode", "gpus_per_agg",
}  # fmt: skip


def load(text: str) -> dict:
    return yaml.load(text, Loader=Loader)


def srtctl_args(config: dict) -> list[str]:
    """What srtctl passes to the server for a `sglang_config` mode (its `_config_to_cli_args`)."""
    args: list[str] = []
    for key, value in sorted(config.items()):
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            args += [flag] if value else []
        elif isinstance(value, list):
            args += [flag, *map(str, value)]
        elif value is not None:
            args += [flag, str(value)]
    return args


def flag_dict(words) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for w in words:
        if w.startswith("--"):
            key = w
            out[key] = ()
        else:
            out[key] = (*out[key], w)
    return out


def check_shape(recipe: dict) -> None:
    """The config reference's required keys, and the layout of NVIDIA's DeepSeek-V4 recipes."""
    assert isinstance(recipe["name"], str) and recipe["name"]
    assert {"path", "container", "precision"} <= recipe["model"].keys()
    res = recipe["resources"]
    assert res["gpu_type"] and set(res) <= RESOURCE_KEYS
    agg = "agg_nodes" in res
    modes = {"aggregated"} if agg else {"prefill", "decode"}
    assert agg != ("prefill_nodes" in res or "decode_nodes" in res)  # one mode or the other, not both
    backend = recipe["backend"]
    assert backend["type"] == "sglang" and set(backend["sglang_config"]) == modes
    for mode in modes:
        env = backend[f"{mode}_environment"]
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
    assert recipe["frontend"]["type"] == "sglang"  # srtctl then runs sglang.launch_server and the sglang router
    for example in ("example-agg-2n-low-latency.yaml", "example-disagg-1p1d-dep4-mega-moe.yaml"):
        ref = load((DATA / example).read_text(encoding="utf-8"))
        if ("agg_nodes" in ref["resources"]) == agg:
            assert set(recipe) - {"slurm"} <= set(ref) | {"benchmark"}
            assert set(ref["backend"]) - {"type"} <= set(backend)


def test_every_cell_and_pd_combination_has_the_required_keys(rules):
    env = Env.defaults(rules)
    deps = [from_deploy(rules, Selection.of(c), env) for c in rules.cells]
    deps += [from_playground(rules, sel, ov, env) for sel, ov in pd_combinations(rules)]
    for dep in deps:
        check_shape(load(srt_slurm.export(dep, ExportOptions())))


def expected_config(cmd: Command, model: str) -> dict[str, tuple[str, ...]]:
    flags = flag_dict(cmd.argv[2:])
    want = {k: v for k, v in flags.items() if k not in SRTCTL_OWNED}
    return {**want, "--served-model-name": (model,)}


def test_every_mode_has_exactly_the_printed_flags_and_env(rules):
    env = Env.defaults(rules)
    for sel in [*multinode_cells(rules), *base_cells(rules)]:
        dep = from_deploy(rules, sel, env)
        recipe = load(srt_slurm.export(dep, ExportOptions()))
        commands = printed(sel)
        modes = [srt_slurm.MODES[r.name] for r in dep.gpu_roles]
        for mode, cmd in zip(modes, commands):
            config = recipe["backend"]["sglang_config"][mode]
            assert flag_dict(srtctl_args(config)) == expected_config(cmd, dep.model), (sel.text, mode)
            assert recipe["backend"][f"{mode}_environment"] == dict(cmd.env)
            assert SRTCTL_OWNED & set(flag_dict(cmd.argv[2:])) >= {"--host", "--port"}


def test_resources_follow_the_roles(rules):
    env = Env.defaults(rules)
    res = load(srt_slurm.export(from_deploy(rules, GB300_ROLES, env), ExportOptions()))["resources"]
    assert res == {"gpu_type": "gb300", "gpus_per_node": 4, "prefill_nodes": 4, "prefill_workers": 2,
                   "decode_nodes": 4, "decode_workers": 1}  # fmt: skip
    res = load(srt_slurm.export(from_deploy(rules, GB200_MULTI, env), ExportOptions(gpus_per_node=2)))["resources"]
    assert res == {"gpu_type": "gb200", "gpus_per_node": 2, "agg_nodes": 2, "agg_workers": 1}


@pytest.mark.parametrize("ov", [Overrides(pd_mode="prefill"), Overrides(pd_mode="decode", hisparse=True)])
def test_playground_pd_modes_and_router_args(rules, ov):
    dep = from_playground(rules, B200_SINGLE, ov, Env.defaults(rules))
    recipe = load(srt_slurm.export(dep, ExportOptions()))
    for mode in ("prefill", "decode"):
        (cmd,) = printed(B200_SINGLE, *override_args(ov.with_(pd_mode=mode)))
        config = recipe["backend"]["sglang_config"][mode]
        assert flag_dict(srtctl_args(config)) == expected_config(cmd, dep.model)
    router = flag_dict(printed_router(B200_SINGLE, ov).argv[3:])
    owned = {f"--{k}" for k in srt_slurm.ROUTER_OWNED}
    args = recipe["frontend"]["args"]
    assert flag_dict(srtctl_args(args)) == {k: v for k, v in router.items() if k not in owned}
    assert recipe["frontend"]["enable_multiple_frontends"] is False


def test_values_are_typed_so_srtctl_gives_back_the_same_text(rules):
    config = load(srt_slurm.export(from_deploy(rules, GB200_MULTI, Env.defaults(rules)), ExportOptions()))
    agg = config["backend"]["sglang_config"]["aggregated"]
    assert agg["trust-remote-code"] is True and agg["tp"] == 8 and agg["mem-fraction-static"] == 0.78
    assert srt_slurm.typed("0.90") == "0.90" and srt_slurm.typed("1e5") == "1e5" and srt_slurm.typed("-3") == -3
    dep = from_playground(rules, B200_SINGLE, Overrides(pd_mode="decode", hisparse=True), Env.defaults(rules))
    decode = load(srt_slurm.export(dep, ExportOptions()))["backend"]["sglang_config"]["decode"]
    assert decode["hisparse-config"] == '{"top_k":2048,"device_buffer_size":6144,"host_to_device_ratio":10}'


def test_model_path_served_name_and_token(rules):
    env = Env.defaults(rules).with_values({"HF_TOKEN": "hf_supersecret123"})
    dep = from_deploy(rules, GB200_MULTI, env)
    text = srt_slurm.export(dep, ExportOptions())
    assert "hf_supersecret123" not in text and "HF_TOKEN" in text
    recipe = load(text)
    assert recipe["model"] == {"path": f"hf:{dep.model}", "container": dep.image, "precision": "fp4"}
    local = load(srt_slurm.export(dep, ExportOptions(model_dir="/lustre/models/V4-Pro", partition="gb200")))
    agg = local["backend"]["sglang_config"]["aggregated"]
    assert local["model"]["path"] == "/lustre/models/V4-Pro" and agg["model-path"] == "/model"
    assert agg["served-model-name"] == dep.model and local["slurm"]["partition"] == "gb200"


def test_format_entry():
    assert srt_slurm.FORMAT.id == "srt-slurm" and srt_slurm.FORMAT.export is srt_slurm.export
