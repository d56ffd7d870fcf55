"""checks.toml conditions and operands, compiled once per table into small closures.

A compiled condition takes the facts of one command and a set that collects why an answer is
unknown; it returns True, False, or None (unknown: the context does not say, or a number it
needs is missing). `all_of` stops at the first False and `any_of` at the first True.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .checks_model import Condition, Derived, Operand
from .facts import Facts, canonical_name
from .table import SglangTable
from .values import as_number

Tri = bool | None
Cond = Callable[[Facts, set[str]], Tri]
Op = Callable[[Any, set[str]], Tri]


def kleene(results: Iterable[Tri], *, decides: bool) -> Tri:
    """Three-valued AND (`decides=False`) or OR (`decides=True`) of lazily computed results:
    the first that equals `decides` settles it (the rest are not computed); otherwise any
    unknown (None) makes the result unknown."""
    out: Tri = not decides
    for value in results:
        if value is decides:
            return decides
        if value is None:
            out = None
    return out


def all_of(conds: Iterable[Cond], facts: Facts, reasons: set[str]) -> Tri:
    """True when every condition holds, False when one fails, else None (unknown)."""
    return kleene((cond(facts, reasons) for cond in conds), decides=False)


def _all(subs: list[Cond]) -> Cond:
    return lambda facts, reasons: all_of(subs, facts, reasons)


def _any(subs: list[Cond]) -> Cond:
    return lambda facts, reasons: kleene((sub(facts, reasons) for sub in subs), decides=True)


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, bool) or isinstance(a, bool):
        return str(a).lower() == str(b).lower()
    return str(a) == str(b)


def _to_number(type_: str) -> Callable[[Any], float | int]:
    def convert(value: Any) -> float | int:
        if isinstance(value, bool):
            raise ValueError("not a number")
        if isinstance(value, (int, float)):
            return value
        return as_number(type_, str(value))

    return convert


def _bound(subject: str, convert: Callable[[Any], float | int], test: Callable[[Any], bool]) -> Op:
    def op(value: Any, reasons: set[str]) -> Tri:
        if value is None:
            reasons.add(f"{subject} not given")
            return None
        try:
            return test(convert(value))
        except ValueError:
            reasons.add(f"{subject}={value} is not a number")
            return None

    return op


def _ops(c: Condition, subject: str, type_: str) -> list[Op]:
    """The value tests of a condition (all must hold)."""
    ops: list[Op] = []
    if c.equals is not None:
        ops.append(lambda v, r, x=c.equals: v is not None and _same(v, x))
    if c.one_of is not None:
        ops.append(lambda v, r, xs=tuple(c.one_of): v is not None and any(_same(v, x) for x in xs))
    if c.not_one_of is not None:
        ops.append(lambda v, r, xs=tuple(c.not_one_of): v is None or not any(_same(v, x) for x in xs))
    if c.matches is not None:
        ops.append(lambda v, r, p=re.compile(c.matches): v is not None and p.search(str(v)) is not None)
    if c.not_matches is not None:
        ops.append(lambda v, r, p=re.compile(c.not_matches): v is None or p.search(str(v)) is None)
    convert = _to_number(type_)
    for bound, test in ((c.gt, "gt"), (c.ge, "ge"), (c.lt, "lt"), (c.le, "le")):
        if bound is not None:
            tests = {
                "gt": lambda n, b=bound: n > b,
                "ge": lambda n, b=bound: n >= b,
                "lt": lambda n, b=bound: n < b,
                "le": lambda n, b=bound: n <= b,
            }
            ops.append(_bound(subject, convert, tests[test]))
    return ops


def _run_ops(ops: list[Op], value: Any, reasons: set[str]) -> Tri:
    return kleene((op(value, reasons) for op in ops), decides=False)


def flag_reader(table: SglangTable, name: str, default: Any = None) -> Callable[[Facts], tuple[bool, Any, str]]:
    """(present, value, origin) of a flag; origin is "given", "rule", "sglang" or "unset"."""
    spec = table.spec(name)
    switch = spec is not None and not spec.takes_value
    fallback: tuple[bool, Any, str] = (False, None, "unset")
    if default is not None:
        fallback = (False, default, "rule")
    elif switch:
        fallback = (False, "false", "sglang")
    elif spec is not None and spec.default is not None:
        fallback = (False, spec.default, "sglang")

    def read(facts: Facts) -> tuple[bool, Any, str]:
        if name in facts.flags:
            value = facts.flags[name]
            return True, ("true" if value is None and switch else value), "given"
        if name in facts.off:
            return False, "false", "given"
        return fallback

    return read


def env_reader(table: SglangTable, name: str, default: Any = None) -> Callable[[Facts], tuple[bool, Any, str]]:
    spec = table.env(name)
    fallback: tuple[bool, Any, str] = (False, None, "unset")
    if default is not None:
        fallback = (False, default, "rule")
    elif spec is not None and spec.default is not None and not spec.computed:
        fallback = (False, spec.default, "sglang")

    def read(facts: Facts) -> tuple[bool, Any, str]:
        return (True, facts.env[name], "given") if name in facts.env else fallback

    return read


def _docker(c: Condition) -> Cond:
    option = c.docker or ""
    ops = _ops(c, option, "str")

    def run(facts: Facts, reasons: set[str]) -> Tri:
        if facts.context.framing is None:
            reasons.add("framing unknown (python or docker)")
            return None
        values = facts.docker.get(option, ())
        if c.present is not None and bool(values) != c.present:
            return False
        if not ops:
            return True
        return any(_run_ops(ops, v, reasons) is True for v in values)

    return run


def _context(c: Condition) -> Cond:
    key = c.context or ""
    ops = _ops(c, key, "int")

    def run(facts: Facts, reasons: set[str]) -> Tri:
        value = facts.context.value(key)
        if c.present is not None and (value is not None) != c.present:
            return False
        if not ops:
            return True
        if value is None:
            reasons.add(f"{key} unknown")
            return None
        return _run_ops(ops, value, reasons)

    return run


def _subject(c: Condition, table: SglangTable) -> Cond:
    switch = False
    if c.flag is not None:
        name = canonical_name(table, c.flag)
        spec = table.spec(name)
        reader, type_ = flag_reader(table, name, c.default), spec.type if spec is not None else "int"
        switch = spec is not None and not spec.takes_value
    else:
        name = c.env or ""
        env_spec = table.env(name)
        reader, type_ = env_reader(table, name, c.default), env_spec.type if env_spec is not None else "int"
    ops = _ops(c, name, type_)
    want = c.present

    def run(facts: Facts, reasons: set[str]) -> Tri:
        present, value, _ = reader(facts)
        if switch and value == "false":
            present = False
        if want is not None and present != want:
            return False
        return _run_ops(ops, value, reasons) if ops else True

    return run


def compile_condition(c: Condition, table: SglangTable, predicates: Mapping[str, Cond]) -> Cond:
    """A closure for one condition; `predicates` is read when it runs (filled in by the caller)."""
    if c.all_of is not None:
        return _all([compile_condition(x, table, predicates) for x in c.all_of])
    if c.any_of is not None:
        return _any([compile_condition(x, table, predicates) for x in c.any_of])
    if c.none_of is not None:
        inner = _any([compile_condition(x, table, predicates) for x in c.none_of])

        def none_of(facts: Facts, reasons: set[str]) -> Tri:
            found = inner(facts, reasons)
            return None if found is None else not found

        return none_of
    if c.predicate is not None:
        name = c.predicate
        return lambda facts, reasons: predicates[name](facts, reasons)
    if c.docker is not None:
        return _docker(c)
    if c.context is not None:
        return _context(c)
    return _subject(c, table)


Value = Callable[[Facts, set[str]], tuple[float | int | None, str]]


def compile_derived(
    d: Derived, table: SglangTable, predicates: Mapping[str, Cond], derived: Mapping[str, Value]
) -> Value:
    """A derived value: the value of the first case whose `when` holds (unknown when a `when`
    before it is unknown)."""
    cases = [
        (tuple(compile_condition(c, table, predicates) for c in case.when), compile_operand(case.value, table, derived))
        for case in d.cases
    ]

    def run(facts: Facts, reasons: set[str]) -> tuple[float | int | None, str]:
        for when, value in cases:
            holds = all_of(when, facts, reasons)
            if holds is None:
                return None, "unset"
            if holds:
                return value(facts, reasons)
        reasons.add("no case of a derived value applies")
        return None, "unset"

    return run


def compile_operand(o: Operand, table: SglangTable, derived: Mapping[str, Value] | None = None) -> Value:
    """A closure giving (numeric value or None, origin) of an operand (not of a product: the
    rules engine multiplies those out). `derived` is read when it runs (filled in by the caller)."""
    if o.derived is not None:
        name, table_of = o.derived, derived if derived is not None else {}
        return lambda facts, reasons: table_of[name](facts, reasons)
    if o.product is not None:
        raise ValueError("a product operand is evaluated by the rules engine")
    if o.value is not None:
        return lambda facts, reasons, v=o.value: (v, "rule")
    if o.context is not None:
        key = o.context

        def ctx(facts: Facts, reasons: set[str]) -> tuple[float | int | None, str]:
            value = facts.context.value(key)
            if value is None:
                reasons.add(f"{key} unknown")
            return value, "context"  # type: ignore[return-value]

        return ctx
    if o.flag is not None:
        subject = canonical_name(table, o.flag)
        spec = table.spec(subject)
        reader, type_ = flag_reader(table, subject, o.default), spec.type if spec is not None else "int"
    else:
        subject = o.env or ""
        env_spec = table.env(subject)
        reader, type_ = env_reader(table, subject, o.default), env_spec.type if env_spec is not None else "int"
    convert = _to_number(type_)
    if o.text:

        def text(facts: Facts, reasons: set[str]) -> tuple[float | int | None, str]:
            _, value, origin = reader(facts)
            return ("not set" if value is None else value), origin  # type: ignore[return-value]

        return text

    def run(facts: Facts, reasons: set[str]) -> tuple[float | int | None, str]:
        present, value, origin = reader(facts)
        fallback = facts.context.value(o.or_context) if o.or_context is not None else None
        if not present and fallback is not None:
            return fallback, "context"  # type: ignore[return-value]
        if value is None:
            reasons.add(f"{subject} not given")
            return None, origin
        try:
            number = convert(value)
        except ValueError:
            if fallback is not None:  # e.g. `--nnodes {{NNODES}}` before substitution
                return fallback, "context"  # type: ignore[return-value]
            reasons.add(f"{subject}={value} is not a number")
            return None, origin
        if o.invert and number == 0:
            reasons.add(f"{subject} is 0")
            return None, origin
        return number, origin

    return run
