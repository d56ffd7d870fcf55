"""`dsv4 export --to TARGET`: stdout is exactly the target's file for the selection, `-o`
writes it atomically (0644) and never replaces a file without --force, options map to
ExportOptions, and every bad value exits 2 with a message naming it."""

from __future__ import annotations

import dataclasses
import stat

import pytest

from dsv4_tui import cli
from dsv4_tui.core.deployment import ExportOptions, build
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import TARGETS
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.selection import Selection
from test_export_support import selection_args

# Recorded on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its rules (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


B200 = Selection("b200", "flash", "fp4", "low-latency", "single")
GB200_MULTI = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
GB300_ROLES = Selection("gb300", "pro", "fp4", "high-throughput", "multi-2")
PD = Overrides(pd_mode="prefill")
CASES = {  # what a user exports: (selection, overrides, --override options)
    "single-node": (B200, None, []),
    "multi-node": (GB200_MULTI, None, []),
    "role cell": (GB300_ROLES, None, []),
    "playground PD": (B200, PD, ["--override", "pd-mode=prefill"]),
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def expected(rules, target: str, sel: Selection, ov: Overrides | None = None, **options) -> str:
    return TARGETS[target].export(build(rules, sel, Env.defaults(rules), ov), ExportOptions(**options))


def test_the_targets_are_the_registry():
    assert list(TARGETS) == ["lws", "sbatch", "srt-slurm"]
    assert all(t.kind == "export" and t.suffix and t.options and t.language for t in TARGETS.values())


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("target", TARGETS)
def test_stdout_is_exactly_the_targets_file(rules, capsys, target, case):
    sel, ov, extra = CASES[case]
    code, out, err = run(capsys, "export", "--to", target, *selection_args(sel), *extra)
    assert (code, err) == (0, "")
    assert out == expected(rules, target, sel, ov)
    if case in ("role cell", "playground PD") and target == "lws":
        assert "kind: DisaggregatedSet" in out and "kind: Deployment" in out  # the router


def test_the_target_is_taken_in_any_case(rules, capsys):
    sel, ov, extra = CASES[next(iter(CASES))]
    code, out, err = run(capsys, "export", "--to", "SRT-Slurm", *selection_args(sel), *extra)
    assert (code, err) == (0, "") and out == expected(rules, "srt-slurm", sel, ov)


def test_help_lists_every_target_from_the_registry(capsys):
    with pytest.raises(SystemExit):
        cli.main(["export", "--help"])
    out = capsys.readouterr().out
    assert "--to {lws,sbatch,srt-slurm}" in out
    for t in TARGETS.values():
        assert t.description in " ".join(out.split())
    assert "pd-mode" in out  # the --override keys, from the rules
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "export" in capsys.readouterr().out


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("target", "argv", "options"),
    [
        (
            "lws",
            ["--name", "v4", "--namespace", "ml", "--hf-token-secret", "hf", "--hf-token-key", "t", "--host-network",
             "--rdma-resource", "rdma/ib", "--image", "registry.local/sglang:v1"],
            {"name": "v4", "namespace": "ml", "hf_token_secret": "hf", "hf_token_key": "t", "host_network": True,
             "rdma_resource": "rdma/ib", "image": "registry.local/sglang:v1"},
        ),
        (
            "sbatch",
            ["--name", "v4", "--pyxis", "--partition", "gpu", "--account", "team", "--time", "1-00:00:00"],
            {"name": "v4", "pyxis": True, "partition": "gpu", "account": "team", "time_limit": "1-00:00:00"},
        ),
        (
            "srt-slurm",
            ["--partition", "gb200", "--model-dir", "/lustre/models/V4-Pro", "--time", "02:00:00"],
            {"partition": "gb200", "model_dir": "/lustre/models/V4-Pro", "time_limit": "02:00:00"},
        ),
    ],
)  # fmt: skip
def test_options_become_export_options(rules, capsys, target, argv, options):
    code, out, err = run(capsys, "export", "--to", target, *selection_args(GB200_MULTI), *argv)
    assert (code, err) == (0, "")
    assert out == expected(rules, target, GB200_MULTI, **options)
    assert out != expected(rules, target, GB200_MULTI)


def _changed(field: dataclasses.Field):
    return {
        "name": "other-name",
        "namespace": "ns",
        "hf_token_secret": "other-secret",
        "hf_token_key": "other-key",
        "host_network": True,
        "rdma_resource": "rdma/ib",
        "gpus_per_node": 2,
        "image": "other/image:1",
        "pyxis": True,
        "partition": "p",
        "account": "a",
        "time_limit": "1:00",
        "model_dir": "/models/x",
    }[field.name]


@pytest.mark.parametrize("target", TARGETS)
def test_an_option_a_target_does_not_list_changes_nothing(rules, target):
    """What the CLI refuses for a target really has no effect on its file (so refusing it
    loses nothing), whatever the selection."""
    t = TARGETS[target]
    for sel, ov, _ in CASES.values():
        dep = build(rules, sel, Env.defaults(rules), ov)
        plain = t.export(dep, ExportOptions())
        for field in dataclasses.fields(ExportOptions):
            if field.name not in t.options:
                changed = t.export(dep, ExportOptions(**{field.name: _changed(field)}))
                assert changed == plain, (target, field.name, sel.text)


# --------------------------------------------------------------------------- -o FILE


def test_output_file_is_written_atomically_0644_and_not_replaced_without_force(rules, capsys, tmp_path):
    path = tmp_path / "out" / "v4.yaml"
    argv = ["export", "--to", "lws", *selection_args(GB200_MULTI), "-o", str(path)]
    code, out, err = run(capsys, *argv)  # the folder is missing: never created silently (issue 18, 10)
    assert (code, out) == (2, "") and "does not exist; add --parents" in err and not path.parent.exists()
    code, out, err = run(capsys, *argv, "--parents")
    assert (code, out) == (0, "") and str(path) in err and f"created the folder {path.parent}" in err
    assert path.read_text(encoding="utf-8") == expected(rules, "lws", GB200_MULTI)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in path.parent.iterdir()) == ["v4.yaml"]  # no temp file left

    code, out, err = run(capsys, *argv, "--name", "again")
    assert code == 2 and out == "" and str(path) in err and "--force" in err
    assert path.read_text(encoding="utf-8") == expected(rules, "lws", GB200_MULTI)  # untouched

    code, out, err = run(capsys, *argv, "--name", "again", "--force")
    assert code == 0 and path.read_text(encoding="utf-8") == expected(rules, "lws", GB200_MULTI, name="again")


def test_output_to_a_folder_or_an_unwritable_place_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "export", "--to", "sbatch", "-o", str(tmp_path))
    assert code == 2 and str(tmp_path) in err and "folder" in err
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "export", "--to", "sbatch", "-o", str(blocker / "job.sbatch"), "--force", "--parents")
    assert code == 2 and "cannot write" in err and "job.sbatch" in err


# --------------------------------------------------------------------------- refusals


def test_an_unknown_target_exits_2_listing_the_targets(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["export", "--to", "k8s"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "invalid choice" in err and "k8s" in err
    assert all(target in err.rpartition("choose from")[2] for target in TARGETS)


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["--to", "lws", "--name", "Bad_Name"], ["--name 'Bad_Name'"]),
        (["--to", "sbatch", "--time", "soon", "--account", "a b"], ["--time 'soon'", "--account 'a b'"]),
        (["--to", "lws", "--partition", "gpu"], ["--partition is not used by --to lws", "sbatch, srt-slurm"]),
        (["--to", "srt-slurm", "--pyxis"], ["--pyxis is not used by --to srt-slurm", "sbatch"]),
        (["--to", "lws", "--hw", "a100"], ["--hw", "a100", "b200"]),
        (["--to", "lws", "--hw", "rtx6000", "--variant", "pro"], ["nearest valid selection: dsv4 export --to lws"]),
        (["--to", "lws", "--override", "pd-mode=sideways"], ["pd-mode=sideways"]),
        (["--to", "lws", "--override", "nonsense=1"], ["unknown --override key 'nonsense'"]),
        (["--to", "lws", "--override", "speculative=ngram"], ["refused: SGLang refuses NGRAM for DeepSeek-V4"]),
    ],
)
def test_bad_values_exit_2_naming_them(capsys, argv, needles):
    code, out, err = run(capsys, "export", *argv)
    assert (code, out) == (2, "")
    for needle in needles:
        assert needle in err, (needle, err)


def test_a_deployment_that_cannot_be_built_exits_2_with_its_reason(capsys):
    argv = ["export", "--to", "lws", *selection_args(GB300_ROLES), "--override", "pd-mode=prefill"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("dsv4: cannot export gb300/pro/fp4/high-throughput/multi-2 to lws: ")
    assert "no single verified base command" in err.lower()


@pytest.mark.parametrize("target", TARGETS)
def test_hf_token_from_set_is_never_written(capsys, target):
    token = "hf_FakeToken0123456789abcdef"
    code, out, _ = run(capsys, "export", "--to", target, *selection_args(GB200_MULTI), "--set", f"HF_TOKEN={token}")
    assert code == 0 and token not in out and "HF_TOKEN" in out
