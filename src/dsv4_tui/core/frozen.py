"""`@frozen`: `@dataclass(frozen=True)` whose methods are shared, not compiled per class.

`dataclasses` compiles each method it generates on its own when the class is created (one
`exec` each before Python 3.13): six for a frozen dataclass, about 0.3 ms a class. The app
creates a few dozen of them before its first frame, at every start. `@frozen` has
`dataclasses` record the fields only (`dataclasses.fields` and `replace` work as for any
dataclass) and gives the class the six below, which behave as the generated ones do:
`__init__` takes the fields by position or name, in order, with their defaults and default
factories, then calls `__post_init__`; the same fields compared, hashed and shown, in order;
NotImplemented against another class; "..." for a repr that recurses; FrozenInstanceError
for setting or deleting an attribute once `__init__` has set the fields. They read the
class's fields once (`operator.attrgetter`, as fast as the generated code).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")

_KEYS: dict[type, tuple[Callable[[Any], tuple], Callable[[Any], tuple]]] = {}
_SHOWN: dict[type, tuple[str, ...]] = {}


def _tuple_of(names: list[str]) -> Callable[[Any], tuple]:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return attrgetter(*names)


def _keys(cls: type) -> tuple[Callable[[Any], tuple], Callable[[Any], tuple]]:
    """(the compared fields, the hashed fields) of `cls`, as functions of an instance."""
    keys = _KEYS.get(cls)
    if keys is None:
        fs = fields(cls)
        compared = [f.name for f in fs if f.compare]
        hashed = [f.name for f in fs if (f.compare if f.hash is None else f.hash)]
        keys = _KEYS[cls] = (_tuple_of(compared), _tuple_of(hashed))
    return keys


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = _keys(self.__class__)[0]
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(_keys(self.__class__)[1](self))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    cls = self.__class__
    shown = _SHOWN.get(cls)
    if shown is None:
        shown = _SHOWN[cls] = tuple(f.name for f in fields(cls) if f.repr)
    return cls.__qualname__ + "(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in shown) + ")"


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _setattr(self: Any, name: str, value: Any) -> None:
    # __init__ sets each field once, through here; after it nothing can be set.
    cls = self.__class__
    names = _FIELD_NAMES.get(cls)
    if names is None:  # a subclass not made @frozen itself: its fields are its base's
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    if name in names and name not in self.__dict__:
        object.__setattr__(self, name, value)
    else:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _init_of(cls: type) -> Callable[..., None]:
    """The `__init__` of a `@frozen` class, made of its fields (no code compiled)."""
    fs = fields(cls)
    names = tuple(f.name for f in fs if f.init)
    given = frozenset(names)
    count = len(names)
    # The fields left to set once k are given by position (those of init=False included), with
    # what each gets when it is not given by name: (its name, by name?, default, factory).
    rest = [
        tuple((f.name, f.init, f.default, f.default_factory) for f in fs if f.name not in names[:k])
        for k in range(count + 1)
    ]
    post_init = hasattr(cls, "__post_init__")
    set_field = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > count:
            raise TypeError(
                f"{type(self).__qualname__}.__init__() takes {count + 1} positional arguments"
                f" but {len(args) + 1} were given"
            )
        for name, value in zip(names, args):
            if name in kwargs:
                raise TypeError(f"{type(self).__qualname__}.__init__() got multiple values for argument {name!r}")
            set_field(self, name, value)
        if len(kwargs) > count - len(args) or not given.issuperset(kwargs):
            unknown = next(name for name in kwargs if name not in given)
            raise TypeError(f"{type(self).__qualname__}.__init__() got an unexpected keyword argument {unknown!r}")
        missing = []
        for name, by_name, default, factory in rest[len(args)]:
            if by_name and name in kwargs:
                set_field(self, name, kwargs[name])
            elif default is not MISSING:
                set_field(self, name, default)
            elif factory is not MISSING:
                set_field(self, name, factory())
            elif by_name:
                missing.append(name)
        if missing:
            raise TypeError(
                f"{type(self).__qualname__}.__init__() missing {len(missing)} required argument(s): "
                + ", ".join(repr(name) for name in missing)
            )
        if post_init:
            self.__post_init__()

    return __init__


def frozen(cls: type[T]) -> type[T]:
    """A frozen dataclass, as `@dataclass(frozen=True)` makes it (see the module docstring).
    Methods the class defines itself are kept, as `dataclasses` keeps them."""
    own = cls.__dict__
    # What `dataclasses` does for eq=True, frozen=True: an explicit __hash__ stays; one that
    # is None only because the class defines __eq__ is replaced.
    add_hash = "__hash__" not in own or (own["__hash__"] is None and "__eq__" in own)
    for name in ("__setattr__", "__delattr__"):
        if name in own:  # as dataclasses refuses it for a frozen class
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    if not cls.__doc__:  # dataclasses would work one out with inspect.signature (0.1 ms a class)
        cls.__doc__ = f"{cls.__name__}({', '.join(own.get('__annotations__', {}))})"
    cls = dataclass(init=False, eq=False, repr=False)(cls)  # the fields only: nothing compiled
    _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    if "__init__" not in own:
        cls.__init__ = _init_of(cls)  # type: ignore[misc]
    cls.__setattr__ = _setattr  # type: ignore[method-assign,assignment]
    cls.__delattr__ = _delattr  # type: ignore[method-assign,assignment]
    if "__eq__" not in own:
        cls.__eq__ = _eq  # type: ignore[method-assign]
    if add_hash:
        cls.__hash__ = _hash  # type: ignore[method-assign]
    if "__repr__" not in own:
        cls.__repr__ = _repr  # type: ignore[method-assign]
    return cls
