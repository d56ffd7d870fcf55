"""What a source file imports and calls, read with `ast` (for the purity tests; no tests here)."""

from __future__ import annotations

import ast
from pathlib import Path


def imports_and_calls(path: Path) -> tuple[list[str], list[str]]:
    """The absolute modules `path` imports (relative imports are the package's own), and the
    plain names it calls (`open`, `eval`, …)."""
    modules: list[str] = []
    calls: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.append(node.module or "")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.append(node.func.id)
    return modules, calls
