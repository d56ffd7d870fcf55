"""Command text: Python / Docker framing, multi-node, roles, cURL — exactly as the page.

The formats are specified in shared/spec/deploy.md. Placeholder values come in a `Subst`:
values the user typed are made shell-safe where they land; defaults such as `<node0-ip>`
print as the cookbook shows them (they are meant to be replaced by hand).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .rules import PLACEHOLDER_RE, Cell, Rules
from .selection import Selection

FRAMINGS = ("python", "docker")
DIST_PORT = 20000
NO_COMMAND = "# No command available for the current selection."


@dataclass(frozen=True)
class Subst:
    """Placeholder values. Keys in `verbatim` print exactly; the others are shell-quoted."""

    values: Mapping[str, str]
    verbatim: frozenset[str] = field(default_factory=frozenset)

    def with_values(self, **kw: str) -> "Subst":
        return Subst({**self.values, **kw}, self.verbatim | frozenset(kw))


def _inside_double_quotes(line: str, pos: int) -> bool:
    inside = False
    single = False
    i = 0
    while i < pos:
        ch = line[i]
        if ch == "\\" and not single:
            i += 2
            continue
        if ch == "'" and not inside:
            single = not single
        elif ch == '"' and not single:
            inside = not inside
        i += 1
    return inside


def substitute(text: str, subst: Subst) -> str:
    """Replace `{{KEY}}`; unknown keys stay as written.

    A user value that needs quoting is single-quoted (`shlex.quote`). Inside a
    double-quoted word (Docker's `--env "HF_TOKEN=…"`) the quotes are closed around the
    single-quoted value, so the word still means exactly the value typed.
    """
    out_lines = []
    for line in text.split("\n"):
        pieces: list[str] = []
        last = 0
        for m in PLACEHOLDER_RE.finditer(line):
            key = m.group(1)
            pieces.append(line[last : m.start()])
            last = m.end()
            if key not in subst.values:
                pieces.append(m.group(0))
                continue
            value = subst.values[key]
            quoted = shlex.quote(value)
            if key in subst.verbatim or quoted == value:
                pieces.append(value)
            elif _inside_double_quotes(line, m.start()):
                if line[last : last + 1] == '"':  # the value ends the quoted word
                    pieces.append('"' + quoted)
                    last += 1
                else:
                    pieces.append('"' + quoted + '"')
            else:
                pieces.append(quoted)
        pieces.append(line[last:])
        out_lines.append("".join(pieces))
    return "\n".join(out_lines)


def model_name(rules: Rules, sel: Selection) -> str:
    names = rules.model.model_names
    return names.get(f"{sel.hw}|{sel.variant}|{sel.quant}") or names.get(f"{sel.variant}|{sel.quant}", "")


def docker_image(rules: Rules, hw: str, quant: str) -> str:
    images = rules.model.docker.images
    return images.get(f"{hw}|{quant}") or images.get(hw) or rules.model.model.default_image


def flag_name(flag: str) -> str:
    """The first token of a flag, split at space or `=`."""
    return re.split(r"[ =]", flag, maxsplit=1)[0]


def flag_value(flags: Sequence[str], name: str) -> str | None:
    for f in flags:
        if flag_name(f) == name:
            rest = f[len(name) :].lstrip(" =")
            return rest
    return None


def index_after(flags: Sequence[str], anchors: Sequence[str]) -> int:
    """Position right after the first flag named anchors[0], else anchors[1], …, else after
    `--model-path`, else at the end."""
    for a in [*anchors, "--model-path"]:
        for i, f in enumerate(flags):
            if flag_name(f) == a:
                return i + 1
    return len(flags)


def inject_multinode(flags: Sequence[str], count: int, dist_port: int = DIST_PORT) -> list[str]:
    new = ["--nnodes " + str(count), "--node-rank {{NODE_RANK}}", f"--dist-init-addr {{{{NODE0_IP}}}}:{dist_port}"]
    at = index_after(flags, ("--enable-dp-attention", "--dp", "--tp"))
    return [*flags[:at], *new, *flags[at:]]


def python_block(env: Sequence[str], flags: Sequence[str]) -> str:
    lines = [*(f"{e} \\" for e in env), "sglang serve \\", " \\\n".join("  " + f for f in flags)]
    return "\n".join(lines)


def docker_block(
    rules: Rules,
    hw: str,
    quant: str,
    env: Sequence[str],
    flags: Sequence[str],
    subst: Subst,
    network_host: bool,
) -> str:
    vendor = rules.hardware(hw).vendor
    rt = rules.model.docker.runtime[vendor]
    lines = [rt.run, *("  " + a for a in rt.args)]
    if network_host:
        lines.append("  --network host")
    else:
        port = substitute(flag_value(flags, "--port") or "{{PORT}}", subst)
        lines.append(f"  -p {port}:{port}")
    lines.append(f"  -v {rules.model.docker.volume}")
    token = rules.model.docker.token_env
    if token in rules.model.placeholders:
        lines.append(f'  --env "{token}={{{{{token}}}}}"')
    lines += [f"  --env {e}" for e in env]
    lines += ["  --ipc=host", "  " + docker_image(rules, hw, quant), "  sglang serve"]
    lines += ["    " + f for f in flags]
    return " \\\n".join(lines)


def serve_block(
    rules: Rules,
    hw: str,
    quant: str,
    env: Sequence[str],
    flags: Sequence[str],
    framing: str,
    subst: Subst,
    network_host: bool = False,
) -> str:
    """One `sglang serve` command (Python or Docker), placeholders substituted."""
    if framing == "docker":
        text = docker_block(rules, hw, quant, env, flags, subst, network_host)
    else:
        text = python_block(env, flags)
    return substitute(text, subst)


def multinode_header(count: int) -> str:
    return "\n".join(
        [
            f"# Multi-node ({count} nodes). Run the same command on every node with:",
            f"#   <node-rank> = 0 on the head node, 1..{count - 1} on the others",
            "#   <node0-ip>  = IP of the head node (reachable from all others)",
        ]
    )


def render_flags(
    rules: Rules,
    sel: Selection,
    env: Sequence[str],
    flags: Sequence[str],
    framing: str,
    subst: Subst,
    *,
    dist_port: int = DIST_PORT,
    network_host: bool = False,
) -> str:
    """A full single-command text for (env, flags) on `sel`: multi-node aware."""
    count = rules.by_id["nodes"][sel.nodes].count
    if count <= 1:
        return serve_block(rules, sel.hw, sel.quant, env, flags, framing, subst, network_host)
    flags = inject_multinode(flags, count, dist_port)
    body = serve_block(rules, sel.hw, sel.quant, env, flags, framing, subst, network_host=True)
    hints = rules.model.multi_node_hints.get(sel.hw, [])
    parts = [multinode_header(count), *(f"# {h}" for h in hints), body]
    return "\n".join(parts)


def render_roles(rules: Rules, sel: Selection, cell: Cell, framing: str, subst: Subst) -> str:
    blocks = []
    for role in cell.role:
        lines = [f"# {role.title}", *(f"# {n}" for n in role.notes)]
        if role.raw is not None:
            body = substitute(role.raw, subst)
        else:
            body = serve_block(rules, sel.hw, sel.quant, role.env, role.flags, framing, subst, network_host=True)
        blocks.append("\n".join([*lines, body]))
    return "\n\n".join(blocks)


def render_cell(rules: Rules, sel: Selection, cell: Cell | None, framing: str, subst: Subst) -> str:
    if cell is None:
        return NO_COMMAND
    if framing not in FRAMINGS:
        raise ValueError(f"unknown framing {framing!r}; expected python or docker")
    if cell.has_roles:
        return render_roles(rules, sel, cell, framing, subst)
    return render_flags(rules, sel, cell.env, cell.flags, framing, subst)


def render_command(rules: Rules, sel: Selection, framing: str, subst: Subst) -> str:
    """The Deploy text for `sel` (MODEL_NAME is filled in here)."""
    subst = subst.with_values(MODEL_NAME=model_name(rules, sel))
    return render_cell(rules, sel, rules.cell(sel), framing, subst)


def render_curl(rules: Rules, sel: Selection, subst: Subst) -> str:
    subst = subst.with_values(MODEL_NAME=model_name(rules, sel))
    return substitute(rules.model.curl.template, subst)


def badge(cell: Cell | None) -> str:
    return "Verified" if cell is not None and cell.verified else "Not Verified"


MTP_NOTE = (
    "Speculative decoding (MTP) is on: when --max-running-requests is not set, SGLang resets it "
    "to 48. Add --max-running-requests <N> sized for your target concurrency."
)


def needs_mtp_note(flags: Sequence[str]) -> bool:
    names = {flag_name(f) for f in flags}
    return "--speculative-algorithm" in names and "--max-running-requests" not in names


def mtp_note(cell: Cell | None) -> str | None:
    if cell is None or cell.has_roles:
        return None
    return MTP_NOTE if needs_mtp_note(cell.flags) else None


def install_steps(rules: Rules, sel: Selection, framing: str) -> list[str]:
    inst = rules.model.install
    if framing == "docker":
        return [inst.docker.format(image=docker_image(rules, sel.hw, sel.quant))]
    return list(inst.python)
