"""SGLang's `sglang serve` flag table and env table, read from its source without importing it.

`extract_table(sources, version)` takes the source texts (dotted module name → text; the host
or tools/sglang_table.py reads them from a wheel, a source tree or the installed package) and
returns the table as a JSON-ready dict (see `TABLE_SCHEMA`). Where the flags come from:

- the annotated fields of the namespace classes that server_args.py collects in
  `_INPUT_NAMESPACES` (sglang/srt/arg_groups/fields/*.py), or of `ServerArgs` itself in
  older layouts (see extract_fields.py);
- the `parser.add_argument(…)` calls of server_args.py (see extract_manual.py);
- argparse's own `-h/--help`, and `--no-x` for every `BooleanOptionalAction` flag.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any

from .astvalue import ClassRef, Evaluator, ModuleIndex, Unresolved
from .extract_env import direct_env_reads, extract_envs
from .extract_fields import class_fields, field_decl, field_entry
from .extract_manual import add_argument_calls, manual_entry, parser_settings

TABLE_SCHEMA = 1
SERVER_ARGS = "sglang.srt.server_args"
ENVIRON = "sglang.srt.environ"


class ExtractError(Exception):
    """The sources are not an SGLang tree this extractor understands."""


def _namespace_classes(ev: Evaluator) -> list[ClassRef]:
    scope = ev.index.scope(SERVER_ARGS)
    if scope is None:
        raise ExtractError("sglang/srt/server_args.py not found")
    refs: list[ClassRef] = []
    node = scope.assigns.get("_INPUT_NAMESPACES")
    ok, value = ev.try_eval(node, SERVER_ARGS) if node is not None else (False, None)
    if ok and isinstance(value, (list, tuple)):
        refs = [v for v in value if isinstance(v, ClassRef)]
    if "ServerArgs" in scope.classes:
        refs.append(ClassRef(SERVER_ARGS, "ServerArgs"))
    return refs


def _lines(ev: Evaluator, module: str) -> list[str]:
    return (ev.index.text(module) or "").splitlines()


def _field_flags(ev: Evaluator) -> tuple[list[dict[str, Any]], dict[str, tuple[bool, Any]]]:
    entries: list[dict[str, Any]] = []
    defaults: dict[str, tuple[bool, Any]] = {}
    lines: dict[str, list[str]] = {}
    for ref in _namespace_classes(ev):
        for stmt, module in class_fields(ev, ref):
            decl = field_decl(ev, stmt, module)
            if decl is None:  # no flag, but add_argument(default=_declared_default(name)) may read it
                name = getattr(stmt.target, "id", None)
                if name and name not in defaults and stmt.value is not None:
                    defaults[name] = ev.try_eval(stmt.value, module)
                continue
            if module not in lines:
                lines[module] = _lines(ev, module)
            entries.append(field_entry(ev, decl, lines[module]))
            defaults[decl.name] = decl.default
    return entries, defaults


def _manual_flags(ev: Evaluator, defaults: Mapping[str, tuple[bool, Any]]) -> list[dict[str, Any]]:
    tree = ev.index.tree(SERVER_ARGS)
    assert tree is not None
    lines = _lines(ev, SERVER_ARGS)

    def field_default(name: str) -> Any:
        known, value = defaults.get(name, (False, None))
        if not known:
            raise Unresolved(name)
        return value

    out = []
    for call, local in add_argument_calls(tree):
        entry = manual_entry(ev, call, local, SERVER_ARGS, lines, field_default)
        if entry is not None:
            out.append(entry)
    return out


def _register(entries: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Key entries by their first option string, as argparse would register them in order."""
    flags: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}
    conflicts: list[str] = []
    for entry in entries:
        if entry["kind"] == "boolean_optional":
            entry["negations"] = ["--no-" + o[2:] for o in entry["options"] if o.startswith("--")]
        strings = [*entry["options"], *entry.get("negations", [])]
        clash = [s for s in strings if s in owner]
        if clash:
            conflicts += [f"{s} ({entry.get('origin', '?')} vs {flags[owner[s]].get('origin', '?')})" for s in clash]
            continue
        flags[entry["options"][0]] = entry
        for s in strings:
            owner[s] = entry["options"][0]
    return flags, conflicts


def extract_table(
    sources: Mapping[str, str],
    version: str,
    *,
    packages: Container[str] = frozenset(),
    source: str = "",
    scan: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The flag and env table of the SGLang whose sources are given (see the module docstring).

    `packages` names the modules that are packages (their text is `__init__.py`), for relative
    imports. `scan` gives (path, text) of every source file: env names read directly through
    os.environ / getenv outside the registry join the env table (`read_directly`). Raises
    ExtractError when server_args.py is missing.
    """
    ev = Evaluator(ModuleIndex(sources, packages))
    field_entries, defaults = _field_flags(ev)
    manual = _manual_flags(ev, defaults)
    help_entry = {"options": ["-h", "--help"], "dest": "help", "kind": "help", "type": "bool", "help": "show the help"}
    flags, conflicts = _register([help_entry, *field_entries, *manual])
    envs = extract_envs(ev, ENVIRON)
    for name, path in sorted(direct_env_reads(scan).items()):
        if name not in envs["envs"] and name not in envs["deprecated_envs"]:
            envs["envs"][name] = {"type": "str", "default_computed": True, "read_directly": path}
    table: dict[str, Any] = {
        "schema": TABLE_SCHEMA,
        "sglang": {"version": version, "source": source},
        "parser": parser_settings(ev.index.tree(SERVER_ARGS)),  # type: ignore[arg-type]
        "flags": flags,
        "envs": envs["envs"],
        "deprecated_envs": envs["deprecated_envs"],
        "legacy_env_prefix": envs["legacy_prefix"],
        "removed_flags": {},
        "removed_envs": {},
    }
    if conflicts:
        table["conflicts"] = sorted(conflicts)
    table["counts"] = counts(table)
    return table


def counts(table: Mapping[str, Any]) -> dict[str, int]:
    flags = table.get("flags", {}).values()
    return {
        "flags": len(table.get("flags", {})),
        "option_strings": sum(len(f["options"]) + len(f.get("negations", [])) for f in flags),
        "with_choices": sum(1 for f in flags if f.get("choices")),
        "choices_unresolved": sum(1 for f in flags if f.get("choices_unresolved")),
        "deprecated": sum(1 for f in flags if f.get("deprecated") is not None),
        "envs": len(table.get("envs", {})),
        "deprecated_envs": len(table.get("deprecated_envs", {})),
        "removed_flags": len(table.get("removed_flags", {})),
        "removed_envs": len(table.get("removed_envs", {})),
    }
