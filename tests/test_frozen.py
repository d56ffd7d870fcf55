"""`@frozen` behaves as `@dataclass(frozen=True)`: equality, hashing, repr, immutability,
field options and methods a class defines itself (core/frozen.py shares three methods
instead of generating them, for start-up time)."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from dsv4_tui.core.frozen import frozen
from dsv4_tui.core.selection import OptionState
from dsv4_tui.core.view import DeployView


def pair(body: dict) -> tuple[type, type]:
    """The same class made by @dataclass(frozen=True) and by @frozen."""
    made = []
    for decorate in (dataclass(frozen=True), frozen):
        ns = {k: (v() if callable(v) and getattr(v, "_fresh", False) else v) for k, v in body.items()}
        made.append(decorate(type("Thing", (), dict(ns))))
    return made[0], made[1]


def fresh(make):
    make._fresh = True
    return make


PLAIN = {"__annotations__": {"a": "int", "b": "str", "c": "list"}, "c": fresh(lambda: field(default_factory=list))}
OPTIONS = {
    "__annotations__": {"a": "int", "hidden": "int", "loose": "int", "unhashed": "int"},
    "hidden": fresh(lambda: field(default=0, repr=False)),
    "loose": fresh(lambda: field(default=0, compare=False)),
    "unhashed": fresh(lambda: field(default=0, hash=False)),
}
EMPTY = {"__annotations__": {}}
ONE = {"__annotations__": {"a": "float"}}


def same_behaviour(ref_cls: type, new_cls: type, args_list: list[tuple]) -> None:
    for args in args_list:
        for other in args_list:
            r1, r2, n1, n2 = ref_cls(*args), ref_cls(*other), new_cls(*args), new_cls(*other)
            assert (r1 == r2) == (n1 == n2) and (r1 != r2) == (n1 != n2)
            assert repr(n1) == repr(r1)
            try:
                expected: object = hash(r1)
            except TypeError as exc:
                expected = type(exc)
            try:
                got: object = hash(n1)
            except TypeError as exc:
                got = type(exc)
            assert got == expected
        assert new_cls(*args).__eq__(object()) is NotImplemented
        assert ref_cls(*args) != new_cls(*args)  # another class: never equal, as for dataclasses
        with pytest.raises(dataclasses.FrozenInstanceError):
            new_cls(*args).a = 1  # type: ignore[attr-defined]
    assert [f.name for f in dataclasses.fields(new_cls)] == [f.name for f in dataclasses.fields(ref_cls)]


def test_plain_fields_compare_hash_and_show_as_a_frozen_dataclass():
    ref, new = pair(PLAIN)
    same_behaviour(ref, new, [(1, "x"), (1, "x"), (2, "x"), (1, "y"), (1, "x", [1])])


def test_field_options_are_honoured():
    ref, new = pair(OPTIONS)
    same_behaviour(ref, new, [(1,), (1, 2), (1, 0, 5), (1, 0, 0, 7), (2, 2, 2, 2)])
    assert "hidden" not in repr(new(1, 2)) and new(1, loose=1) == new(1, loose=2)
    assert hash(new(1, unhashed=1)) == hash(new(1, unhashed=2))


def test_no_field_and_one_field():
    same_behaviour(*pair(EMPTY), [()])
    nan = float("nan")
    ref, new = pair(ONE)
    same_behaviour(ref, new, [(1.0,), (2.0,), (nan,)])
    assert (new(nan) == new(nan)) == (ref(nan) == ref(nan))  # a 1-tuple compare, as generated


def test_a_recursive_repr_says_so():
    ref, new = pair({"__annotations__": {"items": "list"}})
    r, n = ref([]), new([])
    r.items.append(r)
    n.items.append(n)
    assert repr(n) == repr(r).replace(ref.__qualname__, new.__qualname__) == "Thing(items=[...])"


def test_methods_the_class_defines_are_kept():
    @frozen
    class Custom:
        a: int

        def __eq__(self, other):
            return True

        def __repr__(self):
            return "custom"

    @frozen
    class OwnHash:
        a: int

        def __hash__(self):
            return 7

    assert Custom(1) == Custom(2) and repr(Custom(1)) == "custom"
    assert hash(Custom(1)) == hash((1,))  # __eq__ alone: the hash is added, as dataclasses does
    assert hash(OwnHash(1)) == 7


def test_app_values_pickle_replace_and_compare():
    state = OptionState("hw", "b200", "B200", True, False)
    assert pickle.loads(pickle.dumps(state)) == state
    assert dataclasses.replace(state, selected=True) != state
    assert repr(state) == "OptionState(dim='hw', id='b200', label='B200', enabled=True, selected=False, reason=None)"
    assert hash(state) == hash(("hw", "b200", "B200", True, False, None))
    assert DeployView.__eq__ is OptionState.__eq__  # shared, not generated


def test_nothing_is_set_or_deleted_after_init_as_for_a_frozen_dataclass():
    """Its shared `__setattr__` lets nothing be set after `__init__` (a field, a new name, a
    deletion)."""
    ref, new = pair(PLAIN)
    for cls in (ref, new):
        thing = cls(1, "x")
        for change, name in ((setattr, "a"), (setattr, "brand_new"), (delattr, "a"), (delattr, "brand_new")):
            with pytest.raises(dataclasses.FrozenInstanceError):
                change(thing, name, 2) if change is setattr else change(thing, name)
        assert (thing.a, thing.b) == (1, "x")

    @frozen
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=5)

        def __post_init__(self):
            object.__setattr__(self, "b", self.a * 2)  # as a frozen dataclass's __post_init__ does

    class Sub(Derived):  # not made @frozen itself
        pass

    assert (Derived(2).b, Sub(3).b) == (4, 6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Sub(3).a = 1
    with pytest.raises(TypeError):
        frozen(type("OwnSetattr", (), {"__annotations__": {"a": "int"}, "__setattr__": object.__setattr__}))


INIT = {
    "__annotations__": {"a": "int", "b": "str", "late": "int", "c": "list", "d": "int"},
    "b": "x",
    "late": fresh(lambda: field(init=False, default=9)),
    "c": fresh(lambda: field(default_factory=list)),
    "d": 4,
}


def test_init_takes_the_fields_as_the_generated_one_does():
    """@frozen compiles no `__init__`: its shared one takes the fields by position and by
    name, fills defaults and factories (a new list each time), sets an init=False field
    to its default, and refuses what the generated one refuses, with a TypeError."""
    ref, new = pair(INIT)
    calls = [((1,), {}), ((1, "y"), {}), ((1,), {"d": 7}), ((), {"a": 2, "c": [3]}), ((1, "y", [5], 6), {})]
    for args, kwargs in calls:
        r, n = ref(*args, **kwargs), new(*args, **kwargs)
        assert repr(n) == repr(r) and n.late == r.late == 9
    assert new(1).c is not new(1).c  # a fresh default each time
    bad = [((), {}), ((1, "y", [], 4, 5), {}), ((1,), {"a": 1}), ((1,), {"late": 3}), ((1,), {"nope": 1})]
    for args, kwargs in bad:
        for cls in (ref, new):
            with pytest.raises(TypeError):
                cls(*args, **kwargs)
    assert new.__init__.__qualname__.startswith("_init_of")  # made of the fields, not compiled
