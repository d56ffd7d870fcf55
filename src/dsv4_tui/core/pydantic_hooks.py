"""What pydantic needs to validate the rules' dataclasses, without importing pydantic.

The rules (`schema.py`, `lint/checks_model.py`) are standard-library dataclasses, so that rules
read from the cache (`host/rules_cache.py`) need no pydantic at all: importing it is most
of a cold start. Pydantic validates a file only when one is read: `validate_python` builds a
`pydantic.TypeAdapter` on first use. What it reads from the classes:

- `Strict`, the base of every rules dataclass: `__pydantic_config__` (strict, unknown keys
  forbidden) is a plain dict. Its schema hook lets a table (a dict) stand for the dataclass, as
  for a pydantic model; strict mode alone accepts only instances of a dataclass. The fields
  stay strict (`verified = "yes"` is an error, not True).
- `After(fn)`, `Bounds(gt=…)`, `Pattern(…)`, `MinLen(…)`: `Annotated` metadata building the
  same schema as pydantic's `AfterValidator` and `Field(gt=…, pattern=…, min_length=…)`, so
  the messages are pydantic's own ("Input should be greater than 0").
- A model validator is the dataclass's `__post_init__`: pydantic calls it once the fields are
  set, and reports its ValueError as "Value error, …" at the dataclass's key path.

`pydantic` and `pydantic_core` are imported only inside these functions, which run only while
a file is validated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from functools import cache
from typing import Any, ClassVar, get_origin


class Strict:
    """The base of a rules dataclass: strict types, no unknown keys (see the module docstring).

    It also gives every rules class its `__init__` (keyword-only, defaults, then
    `__post_init__`), its immutability, equality and repr: `record` asks `dataclasses` to
    generate none of them. Dataclasses compiles each generated method on its own, and for
    the ~45 rules classes that was most of the time `import dsv4_tui.core.rules` took, at
    every start. Unhashable, as they hold lists."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "strict": True}
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, **values: Any) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            if f.name in values:
                value = values.pop(f.name)
            elif f.default is not MISSING:
                value = f.default
            elif f.default_factory is not MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"{type(self).__name__}() missing required keyword argument: {f.name!r}")
            object.__setattr__(self, f.name, value)
        if values:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword arguments: {', '.join(map(repr, values))}")
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        shown = (f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{type(self).__name__}({', '.join(shown)})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        schema = handler(source)
        handler.resolve_ref_schema(schema)["strict"] = False  # the dataclass itself: a dict will do
        return schema


class _Constraints:
    """`Annotated` metadata: constraints pydantic's own schema for the type checks."""

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return {**handler(source), **self.constraints}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.constraints.items())
        return f"{type(self).__name__}({args})"


class Bounds(_Constraints):
    """A number's bounds: `Annotated[int, Bounds(gt=0, le=65535)]` (gt, ge, lt, le)."""

    def __init__(
        self, *, gt: float | None = None, ge: float | None = None, lt: float | None = None, le: float | None = None
    ) -> None:
        given = {"gt": gt, "ge": ge, "lt": lt, "le": le}
        super().__init__(**{k: v for k, v in given.items() if v is not None})


class Pattern(_Constraints):
    """A string matching a regular expression: `Annotated[str, Pattern(r"^[a-z]+$")]`."""

    def __init__(self, pattern: str) -> None:
        super().__init__(pattern=pattern)


class MinLen(_Constraints):
    """A list (or string) of at least `n` items: `Annotated[list[X], MinLen(1)]`."""

    def __init__(self, n: int) -> None:
        super().__init__(min_length=n)


class After:
    """`Annotated` metadata: `fn(value)` after the type is validated (pydantic's `AfterValidator`)."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.fn, handler(source))

    def __repr__(self) -> str:
        return f"After({getattr(self.fn, '__name__', self.fn)!r})"


class _Fields:
    """A record's `__dataclass_fields__` until something asks for them: then `dataclasses`
    makes the class a dataclass (which replaces this with the real dict) and they are
    returned. `fields()`, `is_dataclass()` and pydantic all ask through this attribute."""

    def __get__(self, obj: Any, owner: type) -> Any:
        # The record that declared this (a subclass not made a record finds its base's).
        declared = next(k for k in owner.__mro__ if k.__dict__.get("__dataclass_fields__") is self)
        dataclass(init=False, repr=False, eq=False)(declared)
        return declared.__dict__["__dataclass_fields__"]


_LAZY = _Fields()


def record(cls: type) -> type:
    """A rules dataclass: its fields from `dataclasses`, its methods from `Strict` (immutable,
    keyword-only). `dataclasses` works its fields out the first time they are asked for
    (`_Fields`): about 70 records, a tenth of a millisecond each, at every start, and a warm
    start builds the rules from the cache without them (`record_field_names`)."""
    cls.__dataclass_fields__ = _LAZY  # type: ignore[attr-defined]
    return cls


def record_field_names(cls: type) -> tuple[str, ...]:
    """The names of a record's fields, in `dataclasses.fields` order, from the annotations of
    the records it is made of (bases first), without making it a dataclass. ClassVar
    annotations are not fields."""
    names: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        if "__dataclass_fields__" not in klass.__dict__:
            continue  # not a record: its annotations are not fields (Strict's ClassVar)
        for name, annotation in klass.__dict__.get("__annotations__", {}).items():
            if isinstance(annotation, str):
                classvar = annotation.startswith(("ClassVar", "typing.ClassVar"))
            else:
                classvar = annotation is ClassVar or get_origin(annotation) is ClassVar
            if not classvar:
                names[name] = None
    return tuple(names)


@cache
def _adapter(cls: type) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


def validate_python(cls: type, data: Any) -> Any:
    """`data` (parsed TOML) validated as a `cls`; raises pydantic.ValidationError."""
    return _adapter(cls).validate_python(data)
