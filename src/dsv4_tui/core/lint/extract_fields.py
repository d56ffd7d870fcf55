"""Flags declared as annotated fields: `tp_size: A[int, Arg(help=…, aliases=[…])] = 1`.

This mirrors `add_cli_args_from_dataclass` (sglang/srt/arg_groups/arg_utils.py) on the AST:
the flag is `--` + the field name with `_` → `-` (or `Arg.cli_name`), plus `Arg.aliases`;
`Optional[X]` is unwrapped; `Literal[…]` gives the choices; `List[X]` takes `nargs="+"`;
`bool` is `store_true`; an `Arg.action` (e.g. `argparse.BooleanOptionalAction`) wins.
Fields without an `Arg` or a help string, or with `no_cli=True`, have no flag.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .astvalue import ClassRef, Evaluator, Unresolved, dotted_name, literal_text
from .extract_common import (
    comment_block_above,
    first_sentence,
    help_deprecation,
    jsonable,
    module_path,
    removal_date,
    type_name,
)

_ANNOTATED = {"A", "Annotated", "typing.Annotated"}
_OPTIONAL = {"Optional", "typing.Optional"}
_UNION = {"Union", "typing.Union"}
_LITERAL = {"Literal", "typing.Literal"}
_LIST = {"List", "list", "typing.List"}
_SCALARS = {"str": "str", "int": "int", "float": "float", "bool": "bool"}


@dataclass
class FieldDecl:
    name: str
    module: str
    lineno: int
    type_node: ast.expr
    arg: dict[str, Any] | None  # evaluated Arg(...) keywords (help text kept apart)
    arg_nodes: dict[str, ast.expr]
    help: str
    default: tuple[bool, Any]  # (known, value)
    has_value: bool  # the field has a default at all (else argparse marks the flag required)


def _subscript(node: ast.expr) -> tuple[str | None, list[ast.expr]]:
    if not isinstance(node, ast.Subscript):
        return None, []
    sl = node.slice
    elts = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
    return dotted_name(node.value), elts


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def unwrap_optional(node: ast.expr) -> ast.expr:
    name, elts = _subscript(node)
    if name in _OPTIONAL and len(elts) == 1:
        return elts[0]
    if name in _UNION:
        rest = [e for e in elts if not _is_none(e)]
        if len(rest) == 1:
            return rest[0]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        if _is_none(node.right):
            return node.left
        if _is_none(node.left):
            return node.right
    return node


def _default_of(ev: Evaluator, node: ast.expr | None, module: str) -> tuple[bool, Any]:
    if node is None:
        return False, None
    if isinstance(node, ast.Call) and (dotted_name(node.func) or "").endswith("field"):
        kw = {k.arg: k.value for k in node.keywords}
        if "default" in kw:
            node = kw["default"]
        elif "default_factory" in kw:
            factory = dotted_name(kw["default_factory"])
            return (
                (True, {"list": [], "dict": {}, "tuple": [], "set": []}[factory])
                if factory in ("list", "dict", "tuple", "set")
                else (False, None)
            )
        else:
            return False, None
    ok, value = ev.try_eval(node, module)
    if not ok:
        return False, None
    try:
        return True, jsonable(value)
    except Unresolved:
        return False, None


def field_decl(ev: Evaluator, stmt: ast.AnnAssign, module: str) -> FieldDecl | None:
    """A field with CLI metadata, or None (plain field, `Derived`, `no_cli`)."""
    if not isinstance(stmt.target, ast.Name):
        return None
    name, elts = _subscript(stmt.annotation)
    if name not in _ANNOTATED or len(elts) < 2:
        return None
    arg_nodes: dict[str, ast.expr] | None = None
    help_text = ""
    for meta in elts[1:]:
        if isinstance(meta, ast.Call) and (dotted_name(meta.func) or "").split(".")[-1] == "Arg":
            arg_nodes = {k.arg: k.value for k in meta.keywords if k.arg}
            help_text = literal_text(arg_nodes.get("help"))
            break
        text = literal_text(meta)
        if text or isinstance(meta, (ast.Constant, ast.JoinedStr)):
            arg_nodes, help_text = {}, text
            break
    if arg_nodes is None:
        return None
    arg: dict[str, Any] = {}
    for key, node in arg_nodes.items():
        if key == "help":
            continue
        if key in ("type_parser", "action"):
            arg[key] = dotted_name(node) or ast.unparse(node)
            continue
        ok, value = ev.try_eval(node, module)
        arg[key] = value if ok else Unresolved(ast.unparse(node))
    if arg.get("no_cli") is True:
        return None
    default = _default_of(ev, stmt.value, module)
    return FieldDecl(
        stmt.target.id, module, stmt.lineno, elts[0], arg, arg_nodes, help_text, default, stmt.value is not None
    )


def _choices(value: Any) -> tuple[list[Any] | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, Unresolved):
        return None, str(value)
    try:
        out = jsonable(value)
    except Unresolved:
        return None, repr(value)
    return (out if isinstance(out, list) else None), None


def _literal_values(ev: Evaluator, node: ast.expr, module: str) -> list[Any] | None:
    name, elts = _subscript(node)
    if name not in _LITERAL:
        return None
    return [ev.eval(e, module) for e in elts]


def _shape(ev: Evaluator, decl: FieldDecl) -> dict[str, Any]:
    """kind / type / nargs / choices, as add_cli_args_from_dataclass decides them."""
    arg = decl.arg or {}
    action = arg.get("action")
    if action is not None:
        if action.endswith("BooleanOptionalAction"):
            return {"kind": "boolean_optional", "type": "bool"}
        shape: dict[str, Any] = {"kind": "value", "type": "str", "action": action}
        kw = decl.arg_nodes.get("action_kwargs")
        if isinstance(kw, ast.Dict):  # {"type": str, "nargs": "*"}: `str` is a type, not a constant
            for key, value in zip(kw.keys, kw.values):
                if isinstance(key, ast.Constant) and key.value == "nargs" and isinstance(value, ast.Constant):
                    shape["nargs"] = value.value
                elif isinstance(key, ast.Constant) and key.value == "type":
                    shape["type"] = type_name(dotted_name(value))
        return shape
    inner = unwrap_optional(decl.type_node)
    literal = _literal_values(ev, inner, decl.module)
    choices, unresolved = _choices(arg.get("choices"))
    parser = arg.get("type_parser")
    if literal is not None:
        first = type(literal[0]).__name__ if literal else "str"
        return {
            "kind": "value",
            "type": type_name(parser) if parser else _SCALARS.get(first, "str") if first != "bool" else "str",
            "choices": choices if choices is not None else jsonable(literal),
            **({"choices_unresolved": unresolved} if unresolved else {}),
        }
    name, elts = _subscript(inner)
    if name in _LIST and parser is None:
        elem = dotted_name(elts[0]) if elts else "str"
        return {
            "kind": "value",
            "type": _SCALARS.get(elem or "str", "str") if elem != "bool" else "str",
            "nargs": arg.get("nargs") or "+",
            **({"choices": choices} if choices else {}),
            **({"choices_unresolved": unresolved} if unresolved else {}),
        }
    if dotted_name(inner) == "bool":
        return {"kind": "switch", "type": "bool"}
    base = dotted_name(inner)
    shape = {"kind": "value", "type": type_name(parser) if parser else _SCALARS.get(base or "", "str")}
    if shape["type"] == "bool":
        shape["type"] = "str"
    if choices:
        shape["choices"] = choices
    if unresolved:
        shape["choices_unresolved"] = unresolved
    if arg.get("nargs") is not None:
        shape["nargs"] = arg["nargs"]
    return shape


def field_entry(ev: Evaluator, decl: FieldDecl, lines: list[str]) -> dict[str, Any]:
    """The table entry for one field (see the module docstring)."""
    arg = decl.arg or {}
    primary = arg.get("cli_name") or "--" + decl.name.replace("_", "-")
    aliases = arg.get("aliases") or []
    entry: dict[str, Any] = {
        "options": [primary, *[a for a in aliases if isinstance(a, str)]],
        "dest": decl.name,
        "origin": f"{module_path(decl.module, ev.index.packages)}:{decl.lineno}",
        "help": first_sentence(decl.help),
        **_shape(ev, decl),
    }
    if decl.default[0]:
        entry["default"] = decl.default[1]
    fallback = arg.get("fallback")  # resolution's scalar value when the input is None
    if fallback is not None and not isinstance(fallback, Unresolved):
        entry["fallback"] = jsonable(fallback)
    required = arg.get("required")
    if entry["kind"] == "value" and (required is True or (required is None and not decl.has_value)):
        entry["required"] = True
    deprecation = help_deprecation(decl.help)
    if deprecation is not None:
        date = removal_date(comment_block_above(lines, decl.lineno))
        entry["deprecated"] = {**deprecation, **({"removal_after": date} if date else {})}
    return entry


def class_fields(
    ev: Evaluator, ref: ClassRef, seen: set[tuple[str, str]] | None = None
) -> list[tuple[ast.AnnAssign, str]]:
    """Annotated statements of a class and of its resolvable bases (bases first)."""
    seen = seen if seen is not None else set()
    if (ref.module, ref.name) in seen:
        return []
    seen.add((ref.module, ref.name))
    scope = ev.index.scope(ref.module)
    cls = scope.classes.get(ref.name) if scope else None
    if cls is None:
        return []
    out: list[tuple[ast.AnnAssign, str]] = []
    for base in cls.bases:
        ok, value = ev.try_eval(base, ref.module)
        if ok and isinstance(value, ClassRef):
            out += class_fields(ev, value, seen)
    out += [(s, ref.module) for s in cls.body if isinstance(s, ast.AnnAssign)]
    return out
