"""Checks across a rules file that the schema alone cannot make: known ids, no duplicate
cells, declared placeholders, known constraint keys, reasons for greyed options."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from .engine_names import launcher_flags
from .problems import Problem
from .pydantic_hooks import Strict
from .schema import DIMS, PLACEHOLDER_RE, Cell, KnobOption, ModelFile, PlaygroundFile
from .tomlloc import find_line, format_loc, line_index

CONSTRAINT_KEYS = frozenset(
    {"hw", "variant", "quant", "strategy", "nodes", "vendor", "arch", "dp_attn_on", "pd_mode", "spec_algorithm", "tp"}
)
CONSTRAINTS = ("hide", "show_only", "disable", "env_when", "default_when", "when", "show_when")
BUILTIN = frozenset({"MODEL_NAME"})


def _problem(file: str, line: int | None, where: str, message: str) -> Problem:
    return Problem(file, line, where, message)


# --------------------------------------------------------------------------- cells


def _ids(model: ModelFile) -> dict[str, set[str]]:
    return {dim: {o.id for o in opts} for dim, opts in zip(DIMS, _options(model))}


def _options(model: ModelFile) -> tuple[list, ...]:
    return (model.hardware, model.variant, model.quant, model.strategy, model.nodes)


def _check_one_cell(c: Cell, i: int, ids: dict[str, set[str]], name: str, index: dict, out: list) -> None:
    where = f"cell[{i}] ({c.key_text})"
    for dim in DIMS:
        if c.get(dim) not in ids[dim]:
            valid = ", ".join(sorted(ids[dim]))
            msg = f"unknown {dim} {c.get(dim)!r}; expected one of {valid}"
            out.append(_problem(name, find_line(index, ("cell", i, dim)), f"{where}.{dim}", msg))
    line = find_line(index, ("cell", i))
    if c.role and (c.env or c.flags):
        out.append(_problem(name, line, where, "a cell has either roles or env/flags, not both"))
    if not c.role and not c.flags:
        out.append(_problem(name, line, where, "a cell needs flags (or roles)"))
    for j, r in enumerate(c.role):
        if r.raw is None and not r.flags:
            role_line = find_line(index, ("cell", i, "role", j))
            out.append(_problem(name, role_line, f"{where}.role[{j}]", "a role needs flags or raw"))


def _cell_texts(c: Cell) -> Iterator[tuple[tuple, str]]:
    """(key path below the cell, text) of every text that may hold placeholders."""
    for k, v in enumerate(c.env):
        yield ("env", k), v
    for k, v in enumerate(c.flags):
        yield ("flags", k), v
    for j, r in enumerate(c.role):
        for k, v in enumerate(r.env):
            yield ("role", j, "env", k), v
        for k, v in enumerate(r.flags):
            yield ("role", j, "flags", k), v
        if r.raw is not None:
            yield ("role", j, "raw"), r.raw


def check_cells(
    cells: list[Cell],
    model: ModelFile,
    name: str,
    text: str,
    declared: set[str],
    problems: list,
    known: Iterable[str] = (),
) -> None:
    """Check one cells file; `known` are cells from earlier files (derived_from may name them)."""
    index = line_index(text)
    ids = _ids(model)
    seen: dict[tuple, int] = {}
    for i, c in enumerate(cells):
        _check_one_cell(c, i, ids, name, index, problems)
        if c.key in seen:
            msg = f"duplicate cell: the same selection is already cell[{seen[c.key]}]"
            problems.append(_problem(name, find_line(index, ("cell", i)), f"cell[{i}] ({c.key_text})", msg))
        seen.setdefault(c.key, i)
        for loc, value in _cell_texts(c):
            for ph in PLACEHOLDER_RE.findall(value):
                if ph not in declared:
                    where = f"cell[{i}] ({c.key_text}).{format_loc(loc)}"
                    msg = f"placeholder {{{{{ph}}}}} is not declared in [placeholders] of model.toml"
                    problems.append(_problem(name, find_line(index, ("cell", i, *loc)), where, msg))
    keys = {c.key_text for c in cells} | set(known)
    for i, c in enumerate(cells):
        if c.derived_from is not None and c.derived_from not in keys:
            where = f"cell[{i}] ({c.key_text}).derived_from"
            msg = f"names no cell: {c.derived_from!r} (write hw/variant/quant/strategy/nodes)"
            problems.append(_problem(name, find_line(index, ("cell", i, "derived_from")), where, msg))


# --------------------------------------------------------------------------- model.toml


def check_model(model: ModelFile, name: str, text: str, problems: list) -> None:
    index = line_index(text)
    for dim, opts in zip(("hardware", "variant", "quant", "strategy", "nodes"), _options(model)):
        seen: set[str] = set()
        for i, o in enumerate(opts):
            if o.id in seen:
                problems.append(
                    _problem(name, find_line(index, (dim, i, "id")), f"{dim}[{i}].id", f"duplicate id {o.id!r}")
                )
            seen.add(o.id)
    hw_ids = {h.id for h in model.hardware}
    option_ids = {o.id for opts in _options(model) for o in opts}
    for key in model.multi_node_hints:
        if key not in hw_ids:
            loc = ("multi_node_hints", key)
            problems.append(
                _problem(name, find_line(index, loc), f"multi_node_hints.{key}", f"unknown hardware {key!r}")
            )
    for table, keys in (("docker.images", model.docker.images), ("model_names", model.model_names)):
        for key in keys:
            unknown = [part for part in key.split("|") if part not in option_ids and key != "default"]
            if unknown:
                loc = (*table.split("."), key)
                msg = f"unknown option {unknown[0]!r} (a key is hw|variant|quant, variant|quant, hw|quant, …)"
                problems.append(_problem(name, find_line(index, loc), f"{table}.{key}", msg))
    declared = set(model.placeholders) | BUILTIN
    for key, placeholder in model.placeholders.items():
        if placeholder.follows is not None and placeholder.follows not in model.placeholders:
            where = f"placeholders.{key}.follows"
            loc = ("placeholders", key, "follows")
            problems.append(
                _problem(name, find_line(index, loc), where, f"names no placeholder: {placeholder.follows!r}")
            )
    for ph in PLACEHOLDER_RE.findall(model.curl.template):
        if ph not in declared:
            msg = f"placeholder {{{{{ph}}}}} is not declared in [placeholders]"
            problems.append(_problem(name, find_line(index, ("curl", "template")), "curl.template", msg))
    _check_launcher_flags(model, name, index, problems)
    for i, note in enumerate(model.availability_note):
        for k in note.when:
            if k not in DIMS:
                where = f"availability_note[{i}].when"
                problems.append(
                    _problem(
                        name, find_line(index, ("availability_note", i, "when")), where, f"unknown dimension {k!r}"
                    )
                )


LAUNCHER_WORDS = {
    "count": "the node count ({{NNODES}})",
    "rank": 'this node\'s rank (a placeholder of kind "rank")',
    "head": 'the head node\'s address (a placeholder of kind "host")',
}


def _check_launcher_flags(model: ModelFile, name: str, index: dict, problems: list) -> None:
    """`dsv4 export` fills in the count, rank and head flags itself: one flag each."""
    for launcher, found in launcher_flags(model).items():
        if len(found) == 1:
            continue
        if not found:
            loc: tuple = ("multi_node", "flags")
            msg = f"no flag carries {LAUNCHER_WORDS[launcher]}; dsv4 export needs one"
        else:
            loc = ("multi_node", "flags", found[1][0])
            msg = (
                f"{len(found)} flags carry {LAUNCHER_WORDS[launcher]} ({', '.join(f[1] for f in found)}); expected one"
            )
        problems.append(_problem(name, find_line(index, loc), format_loc(loc), msg))


# --------------------------------------------------------------------------- playground.toml


def _walk(obj: Any, loc: tuple) -> Iterator[tuple[tuple, Any]]:
    """Every (key path, value) below a rules dataclass."""
    if isinstance(obj, Strict):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            yield loc + (f.name,), value
            yield from _walk(value, loc + (f.name,))
    elif isinstance(obj, list):
        for i, x in enumerate(obj):
            yield loc + (i,), x
            yield from _walk(x, loc + (i,))


def _constraint_problems(pg: PlaygroundFile, model: ModelFile) -> Iterator[tuple[tuple, str]]:
    archs = {h.arch for h in model.hardware}
    for loc, value in _walk(pg, ()):
        if loc[-1] not in CONSTRAINTS or not isinstance(value, dict):
            continue
        for k, values in value.items():
            if k not in CONSTRAINT_KEYS:
                yield loc, f"unknown constraint key {k!r}; expected one of {', '.join(sorted(CONSTRAINT_KEYS))}"
            elif k == "arch":
                for v in values:
                    if v not in archs:
                        yield loc, f"unknown arch {v!r}; the hardware in model.toml has {', '.join(sorted(archs))}"


def _option_problems(pg: PlaygroundFile) -> Iterator[tuple[tuple, str]]:
    clis: dict[str, tuple] = {}
    for loc, value in _walk(pg, ()):
        if isinstance(value, KnobOption) and (value.disable or value.disabled) and not value.reason:
            yield loc, f"option {value.id!r}: a disabled option needs a reason"
        cli = getattr(value, "cli", None)
        if isinstance(value, Strict) and isinstance(cli, str):
            if cli in clis:
                yield loc + ("cli",), f"the override key {cli!r} is already used by {format_loc(clis[cli])}"
            clis.setdefault(cli, loc)
    backends = {o.id for o in pg.moe.backend.option}
    if pg.moe.backend_quant.backend not in backends:
        loc = ("moe", "backend_quant", "backend")
        yield (
            loc,
            f"names no backend option: {pg.moe.backend_quant.backend!r}; expected one of {', '.join(sorted(backends))}",
        )


def check_playground(pg: PlaygroundFile, model: ModelFile, name: str, text: str, problems: list) -> None:
    index = line_index(text)
    for loc, msg in (*_constraint_problems(pg, model), *_option_problems(pg)):
        problems.append(_problem(name, find_line(index, loc), format_loc(loc), msg))
    declared = set(model.placeholders) | BUILTIN | {"PREFILL_PORT", "DECODE_PORT", "ROUTER_PORT"}
    for loc, msg in _router_flag_problems(pg):
        problems.append(_problem(name, find_line(index, loc), format_loc(loc), msg))
    for ph in PLACEHOLDER_RE.findall(pg.pd.router):
        if ph not in declared:
            msg = f"placeholder {{{{{ph}}}}} is not declared"
            problems.append(_problem(name, find_line(index, ("pd", "router")), "pd.router", msg))


def _router_flag_problems(pg: PlaygroundFile) -> Iterator[tuple[tuple, str]]:
    """The router flags `dsv4 export` reads must be flags of the router command."""
    words = {w.partition("=")[0] for w in pg.pd.router.split()}
    pd = pg.pd
    named = [
        (("pd", "router_port_flag"), pd.router_port_flag),
        (("pd", "router_peer_flags", "prefill"), pd.router_peer_flags.prefill),
        (("pd", "router_peer_flags", "decode"), pd.router_peer_flags.decode),
    ]
    for loc, flag in named:
        if flag not in words:
            yield loc, f"{flag!r} is not a flag of pd.router"
    if pd.router_peer_flags.prefill == pd.router_peer_flags.decode:
        yield ("pd", "router_peer_flags", "decode"), "prefill and decode need different flags"
