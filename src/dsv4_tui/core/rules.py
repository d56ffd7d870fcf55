"""The loaded rules of one model, and building them from the texts of a rules folder.

A rules folder holds `model.toml` (hardware, variants, … placeholders, Docker images),
`cells.toml` (the verified matrix) and `playground.toml` (the Playground knobs). Overlays
(a user's own `cells.toml`) are laid over it. Every problem is reported as
`file:line: key.path: what was expected`, all of them at once.

This module is pure: the host reads the files (`host/rules_files.py`) and hands over texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from .frozen import frozen
from .lint.checks_model import Checks
from .problems import Problem, RulesError
from .pydantic_hooks import validate_python
from .run.schema import FailuresFile, RunFile
from .schema import (
    DIMS,
    PLACEHOLDER_RE,
    Cell,
    CellsFile,
    Hardware,
    ModelFile,
    Placeholder,
    PlaygroundFile,
)
from .tomlloc import TomlProblem, find_line, format_loc, line_index, parse_toml

__all__ = [
    "DIMS",
    "PLACEHOLDER_RE",
    "Cell",
    "Placeholder",
    "Problem",
    "Rules",
    "RulesError",
    "RulesText",
    "build_rules",
]

BUILTIN_PLACEHOLDERS = frozenset({"MODEL_NAME"})


@frozen
class RulesText:
    """One rules file as the host read it: its name (path), its text, or why it has none."""

    name: str
    text: str | None
    problem: str | None = None  # e.g. "file not found", "not a regular file"


@dataclass(repr=False)
class Rules:
    """Everything the app knows about one model, validated."""

    model: ModelFile
    cells: list[Cell]
    playground: PlaygroundFile
    sources: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    checks: Checks | None = None  # checks.toml: the model's rules about a command (lint)
    user_cell_files: list[str] = field(default_factory=list)  # cells.toml laid over the page's: the user's own
    run: RunFile | None = None  # run.toml: a server's phases and metrics (Run tab, `dsv4 watch`)
    failures: FailuresFile | None = None  # failures.toml: known failure signatures of a log

    def is_user_cell(self, cell: Cell | None) -> bool:
        """A cell from an overlay (the user's own cells.toml), never one of the page's: it
        shows "Your cell", whatever its `verified` says."""
        return cell is not None and cell.source in self.user_cell_files

    def __repr__(self) -> str:
        return f"Rules({self.source_text or 'in memory'}: {len(self.cells)} cells)"

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

    def chip_text(self, dim: str, value: str) -> str:
        """What the option's chip shows: the label, with the memory per GPU for hardware
        ("H200 141G") and the variant's subtitle or size ("Flash 284B", "Flash Official 284B · 0731")."""
        o = self.by_id[dim][value]
        if dim == "hw":
            return f"{o.label} {o.memory_gb}G"
        if dim == "variant":
            return f"{o.label} {o.subtitle or o.total_params or ''}".strip()
        return o.label

    def names(self, dim: str) -> list[tuple[str, str]]:
        """(id, name) for every way a user may name an option: its label and its chip's text."""
        return [(o.id, name) for o in self.options[dim] for name in dict.fromkeys((o.label, self.chip_text(dim, o.id)))]

    def hardware(self, hw: str) -> Hardware:
        return self.by_id["hw"][hw]

    def cell(self, sel) -> Cell | None:
        return self.cell_index.get(tuple(sel[d] for d in DIMS))

    def node_count(self, nodes: str) -> int:
        return self.by_id["nodes"][nodes].count

    @property
    def provenance(self) -> str:
        """Where the rules came from and when, e.g. "cookbook 2026-10-01" ("" when unknown)."""
        return self.model.source.text if self.model.source is not None else ""

    @property
    def source_text(self) -> str:
        return " + ".join(self.sources)


def lay_over(hand: dict, generated: dict) -> dict:
    """`generated` (cookbook.toml, benchmarks.toml, … made by tools/sync_cookbook.py) laid over
    the hand-kept `hand` (model.toml): a list of tables with `id`s takes the generated ids in
    their order, each merged with the hand-kept table of that id; other tables merge key by
    key; a table named in the generated `[source] replaces` list is taken whole."""
    replaces = set(generated.get("source", {}).get("replaces", []))

    def merge(a: Any, b: Any, path: str) -> Any:
        if path in replaces:
            return b
        if isinstance(a, dict) and isinstance(b, dict):
            out = dict(a)
            for k, v in b.items():
                out[k] = merge(a[k], v, f"{path}.{k}".lstrip(".")) if k in a else v
            return out
        if _id_tables(a) and _id_tables(b):
            by_id = {t["id"]: t for t in a}
            return [{**by_id.get(t["id"], {}), **t} for t in b]
        return b

    return merge(hand, generated, "")


def _id_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(t, dict) and "id" in t for t in value)


def _parse(source: RulesText, problems: list[Problem]) -> tuple[dict | None, str]:
    if source.text is None:
        problems.append(Problem(source.name, None, "", source.problem or "file not found"))
        return None, ""
    try:
        return parse_toml(source.text), source.text
    except TomlProblem as exc:
        problems.append(Problem(source.name, exc.line, "", str(exc)))
        return None, source.text


# Pydantic's error types, as it names them for a model and for a dataclass (the rules' classes):
# a table's problems read the same either way.
_UNKNOWN_KEY = frozenset({"extra_forbidden", "unexpected_keyword_argument", "unexpected_positional_argument"})
_MISSING_KEY = frozenset(
    {"missing", "missing_argument", "missing_keyword_only_argument", "missing_positional_only_argument"}
)
_NOT_A_TABLE = frozenset({"model_type", "dataclass_type", "dataclass_exact_type"})  # wording: model_type's


def _message(err: dict) -> str:
    loc, msg, kind = tuple(err["loc"]), err["msg"], err["type"]
    if kind in _UNKNOWN_KEY:
        return f"unknown key {loc[-1]!r}"
    if kind in _MISSING_KEY:
        return f"missing required key {loc[-1]!r}"
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if kind in _NOT_A_TABLE and "class_name" in err.get("ctx", {}):
        msg = f"Input should be a valid dictionary or instance of {err['ctx']['class_name']}"
    if "input" in err and kind.endswith("_type"):
        return f"{msg} (got {err['input']!r})"
    return msg


def _describe(loc: tuple, data: dict) -> str:
    text = format_loc(loc)
    if len(loc) >= 2 and loc[0] == "cell" and isinstance(loc[1], int):
        try:
            c = data["cell"][loc[1]]
            text += " (" + "/".join(str(c.get(d, "?")) for d in DIMS) + ")"
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    return text


def validate(model_cls, data: dict, name: str, text: str, problems: list[Problem]):
    """`data` validated as a `model_cls`, or None with every error added to `problems`."""
    from pydantic import ValidationError  # imported when a file is validated, not before

    try:
        return validate_python(model_cls, data)
    except ValidationError as exc:
        index = line_index(text)
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(Problem(name, find_line(index, loc), _describe(loc, data), _message(err)))
        return None
    except RecursionError:
        problems.append(Problem(name, None, "", "nested too deeply to validate"))
        return None


def _load_file(model_cls, source: RulesText, problems: list[Problem]):
    data, text = _parse(source, problems)
    return (validate(model_cls, data, source.name, text, problems), text) if data is not None else (None, text)


def _load_model(model: RulesText, generated: Sequence[RulesText], problems: list[Problem]):
    """model.toml with the generated files laid over it, validated (a problem of validation
    points into model.toml; one of the later checks, into the file that set the value)."""
    data, text = _parse(model, problems)
    if data is None:
        return None, text
    for g in generated:
        extra, _ = _parse(g, problems)
        if extra is not None:
            data = lay_over(data, extra)
    return validate(ModelFile, data, model.name, text, problems), text


def _in_generated(problems: list[Problem], start: int, model: RulesText, generated: Sequence[RulesText]) -> None:
    """Problems found in model.toml's merged data since `start`, about a key that a generated
    file (cookbook.toml, ...) sets, name that file and line: the value came from there."""
    where: dict[str, tuple[str, int]] = {}
    for g in generated:  # the last file laid over wins, as in lay_over
        where.update({format_loc(loc): (g.name, line) for loc, line in line_index(g.text or "").items()})
    for i in range(start, len(problems)):
        p = problems[i]
        if p.file == model.name and p.where in where:
            problems[i] = replace(p, file=where[p.where][0], line=where[p.where][1])


def _lay_over(cells: list[Cell], new_cells: list[Cell], name: str, notices: list[str]) -> None:
    """Overlay cells replace the cell with the same selection, or are added at the end."""
    positions = {c.key: i for i, c in enumerate(cells)}
    for c in new_cells:
        if c.key in positions:
            cells[positions[c.key]] = c
            notices.append(f"{name} replaces the bundled cell {c.key_text}")
        else:
            positions[c.key] = len(cells)
            cells.append(c)


def _load_cells(
    texts: Sequence[RulesText], model: ModelFile | None, problems: list[Problem]
) -> tuple[list[Cell], list[str]]:
    from .rules_checks import check_cells
    from .rules_shell import escape_rules_texts

    declared = (set(model.placeholders) if model else set()) | BUILTIN_PLACEHOLDERS
    cells: list[Cell] = []
    notices: list[str] = []
    for i, source in enumerate(texts):
        cf, text = _load_file(CellsFile, source, problems)
        if cf is None:
            continue
        escape_rules_texts(cf, source.name, text, notices)
        new_cells = [replace(c, source=source.name) for c in cf.cell]
        if model is not None:
            check_cells(new_cells, model, source.name, text, declared, problems, {c.key_text for c in cells})
        if i == 0:
            cells = new_cells
        else:
            _lay_over(cells, new_cells, source.name, notices)
    return cells, notices


def build_rules(
    model: RulesText,
    cells: Sequence[RulesText],
    playground: RulesText,
    sources: Sequence[str] = (),
    checks: RulesText | None = None,
    generated: Sequence[RulesText] = (),
    run: RulesText | None = None,
    failures: RulesText | None = None,
) -> Rules:
    """Validate the texts of a rules folder (`cells[0]` its own, then overlays; `checks`
    optional; `generated`: cookbook.toml, benchmarks.toml, srt_slurm.toml, laid over
    model.toml); raise RulesError listing every problem."""
    from .rules_checks import check_model, check_playground  # validation only: not for cached rules
    from .rules_shell import check_model_commands, check_playground_commands, escape_rules_texts

    problems: list[Problem] = []
    checks_file, checks_text = _load_file(Checks, checks, problems) if checks is not None else (None, "")
    run_file = _load_file(RunFile, run, problems)[0] if run is not None else None
    failures_file = _load_file(FailuresFile, failures, problems)[0] if failures is not None else None
    if failures_file is not None and checks_file is not None:
        _check_failure_refs(failures_file, checks_file, failures, problems)  # type: ignore[arg-type]
    model_file, model_text = _load_model(model, generated, problems)
    if model_file is not None:
        start = len(problems)
        check_model(model_file, model.name, model_text, problems)
        check_model_commands(model_file, model.name, model_text, problems)
        _in_generated(problems, start, model, generated)
    all_cells, notices = _load_cells(cells, model_file, problems)
    pg, pg_text = _load_file(PlaygroundFile, playground, problems)
    if pg is not None and model_file is not None:
        check_playground(pg, model_file, playground.name, pg_text, problems)
        check_playground_commands(pg, playground.name, pg_text, problems)
    if problems:
        raise RulesError(problems)
    assert model_file is not None and pg is not None
    escaped: list[str] = []  # labels, notes, names: control characters kept as visible escapes
    escape_rules_texts(model_file, model.name, model_text, escaped)
    escape_rules_texts(pg, playground.name, pg_text, escaped)
    if checks_file is not None and checks is not None:
        escape_rules_texts(checks_file, checks.name, checks_text, escaped)
    overlays = [t.name for t in cells[1:]]
    for extra, source in ((run_file, run), (failures_file, failures)):
        if extra is not None and source is not None:
            escape_rules_texts(extra, source.name, source.text or "", escaped)
    return Rules(
        model_file,
        all_cells,
        pg,
        list(sources),
        [*escaped, *notices],
        checks_file,
        overlays,
        run=run_file,
        failures=failures_file,
    )


def _check_failure_refs(failures: FailuresFile, checks: Checks, source: RulesText, problems: list[Problem]) -> None:
    """A failure's `related = ["lint:<id>"]` names a check of checks.toml."""
    known = {c.id for c in checks.check}
    index = line_index(source.text or "")
    for i, f in enumerate(failures.failure):
        for j, ref in enumerate(f.related):
            kind, _, name = ref.partition(":")
            if kind == "lint" and name not in known:
                loc = ("failure", i, "related", j)
                where = f"{format_loc(loc)} ({f.id})"
                problems.append(Problem(source.name, find_line(index, loc), where, f"no lint check {name!r}"))
