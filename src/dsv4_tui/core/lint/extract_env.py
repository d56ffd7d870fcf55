"""The env vars SGLang reads: the descriptors of `class Envs` in sglang/srt/environ.py.

`SGLANG_X = EnvInt(128)` is an int with default 128. A callable default (`EnvBool(_default_hip)`,
`EnvStr(lambda: …)`) depends on the machine: recorded as `"default_computed": true`.
`EnvBoolWithAlias(…, deprecated_name="OLD")` and the `_DEPRECATED_ENVS` registry give the
deprecated names. The legacy `SGL_` prefix is rewritten to `SGLANG_` at import.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import Any

from .astvalue import Evaluator, Unresolved, dotted_name
from .extract_common import jsonable

_BASE_TYPES = {
    "EnvBool": "bool",
    "EnvInt": "int",
    "EnvFloat": "float",
    "EnvStr": "str",
    "EnvTuple": "tuple",
    "EnvJSON": "json",
}


def descriptor_type(ev: Evaluator, module: str, name: str, depth: int = 0) -> str | None:
    """The value type of an Env descriptor class, following its bases."""
    if name in _BASE_TYPES:
        return _BASE_TYPES[name]
    scope = ev.index.scope(module)
    cls = scope.classes.get(name) if scope else None
    if cls is None or depth > 8:
        return None
    for base in cls.bases:
        base_name = dotted_name(base)
        found = descriptor_type(ev, module, base_name.split(".")[-1], depth + 1) if base_name else None
        if found:
            return found
    return None


def _env_entry(ev: Evaluator, module: str, call: ast.Call, type_: str) -> tuple[dict[str, Any], str | None]:
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    default_node = call.args[0] if call.args else kw.get("default")
    entry: dict[str, Any] = {"type": type_}
    if isinstance(default_node, ast.Lambda):
        entry["default_computed"] = True
    elif default_node is not None:
        ok, value = ev.try_eval(default_node, module)
        if ok and not callable(value):
            try:
                entry["default"] = jsonable(value)
            except Unresolved:
                entry["default_computed"] = True
        else:
            entry["default_computed"] = True
    else:
        entry["default"] = None
    if kw.get("secret") is not None and isinstance(kw["secret"], ast.Constant) and kw["secret"].value:
        entry["secret"] = True
    old = kw.get("deprecated_name")
    return entry, (old.value if isinstance(old, ast.Constant) and isinstance(old.value, str) else None)


def _registry(ev: Evaluator, module: str, node: ast.expr | None) -> dict[str, dict[str, Any]]:
    """`_DEPRECATED_ENVS = {"OLD": _DeprecatedEnv(replacement=…, note=…)}`."""
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(node, ast.Dict):
        return out
    for key, value in zip(node.keys, node.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        info: dict[str, Any] = {}
        if isinstance(value, ast.Call):
            for k in value.keywords:
                if k.arg in ("replacement", "note"):
                    ok, text = ev.try_eval(k.value, module)
                    if ok and isinstance(text, str):
                        info[k.arg] = " ".join(text.split())
                elif k.arg == "transform":
                    info["transform"] = dotted_name(k.value) or "lambda"
        out[key.value] = info
    return out


# Env names SGLang reads directly, outside its registry in environ.py: os.environ.get("X"),
# os.getenv("X"), os.environ["X"], "X" in os.environ, and its get_*_env_var("X") helpers.
_DIRECT_READ = re.compile(
    r"""(?:\b(?:os\.environ\.get|os\.getenv|environ\.get|getenv|get_bool_env_var|get_int_env_var"""
    r"""|get_float_env_var|get_str_env_var)\(\s*|\benviron\[\s*)["']((?:SGLANG|SGL)_[A-Z0-9_]+)["']"""
    r"""|["']((?:SGLANG|SGL)_[A-Z0-9_]+)["']\s+(?:not\s+)?in\s+os\.environ"""
)


def direct_env_reads(texts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{env name: the first file that reads it directly} over (path, source text) pairs."""
    found: dict[str, str] = {}
    for path, text in texts:
        if "SGL" not in text:
            continue
        for m in _DIRECT_READ.finditer(text):
            found.setdefault(m.group(1) or m.group(2), path)
    return found


def extract_envs(ev: Evaluator, module: str = "sglang.srt.environ") -> dict[str, Any]:
    """{"envs": {...}, "deprecated_envs": {...}, "legacy_prefix": {"SGL_": "SGLANG_"} | {}}."""
    scope = ev.index.scope(module)
    envs_cls = scope.classes.get("Envs") if scope else None
    if scope is None or envs_cls is None:
        return {"envs": {}, "deprecated_envs": {}, "legacy_prefix": {}}
    envs: dict[str, Any] = {}
    deprecated: dict[str, dict[str, Any]] = {}
    for stmt in envs_cls.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        call = stmt.value
        if not isinstance(call, ast.Call):
            continue
        type_ = descriptor_type(ev, module, (dotted_name(call.func) or "").split(".")[-1])
        if type_ is None:
            continue
        name = stmt.targets[0].id
        entry, old = _env_entry(ev, module, call, type_)
        envs[name] = entry
        if old:
            deprecated[old] = {"replacement": name}
    for old, info in _registry(ev, module, scope.assigns.get("_DEPRECATED_ENVS")).items():
        deprecated[old] = {**deprecated.get(old, {}), **info}
    text = ev.index.text(module) or ""
    legacy = {"SGL_": "SGLANG_"} if '"SGL_", "SGLANG_"' in text or "'SGL_', 'SGLANG_'" in text else {}
    return {"envs": envs, "deprecated_envs": deprecated, "legacy_prefix": legacy}
