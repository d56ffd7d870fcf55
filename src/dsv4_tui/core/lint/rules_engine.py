"""Run the model's checks (rules/checks.toml) over one command's facts.

A check applies when its `when` holds; it passes when its `require` holds and its `compare`
is true; otherwise it yields a finding with the message filled in and its fixes computed
(`solve`: the bound of one operand that makes the comparison hold). A check whose answer
depends on something unknown is skipped, with the reason. Everything a check needs from the
table is looked up once, in `compile_checks`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .checks_model import Check, Checks, Compare, EditSpec, Operand
from .conditions import Cond, Value, all_of, compile_condition, compile_operand
from .facts import Facts
from .findings import CONTEXT_KEYS, Edit, Finding, Fix, Skipped
from .table import SglangTable

_NOTES = {"sglang": " (SGLang's default)", "rule": " (default)", "context": "", "given": "", "unset": ""}
_OPS = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class CompiledCheck:
    check: Check
    when: tuple[Cond, ...]
    require: tuple[Cond, ...]
    left: tuple[tuple[Operand, Value], ...]
    right: tuple[tuple[Operand, Value], ...]
    values: tuple[tuple[Operand, Value], ...]
    subject: str


@dataclass(frozen=True)
class CompiledChecks:
    """Checks compiled for one table (built once, read by every lint call)."""

    checks: tuple[CompiledCheck, ...]
    predicates: Mapping[str, Cond]


def _subject(check: Check) -> str:
    if check.subject:
        return check.subject
    names = [o.flag or o.env for o in check.operands() if o.flag or o.env]
    names += [c.flag or c.env or c.docker for c in [*check.require, *check.when] if c.flag or c.env or c.docker]
    return next((n for n in names if n), "")


def compile_checks(checks: Checks, table: SglangTable) -> CompiledChecks:
    predicates: dict[str, Cond] = {}
    for name, cond in checks.predicate.items():
        predicates[name] = compile_condition(cond, table, predicates)
    out = []
    for c in checks.check:
        operands = lambda ops: tuple((o, compile_operand(o, table)) for o in ops)  # noqa: E731
        out.append(
            CompiledCheck(
                check=c,
                when=tuple(compile_condition(x, table, predicates) for x in c.when),
                require=tuple(compile_condition(x, table, predicates) for x in c.require),
                left=operands(c.compare.left if c.compare else []),
                right=operands(c.compare.right if c.compare else []),
                values=operands(c.values),
                subject=_subject(c),
            )
        )
    return CompiledChecks(tuple(out), predicates)


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _side(operands, facts: Facts, reasons: set[str], variables: dict[str, str], nums: dict[str, float | int]):
    product: float | int | None = 1
    for o, read in operands:
        value, origin = read(facts, reasons)
        if o.name:
            variables[o.name], variables[o.name + "_note"] = _fmt(value), _NOTES.get(origin, "")
            if value is not None:
                nums[o.name] = value
        if value is None or product is None:
            product = None
        else:
            product = product / value if o.invert else product * value
    return product


def _compare(
    cc: CompiledCheck, facts: Facts, reasons: set[str], variables: dict[str, str], nums: dict[str, float | int]
) -> bool | None:
    left = _side(cc.left, facts, reasons, variables, nums)
    right = _side(cc.right, facts, reasons, variables, nums)
    variables["left"], variables["right"] = _fmt(left), _fmt(right)
    if left is None or right is None:
        return None
    nums["left"], nums["right"] = left, right
    return _OPS[cc.check.compare.op](left, right)  # type: ignore[union-attr]


def _solve(cmp: Compare, name: str, nums: Mapping[str, float | int]) -> int | None:
    """The integer bound for operand `name` that makes `left op right` hold."""
    if name not in nums or nums[name] == 0 or any(o.name == name and o.invert for o in [*cmp.left, *cmp.right]):
        return None
    on_left = any(o.name == name for o in cmp.left)
    other = (nums["left"] if on_left else nums["right"]) / nums[name]
    if other == 0:
        return None
    raw = (nums["right"] if on_left else nums["left"]) / other
    op = cmp.op if on_left else _FLIP[cmp.op]
    bounds = {
        "<=": math.floor(raw),
        "<": math.ceil(raw) - 1,
        ">=": math.ceil(raw),
        ">": math.floor(raw) + 1,
    }
    if op in bounds:
        return bounds[op]
    return int(raw) if float(raw).is_integer() else None


def _edit(e: EditSpec, check: Check, variables: Mapping[str, str], nums: Mapping[str, float | int]) -> Edit | None:
    op = next(k for k in ("set_flag", "remove_flag", "set_env", "remove_env") if getattr(e, k) is not None)
    value: str | None = None
    if e.solve is not None and check.compare is not None:
        solved = _solve(check.compare, e.solve, nums)
        if solved is None or solved < 1:
            return None
        value = str(solved)
    elif e.value is not None:
        value = e.value.format_map(variables) if isinstance(e.value, str) else _fmt(e.value)
    return Edit(op, getattr(e, op), value)  # type: ignore[arg-type]


def _fixes(check: Check, variables: Mapping[str, str], nums: Mapping[str, float | int]) -> tuple[Fix, ...]:
    out = []
    for spec in check.fix:
        edits = [_edit(e, check, variables, nums) for e in spec.edits]
        if all(e is not None for e in edits):
            out.append(Fix(spec.label.format_map(variables), tuple(e for e in edits if e is not None)))
    return tuple(out)


def run_check(cc: CompiledCheck, facts: Facts) -> Finding | Skipped | bool | None:
    """A Finding, Skipped, True (passed) or None (not applicable)."""
    reasons: set[str] = set()
    applies = all_of(cc.when, facts, reasons)
    if applies is False:
        return None
    check = cc.check
    if applies is None:
        return Skipped(check.id, "; ".join(sorted(reasons)) or "unknown")
    variables: dict[str, str] = {k: str(facts.context.value(k)) for k in CONTEXT_KEYS}
    variables["sglang"] = facts.table.version
    nums: dict[str, float | int] = {}
    result = all_of(cc.require, facts, reasons)
    if result is not False and check.compare is not None:
        compared = _compare(cc, facts, reasons, variables, nums)
        result = False if compared is False else (None if compared is None else result)
    if result is True:
        return True
    if result is None:
        return Skipped(check.id, "; ".join(sorted(reasons)) or "unknown")
    for o, read in cc.values:
        value, origin = read(facts, set())
        if o.name:
            variables[o.name], variables[o.name + "_note"] = _fmt(value), _NOTES.get(origin, "")
    if check.compare is not None and "left" not in variables:
        _compare(cc, facts, set(), variables, nums)
    message = check.message.format_map(variables)
    return Finding(check.id, check.level, message, cc.subject, check.source, _fixes(check, variables, nums))
