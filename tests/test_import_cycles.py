"""No import circle inside the package, type-only ones (`if TYPE_CHECKING:`) and imports
inside functions included: every arrow between two modules runs one way (issue 21 item 6)."""

from __future__ import annotations

import ast
from pathlib import Path

import dsv4_tui

ROOT = Path(dsv4_tui.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["dsv4_tui", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """Every module of the package that `path` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            mod = node.module or ""
            base = (f"{base}.{mod}" if mod else base) if node.level else mod
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            # a submodule imported by name counts as that module; otherwise its package
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: _imports(path, name, set(paths)) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's `__init__` that re-exports its submodules is not an arrow back into them
    for a submodule importing a sibling: drop package -> own-submodule edges only."""
    return {m: {t for t in targets if not t.startswith(m + ".")} for m, targets in graph.items()}


def test_the_cycle_finder_sees_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_a_type_checking_import_and_one_in_a_function_are_arrows(tmp_path):
    module = tmp_path / "engine_names.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .rules import Rules\n"
        "def f():\n    from .formats.base import Framing\n",
        encoding="utf-8",
    )
    modules = {"dsv4_tui.core.rules", "dsv4_tui.core.formats", "dsv4_tui.core.formats.base"}
    found = _imports(module, "dsv4_tui.core.engine_names", modules)
    assert found == {"dsv4_tui.core.rules", "dsv4_tui.core.formats.base"}


def test_no_import_circle_in_the_package():
    assert cycles(_without_packages(import_graph())) == []
