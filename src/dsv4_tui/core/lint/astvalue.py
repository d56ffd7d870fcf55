"""A small, safe evaluator of constant Python expressions, across modules, without importing them.

SGLang's flag and env tables are read from its source: `choices=MOE_RUNNER_BACKEND_CHOICES`,
`choices=LINEAR_ATTN_KERNEL_BACKEND_CHOICES + ["nv_cutedsl"]`, `choices=Backend.ALL`,
`["auto"] + _reasoning_parser_choices()`. This module follows such names through the module
scope, `from … import …` (also inside functions), class bodies (enum members too), simple
comprehensions and a few pure builtins. Nothing is executed: anything else is `Unresolved`.

The sources are a mapping of dotted module name → text (the host may pass a lazy mapping that
reads files on demand); this module never touches the file system.
"""

from __future__ import annotations

import ast
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

_PURE_BUILTINS = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset, "sorted": sorted}
_STR_METHODS = {"lower", "upper", "strip", "title"}
_ENUM_BASES = {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"}


class Unresolved(Exception):
    """The expression is not a constant this evaluator can follow."""


@dataclass(frozen=True)
class ClassRef:
    module: str
    name: str


@dataclass(frozen=True)
class FuncRef:
    module: str
    name: str


@dataclass(frozen=True)
class ModuleRef:
    module: str


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: Any


@dataclass
class Scope:
    assigns: dict[str, ast.expr]
    imports: dict[str, tuple[str, str | None]]  # local name -> (module, attribute or None for a module)
    classes: dict[str, ast.ClassDef]
    functions: dict[str, ast.FunctionDef]


def resolve_relative(module: str, level: int, target: str | None, is_package: bool) -> str:
    """The absolute module named by `from <level dots><target> import …` inside `module`."""
    if level == 0:
        return target or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


def _imports_of(stmts: list[ast.stmt], module: str, is_package: bool) -> dict[str, tuple[str, str | None]]:
    out: dict[str, tuple[str, str | None]] = {}
    for node in stmts:
        if isinstance(node, ast.ImportFrom):
            src = resolve_relative(module, node.level, node.module, is_package)
            for alias in node.names:
                out[alias.asname or alias.name] = (src, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = (alias.name, None)
                else:
                    top = alias.name.split(".")[0]
                    out[top] = (top, None)
    return out


class ModuleIndex:
    """Parsed modules from a {dotted name: source} mapping, parsed once, on demand."""

    def __init__(self, sources: Mapping[str, str], packages: Container[str] = frozenset()):
        self.sources = sources
        self.packages = packages
        self._trees: dict[str, ast.Module | None] = {}
        self._scopes: dict[str, Scope | None] = {}

    def text(self, module: str) -> str | None:
        try:
            return self.sources.get(module)
        except (OSError, UnicodeDecodeError):  # a lazy mapping may fail to read
            return None

    def tree(self, module: str) -> ast.Module | None:
        if module not in self._trees:
            text = self.text(module)
            try:
                self._trees[module] = ast.parse(text) if text is not None else None
            except (SyntaxError, ValueError):
                self._trees[module] = None
        return self._trees[module]

    def scope(self, module: str) -> Scope | None:
        if module not in self._scopes:
            tree = self.tree(module)
            self._scopes[module] = None if tree is None else self._build_scope(module, tree)
        return self._scopes[module]

    def _build_scope(self, module: str, tree: ast.Module) -> Scope:
        assigns: dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                assigns[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                assigns[node.target.id] = node.value
        return Scope(
            assigns=assigns,
            imports=_imports_of(tree.body, module, module in self.packages),
            classes={n.name: n for n in tree.body if isinstance(n, ast.ClassDef)},
            functions={n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)},
        )


class Evaluator:
    """Evaluate constant expressions found in `module`; `local` holds names bound around them."""

    def __init__(self, index: ModuleIndex):
        self.index = index
        self._depth = 0

    def eval(self, node: ast.expr, module: str, local: Mapping[str, Any] | None = None) -> Any:
        self._depth += 1
        try:
            if self._depth > 60:
                raise Unresolved("too deep")
            return self._eval(node, module, local or {})
        finally:
            self._depth -= 1

    def try_eval(self, node: ast.expr | None, module: str, local: Mapping[str, Any] | None = None) -> tuple[bool, Any]:
        if node is None:
            return False, None
        try:
            return True, self.eval(node, module, local)
        except (Unresolved, TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError):
            return False, None

    # ------------------------------------------------------------------ dispatch
    def _eval(self, node: ast.expr, module: str, local: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items: list[Any] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    items.extend(self.eval(elt.value, module, local))
                else:
                    items.append(self.eval(elt, module, local))
            return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)](items)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise Unresolved("dict unpacking")
            return {self.eval(k, module, local): self.eval(v, module, local) for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.Name):
            return self.name(node.id, module, local)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, module, local)
        if isinstance(node, ast.BinOp):
            return self._binop(node, module, local)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.eval(node.operand, module, local)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise Unresolved("unary on a non-number")
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call):
            return self._call(node, module, local)
        if isinstance(node, ast.ListComp):
            return self._listcomp(node, module, local)
        if isinstance(node, ast.JoinedStr):
            return "".join(self._fstring_part(v, module, local) for v in node.values)
        raise Unresolved(type(node).__name__)

    def _fstring_part(self, node: ast.expr, module: str, local: Mapping[str, Any]) -> str:
        if isinstance(node, ast.Constant):
            return str(node.value)
        if isinstance(node, ast.FormattedValue) and node.format_spec is None and node.conversion == -1:
            return str(self.eval(node.value, module, local))
        raise Unresolved("formatted value")

    # ------------------------------------------------------------------ names
    def name(self, name: str, module: str, local: Mapping[str, Any]) -> Any:
        if name in local:
            value = local[name]
            return (
                self.eval(value, module, {k: v for k, v in local.items() if k != name})
                if isinstance(value, ast.expr)
                else value
            )
        scope = self.index.scope(module)
        if scope is None:
            raise Unresolved(f"module {module} not available")
        if name in scope.assigns:
            return self.eval(scope.assigns[name], module)
        if name in scope.classes:
            return ClassRef(module, name)
        if name in scope.functions:
            return FuncRef(module, name)
        if name in scope.imports:
            return self.imported(*scope.imports[name])
        if name in _PURE_BUILTINS:
            return _PURE_BUILTINS[name]
        raise Unresolved(f"name {name}")

    def imported(self, module: str, attr: str | None) -> Any:
        if attr is None:
            return ModuleRef(module)
        if self.index.scope(module) is not None:
            try:
                return self.name(attr, module, {})
            except Unresolved:
                pass
        sub = f"{module}.{attr}"
        if self.index.scope(sub) is not None:
            return ModuleRef(sub)
        raise Unresolved(f"{module}.{attr}")

    def _attribute(self, node: ast.Attribute, module: str, local: Mapping[str, Any]) -> Any:
        base = self.eval(node.value, module, local)
        if isinstance(base, ModuleRef):
            return self.imported(base.module, node.attr)
        if isinstance(base, ClassRef):
            return self.class_attr(base, node.attr)
        if isinstance(base, EnumMember) and node.attr in ("name", "value"):
            return getattr(base, node.attr)
        raise Unresolved(f"attribute {node.attr}")

    def class_attr(self, ref: ClassRef, attr: str) -> Any:
        scope = self.index.scope(ref.module)
        cls = scope.classes.get(ref.name) if scope else None
        if cls is None:
            raise Unresolved(ref.name)
        body = {
            s.targets[0].id: s.value
            for s in cls.body
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
        }
        if attr not in body:
            raise Unresolved(f"{ref.name}.{attr}")
        if self.is_enum(ref):
            return EnumMember(attr, self.eval(body[attr], ref.module))
        return self.eval(body[attr], ref.module, {k: v for k, v in body.items() if k != attr})

    def is_enum(self, ref: ClassRef) -> bool:
        scope = self.index.scope(ref.module)
        cls = scope.classes.get(ref.name) if scope else None
        return cls is not None and any(
            (isinstance(b, ast.Name) and b.id in _ENUM_BASES)
            or (isinstance(b, ast.Attribute) and b.attr in _ENUM_BASES)
            for b in cls.bases
        )

    def enum_members(self, ref: ClassRef) -> list[EnumMember]:
        scope = self.index.scope(ref.module)
        cls = scope.classes[ref.name] if scope else None
        if cls is None:
            raise Unresolved(ref.name)
        return [
            EnumMember(s.targets[0].id, self.eval(s.value, ref.module))
            for s in cls.body
            if isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and not s.targets[0].id.startswith("_")
        ]

    # ------------------------------------------------------------------ operators and calls
    def _binop(self, node: ast.BinOp, module: str, local: Mapping[str, Any]) -> Any:
        left, right = self.eval(node.left, module, local), self.eval(node.right, module, local)
        if (
            isinstance(node.op, ast.Add)
            and type(left) is type(right)
            and isinstance(left, (list, tuple, str, int, float))
        ):
            return left + right
        if (
            isinstance(node.op, ast.BitOr)
            and isinstance(left, (set, frozenset))
            and isinstance(right, (set, frozenset))
        ):
            return left | right
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        if numbers and isinstance(node.op, ast.Mult):
            return left * right
        if numbers and isinstance(node.op, ast.Sub):
            return left - right
        if numbers and isinstance(node.op, ast.Pow) and abs(right) <= 64:
            return left**right
        if numbers and isinstance(node.op, ast.LShift) and 0 <= right <= 64:
            return left << right
        raise Unresolved("operator")

    def _call(self, node: ast.Call, module: str, local: Mapping[str, Any]) -> Any:
        if node.keywords:
            raise Unresolved("call with keywords")
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS and not node.args:
            value = self.eval(func.value, module, local)
            if isinstance(value, str):
                return getattr(value, func.attr)()
            raise Unresolved("string method on a non-string")
        target = self.eval(func, module, local)
        args = [self.eval(a, module, local) for a in node.args]
        if target in _PURE_BUILTINS.values():
            if len(args) > 1:
                raise Unresolved("builtin with several arguments")
            value = self._iterable(args[0]) if args else []
            return target(value)  # type: ignore[operator]
        if isinstance(target, FuncRef) and not args:
            return self.call_function(target)
        raise Unresolved("call")

    def _iterable(self, value: Any) -> Any:
        if isinstance(value, ClassRef) and self.is_enum(value):
            return self.enum_members(value)
        if isinstance(value, (list, tuple, set, frozenset, dict, str)):
            return value
        raise Unresolved("not iterable")

    def call_function(self, ref: FuncRef) -> Any:
        """The value of a no-argument function: its last top-level `return`, with the
        function's own imports and simple assignments in scope."""
        scope = self.index.scope(ref.module)
        fn = scope.functions.get(ref.name) if scope else None
        if fn is None or fn.args.args or fn.args.posonlyargs or fn.args.kwonlyargs:
            raise Unresolved(ref.name)
        imports = _imports_of(list(ast.walk(fn)), ref.module, ref.module in self.index.packages)  # type: ignore[arg-type]
        local: dict[str, Any] = {}
        for stmt in fn.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                local[stmt.targets[0].id] = stmt.value
        returns = [s for s in fn.body if isinstance(s, ast.Return) and s.value is not None]
        if not returns:
            raise Unresolved(ref.name)
        for name, (mod, attr) in imports.items():
            if name not in local:
                try:
                    local[name] = self.imported(mod, attr)
                except Unresolved:
                    continue
        return self.eval(returns[-1].value, ref.module, local)  # type: ignore[arg-type]

    def _listcomp(self, node: ast.ListComp, module: str, local: Mapping[str, Any]) -> list[Any]:
        if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
            raise Unresolved("comprehension")
        gen = node.generators[0]
        if not isinstance(gen.target, ast.Name):
            raise Unresolved("comprehension target")
        items = self._iterable(self.eval(gen.iter, module, local))
        return [self.eval(node.elt, module, {**local, gen.target.id: item}) for item in items]


def literal_text(node: ast.expr | None) -> str:
    """The literal pieces of a help string (f-string holes and unknown names dropped)."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(literal_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_text(node.left) + literal_text(node.right)
    return ""


def dotted_name(node: ast.expr | None) -> str | None:
    """`json.loads` for `json.loads`, `foo` for `foo`; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None
