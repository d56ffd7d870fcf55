"""Flags registered by hand: `parser.add_argument("--x", …)` calls in server_args.py.

SGLang registers dynamic choices (`--reasoning-parser`), `--config` and its deprecated flags
this way. The deprecated ones use the actions in sglang/srt/arg_groups/argparse_actions.py:
`DeprecatedStoreTrueAction` / `DeprecatedStoreConstAction` / `DeprecatedAliasStoreAction`
(warn, name `new_flag`) and `DeprecatedAction` (with `error_message`: stops the launch).
A removal date is read from a `TODO: remove … after YYYY-MM-DD` comment right above the call.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from .astvalue import Evaluator, Unresolved, dotted_name, literal_text
from .extract_common import (
    comment_block_above,
    first_sentence,
    help_deprecation,
    jsonable,
    module_path,
    removal_date,
    type_name,
)

_SWITCH_ACTIONS = {"store_true", "store_false", "store_const", "count"}


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def _locals_of(fn: ast.FunctionDef) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for stmt in fn.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            out[stmt.targets[0].id] = stmt.value
    return out


def add_argument_calls(tree: ast.Module) -> list[tuple[ast.Call, dict[str, ast.expr]]]:
    """Every `<x>.add_argument(…)` call with the simple assignments of its function."""
    out: list[tuple[ast.Call, dict[str, ast.expr]]] = []
    seen: set[int] = set()
    for fn in _functions(tree):
        local = _locals_of(fn)
        for node in ast.walk(fn):
            is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if is_call and node.func.attr == "add_argument" and id(node) not in seen:  # type: ignore[union-attr]
                seen.add(id(node))
                out.append((node, local))  # type: ignore[arg-type]
    return sorted(out, key=lambda item: item[0].lineno)


def _value(
    ev: Evaluator, node: ast.expr, module: str, local: dict[str, ast.expr], field_default: Callable[[str], Any]
) -> Any:
    if isinstance(node, ast.Call) and dotted_name(node.func) == "_declared_default" and node.args:
        ok, name = ev.try_eval(node.args[0], module)
        if ok and isinstance(name, str):
            return field_default(name)
        raise Unresolved("declared default")
    return ev.eval(node, module, local)


def _action_shape(action: str | None, kw: dict[str, Any]) -> dict[str, Any]:
    short = (action or "store").split(".")[-1]
    if short in _SWITCH_ACTIONS:
        return {"kind": "switch", "type": "bool"}
    if short == "BooleanOptionalAction":
        return {"kind": "boolean_optional", "type": "bool"}
    if short == "help":
        return {"kind": "help", "type": "bool"}
    if short in ("DeprecatedStoreTrueAction", "DeprecatedStoreConstAction", "DeprecatedAction"):
        nargs = kw.get("nargs", 0)
        if short == "DeprecatedAction" and kw.get("error_message") is not None:
            return {"kind": "error", "type": "bool", "error_message": kw["error_message"]}
        if nargs == 0:
            return {"kind": "switch", "type": "bool"}
        return {"kind": "value", "type": "str"}
    return {"kind": "value", "type": "str"}


def manual_entry(
    ev: Evaluator,
    call: ast.Call,
    local: dict[str, ast.expr],
    module: str,
    lines: list[str],
    field_default: Callable[[str], Any],
) -> dict[str, Any] | None:
    """The table entry of one add_argument call (None when its option strings are not literal)."""
    options = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not options or len(options) != len(call.args) or not all(o.startswith("-") for o in options):
        return None
    nodes = {k.arg: k.value for k in call.keywords if k.arg}
    action = nodes.get("action")
    action_name = action.value if isinstance(action, ast.Constant) else dotted_name(action)
    kw: dict[str, Any] = {}
    for key in ("nargs", "error_message", "new_flag", "const_value", "default", "choices", "dest", "required"):
        if key in nodes:
            try:
                kw[key] = _value(ev, nodes[key], module, local, field_default)
            except (Unresolved, TypeError, ValueError, KeyError):
                kw[key] = Unresolved(ast.unparse(nodes[key]))
    long = next((o for o in options if o.startswith("--")), options[0])
    dest = kw.get("dest") if isinstance(kw.get("dest"), str) else long.lstrip("-").replace("-", "_")
    help_text = literal_text(nodes.get("help"))
    entry: dict[str, Any] = {
        "options": options,
        "dest": dest,
        "origin": f"{module_path(module, ev.index.packages)}:{call.lineno}",
        "help": first_sentence(help_text),
        **_action_shape(action_name, kw),
    }
    if entry["kind"] == "value":
        entry["type"] = type_name(dotted_name(nodes["type"]) or "lambda") if "type" in nodes else "str"
        if isinstance(kw.get("nargs"), (int, str)) and not isinstance(kw.get("nargs"), bool):
            entry["nargs"] = kw["nargs"]
        _set_choices(entry, kw.get("choices"))
        if kw.get("required") is True:
            entry["required"] = True
    if "default" in kw and not isinstance(kw["default"], Unresolved):
        try:
            entry["default"] = jsonable(kw["default"])
        except Unresolved:
            pass
    _set_deprecation(entry, action_name, kw, help_text, comment_block_above(lines, call.lineno))
    return entry


def _set_choices(entry: dict[str, Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Unresolved):
        entry["choices_unresolved"] = str(value)
        return
    try:
        choices = jsonable(value)
    except Unresolved:
        entry["choices_unresolved"] = repr(value)
        return
    entry["choices"] = choices


def _set_deprecation(
    entry: dict[str, Any], action: str | None, kw: dict[str, Any], help_text: str, comment: str
) -> None:
    short = (action or "").split(".")[-1]
    deprecation: dict[str, Any] | None = None
    if short.startswith("Deprecated"):
        deprecation = {}
        if isinstance(kw.get("new_flag"), str):
            deprecation["replacement"] = kw["new_flag"]
        if isinstance(kw.get("const_value"), (str, int, bool)):
            deprecation["stores"] = kw["const_value"]
    from_help = help_deprecation(help_text)
    if from_help is not None:
        deprecation = {**from_help, **(deprecation or {})}
    if deprecation is None:
        return
    date = removal_date(comment)
    if date:
        deprecation["removal_after"] = date
    entry["deprecated"] = deprecation


def parser_settings(tree: ast.Module) -> dict[str, Any]:
    """prog and allow_abbrev of the `argparse.ArgumentParser(...)` built in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (dotted_name(node.func) or "").endswith("ArgumentParser"):
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            prog = kw.get("prog")
            abbrev = kw.get("allow_abbrev")
            return {
                "prog": prog.value if isinstance(prog, ast.Constant) else None,
                "allow_abbrev": abbrev.value if isinstance(abbrev, ast.Constant) else True,
            }
    return {"prog": None, "allow_abbrev": True}
