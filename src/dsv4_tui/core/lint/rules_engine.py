"""Run the model's checks (rules/checks.toml) over one command's facts.

A check applies when its `when` holds; it passes when its `require` holds and its `compare`
is true; otherwise it yields a finding with the message filled in and its fixes computed
(`solve`: the bound of one operand that makes the comparison hold). A check whose answer
depends on something unknown is skipped, with the reason. Everything a check needs from the
table is looked up once, in `compile_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .checks_model import Check, Checks, EditSpec, Operand
from .conditions import Cond, Value, all_of, compile_condition, compile_derived, compile_operand
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


@dataclass(frozen=True)
class Term:
    """One compiled operand: how to read it, or the terms of its nested product."""

    operand: Operand
    read: Value | None
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class CompiledCheck:
    check: Check
    when: tuple[Cond, ...]
    require: tuple[Cond, ...]
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    values: tuple[Term, ...]
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


def _terms(operands, table: SglangTable, derived: Mapping[str, Value]) -> tuple[Term, ...]:
    return tuple(
        Term(o, None, _terms(o.product, table, derived))
        if o.product is not None
        else Term(o, compile_operand(o, table, derived))
        for o in operands
    )


def compile_checks(checks: Checks, table: SglangTable) -> CompiledChecks:
    predicates: dict[str, Cond] = {}
    for name, cond in checks.predicate.items():
        predicates[name] = compile_condition(cond, table, predicates)
    derived: dict[str, Value] = {}
    for name, d in checks.derived.items():
        derived[name] = compile_derived(d, table, predicates, derived)
    out = []
    for c in checks.check:
        out.append(
            CompiledCheck(
                check=c,
                when=tuple(compile_condition(x, table, predicates) for x in c.when),
                require=tuple(compile_condition(x, table, predicates) for x in c.require),
                left=_terms(c.compare.left if c.compare else [], table, derived),
                right=_terms(c.compare.right if c.compare else [], table, derived),
                values=_terms(c.values, table, derived),
                subject=_subject(c),
            )
        )
    return CompiledChecks(tuple(out), predicates)


def _fmt(value: float | int | str | None) -> str:
    if value is None:
        return "?"
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _product(
    terms: tuple[Term, ...],
    facts: Facts,
    reasons: set[str],
    variables: dict[str, str] | None,
    nums: dict[str, float | int] | None,
    override: Mapping[str, float | int] | None = None,
) -> float | int | None:
    """The product of the terms, left to right (each joins by its `op`); None when unknown.
    Named values go to `variables` (text) and `nums`; `override` replaces named values."""
    product: float | int | None = 1
    for term in terms:
        o = term.operand
        joins = o.joins
        if override is not None and o.name in override:
            value, origin = override[o.name], "given"
        elif term.read is None:
            value = _product(term.terms, facts, reasons, variables, nums, override)
            origin = "given"
        else:
            value, origin = term.read(facts, set() if joins == "min" else reasons)
        if o.name and variables is not None and nums is not None:
            shown = "not set" if value is None and joins == "min" else _fmt(value)
            variables[o.name], variables[o.name + "_note"] = shown, _NOTES.get(origin, "")
            if value is not None:
                nums[o.name] = value
        if joins == "min":
            if value is not None and product is not None:
                product = min(product, value)
            continue
        if value is None or product is None:
            product = None
        elif joins == "mul":
            product = product * value
        elif value == 0:
            reasons.add(f"{o.name or o.flag or o.env or 'a divisor'} is 0")
            product = None
        elif joins == "floordiv":
            product = product // value
        elif joins == "mod":
            product = product % value
        elif joins == "ceil_to":
            product = -(-product // value) * value
        else:
            product = product / value
    return product


def _compare(
    cc: CompiledCheck, facts: Facts, reasons: set[str], variables: dict[str, str], nums: dict[str, float | int]
) -> bool | None:
    left = _product(cc.left, facts, reasons, variables, nums)
    right = _product(cc.right, facts, reasons, variables, nums)
    variables["left"], variables["right"] = _fmt(left), _fmt(right)
    variables["excess"] = _fmt(left - right) if left is not None and right is not None else "?"
    if left is None or right is None:
        return None
    nums["left"], nums["right"] = left, right
    return _OPS[cc.check.compare.op](left, right)  # type: ignore[union-attr]


_SOLVE_LIMIT = 2**40


def _solve(cc: CompiledCheck, facts: Facts, name: str, nums: Mapping[str, float | int]) -> int | None:
    """The integer value of operand `name` nearest its current one that makes the comparison
    hold: the largest below it when lowering works (1 holds), else the smallest above it.
    The products are monotone in each operand (×, ÷, //, min), so a bisection finds it."""
    if name not in nums or cc.check.compare is None:
        return None
    op = _OPS[cc.check.compare.op]

    def holds(v: int) -> bool:
        over = {name: v}
        left = _product(cc.left, facts, set(), None, None, over)
        right = _product(cc.right, facts, set(), None, None, over)
        return left is not None and right is not None and bool(op(left, right))

    current = int(nums[name])
    if holds(current):
        return None
    if current > 1 and holds(1):
        good, bad = 1, current  # the largest good value below `bad`
        while bad - good > 1:
            mid = (good + bad) // 2
            good, bad = (mid, bad) if holds(mid) else (good, mid)
        return good
    bad, good = max(current, 1), max(current, 1) * 2
    while not holds(good):
        bad, good = good, good * 2
        if good > _SOLVE_LIMIT:
            return None
    while good - bad > 1:  # the smallest good value above `bad`
        mid = (good + bad) // 2
        good, bad = (mid, bad) if holds(mid) else (good, mid)
    return good


def _edit(
    e: EditSpec, cc: CompiledCheck, facts: Facts, variables: Mapping[str, str], nums: Mapping[str, float | int]
) -> Edit | None:
    op = next(k for k in ("set_flag", "remove_flag", "set_env", "remove_env") if getattr(e, k) is not None)
    value: str | None = None
    if e.solve is not None:
        solved = _solve(cc, facts, e.solve, nums)
        if solved is None or solved < 1 or (e.at_most is not None and solved > e.at_most):
            return None
        value = str(solved)
    elif e.value is not None:
        value = e.value.format_map(variables) if isinstance(e.value, str) else _fmt(e.value)
    return Edit(op, getattr(e, op), value)  # type: ignore[arg-type]


def _fixes(
    cc: CompiledCheck, facts: Facts, variables: Mapping[str, str], nums: Mapping[str, float | int]
) -> tuple[Fix, ...]:
    out = []
    for spec in cc.check.fix:
        edits = [_edit(e, cc, facts, variables, nums) for e in spec.edits]
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
    for term in cc.values:
        _product((term,), facts, set(), variables, nums)
    if check.compare is not None and "left" not in variables:
        _compare(cc, facts, set(), variables, nums)
    message = check.message.format_map(variables)
    reason = check.reason.format_map(variables) if check.reason else None
    fixes = _fixes(cc, facts, variables, nums)
    return Finding(check.id, check.level, message, cc.subject, check.source, fixes, reason)
