"""The five-dimension selection: availability with reasons, choosing, resolving.

Dimensions in priority order: hw → variant → quant → strategy → nodes. A selection has a
command only if a cell with exactly those five values exists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields, replace
from functools import lru_cache

from .frozen import frozen
from .rules import DIMS, Cell, Rules
from .srt_panel import serves

DIM_NAMES = {"hw": "Hardware", "variant": "Variant", "quant": "Quantization", "strategy": "Strategy", "nodes": "Nodes"}


@frozen
class Selection:
    hw: str
    variant: str
    quant: str
    strategy: str
    nodes: str

    def __getitem__(self, dim: str) -> str:
        return getattr(self, dim)

    def with_(self, **kw: str) -> Selection:
        return replace(self, **kw)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict().values())

    @property
    def text(self) -> str:
        return "/".join(self)

    @classmethod
    def of(cls, cell: Cell) -> Selection:
        return cls(*cell.key)


@frozen
class OptionState:
    dim: str
    id: str
    label: str
    enabled: bool
    selected: bool
    reason: str | None = None


def _agrees(cell: Cell, sel: Mapping[str, str], dims) -> bool:
    return all(cell.get(d) == sel[d] for d in dims)


def _higher(dim: str) -> tuple[str, ...]:
    return DIMS[: DIMS.index(dim)]


class SameRules:
    """Rules as a cache key, by identity (they are not hashable, and not changed once built)."""

    __slots__ = ("rules",)

    def __init__(self, rules: Rules):
        self.rules = rules

    def __hash__(self) -> int:
        return id(self.rules)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SameRules) and other.rules is self.rules


@lru_cache(maxsize=8)
def _prefixes(key: SameRules) -> dict[str, frozenset[tuple[str, ...]]]:
    """Per dimension, the (higher values…, value) tuples some cell has: a chip press asks
    `is_enabled` of every option, each a scan of every cell without this."""
    cells = key.rules.cells
    found: dict[str, frozenset[tuple[str, ...]]] = {}
    for i, dim in enumerate(DIMS):
        names = DIMS[: i + 1]  # the higher dimensions, then this one
        found[dim] = frozenset(tuple(getattr(c, d) for d in names) for c in cells)
    return found


def is_enabled(rules: Rules, sel: Selection, dim: str, value: str) -> bool:
    if dim == "nodes" and serves(rules, sel.hw, sel.variant, value):
        return True  # the srt-slurm recipes panel, not a cell
    return (*(sel[d] for d in _higher(dim)), value) in _prefixes(SameRules(rules))[dim]


def enabled_values(rules: Rules, sel: Selection, dim: str) -> list[str]:
    return [o.id for o in rules.options[dim] if is_enabled(rules, sel, dim, o.id)]


def context_text(rules: Rules, sel: Selection, dim: str) -> str:
    return " · ".join(rules.label(d, sel[d]) for d in _higher(dim))


def disabled_reason(rules: Rules, sel: Selection, dim: str, value: str) -> str:
    """Why (dim, value) cannot be chosen under the higher choices of `sel` — never blank."""
    label = rules.label(dim, value)
    higher = _higher(dim)
    context = context_text(rules, sel, dim)
    available = [rules.label(dim, v) for v in enabled_values(rules, sel, dim)]
    if not available:
        last = DIM_NAMES[higher[-1]] if higher else "option"
        return f"No cell for {context}: choose another {last} first."
    only = " / ".join(available)
    text = f"{context} runs {only} only: no {label} cell"
    notes = [
        n.text
        for n in rules.model.availability_note
        if n.dim == dim
        and (not n.values or value in n.values)
        and all(sel[k] in vs for k, vs in n.when.items() if k in higher)
    ]
    if notes:
        text += " — " + "; ".join(notes)
    elsewhere = _where_else(rules, dim, value)
    if elsewhere and dim in ("variant", "quant"):
        text += f". {label} runs on {elsewhere}"
    return text + "."


def _where_else(rules: Rules, dim: str, value: str) -> str:
    hws = []
    for c in rules.cells:
        if c.get(dim) == value and c.hw not in hws:
            hws.append(c.hw)
    return ", ".join(rules.label("hw", h) for h in hws)


def availability(rules: Rules, sel: Selection) -> dict[str, list[OptionState]]:
    """Every option of every dimension, enabled or greyed with its reason."""
    out: dict[str, list[OptionState]] = {}
    for dim in DIMS:
        states = []
        for o in rules.options[dim]:
            ok = is_enabled(rules, sel, dim, o.id)
            states.append(
                OptionState(
                    dim, o.id, o.label, ok, sel[dim] == o.id, None if ok else disabled_reason(rules, sel, dim, o.id)
                )
            )
        out[dim] = states
    return out


class NotAvailable(ValueError):
    """Raised when choosing a greyed option; the message is its reason."""


def choose(rules: Rules, sel: Selection, dim: str, value: str) -> tuple[Selection, list[str]]:
    """Choose (dim, value): keep higher dims, fill lower ones like the page does.

    Lower dimensions come from the cell that agrees with the most current lower values
    (ties: first cell in file order). Returns the new selection and a note per lower
    dimension that had to change.
    """
    if value not in rules.by_id[dim]:
        raise NotAvailable(f"unknown {dim} {value!r}")
    if not is_enabled(rules, sel, dim, value):
        raise NotAvailable(disabled_reason(rules, sel, dim, value))
    i = DIMS.index(dim)
    fixed = DIMS[: i + 1]
    lower = DIMS[i + 1 :]
    target = sel.with_(**{dim: value})
    best: Cell | None = None
    best_score = -1
    for c in rules.cells:
        if not _agrees(c, target, fixed):
            continue
        score = sum(c.get(d) == target[d] for d in lower)
        if score > best_score:
            best, best_score = c, score
    if best is None:  # the srt-slurm panel (is_enabled found no cell): keep the rest
        return target, []
    new = Selection.of(best)
    changes = [
        f"{DIM_NAMES[d]}: {rules.label(d, sel[d])} → {rules.label(d, new[d])}" for d in lower if new[d] != sel[d]
    ]
    return new, changes


@frozen
class Change:
    """A requested value that `resolve` could not keep, and why."""

    dim: str
    wanted: str
    got: str
    why: str
    text: str  # "Variant: Pro → Flash (…)"

    def __str__(self) -> str:
        return self.text


def resolve(rules: Rules, requested: Mapping[str, str | None]) -> tuple[Selection, list[Change]]:
    """Turn a requested (maybe impossible or partial) selection into a real cell.

    Dimension by dimension: keep the requested value if a cell has it together with the
    values accepted so far, else take the first such cell's value. Returns the selection
    and one change per requested value that was changed (missing ones are silent).
    """
    accepted: dict[str, str] = {}
    changes: list[Change] = []
    for dim in DIMS:
        pool = [c for c in rules.cells if all(c.get(d) == v for d, v in accepted.items())]
        want = requested.get(dim)
        if want is not None and any(c.get(dim) == want for c in pool):
            accepted[dim] = want
            continue
        if not pool:  # only possible with an empty rules set
            raise NotAvailable("the rules have no cells")
        accepted[dim] = pool[0].get(dim)
        if want is not None:
            why = (
                disabled_reason(rules, Selection(**{d: accepted.get(d, "") for d in DIMS}), dim, want)
                if want in rules.by_id[dim]
                else f"unknown {dim} {want!r}"
            )
            text = f"{DIM_NAMES[dim]}: {rules.label(dim, want)} → {rules.label(dim, accepted[dim])} ({why})"
            changes.append(Change(dim, want, accepted[dim], why, text))
    return Selection(**accepted), changes


def first_selection(rules: Rules) -> Selection:
    return Selection.of(rules.cells[0])
