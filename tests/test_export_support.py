"""Shared helpers for the export tests (no tests here): what `dsv4 print` gives, parsed into
(env, argv); the selections to export; the CRD schemas from tests/data/deploy-targets."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema

from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.rules import Rules
from dsv4_tui.core.selection import Selection

DATA = Path(__file__).resolve().parent / "data" / "deploy-targets"
HEAD_IP = "10.0.0.1"
_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Command:
    """One printed command: its inline env (in order) and its argv (program included)."""

    env: tuple[tuple[str, str], ...]
    argv: tuple[str, ...]


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The value of the double-quoted string opening at `text[i]`, and the index after it."""
    out, i = [], i + 1
    while text[i] != '"':  # IndexError on an unclosed quote: the test fails loudly
        if text[i] == "\\" and text[i + 1] in '"\\$`\n':
            out.append("" if text[i + 1] == "\n" else text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out), i + 1


def shell_lines(text: str) -> list[list[str]]:
    """The words of each command line of `text` as bash reads them, written independently of
    dsv4's own parser: quotes (a quoted value may hold newlines, blank lines and `#`),
    backslash escapes and continuations, `#` comments at the start of a word. Only a newline
    outside quotes ends a line; lines without words are dropped."""
    lines: list[list[str]] = []
    words: list[str] = []
    word: list[str] | None = None  # None: between words
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            if text[i + 1] != "\n":  # a backslash-newline joins the lines
                word = (word or []) + [text[i + 1]]
            i += 2
        elif c == "'":
            end = text.index("'", i + 1)  # ValueError on an unclosed quote
            word = (word or []) + [text[i + 1 : end]]
            i = end + 1
        elif c == '"':
            value, i = _quoted(text, i)
            word = (word or []) + [value]
        elif c == "#" and word is None:
            while i < len(text) and text[i] != "\n":
                i += 1
        elif c in " \t\n":
            if word is not None:
                words.append("".join(word))
                word = None
            if c == "\n" and words:
                lines.append(words)
                words = []
            i += 1
        else:
            word = (word or []) + [c]
            i += 1
    if word is not None:
        words.append("".join(word))
    return [*lines, words] if words else lines


def _command(words: list[str]) -> Command:
    words = list(words)
    env = []
    while words and _ASSIGN.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env.append((name, value))
    return Command(tuple(env), tuple(words))


def parse_command(block: str) -> Command:
    """The one command of a Python-framing block, as bash reads it."""
    (words,) = shell_lines(block)
    return _command(words)


def parse_printed(text: str) -> list[Command]:
    """Every command of a `dsv4 print` text (role cells print one block per role)."""
    return [_command(words) for words in shell_lines(text)]


def dsv4(*args: str) -> str:
    """stdout of `dsv4 …` (the real CLI, in process)."""
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = cli.main(list(args))
    assert code == 0, f"dsv4 {' '.join(args)} exited {code}"
    return out.getvalue()


def selection_args(sel: Selection) -> list[str]:
    return [f"--{dim}={value}" for dim, value in sel.as_dict().items()]


def override_args(ov: Overrides) -> list[str]:
    """`--override` options for the PD knobs used in these tests."""
    out = [f"--override=pd-mode={ov.pd_mode}"]
    if ov.pd_transfer is not None:  # None: the knob's default (its first option)
        out.append(f"--override=pd-transfer={ov.pd_transfer}")
    if ov.pd_ib_device is not None:
        out.append(f"--override=pd-ib-device={ov.pd_ib_device}")
    if ov.hisparse and ov.pd_mode == "decode":  # the CLI refuses HiSparse on the prefill role (it has no effect)
        out.append("--override=hisparse=on")
    if ov.tp is not None:
        out.append(f"--override=tp={ov.tp}")
    return out


def printed(sel: Selection, *extra: str, rank: int = 0) -> list[Command]:
    """`dsv4 print` for `sel` on node `rank` (head node HEAD_IP)."""
    text = dsv4("print", *selection_args(sel), f"--set=NODE_RANK={rank}", f"--set=NODE0_IP={HEAD_IP}", *extra)
    return parse_printed(text)


def printed_router(sel: Selection, ov: Overrides) -> Command:
    return parse_command(dsv4("print", *selection_args(sel), *override_args(ov), "--router"))


def at_rank(cmd: Command, rank: int, head: str = HEAD_IP) -> Command:
    """A role cell prints `<node-rank>` and `<…-head-ip>`: put in this node's values."""
    argv = list(cmd.argv)
    for i, word in enumerate(argv[:-1]):
        if word == "--node-rank":
            argv[i + 1] = str(rank)
        elif word == "--dist-init-addr":
            argv[i + 1] = head + ":" + argv[i + 1].rpartition(":")[2]
    return Command(cmd.env, tuple(argv))


def router_hosts(cmd: Command, hosts: dict[tuple[str, int], str]) -> Command:
    """The router's `--prefill`/`--decode` URLs with their host replaced by hosts[(role, i)]."""
    argv, seen = list(cmd.argv), {"prefill": 0, "decode": 0}
    for i, word in enumerate(argv[:-1]):
        role = word[2:]
        if role in seen:
            m = re.fullmatch(r"([a-z]+://)([^:/]+)(.*)", argv[i + 1])
            assert m, argv[i + 1]
            argv[i + 1] = m.group(1) + hosts[(role, seen[role])] + m.group(3)
            seen[role] += 1
    return Command(cmd.env, tuple(argv))


def multinode_cells(rules: Rules) -> list[Selection]:
    return [Selection.of(c) for c in rules.cells if rules.by_id["nodes"][c.nodes].count > 1 or c.has_roles]


def base_cells(rules: Rules) -> list[Selection]:
    return [Selection.of(c) for c in rules.cells if not c.has_roles]


def pd_combinations(rules: Rules) -> list[tuple[Selection, Overrides]]:
    """Every base cell with PD on, for every transfer backend the cell's vendor offers, plus
    every IB device choice and HiSparse on one transfer."""
    pd = rules.playground.pd
    combos = []
    for sel in base_cells(rules):
        vendor = rules.hardware(sel.hw).vendor
        for t in pd.transfer.option:
            if t.show_only and vendor not in t.show_only.get("vendor", [vendor]):
                continue
            combos.append((sel, Overrides(pd_mode="prefill", pd_transfer=t.id)))
        for ib in pd.ib_device.option[1:]:
            combos.append((sel, Overrides(pd_mode="decode", pd_ib_device=ib.id, hisparse=True)))
    return combos


def hostile_env(rules: Rules, **values: str) -> Env:
    """An Env that skips validation (as a future, laxer key could): tests shell safety."""
    return Env(rules.model.placeholders, values)


# --------------------------------------------------------------------------- CRD schemas


def strict(schema):
    """The schema with unknown fields rejected, as `kubectl apply` (strict field validation) does."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items()}
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def crd_validator(kind: str) -> jsonschema.Draft4Validator:
    """A validator for the `openAPIV3Schema` of the LeaderWorkerSet or DisaggregatedSet CRD."""
    name = {"LeaderWorkerSet": "leaderworkerset", "DisaggregatedSet": "disaggregatedset"}[kind]
    data = json.loads((DATA / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert data["kind"] == kind
    return jsonschema.Draft4Validator(strict(data["openAPIV3Schema"]))


def crd_errors(doc: dict) -> list[str]:
    v = crd_validator(doc["kind"])
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]
