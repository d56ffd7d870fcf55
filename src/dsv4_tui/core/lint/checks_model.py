"""The schema of rules/checks.toml: a model's rules as data, validated strictly.

    [predicate.dp_attention]                 # named conditions, reusable as {predicate = "…"}
    any_of = [{ flag = "--enable-dp-attention", present = true }, { flag = "--attn-dp-size", gt = 1 }]

    [[check]]
    id = "deepep-dispatch-buffer"            # lowercase words and dashes, unique
    level = "error"                          # error | warning | info
    source = "cookbook: Configuration Tips"  # where the rule comes from
    when = [{ flag = "--moe-a2a-backend", equals = "deepep" }]   # all must hold, else not applicable
    require = [ … ]                          # all must hold, else a finding
    compare = { left = [ …operands… ], op = "<=", right = [ …operands… ] }  # products of operands
    message = "… {mrr} × {draft} = {left} …" # {name}: an operand's value, `name_note`, left, right, context keys
    [[check.fix]]
    label = "lower --max-running-requests"
    edits = [{ set_flag = "--max-running-requests", solve = "mrr" }]

A condition names one subject (`flag`, `env`, `context`, `docker` option, or `predicate`) with
operators (`present`, `equals`, `one_of`, `not_one_of`, `gt`/`ge`/`lt`/`le`, `matches`,
`not_matches`; all must hold), or combines conditions (`any_of`, `all_of`, `none_of`). An absent
flag or env has its `default`, else SGLang's default from the table. An unknown context value
makes the check skipped (reported with the reason), never failed.
"""

from __future__ import annotations

import re
import string
from dataclasses import field
from typing import Annotated, Literal

from ..pydantic_hooks import MinLen, Pattern, Strict, record, validate_python

CONTEXT_NAMES = ("hw", "vendor", "arch", "gpus_per_node", "nodes", "role", "framing", "docker_image", "variant")
Scalar = str | int | float | bool
Number = int | float
_ID = r"^[a-z0-9][a-z0-9-]*$"
_NAME = r"^[a-z][a-z0-9_]*$"


def _subjects(model: Strict, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if getattr(model, n) is not None]


@record
class Condition(Strict):
    flag: str | None = None
    env: str | None = None
    context: (
        Literal["hw", "vendor", "arch", "gpus_per_node", "nodes", "role", "framing", "docker_image", "variant"] | None
    ) = None
    docker: str | None = None
    predicate: str | None = None
    any_of: list[Condition] | None = None
    all_of: list[Condition] | None = None
    none_of: list[Condition] | None = None
    present: bool | None = None
    equals: Scalar | None = None
    one_of: list[Scalar] | None = None
    not_one_of: list[Scalar] | None = None
    gt: Number | None = None
    ge: Number | None = None
    lt: Number | None = None
    le: Number | None = None
    matches: str | None = None
    not_matches: str | None = None
    default: Scalar | None = None

    def __post_init__(self) -> None:  # pydantic reports a ValueError as "Value error, …"
        subjects = _subjects(self, ("flag", "env", "context", "docker", "predicate"))
        groups = _subjects(self, ("any_of", "all_of", "none_of"))
        ops = _subjects(
            self, ("present", "equals", "one_of", "not_one_of", "gt", "ge", "lt", "le", "matches", "not_matches")
        )
        if len(subjects) + len(groups) != 1:
            raise ValueError(
                "a condition names exactly one of flag, env, context, docker, predicate, any_of, all_of, none_of"
            )
        if (groups or self.predicate) and (ops or self.default is not None):
            raise ValueError("any_of / all_of / none_of / predicate take no operators")
        if subjects and not self.predicate and not ops:
            raise ValueError(
                "a condition needs an operator: present, equals, one_of, not_one_of, gt, ge, lt, le, matches, not_matches"
            )
        if self.flag is not None and not self.flag.startswith("--"):
            raise ValueError(f"a flag must start with '--', got {self.flag!r}")
        for pattern in (self.matches, self.not_matches):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"bad regular expression {pattern!r}: {exc}") from None


@record
class Operand(Strict):
    """One factor of a product. It is a flag, an env, a context key, a literal `value`, a
    `derived` value (see [derived.NAME]) or a nested `product`; `op` says how it joins the
    product so far: `mul` (default), `div`, `floordiv` (integer division, as SGLang's `//`),
    `mod` (the remainder), `ceil_to` (rounds up to a multiple, as SGLang's `ceil_align`) or
    `min` (caps the product so far; ignored when its value is unknown)."""

    flag: str | None = None
    env: str | None = None
    context: Literal["gpus_per_node", "nodes"] | None = None
    value: Number | None = None
    derived: str | None = None
    product: list[Operand] | None = None
    name: Annotated[str, Pattern(_NAME)] | None = None
    default: Number | None = None
    or_context: Literal["gpus_per_node", "nodes"] | None = None  # a flag's fallback before its default
    invert: bool = False  # the operand divides the product instead of multiplying it (op = "div")
    op: Literal["mul", "div", "floordiv", "mod", "ceil_to", "min"] = "mul"
    text: bool = False  # in `values` only: the flag's or env's value as written, for the message

    def __post_init__(self) -> None:
        if len(_subjects(self, ("flag", "env", "context", "value", "derived", "product"))) != 1:
            raise ValueError("an operand names exactly one of flag, env, context, value, derived, product")
        if self.or_context is not None and self.flag is None:
            raise ValueError("or_context applies to a flag operand")
        if self.invert and self.op != "mul":
            raise ValueError("give invert or op, not both")
        if self.text and self.flag is None and self.env is None:
            raise ValueError("text applies to a flag or env operand")

    @property
    def joins(self) -> str:
        return "div" if self.invert else self.op


@record
class DerivedCase(Strict):
    """One case of a derived value: the first case whose `when` holds gives the value."""

    value: Operand
    when: list[Condition] = field(default_factory=list)


@record
class Derived(Strict):
    """A value SGLang computes from several options (e.g. the attention-DP size, which is
    --attn-dp-size, or --dp-size with the deprecated --enable-dp-attention)."""

    cases: Annotated[list[DerivedCase], MinLen(1)]
    source: str = ""


@record
class Compare(Strict):
    left: Annotated[list[Operand], MinLen(1)]
    op: Literal["<=", "<", ">=", ">", "==", "!="]
    right: Annotated[list[Operand], MinLen(1)]


@record
class EditSpec(Strict):
    set_flag: str | None = None
    remove_flag: str | None = None
    set_env: str | None = None
    remove_env: str | None = None
    value: str | int | float | None = None  # a literal, or a template such as "{right}"
    solve: str | None = None  # the compare operand to set to the bound that satisfies it
    at_most: int | None = None  # a solved value above this is never offered (SGLang refuses it)

    def __post_init__(self) -> None:
        if len(_subjects(self, ("set_flag", "remove_flag", "set_env", "remove_env"))) != 1:
            raise ValueError("an edit is exactly one of set_flag, remove_flag, set_env, remove_env")
        if (self.remove_flag or self.remove_env) and (self.value is not None or self.solve):
            raise ValueError("a remove edit takes no value")
        if self.set_env and self.value is None and not self.solve:
            raise ValueError("set_env needs a value or solve")
        if self.value is not None and self.solve:
            raise ValueError("give value or solve, not both")


@record
class FixSpec(Strict):
    label: str
    edits: Annotated[list[EditSpec], MinLen(1)]


@record
class Check(Strict):
    id: Annotated[str, Pattern(_ID)]
    level: Literal["error", "warning", "info"]
    source: str
    message: str
    subject: str | None = None  # the flag or env the finding concerns (default: the first one named)
    # A short line in the user's words, same placeholders as `message`: why the Playground
    # greys an option that would bring this error (default: the message).
    reason: str | None = None
    when: list[Condition] = field(default_factory=list)
    require: list[Condition] = field(default_factory=list)
    compare: Compare | None = None
    values: list[Operand] = field(default_factory=list)  # more named values for the message
    fix: list[FixSpec] = field(default_factory=list)
    superseded_by: list[str] = field(default_factory=list)  # ids of checks whose finding makes this one redundant

    def operands(self) -> list[Operand]:
        """Every operand of the check, nested products included."""
        return _flatten(
            [
                *(self.compare.left if self.compare else []),
                *(self.compare.right if self.compare else []),
                *self.values,
            ]
        )

    def compare_operands(self) -> list[Operand]:
        return _flatten([*self.compare.left, *self.compare.right]) if self.compare else []

    def __post_init__(self) -> None:
        if not self.require and self.compare is None:
            raise ValueError("a check needs require or compare")
        if any(o.text for o in self.compare_operands()):
            raise ValueError("a text operand goes in `values`, not in a comparison")
        names = {o.name for o in self.operands() if o.name}
        allowed = names | {f"{n}_note" for n in names} | {"left", "right", "excess", "sglang", *CONTEXT_NAMES}
        texts = [
            self.message,
            *([self.reason] if self.reason else []),
            *(f.label for f in self.fix),
            *(e.value for f in self.fix for e in f.edits if isinstance(e.value, str)),
        ]
        for text in texts:
            _check_template(text, allowed)
        for f in self.fix:
            for e in f.edits:
                if e.solve is not None and e.solve not in {o.name for o in self.compare_operands()}:
                    raise ValueError(f"solve names no compare operand: {e.solve!r}")


def _flatten(operands: list[Operand]) -> list[Operand]:
    out: list[Operand] = []
    for o in operands:
        out.append(o)
        out += _flatten(o.product or [])
    return out


def _check_template(text: str, allowed: set[str]) -> None:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"bad template {text!r}: {exc}") from None
    for _, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if spec or conversion or field_name not in allowed:
            raise ValueError(f"template {text!r}: unknown name {{{field_name}}}; known: {', '.join(sorted(allowed))}")


@record
class KnownRefusal(Strict):
    """A lint error a cookbook cell carries on purpose: its flag value exists only in the cell's
    own preview image, so the released SGLang refuses it. The finding of `check` on `subject`
    with `value` carries `why` (and the checks line `short`) wherever the command runs on the
    cells' hardware (or the hardware is not known); in that very `image` it is a warning."""

    check: str  # the finding's id, e.g. "invalid-choice"
    subject: str  # the flag
    value: str  # the value the released SGLang refuses, e.g. "b12x"
    image: str  # the cell's preview image, which has it
    cells: list[str]  # hw/variant/quant/strategy/nodes: the cells that carry it
    why: str
    short: str  # the checks line's words for it

    @property
    def hardware(self) -> set[str]:
        return {c.split("/", 1)[0] for c in self.cells}


@record
class Checks(Strict):
    predicate: dict[str, Condition] = field(default_factory=dict)
    derived: dict[str, Derived] = field(default_factory=dict)
    check: list[Check] = field(default_factory=list)
    known_refusal: list[KnownRefusal] = field(default_factory=list)

    def refusal(self, cell_key: str, check: str, subject: str) -> KnownRefusal | None:
        return next(
            (r for r in self.known_refusal if cell_key in r.cells and r.check == check and r.subject == subject), None
        )

    def __post_init__(self) -> None:
        ids = [c.id for c in self.check]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate check id: {', '.join(dupes)}")
        for name, cond in self.predicate.items():
            _refs_ok(cond, self.predicate, (name,))
        for name, d in self.derived.items():
            for case in d.cases:
                for cond in case.when:
                    _refs_ok(cond, self.predicate, ())
                _derived_ok(case.value, self.derived, (name,))
        for c in self.check:
            for o in c.operands():
                _derived_ok(o, self.derived, ())
        for c in self.check:
            for cond in [*c.when, *c.require]:
                _refs_ok(cond, self.predicate, ())
            unknown = [i for i in c.superseded_by if i not in ids or i == c.id]
            if unknown:
                raise ValueError(f"check {c.id!r}: superseded_by names no other check: {', '.join(unknown)}")


def _refs_ok(cond: Condition, predicates: dict[str, Condition], stack: tuple[str, ...]) -> None:
    if cond.predicate is not None:
        if cond.predicate not in predicates:
            raise ValueError(f"unknown predicate {cond.predicate!r}")
        if cond.predicate in stack:
            raise ValueError(f"predicate cycle: {' → '.join([*stack, cond.predicate])}")
        _refs_ok(predicates[cond.predicate], predicates, (*stack, cond.predicate))
    for group in (cond.any_of, cond.all_of, cond.none_of):
        for sub in group or []:
            _refs_ok(sub, predicates, stack)


def _derived_ok(o: Operand, derived: dict[str, Derived], stack: tuple[str, ...]) -> None:
    if o.derived is not None:
        if o.derived not in derived:
            raise ValueError(f"unknown derived value {o.derived!r}")
        if o.derived in stack:
            raise ValueError(f"derived value cycle: {' → '.join([*stack, o.derived])}")
        for case in derived[o.derived].cases:
            _derived_ok(case.value, derived, (*stack, o.derived))
    for sub in o.product or []:
        _derived_ok(sub, derived, stack)


def parse_checks(data: dict) -> Checks:
    """Validate a parsed checks.toml (raises pydantic.ValidationError with the key paths)."""
    return validate_python(Checks, data)
