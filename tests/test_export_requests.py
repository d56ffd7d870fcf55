"""What an exported file asks of the scheduler (issue 18: 4, 10, 11, 12): the bind host is
the pod's or job's own, the GPUs are those the command uses, each target has its own file
name, and a missing folder is never created silently."""

from __future__ import annotations

import yaml

from dsv4_tui import cli
from dsv4_tui.core.formats import TARGETS
from dsv4_tui.core.selection import Selection
from test_export_support import selection_args

B200_TP4 = Selection("b200", "flash", "fp4", "low-latency", "single")  # --tp 4 on an 8-GPU box
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")


def export(capsys, target: str, sel: Selection, *extra: str) -> str:
    code = cli.main(["export", "--to", target, *selection_args(sel), *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def gpu_limits(text: str) -> set[str]:
    found = set()
    for doc in yaml.safe_load_all(text):
        if not doc:
            continue
        for path in (
            ("spec", "leaderWorkerTemplate", "leaderTemplate"),
            ("spec", "leaderWorkerTemplate", "workerTemplate"),
        ):
            node = doc
            for key in path:
                node = (node or {}).get(key) if isinstance(node, dict) else None
            for c in ((node or {}).get("spec") or {}).get("containers", []):
                found |= {v for k, v in c["resources"]["limits"].items() if k.endswith("/gpu")}
    return found


def test_exports_never_carry_the_envs_host_ip(capsys):
    """`--host 10.0.0.5` is this box's address, not the pod's or the job's."""
    for target in ("lws", "sbatch"):
        for sel in (B200_TP4, GB200_MULTI):
            text = export(capsys, target, sel, "--set", "HOST_IP=10.0.0.5", "--set", "PORT=31000")
            assert "10.0.0.5" not in text, (target, sel)
            assert "0.0.0.0" in text and "31000" in text, (target, sel)


def test_lws_ports_follow_the_commands_port(capsys):
    text = export(capsys, "lws", B200_TP4, "--set", "PORT=31000")
    docs = [d for d in yaml.safe_load_all(text) if d]
    service = next(d for d in docs if d["kind"] == "Service")
    assert [p["port"] for p in service["spec"]["ports"]] == [31000]


def test_each_target_has_its_own_default_suffix():
    suffixes = {t.id: t.suffix for t in TARGETS.values()}
    assert len(set(suffixes.values())) == len(suffixes), suffixes
    assert suffixes["lws"] == ".lws.yaml" and suffixes["srt-slurm"] == ".srt.yaml" and suffixes["sbatch"] == ".sbatch"


def test_exports_ask_for_the_gpus_the_command_uses(capsys):
    """TP 4 on an 8-GPU box: 4 GPUs, and not the whole node, unless --whole-node asks."""
    assert gpu_limits(export(capsys, "lws", B200_TP4)) == {"4"}
    assert gpu_limits(export(capsys, "lws", B200_TP4, "--whole-node")) == {"8"}
    script = export(capsys, "sbatch", B200_TP4)
    assert "#SBATCH --gpus-per-node=4\n" in script and "--exclusive" not in script
    script = export(capsys, "sbatch", B200_TP4, "--whole-node")
    assert "#SBATCH --gpus-per-node=8\n" in script and "#SBATCH --exclusive\n" in script
    recipe = yaml.safe_load(export(capsys, "srt-slurm", B200_TP4))
    assert recipe["resources"]["gpus_per_node"] == 4


def test_a_command_that_uses_every_gpu_asks_for_every_gpu(capsys):
    """GB200 multi-node: TP 8 over 2 nodes of 4 GPUs uses every GPU of each node."""
    assert gpu_limits(export(capsys, "lws", GB200_MULTI)) == {"4"}
    assert "#SBATCH --exclusive\n" in export(capsys, "sbatch", GB200_MULTI)


def test_a_missing_folder_is_refused_without_parents(capsys, tmp_path):
    path = tmp_path / "nonexistent" / "dir" / "x"
    code = cli.main(["export", "--to", "sbatch", "-o", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "does not exist; add --parents" in err
    assert not (tmp_path / "nonexistent").exists()
    code = cli.main(["export", "--to", "sbatch", "-o", str(path), "--parents"])
    err = capsys.readouterr().err
    assert code == 0 and path.is_file() and "created the folder" in err and str(path) in err
