"""The rules schema (pydantic) and loading rules/ folders with friendly errors.

A rules folder holds `model.toml` (hardware, variants, … placeholders, Docker images),
`cells.toml` (the verified matrix) and `playground.toml` (the Playground knobs). A user's
folder may hold only `cells.toml`: it is laid over the bundled rules (see `load_rules`).

Every problem is reported as `file:line: key.path: what was expected`.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .tomlloc import find_line, format_loc, line_index

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DIMS: tuple[str, ...] = ("hw", "variant", "quant", "strategy", "nodes")
PLACEHOLDER_RE = re.compile(r"\{\{([A-Z0-9_]+)\}\}")
ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=.*$")
BUILTIN_PLACEHOLDERS = frozenset({"MODEL_NAME"})
CONSTRAINT_KEYS = frozenset(
    {"hw", "variant", "quant", "strategy", "nodes", "vendor", "arch", "dp_attn_on", "pd_mode"}
)


class Strict(BaseModel):
    # strict: `verified = "yes"` is an error, not silently True.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --------------------------------------------------------------------------- model.toml


class ModelInfo(Strict):
    name: str
    cookbook: str
    issue_repo: str
    issue_template: str
    default_image: str


class Hardware(Strict):
    id: str
    label: str
    vendor: Literal["nvidia", "amd"]
    memory_gb: int = Field(gt=0)
    arch: Literal["hopper", "blackwell", "blackwell-desktop", "cdna3", "cdna4"]
    gpus_per_node: int = Field(default=8, gt=0)
    detect: list[str] = []
    kind: Literal["datacenter", "workstation"] = "datacenter"


class Variant(Strict):
    id: str
    label: str
    total_params: str
    active_params: str


class Quant(Strict):
    id: str
    label: str


class Strategy(Strict):
    id: str
    label: str
    pick_when: str


class NodesOption(Strict):
    id: str
    label: str
    count: int = Field(ge=1)


class Placeholder(Strict):
    label: str
    default: str
    target: Literal["command", "curl"]
    # host: hostname / IPv4 / [IPv6] followed by a port; bind: the same, bare IPv6 allowed
    kind: Literal["host", "bind", "port", "rank", "secret", "text"] = "text"
    secret: bool = False


class Curl(Strict):
    template: str


class DockerRuntime(Strict):
    run: str
    args: list[str]


class Docker(Strict):
    volume: str
    token_env: str
    runtime: dict[Literal["nvidia", "amd"], DockerRuntime]
    images: dict[str, str]


class Install(Strict):
    guide: str
    python: list[str]
    docker: str


class AvailabilityNote(Strict):
    when: dict[str, list[str]]
    dim: Literal["hw", "variant", "quant", "strategy", "nodes"]
    values: list[str] = []  # the greyed options it explains (empty: all of `dim`)
    text: str


class ModelFile(Strict):
    model: ModelInfo
    hardware: list[Hardware]
    variant: list[Variant]
    quant: list[Quant]
    strategy: list[Strategy]
    nodes: list[NodesOption]
    model_names: dict[str, str]
    placeholders: dict[str, Placeholder]
    curl: Curl
    docker: Docker
    multi_node_hints: dict[str, list[str]] = {}
    install: Install
    availability_note: list[AvailabilityNote] = []


# --------------------------------------------------------------------------- cells.toml


def _check_flag(v: str) -> str:
    if not v.startswith("--"):
        raise ValueError(f"a flag must start with '--', got {v!r}")
    return v


def _check_env(v: str) -> str:
    if not ENV_RE.match(v):
        raise ValueError(f"an env entry must be NAME=VALUE, got {v!r}")
    return v


# Validated per element, so an error names the exact list item (and its line).
Flag = Annotated[str, AfterValidator(_check_flag)]
EnvEntry = Annotated[str, AfterValidator(_check_env)]


class Role(Strict):
    title: str
    notes: list[str] = []
    env: list[EnvEntry] = []
    flags: list[Flag] = []
    raw: str | None = None


class Cell(Strict):
    hw: str
    variant: str
    quant: str
    strategy: str
    nodes: str
    verified: bool = True
    derived_from: str | None = None
    env: list[EnvEntry] = []
    flags: list[Flag] = []
    role: list[Role] = []
    source: str = Field(default="", exclude=True)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.hw, self.variant, self.quant, self.strategy, self.nodes)

    @property
    def key_text(self) -> str:
        return "/".join(self.key)

    @property
    def has_roles(self) -> bool:
        return bool(self.role)

    def get(self, dim: str) -> str:
        return getattr(self, dim)


class CellsFile(Strict):
    cell: list[Cell] = []


# --------------------------------------------------------------------------- playground.toml

Constraint = dict[str, list[Any]]


class KnobOption(Strict):
    id: str
    label: str
    value: int | bool | None = None
    flags: list[Flag] = []
    env: list[EnvEntry] = []
    hide: Constraint | None = None
    show_only: Constraint | None = None
    hidden_reason: str | None = None
    disable: Constraint | None = None
    disabled: bool = False
    reason: str | None = None
    env_when: Constraint | None = None


class Knob(Strict):
    label: str
    option: list[KnobOption]


class MegaMoEQuantKnob(Knob):
    strip_env: list[str] = []


class ParserKnob(Strict):
    label: str
    flag: Flag



class AttentionCard(Strict):
    tp: Knob
    cp: Knob
    dp_attention: Knob


class MoECard(Strict):
    backend: Knob
    megamoe_quant: MegaMoEQuantKnob
    ep: Knob


class ParsersCard(Strict):
    reasoning: ParserKnob
    tool_call: ParserKnob


class SpeculativeCard(Strict):
    label: str
    option: list[KnobOption]


class PDCard(Strict):
    label: str
    prefill_port: int
    decode_port: int
    prefill_dist_port: int
    decode_dist_port: int
    router_port: int
    router: str
    mode: list[KnobOption]
    transfer: list[KnobOption]
    ib_device: list[KnobOption]


class HiSparseCard(Strict):
    label: str
    show_only: Constraint | None = None
    hidden_reason: str | None = None
    required_flags: list[str]
    top_k: int
    device_buffer_size: int
    default_host_ratio: int
    host_ratio: list[KnobOption]


class HiCacheCard(Strict):
    label: str
    hide: Constraint | None = None
    hidden_reason: str | None = None
    backend: list[KnobOption]
    write_policy: list[KnobOption]


class PlaygroundFile(Strict):
    attention: AttentionCard
    moe: MoECard
    parsers: ParsersCard
    speculative: SpeculativeCard
    pd: PDCard
    hisparse: HiSparseCard
    hicache: HiCacheCard


# --------------------------------------------------------------------------- the loaded rules


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"


class RulesError(Exception):
    """One or more problems in a rules folder. str() lists them, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Rules:
    """Everything the app knows about one model, validated."""

    model: ModelFile
    cells: list[Cell]
    playground: PlaygroundFile
    sources: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    # Lookups -------------------------------------------------------------------------
    @cached_property
    def options(self) -> dict[str, list]:
        m = self.model
        return {"hw": m.hardware, "variant": m.variant, "quant": m.quant, "strategy": m.strategy, "nodes": m.nodes}

    @cached_property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {dim: {o.id: o for o in opts} for dim, opts in self.options.items()}

    @cached_property
    def cell_index(self) -> dict[tuple, Cell]:
        return {c.key: c for c in self.cells}

    def label(self, dim: str, value: str) -> str:
        o = self.by_id[dim].get(value)
        return o.label if o else value

    def hardware(self, hw: str) -> Hardware:
        return self.by_id["hw"][hw]

    def cell(self, sel) -> Cell | None:
        return self.cell_index.get(tuple(sel[d] for d in DIMS))

    @property
    def source_text(self) -> str:
        return " + ".join(str(p) for p in self.sources)


def bundled_rules_dir() -> Path:
    """rules/ inside the installed package (wheel) or at the top of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "rules"
    if (packaged / "model.toml").is_file():
        return packaged
    return here.parent.parent / "rules"


def _read_toml(path: Path, problems: list[Problem]) -> tuple[dict | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(str(path), None, "", "file not found"))
        return None, ""
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), None, "", f"cannot read: {exc}"))
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _lineno_from_msg(str(exc))
        problems.append(Problem(str(path), line, "", f"TOML syntax error: {exc}"))
        return None, text


def _lineno_from_msg(msg: str) -> int | None:
    m = re.search(r"line (\d+)", msg)
    return int(m.group(1)) if m else None


def _validate(model_cls, data: dict, path: Path, text: str, problems: list[Problem]):
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        index = line_index(text)
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = f"unknown key {loc[-1]!r}"
            elif err["type"] == "missing":
                msg = f"missing required key {loc[-1]!r}"
            elif msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            elif "input" in err and err["type"].endswith("_type"):
                msg = f"{msg} (got {err['input']!r})"
            problems.append(Problem(str(path), find_line(index, loc), _describe(loc, data), msg))
        return None


def _describe(loc: tuple, data: dict) -> str:
    text = format_loc(loc)
    if len(loc) >= 2 and loc[0] == "cell" and isinstance(loc[1], int):
        try:
            c = data["cell"][loc[1]]
            text += " (" + "/".join(str(c.get(d, "?")) for d in DIMS) + ")"
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    return text


def _cells_with_source(cells_file: CellsFile, path: Path) -> list[Cell]:
    return [c.model_copy(update={"source": str(path)}) for c in cells_file.cell]


def _check_cells(
    cells: list[Cell],
    model: ModelFile,
    path: Path,
    text: str,
    declared: set[str],
    problems: list[Problem],
    known: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Check one cells file; `known` are cells from earlier files (derived_from may name them)."""
    index = line_index(text)
    ids = {
        "hw": {h.id for h in model.hardware},
        "variant": {v.id for v in model.variant},
        "quant": {q.id for q in model.quant},
        "strategy": {s.id for s in model.strategy},
        "nodes": {n.id for n in model.nodes},
    }
    seen: dict[tuple, int] = {}
    for i, c in enumerate(cells):
        where = f"cell[{i}] ({c.key_text})"
        for dim in DIMS:
            if c.get(dim) not in ids[dim]:
                problems.append(
                    Problem(
                        str(path),
                        find_line(index, ("cell", i, dim)),
                        f"{where}.{dim}",
                        f"unknown {dim} {c.get(dim)!r}; expected one of {', '.join(sorted(ids[dim]))}",
                    )
                )
        if c.key in seen:
            problems.append(
                Problem(
                    str(path),
                    find_line(index, ("cell", i)),
                    where,
                    f"duplicate cell: the same selection is already cell[{seen[c.key]}]",
                )
            )
        else:
            seen[c.key] = i
        if c.role and (c.env or c.flags):
            problems.append(
                Problem(str(path), find_line(index, ("cell", i)), where, "a cell has either roles or env/flags, not both")
            )
        if not c.role and not c.flags:
            problems.append(Problem(str(path), find_line(index, ("cell", i)), where, "a cell needs flags (or roles)"))
        for j, r in enumerate(c.role):
            if r.raw is None and not r.flags:
                problems.append(
                    Problem(str(path), find_line(index, ("cell", i, "role", j)), f"{where}.role[{j}]", "a role needs flags or raw")
                )
        _check_placeholders_in(
            [("env", c.env), ("flags", c.flags)]
            + [(f"role[{j}].env", r.env) for j, r in enumerate(c.role)]
            + [(f"role[{j}].flags", r.flags) for j, r in enumerate(c.role)]
            + [(f"role[{j}].raw", [r.raw or ""]) for j, r in enumerate(c.role)],
            declared,
            path,
            index,
            ("cell", i),
            where,
            problems,
        )
    keys = {c.key_text for c in cells} | set(known)
    for i, c in enumerate(cells):
        if c.derived_from is not None and c.derived_from not in keys:
            problems.append(
                Problem(
                    str(path),
                    find_line(index, ("cell", i, "derived_from")),
                    f"cell[{i}] ({c.key_text}).derived_from",
                    f"names no cell: {c.derived_from!r} (write hw/variant/quant/strategy/nodes)",
                )
            )


def _check_placeholders_in(groups, declared, path, index, base_loc, where, problems) -> None:
    for name, values in groups:
        for k, v in enumerate(values):
            for ph in PLACEHOLDER_RE.findall(v):
                if ph not in declared:
                    loc = base_loc + tuple(_parse_group(name)) + (k,)
                    problems.append(
                        Problem(
                            str(path),
                            find_line(index, loc),
                            f"{where}.{name}[{k}]",
                            f"placeholder {{{{{ph}}}}} is not declared in [placeholders] of model.toml",
                        )
                    )


def _parse_group(name: str) -> list:
    out: list = []
    for part in name.split("."):
        m = re.match(r"(\w+)\[(\d+)\]$", part)
        if m:
            out += ["role" if m.group(1) == "role" else m.group(1), int(m.group(2))]
        else:
            out.append(part)
    return out


def _check_model(model: ModelFile, path: Path, text: str, problems: list[Problem]) -> None:
    index = line_index(text)
    hw_ids = [h.id for h in model.hardware]
    for dim, opts in (
        ("hardware", model.hardware),
        ("variant", model.variant),
        ("quant", model.quant),
        ("strategy", model.strategy),
        ("nodes", model.nodes),
    ):
        seen: set[str] = set()
        for i, o in enumerate(opts):
            if o.id in seen:
                problems.append(Problem(str(path), find_line(index, (dim, i, "id")), f"{dim}[{i}].id", f"duplicate id {o.id!r}"))
            seen.add(o.id)
    for key in list(model.docker.images) + list(model.multi_node_hints):
        hw = key.split("|")[0]
        if hw not in hw_ids:
            problems.append(
                Problem(str(path), find_line(index, ("docker", "images", key)), f"docker.images.{key}", f"unknown hardware {hw!r}")
            )
    declared = set(model.placeholders) | BUILTIN_PLACEHOLDERS
    for ph in PLACEHOLDER_RE.findall(model.curl.template):
        if ph not in declared:
            problems.append(
                Problem(
                    str(path),
                    find_line(index, ("curl", "template")),
                    "curl.template",
                    f"placeholder {{{{{ph}}}}} is not declared in [placeholders]",
                )
            )
    for i, note in enumerate(model.availability_note):
        for k in note.when:
            if k not in DIMS:
                problems.append(
                    Problem(str(path), find_line(index, ("availability_note", i, "when")), f"availability_note[{i}].when", f"unknown dimension {k!r}")
                )


def _check_playground(pg: PlaygroundFile, path: Path, text: str, declared: set[str], problems: list[Problem]) -> None:
    index = line_index(text)

    def walk(obj, loc):
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), loc + (name,))
        elif isinstance(obj, list):
            for i, x in enumerate(obj):
                walk(x, loc + (i,))
        elif isinstance(obj, dict) and loc and loc[-1] in ("hide", "show_only", "disable", "env_when"):
            for k in obj:
                if k not in CONSTRAINT_KEYS:
                    problems.append(
                        Problem(
                            str(path),
                            find_line(index, loc),
                            format_loc(loc),
                            f"unknown constraint key {k!r}; expected one of {', '.join(sorted(CONSTRAINT_KEYS))}",
                        )
                    )

    walk(pg, ())
    for i, o in enumerate(pg.speculative.option + pg.moe.backend.option):
        if (o.disable or o.disabled) and not o.reason:
            problems.append(Problem(str(path), None, f"option {o.id!r}", "a disabled option needs a reason"))
    router_declared = declared | {"PREFILL_PORT", "DECODE_PORT", "ROUTER_PORT"}
    for ph in PLACEHOLDER_RE.findall(pg.pd.router):
        if ph not in router_declared:
            problems.append(
                Problem(str(path), find_line(index, ("pd", "router")), "pd.router", f"placeholder {{{{{ph}}}}} is not declared")
            )


def load_rules(rules_dir: Path | str | None = None, overlays: list[Path] | None = None) -> Rules:
    """Load and validate a rules folder; raise RulesError listing every problem.

    `rules_dir` defaults to $DSV4_RULES, else the bundled rules. A folder with only a
    `cells.toml` (a user's own cells) is laid over the bundled rules instead of replacing
    them. Each folder in `overlays` adds its `cells.toml` the same way; an overlay cell with
    the same selection as an earlier one replaces it (a notice says so).
    """
    if rules_dir is None:
        env_dir = os.environ.get("DSV4_RULES")
        rules_dir = Path(env_dir) if env_dir else bundled_rules_dir()
    rules_dir = Path(rules_dir)
    overlays = [Path(p) for p in (overlays or [])]
    if not rules_dir.is_dir():
        raise RulesError([Problem(str(rules_dir), None, "", "rules folder not found")])
    if (rules_dir / "cells.toml").exists() and not any(
        (rules_dir / name).exists() for name in ("model.toml", "playground.toml")
    ):
        overlays = [rules_dir, *overlays]
        rules_dir = bundled_rules_dir()

    problems: list[Problem] = []
    model_path = rules_dir / "model.toml"
    data, text = _read_toml(model_path, problems)
    model = _validate(ModelFile, data, model_path, text, problems) if data is not None else None
    if model is not None:
        _check_model(model, model_path, text, problems)
    declared = (set(model.placeholders) if model else set()) | BUILTIN_PLACEHOLDERS

    cells: list[Cell] = []
    notices: list[str] = []
    sources = [rules_dir]
    for folder in [rules_dir, *overlays]:
        cpath = folder / "cells.toml"
        if folder != rules_dir and not cpath.exists():
            continue
        cdata, ctext = _read_toml(cpath, problems)
        if cdata is None:
            continue
        cf = _validate(CellsFile, cdata, cpath, ctext, problems)
        if cf is None:
            continue
        new_cells = _cells_with_source(cf, cpath)
        if model is not None:
            _check_cells(new_cells, model, cpath, ctext, declared, problems, {c.key_text for c in cells})
        if folder == rules_dir:
            cells = new_cells
        else:
            sources.append(folder)
            positions = {c.key: i for i, c in enumerate(cells)}
            for c in new_cells:
                if c.key in positions:
                    cells[positions[c.key]] = c
                    notices.append(f"{cpath} replaces the bundled cell {c.key_text}")
                else:
                    positions[c.key] = len(cells)
                    cells.append(c)

    pg_path = rules_dir / "playground.toml"
    pdata, ptext = _read_toml(pg_path, problems)
    playground = _validate(PlaygroundFile, pdata, pg_path, ptext, problems) if pdata is not None else None
    if playground is not None:
        _check_playground(playground, pg_path, ptext, declared, problems)

    if problems:
        raise RulesError(problems)
    assert model is not None and playground is not None
    return Rules(model=model, cells=cells, playground=playground, sources=sources, notices=notices)
