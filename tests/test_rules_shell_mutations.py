"""Rules text that reaches a printed command is shell-checked (issue 19, HIGH 4).

`dsv4 check` used to say OK to rules whose engine program, Docker runtime, volume, images,
default image, model names or placeholder defaults held `$(…)` or `; …`, and 16 of 44
mutations ran the injected command once the printed command was run. A model name with `'`
broke out of the cURL's `-d '…'`.

Each field gets each payload (only a harmless `touch PWNED`). Either the rules are rejected
with `file:line: key.path`, or every printed command (`dsv4 print` in both framings, cURL,
multi-node, roles, Playground overrides, the install lines), run by bash in an empty folder
with fake tools on PATH, creates no file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.formats import framing as get_framing
from dsv4_tui.core.problems import RulesError
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules

PAYLOADS = [
    "$(touch PWNED)",
    "; touch PWNED",
    "`touch PWNED`",
    "' ; touch PWNED ; '",
    '" ; touch PWNED ; "',
    " && touch PWNED",
    "'$(touch PWNED)'",  # quoted: the shell reads it literally, so it may be accepted
]

UNQUOTED = ["$(touch PWNED)", "; touch PWNED", "`touch PWNED`", " && touch PWNED"]

B200 = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]
H200 = ["--hw", "h200", "--variant", "flash", "--quant", "fp8", "--strategy", "balanced", "--nodes", "single"]
AMD = ["--hw", "mi300x", "--variant", "flash", "--quant", "fp8", "--strategy", "balanced", "--nodes", "single"]
MULTI = ["--hw", "gb200", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2"]
ROLES = ["--hw", "gb300", "--variant", "pro", "--quant", "fp4", "--strategy", "balanced", "--nodes", "multi-2"]
OVERRIDES = [
    ["tp=4", "hicache=on", "dp-attention=8", "ep=8"],
    ["hisparse=on", "pd-mode=decode"],
    ["pd-mode=prefill", "cp=2"],
    ["speculative=mtp-314", "reasoning-parser=on"],
]
PRINTS = [[*sel, *framing] for sel in (H200, B200, AMD, MULTI, ROLES) for framing in ([], ["--docker"])] + [
    [*H200, "--curl"],
    [*AMD, "--curl"],
    *([*B200, *(a for o in ov for a in ("--override", o))] for ov in OVERRIDES),
    [*B200, "--override", "pd-mode=prefill", "--router"],
]


def _value_line(key: str, section: str | None = None):
    """Append the payload to the string value of `key = "…"` (in `[section]` when given)."""

    def edit(text: str, payload: str) -> str:
        start = text.index(f"\n[{section}]\n") if section else 0
        m = re.compile(rf'^({re.escape(key)} = )"([^"\n]*)"', re.M).search(text, start)
        assert m, (key, section)
        return text[: m.start()] + m[1] + json.dumps(m[2] + payload) + text[m.end() :]

    return edit


def _table_values(section: str):
    """Append the payload to every `"key" = "value"` of a table."""

    def edit(text: str, payload: str) -> str:
        start = text.index(f"\n[{section}]\n")
        end = text.find("\n[", start + 1)
        body = re.sub(
            r'^("[^"\n]+" = )"([^"\n]*)"', lambda m: m[1] + json.dumps(m[2] + payload), text[start:end], flags=re.M
        )
        return text[:start] + body + text[end:]

    return edit


def _first_list_item(key: str, section: str):
    def edit(text: str, payload: str) -> str:
        start = text.index(f"\n[{section}]\n")
        m = re.compile(rf'^{re.escape(key)} = \[\s*"([^"\n]*)"', re.M).search(text, start)
        assert m, (key, section)
        return text[: m.start(1) - 1] + json.dumps(m[1] + payload) + text[m.end(1) + 1 :]

    return edit


def _default_image(text: str, payload: str) -> str:
    text = _value_line("default_image", "model")(text, payload)
    return re.sub(r'^"(h200|b200|mi300x)" = "[^"\n]*"\n', "", text, flags=re.M)  # so they use the default


MUTATIONS = {
    "model.default_image": ("model.toml", _default_image),
    "engine.program": ("model.toml", _value_line("program", "engine")),
    "engine.port_flag": ("model.toml", _value_line("port_flag", "engine")),
    "docker.runtime.nvidia.run": ("model.toml", _value_line("run", "docker.runtime.nvidia")),
    "docker.runtime.nvidia.args[0]": ("model.toml", _first_list_item("args", "docker.runtime.nvidia")),
    "docker.runtime.amd.run": ("model.toml", _value_line("run", "docker.runtime.amd")),
    "docker.runtime.amd.args[0]": ("model.toml", _first_list_item("args", "docker.runtime.amd")),
    "docker.volume": ("model.toml", _value_line("volume", "docker")),
    "docker.token_env": ("model.toml", _value_line("token_env", "docker")),
    "docker.images": ("model.toml", _table_values("docker.images")),
    "model_names": ("model.toml", _table_values("model_names")),
    **{
        f"placeholders.{name}.default": ("model.toml", _value_line("default", f"placeholders.{name}"))
        for name in ("HOST_IP", "PORT", "NODE0_IP", "NODE_RANK", "HF_TOKEN", "CURL_HOST", "CURL_PORT")
    },
    "install.python[0]": ("model.toml", _first_list_item("python", "install")),
    "install.docker": ("model.toml", _value_line("docker", "install")),
    "attention.tp.flag": ("playground.toml", _value_line("flag", "attention.tp")),
    "attention.dp_attention.flag": ("playground.toml", _value_line("flag", "attention.dp_attention")),
    "attention.dp_attention.legacy_switch": ("playground.toml", _value_line("legacy_switch", "attention.dp_attention")),
    "hicache.flag": ("playground.toml", _value_line("flag", "hicache")),
    "hicache.default_policy": ("playground.toml", _value_line("default_policy", "hicache")),
    "hisparse.config_flag": ("playground.toml", _value_line("config_flag", "hisparse")),
    "pd.mode_flag": ("playground.toml", _value_line("mode_flag", "pd")),
}


@pytest.fixture(scope="module")
def fake_bin(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fakebin")
    for tool in ("sglang", "docker", "curl", "pip", "uv", "python3", "python"):
        path = folder / tool
        path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        path.chmod(0o755)
    return folder


def _printed(rules_dir: Path, capsys) -> list[str]:
    texts = []
    for argv in PRINTS:
        cli.main(["--rules", str(rules_dir), "print", *argv])
        out, _ = capsys.readouterr()
        if out.strip():
            texts.append(out)
    rules = load_rules(rules_dir)
    for argv in (H200, AMD):
        sel = Selection(*argv[1::2])
        for framing in ("python", "docker"):
            texts += get_framing(framing).install(rules, sel)
    assert Env.defaults(rules) is not None
    return texts


def _runs_payload(texts: list[str], fake_bin: Path, tmp_path: Path) -> list[str]:
    """The texts that created PWNED when bash ran them."""
    ran = []
    for i, text in enumerate(texts):
        work = tmp_path / f"run{i}"
        work.mkdir(parents=True)
        subprocess.run(
            ["bash", "-c", text],
            cwd=work,
            env={"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": str(work)},
            capture_output=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        if any(p.name == "PWNED" for p in work.rglob("*")):
            ran.append(text)
    return ran


@pytest.mark.parametrize("field", list(MUTATIONS))
def test_a_mutated_rules_field_is_rejected_or_runs_nothing(field, tmp_path, capsys, fake_bin):
    file, edit = MUTATIONS[field]
    original = (ROOT / "rules" / file).read_text(encoding="utf-8")
    outcomes: dict[str, str] = {}
    injected: dict[str, list[str]] = {}
    for k, payload in enumerate(PAYLOADS):
        folder = tmp_path / f"m{k}"
        shutil.copytree(ROOT / "rules", folder)
        (folder / file).write_text(edit(original, payload), encoding="utf-8")
        try:
            load_rules(folder, cache=False)
        except RulesError as exc:
            here = [
                p for p in exc.problems if p.where.startswith(field.split("[")[0]) and p.line and p.file.endswith(file)
            ]
            assert here, [str(p) for p in exc.problems]
            outcomes[payload] = "rejected"
            continue
        ran = _runs_payload(_printed(folder, capsys), fake_bin, tmp_path / f"bash{k}")
        outcomes[payload] = "printed, ran nothing" if not ran else "INJECTED"
        if ran:
            injected[payload] = ran
    assert not injected, f"{field}: {outcomes}\n" + "\n---\n".join(t for ts in injected.values() for t in ts[:1])
    # Syntax outside quotes is always rejected; a quoted payload may be accepted as literal text.
    assert all(outcomes[p] == "rejected" for p in UNQUOTED), outcomes


def test_dsv4_check_names_file_line_and_field(tmp_path, capsys):
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    model = folder / "model.toml"
    model.write_text(_table_values("model_names")(model.read_text(encoding="utf-8"), "' ; touch PWNED ; '"), "utf-8")
    assert cli.main(["check", "--rules", str(folder)]) != 0
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(model.read_text().splitlines(), 1) if t.startswith('"flash|fp4"'))
    (said,) = [t for t in err.splitlines() if t.startswith(f"{model}:{line}: model_names.flash|fp4: ")]
    assert said.endswith(
        'has "\'"; a value pasted into a command takes only letters, digits and - _ . / : = , + @ % ^ ~'
    )


def test_the_bundled_rules_pass_the_command_checks():
    assert len(load_rules(ROOT / "rules", cache=False).cells) > 0
