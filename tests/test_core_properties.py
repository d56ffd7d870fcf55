"""Properties of the pure core over the whole matrix: every cell renders, every greyed
option says why, choosing and resolving always land on a real cell, and the framing rules
of the Deploy pane hold for every cell (multi-node, roles, AMD, images)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.render import (
    NO_COMMAND,
    badge,
    flag_name,
    model_name,
    render_command,
    render_curl,
    render_flags,
)
from dsv4_tui.core.rules import DIMS
from dsv4_tui.core.selection import (
    NotAvailable,
    Selection,
    availability,
    choose,
    disabled_reason,
    first_selection,
    resolve,
)
from dsv4_tui.core.srt_panel import panel_for, serves
from dsv4_tui.host.rules_files import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"
FRAMINGS = ("python", "docker")
HEADER_2 = [
    "# Multi-node (2 nodes). Run the same command on every node with:",
    "#   <node-rank> = 0 on the head node, 1..1 on the others",
    "#   <node0-ip>  = IP of the head node (reachable from all others)",
]


def _all_combos(rules):
    return [Selection(*combo) for combo in itertools.product(*[[o.id for o in rules.options[d]] for d in DIMS])]


def _defaults(rules) -> dict[str, str]:
    return {k: p.default for k, p in rules.model.placeholders.items()}


def _fill(rules, sel, text: str) -> str:
    """Substitute the default placeholder values (an oracle independent of render.substitute)."""
    for k, v in {**_defaults(rules), "MODEL_NAME": model_name(rules, sel)}.items():
        text = text.replace("{{" + k + "}}", v)
    return text


def _text(rules, sel, framing):
    subst = Env.defaults(rules).subst()
    return render_curl(rules, sel, subst) if framing == "curl" else render_command(rules, sel, framing, subst)


# --------------------------------------------------------------------------- the matrix


def test_the_matrix_has_136_cells_in_three_badge_states(rules):
    assert len(rules.cells) == 136
    assert all(c.derived_from is None for c in rules.cells)
    assert len({c.key for c in rules.cells}) == 136
    states = [c.state for c in rules.cells]
    assert (states.count("verified"), states.count("in-progress"), states.count("unverified")) == (87, 18, 31)
    words = {c.state: badge(rules, c) for c in rules.cells}
    assert words == {"verified": "Verified", "in-progress": "In progress", "unverified": "Not Verified"}
    assert sum(c.warn is not None for c in rules.cells) == 18


def test_initial_selection_is_the_first_cell(rules, capsys):
    first = first_selection(rules)
    assert first == Selection("b200", "flash-official", "fp4", "low-latency", "single")
    assert cli.main(["print"]) == 0
    assert capsys.readouterr().out == _text(rules, first, "python") + "\n"


@pytest.mark.parametrize("framing", ["python", "docker", "curl"])
def test_every_cell_renders_with_no_placeholder_left(rules, framing):
    for cell in rules.cells:
        sel = Selection.of(cell)
        text = _text(rules, sel, framing)
        assert text and text != NO_COMMAND, cell.key_text
        assert "{{" not in text, cell.key_text
        assert not text.endswith("\n") and not text.endswith("\\"), cell.key_text
        assert model_name(rules, sel), cell.key_text


def test_a_selection_without_cell_renders_the_no_command_text(rules):
    sel = Selection("rtx6000", "pro", "fp8", "balanced", "multi-2")
    assert rules.cell(sel) is None
    for framing in FRAMINGS:
        assert _text(rules, sel, framing) == NO_COMMAND


def _expected_single(rules, cell, framing) -> str:
    """The framing of deploy.md, written out independently for a single-node cell."""
    sel = Selection.of(cell)
    if framing == "python":
        lines = [f"{e} \\" for e in cell.env] + ["sglang serve \\"]
        lines += ["  " + f + " \\" for f in cell.flags]
    else:
        hw = rules.hardware(cell.hw)
        if hw.vendor == "nvidia":
            lines = ["docker run --gpus all", "  --shm-size 32g"]
        else:
            lines = [
                "docker run",
                "  --device=/dev/kfd --device=/dev/dri",
                "  --group-add video",
                "  --cap-add=SYS_PTRACE --security-opt seccomp=unconfined",
                "  --shm-size 32g",
            ]
        port = next(f.split(" ", 1)[1] for f in cell.flags if f.startswith("--port "))
        lines += [f"  -p {port}:{port}", "  -v ~/.cache/huggingface:/root/.cache/huggingface"]
        lines += ['  --env "HF_TOKEN={{HF_TOKEN}}"'] + [f"  --env {e}" for e in cell.env]
        images = rules.model.docker.images
        keys = [f"{cell.hw}|{cell.variant}|{cell.quant}", f"{cell.variant}|{cell.quant}"]
        keys += [f"{cell.hw}|{cell.quant}|{cell.strategy}", f"{cell.hw}|{cell.quant}", cell.hw]
        image = next((images[k] for k in keys if k in images), "lmsysorg/sglang:dev")
        lines += ["  --ipc=host", "  " + image, "  sglang serve"] + ["    " + f for f in cell.flags]
        lines = [line + " \\" for line in lines]
    lines[-1] = lines[-1][: -len(" \\")]
    return _fill(rules, sel, "\n".join(lines))


@pytest.mark.parametrize("framing", FRAMINGS)
def test_single_node_cells_follow_the_exact_framing(rules, framing):
    singles = [c for c in rules.cells if c.nodes == "single" and not c.has_roles]
    assert len(singles) >= 50
    for cell in singles:
        assert _text(rules, Selection.of(cell), framing) == _expected_single(rules, cell, framing), cell.key_text


def test_amd_docker_framing(rules):
    amd = [c for c in rules.cells if rules.hardware(c.hw).vendor == "amd"]
    assert {c.hw for c in amd} == {"mi300x", "mi355x"}
    for cell in amd:
        lines = _text(rules, Selection.of(cell), "docker").split("\n")
        assert lines[:6] == [
            "docker run \\",
            "  --device=/dev/kfd --device=/dev/dri \\",
            "  --group-add video \\",
            "  --cap-add=SYS_PTRACE --security-opt seccomp=unconfined \\",
            "  --shm-size 32g \\",
            "  -p 30000:30000 \\",
        ]
        assert "--gpus" not in "\n".join(lines)
        assert any(line.startswith("  lmsysorg/sglang-rocm:") for line in lines)


def test_nvidia_docker_framing_starts_with_gpus_all(rules):
    for cell in rules.cells:
        if rules.hardware(cell.hw).vendor == "nvidia" and not cell.has_roles and cell.nodes == "single":
            lines = _text(rules, Selection.of(cell), "docker").split("\n")
            assert lines[:2] == ["docker run --gpus all \\", "  --shm-size 32g \\"], cell.key_text


def test_rtx6000_docker_uses_the_nightly_dev_image(rules):
    sel = Selection("rtx6000", "flash", "fp4", "low-latency", "single")
    lines = _text(rules, sel, "docker").split("\n")
    assert "  lmsysorg/sglang:dev \\" in lines
    assert not any("sglang:latest" in line for line in lines)


def test_docker_port_mapping_follows_the_port_value(rules):
    sel = first_selection(rules)
    env = Env.defaults(rules).with_values({"PORT": "8080"})
    text = render_command(rules, sel, "docker", env.subst())
    assert "  -p 8080:8080 \\" in text.split("\n")
    assert text.endswith("    --port 8080")


# --------------------------------------------------------------------------- multi-node


def _multi_cells(rules):
    return [c for c in rules.cells if c.nodes == "multi-2" and not c.has_roles]


PARALLELISM = {"--attn-dp-size", "--attention-data-parallel-size", "--dp-size", "--dp", "--tp-size", "--tp"}


def _anchor_at(flags) -> int:
    """The page's rule: right after the last parallelism flag, else after --model-path."""
    names = [flag_name(f) for f in flags]
    hits = [i for i, n in enumerate(names) if n in PARALLELISM]
    return (hits[-1] if hits else names.index("--model-path")) + 1


@pytest.mark.parametrize("framing", FRAMINGS)
def test_multi_node_cells_have_header_hints_and_injected_flags(rules, framing):
    cells = _multi_cells(rules)
    assert len(cells) == sum(c.nodes == "multi-2" for c in rules.cells) >= 10
    indent = "  " if framing == "python" else "    "
    for cell in cells:
        sel = Selection.of(cell)
        lines = _text(rules, sel, framing).split("\n")
        assert lines[:3] == HEADER_2, cell.key_text
        hints = [f"# {h}" for h in rules.model.multi_node_hints.get(cell.hw, [])]
        assert lines[3 : 3 + len(hints)] == hints, cell.key_text
        body = lines[3 + len(hints) :]
        assert not any(line.startswith("#") for line in body)
        at = body.index(indent + "--nnodes 2 \\")
        assert body[at + 1] == indent + "--node-rank <node-rank> \\"
        assert body[at + 2] == indent + "--dist-init-addr <node0-ip>:20000 \\"
        i = _anchor_at(cell.flags)
        assert flag_name(body[at - 1].strip()) == flag_name(cell.flags[i - 1]), cell.key_text
        # Right after it, and nothing else was added or moved.
        flag_lines = [ln.strip().removesuffix(" \\") for ln in body if ln.startswith(indent + "--")]
        if framing == "docker":
            docker_args = ("--shm-size", "--network", "--env", "--ipc", "--ulimit", "--cap-add", "--device")
            flag_lines = [ln for ln in flag_lines if not ln.startswith(docker_args)]
        expected = [_fill(rules, sel, f) for f in cell.flags]
        expected[i:i] = ["--nnodes 2", "--node-rank <node-rank>", "--dist-init-addr <node0-ip>:20000"]
        assert flag_lines == expected, cell.key_text
        if framing == "docker":
            assert "  --network host \\" in body
            assert not any(line.startswith("  -p ") for line in body)


def test_gb200_multi_node_prints_its_cluster_hints(rules):
    text = _text(rules, Selection("gb200", "pro", "fp4", "low-latency", "multi-2"), "python")
    assert "\n# The following env vars may be needed depending on your cluster:\n" in text
    # Hardware without hints gets none.
    h200 = _text(rules, Selection("h200", "pro", "fp8", "balanced", "multi-2"), "python").split("\n")
    assert not h200[3].startswith("#")


@pytest.mark.parametrize(
    "flags,after",
    [
        (["--model-path M", "--tp 8", "--dp 8", "--enable-dp-attention", "--port 1"], "--dp 8"),
        (["--model-path M", "--dp 8", "--tp 8", "--port 1"], "--tp 8"),
        (["--model-path M", "--tp 8", "--attn-dp-size 8", "--moe-a2a-backend deepep", "--port 1"], "--attn-dp-size 8"),
        (["--model-path M", "--tp 8", "--port 1"], "--tp 8"),
        (["--trust-remote-code", "--model-path M", "--port 1"], "--model-path M"),
    ],
)
def test_multi_node_injection_anchor_fallbacks(rules, flags, after):
    sel = Selection("h200", "pro", "fp8", "balanced", "multi-2")
    text = render_flags(rules, sel, [], flags, "python", Env.defaults(rules).subst())
    lines = text.split("\n")
    at = lines.index("  --nnodes 2 \\")
    assert lines[at - 1] == f"  {after} \\"
    assert lines[:3] == HEADER_2


def test_multi_node_values_from_env_are_substituted(rules):
    sel = Selection("h200", "pro", "fp8", "balanced", "multi-2")
    env = Env.defaults(rules).with_values({"NODE0_IP": "10.0.0.7", "NODE_RANK": "1"})
    text = render_command(rules, sel, "python", env.subst())
    assert "  --node-rank 1 \\" in text.split("\n")
    assert "  --dist-init-addr 10.0.0.7:20000 \\" in text.split("\n")
    # The header explains the placeholders, whatever their values.
    assert text.split("\n")[:3] == HEADER_2


# --------------------------------------------------------------------------- roles


def _role_cells(rules):
    return [c for c in rules.cells if c.has_roles]


@pytest.mark.parametrize("framing", FRAMINGS)
def test_role_cells_render_one_block_per_role(role_rules, framing):
    rules = role_rules
    cells = _role_cells(rules)
    assert {c.key_text for c in cells} == {
        f"gb300/pro/fp4/{s}/multi-2" for s in ("low-latency", "balanced", "high-throughput")
    }
    for cell in cells:
        sel = Selection.of(cell)
        text = _text(rules, sel, framing)
        assert "\n\n\n" not in text and not text.startswith("\n")
        blocks = text.split("\n\n")
        assert len(blocks) == len(cell.role), cell.key_text
        assert not text.startswith("# Multi-node")
        for block, role in zip(blocks, cell.role):
            lines = block.split("\n")
            head = [f"# {role.title}", *(f"# {n}" for n in role.notes)]
            assert lines[: len(head)] == head
            rest = "\n".join(lines[len(head) :])
            if role.raw is not None:
                assert rest == _fill(rules, sel, role.raw)
            elif framing == "python":
                assert rest.split("\n")[len(role.env)] == "sglang serve \\"
                # No multi-node injection: the roles carry their own --nnodes.
                assert rest.count("--nnodes") == sum(flag_name(f) == "--nnodes" for f in role.flags)
            else:
                assert "  --network host \\" in rest.split("\n")
                assert "\n  -p " not in rest
                assert rest.count("--nnodes") == sum(flag_name(f) == "--nnodes" for f in role.flags)


# --------------------------------------------------------------------------- availability


def test_every_disabled_option_says_why(rules):
    for sel in _all_combos(rules):
        states = availability(rules, sel)
        for dim in DIMS:
            higher = DIMS[: DIMS.index(dim)]
            for o in states[dim]:
                should = any(c.get(dim) == o.id and all(c.get(d) == sel[d] for d in higher) for c in rules.cells)
                should = should or (dim == "nodes" and serves(rules, sel.hw, sel.variant, o.id))  # srt-slurm
                assert o.enabled == should, (sel, dim, o.id)
                if o.enabled:
                    assert o.reason is None
                else:
                    assert o.reason and o.reason.strip() and "None" not in o.reason, (sel, dim, o.id)
                    assert o.reason == disabled_reason(rules, sel, dim, o.id)


def test_hardware_options_are_always_enabled(rules):
    for cell in rules.cells:
        assert all(o.enabled for o in availability(rules, Selection.of(cell))["hw"])


def test_rtx6000_pro_reason_is_derived_from_the_data(rules):
    sel = Selection("rtx6000", "flash", "fp4", "low-latency", "single")
    pro = next(o for o in availability(rules, sel)["variant"] if o.id == "pro")
    assert not pro.enabled
    assert "Flash only" in pro.reason and "no Pro cell" in pro.reason
    assert "RTX PRO 6000" in pro.reason
    # The model's availability note for that hardware is part of the reason.
    note = next(
        n.text for n in rules.model.availability_note if n.dim == "variant" and "rtx6000" in n.when.get("hw", [])
    )
    assert note in pro.reason


def test_every_selectable_option_of_every_cell_chooses_a_cell(rules):
    for cell in rules.cells:
        sel = Selection.of(cell)
        for dim in DIMS:
            i = DIMS.index(dim)
            higher, lower = DIMS[:i], DIMS[i + 1 :]
            for o in availability(rules, sel)[dim]:
                if not o.enabled:
                    with pytest.raises(NotAvailable) as exc:
                        choose(rules, sel, dim, o.id)
                    assert str(exc.value) == o.reason
                    continue
                new, changes = choose(rules, sel, dim, o.id)
                if panel_for(rules, new) is not None:  # the srt-slurm panel: no cell, the rest kept
                    assert new == sel.with_(**{dim: o.id}) and changes == []
                    continue
                assert rules.cell(new) is not None, (sel, dim, o.id)
                assert new[dim] == o.id
                assert all(new[d] == sel[d] for d in higher)
                # Lower dims come from the cell agreeing most with the old values; ties: first.
                pool = [c for c in rules.cells if all(c.get(d) == new[d] for d in DIMS[: i + 1])]
                best = max(sum(c.get(d) == sel[d] for d in lower) for c in pool)
                first_best = next(c for c in pool if sum(c.get(d) == sel[d] for d in lower) == best)
                assert new == Selection.of(first_best), (sel, dim, o.id)
                assert len(changes) == sum(new[d] != sel[d] for d in lower)


def test_choosing_the_current_value_changes_nothing(rules):
    for cell in rules.cells:
        sel = Selection.of(cell)
        for dim in DIMS:
            assert choose(rules, sel, dim, sel[dim]) == (sel, [])


def test_choosing_an_unknown_id_is_not_available(rules):
    with pytest.raises(NotAvailable, match="a100"):
        choose(rules, first_selection(rules), "hw", "a100")


# --------------------------------------------------------------------------- resolve


def _check_resolved(rules, requested, sel, changes):
    assert rules.cell(sel) is not None
    for i, dim in enumerate(DIMS):
        want = requested.get(dim)
        pool = [c for c in rules.cells if all(c.get(d) == sel[d] for d in DIMS[:i])]
        assert pool
        if want is not None and any(c.get(dim) == want for c in pool):
            assert sel[dim] == want, (requested, sel)
        else:
            assert sel[dim] == pool[0].get(dim), (requested, sel)
    differs = [d for d in DIMS if requested.get(d) is not None and requested[d] != sel[d]]
    assert len(changes) == len(differs)
    for d, change in zip(differs, changes):
        assert change.dim == d and change.wanted == requested[d] and change.got == sel[d]
        assert str(change).strip() and change.why.strip()


def test_resolve_keeps_every_real_cell_unchanged(rules):
    for cell in rules.cells:
        sel, changes = resolve(rules, Selection.of(cell).as_dict())
        assert sel == Selection.of(cell) and changes == []


def test_resolve_every_full_combination(rules):
    for combo in _all_combos(rules):
        req = combo.as_dict()
        sel, changes = resolve(rules, req)
        _check_resolved(rules, req, sel, changes)
        assert (changes == []) == (rules.cell(combo) is not None)


@st.composite
def requests(draw, rules):
    out = {}
    for d in DIMS:
        ids = [o.id for o in rules.options[d]]
        out[d] = draw(st.one_of(st.none(), st.sampled_from(ids), st.sampled_from(["bogus", "", "A100"])))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_resolve_random_requests_lands_on_a_cell(rules, data):
    req = data.draw(requests(rules))
    sel, changes = resolve(rules, req)
    _check_resolved(rules, req, sel, changes)


def test_resolve_of_nothing_is_the_first_cell(rules):
    assert resolve(rules, {}) == (first_selection(rules), [])


# --------------------------------------------------------------------------- derived cells


DERIVED = """
[[cell]]
hw = "rtx6000"
variant = "flash"
quant = "fp4"
strategy = "balanced"
nodes = "single"
verified = false
derived_from = "rtx6000/flash/fp4/low-latency/single"
env = []
flags = [
  "--trust-remote-code",
  "--model-path {{MODEL_NAME}}",
  "--tp 8",
  "--host {{HOST_IP}}",
  "--port {{PORT}}",
]
"""


def test_schema_supports_a_derived_unverified_cell(tmp_path, capsys):
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    with (folder / "cells.toml").open("a", encoding="utf-8") as fh:
        fh.write(DERIVED)
    rules = load_rules(folder)
    assert len(rules.cells) == 137
    sel = Selection("rtx6000", "flash", "fp4", "balanced", "single")
    cell = rules.cell(sel)
    assert cell is not None and cell.verified is False
    assert cell.derived_from == "rtx6000/flash/fp4/low-latency/single"
    assert badge(rules, cell) == "Not Verified"
    assert badge(rules, rules.cell(first_selection(rules))) == "Verified"
    # The new cell is reachable and renders like any other.
    new, _ = choose(rules, Selection("rtx6000", "flash", "fp4", "low-latency", "single"), "strategy", "balanced")
    assert new == sel
    assert render_command(rules, sel, "python", Env.defaults(rules).subst()).endswith(
        "  --tp 8 \\\n  --host 0.0.0.0 \\\n  --port 30000"
    )
    # The CLI shows it too.
    assert cli.main(["list", "--rules", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 137
    derived = [ln for ln in lines if "derived from" in ln]
    assert len(derived) == 1 and "rtx6000" in derived[0] and "balanced" in derived[0] and "Not Verified" in derived[0]
    assert "derived from rtx6000/flash/fp4/low-latency/single" in derived[0]
    assert cli.main(["check", "--rules", str(folder)]) == 0
    assert "137 cells (87 verified)" in capsys.readouterr().out
