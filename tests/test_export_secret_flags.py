"""A secret placeholder in a cell's flag never puts its value into an export (issue 19, MED 12).

`--api-key {{HF_TOKEN}}` in a rules cell used to write the token into the LWS, sbatch and
srt-slurm files. Every placeholder of kind "secret" (data in model.toml, not a name in
Python) is now kept symbolic: LWS refers to `$(NAME)`, set from a Kubernetes Secret
(secretKeyRef); sbatch to `"$NAME"` from the job's environment; srt-slurm to `$NAME`.
`dsv4 check` warns about a secret in a flag.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROLES_OVERLAY, ROOT
from dsv4_tui import cli

TOKEN = "hf_TOPSECRETvalue1234567890"
B200 = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]
GB200_MULTI = ["--hw", "gb200", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2"]
GB300_ROLES = ["--hw", "gb300", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2"]


def _with_flag(folder: Path, flag: str) -> None:
    """Add `flag` to every cell's flags (and every role's) of a rules copy."""
    cells = folder / "cells.toml"
    text = cells.read_text(encoding="utf-8").replace("\nflags = [\n", f'\nflags = [\n  "{flag}",\n')
    cells.write_text(text, encoding="utf-8")


@pytest.fixture
def secret_rules(tmp_path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    with (folder / "cells.toml").open("a", encoding="utf-8") as cells:  # the PD role cells, as an overlay
        cells.write("\n" + (ROLES_OVERLAY / "cells.toml").read_text(encoding="utf-8"))
    _with_flag(folder, "--api-key {{HF_TOKEN}}")
    return folder


def _export(capsys, folder: Path, target: str, selection: list[str], *extra: str) -> str:
    code = cli.main(
        ["--rules", str(folder), "export", "--to", target, *selection, "--set", f"HF_TOKEN={TOKEN}", *extra]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("selection", [B200, GB200_MULTI, GB300_ROLES], ids=["single", "multi-node", "roles"])
def test_lws_refers_to_the_secret(secret_rules, capsys, selection):
    out = _export(capsys, secret_rules, "lws", selection)
    assert TOKEN not in out
    assert "- --api-key\n" in out and '- "$(HF_TOKEN)"\n' in out
    assert "secretKeyRef:" in out and "name: HF_TOKEN" in out


@pytest.mark.parametrize("selection", [B200, GB200_MULTI, GB300_ROLES], ids=["single", "multi-node", "roles"])
def test_sbatch_refers_to_the_environment(secret_rules, capsys, selection):
    out = _export(capsys, secret_rules, "sbatch", selection)
    assert TOKEN not in out
    assert '--api-key "$HF_TOKEN"' in out


@pytest.mark.parametrize("selection", [B200, GB300_ROLES], ids=["single", "roles"])
def test_srt_slurm_refers_to_the_environment(secret_rules, capsys, selection):
    out = _export(capsys, secret_rules, "srt-slurm", selection)
    assert TOKEN not in out
    assert 'api-key: "$HF_TOKEN"' in out


def test_the_inline_spelling_too(tmp_path, capsys):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    with (folder / "cells.toml").open("a", encoding="utf-8") as cells:  # the PD role cells, as an overlay
        cells.write("\n" + (ROLES_OVERLAY / "cells.toml").read_text(encoding="utf-8"))
    _with_flag(folder, "--api-key=Bearer:{{HF_TOKEN}}")
    for target, needle in (("lws", "--api-key=Bearer:$(HF_TOKEN)"), ("sbatch", '--api-key=Bearer:"$HF_TOKEN"')):
        out = _export(capsys, folder, target, B200)
        assert TOKEN not in out and needle in out, out


def test_which_placeholders_are_secret_is_rules_data(tmp_path, capsys):
    """A new placeholder of kind "secret" is kept out of the files; the same one of kind
    "text" is written (it is no secret)."""
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    with (folder / "cells.toml").open("a", encoding="utf-8") as cells:  # the PD role cells, as an overlay
        cells.write("\n" + (ROLES_OVERLAY / "cells.toml").read_text(encoding="utf-8"))
    _with_flag(folder, "--admin-key {{ADMIN_KEY}}")
    model = folder / "model.toml"
    base = model.read_text(encoding="utf-8")
    for kind, written in (("secret", False), ("text", True)):
        model.write_text(
            base.replace(
                "[placeholders.CURL_HOST]",
                f'[placeholders.ADMIN_KEY]\nlabel = "Admin key"\ndefault = "none"\ntarget = "command"\nkind = "{kind}"\n\n'
                "[placeholders.CURL_HOST]",
            ),
            encoding="utf-8",
        )
        for target in ("lws", "sbatch", "srt-slurm"):
            out = _export(capsys, folder, target, B200, "--set", "ADMIN_KEY=adm_SECRET42")
            assert ("adm_SECRET42" in out) is written, (kind, target)
            if not written:
                assert "ADMIN_KEY" in out


def test_dsv4_check_warns_about_a_secret_in_a_flag(secret_rules, capsys):
    assert cli.main(["--rules", str(secret_rules), "check"]) == 0
    err = capsys.readouterr().err
    lines = [t for t in err.splitlines() if "warning: holds the secret {{HF_TOKEN}}" in t]
    injected = (secret_rules / "cells.toml").read_text(encoding="utf-8").count('\n  "--api-key {{HF_TOKEN}}",\n')
    assert injected > 136 and len(lines) == injected  # one warning per flag list (cells and roles)
    assert all(t.startswith(f"dsv4: {secret_rules / 'cells.toml'}: cell ") for t in lines)
    assert lines[0].endswith(
        "cell b200/flash-official/fp4/low-latency/single: flags[0]: warning: holds the secret {{HF_TOKEN}}; "
        "dsv4 print fills in its value, exports refer to the environment variable HF_TOKEN instead"
    )
    assert cli.main(["--rules", str(secret_rules), "print", *B200]) == 0
    assert "warning" not in capsys.readouterr().err  # check says it; print does not repeat it
