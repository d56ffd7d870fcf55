"""SGLang's flag table for linting: the SGLang installed here, else the bundled table.

SGLang is never imported (it needs torch). `importlib.util.find_spec("sglang")` locates the
top-level package without running it, `importlib.metadata.version` names the version, and the
pure extractor (dsv4_tui.core.lint.extract) reads its source files. The result is cached per
version in the folder the caller passes, written atomically (temp file + os.replace).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from dsv4_tui.core.lint.extract import TABLE_SCHEMA, ExtractError, extract_table
from dsv4_tui.core.lint.history import inherit_history, version_key

from .files import atomic_write

FINGERPRINT_FILES = ("sglang/srt/server_args.py", "sglang/srt/environ.py")


@dataclass(frozen=True)
class TableChoice:
    """The table to lint against, and how to name it in findings and reports."""

    data: dict[str, Any]
    label: str  # "SGLang 0.5.23 installed here" / "bundled table for SGLang 0.5.23"
    installed_version: str | None = None
    notice: str | None = None  # why the installed SGLang could not be used, if it could not


@dataclass(frozen=True)
class InstalledSglang:
    version: str | None
    base: Path  # the folder that holds the `sglang` package


class _Sources(Mapping[str, str]):
    """Module name → source text, read lazily from a folder or a wheel (a zip)."""

    def __init__(self, read):
        self._read = read
        self._cache: dict[str, str | None] = {}

    def _text(self, module: str) -> str | None:
        if module not in self._cache:
            base = module.replace(".", "/")
            self._cache[module] = self._read(base + ".py")
            if self._cache[module] is None:
                self._cache[module] = self._read(base + "/__init__.py")
        return self._cache[module]

    def __getitem__(self, module: str) -> str:
        text = self._text(module)
        if text is None:
            raise KeyError(module)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, v in self._cache.items() if v is not None])

    def __len__(self) -> int:
        return sum(1 for v in self._cache.values() if v is not None)


class _Packages:
    """`module in packages`: whether the module is a package (has an __init__.py)."""

    def __init__(self, exists):
        self._exists = exists

    def __contains__(self, module: object) -> bool:
        return isinstance(module, str) and self._exists(module.replace(".", "/") + "/__init__.py")


def tree_sources(base: Path) -> tuple[Mapping[str, str], _Packages]:
    """Sources under `base` (the folder that holds `sglang/`)."""

    def read(rel: str) -> str | None:
        try:
            return (base / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    return _Sources(read), _Packages(lambda rel: (base / rel).is_file())


def wheel_sources(path: Path) -> tuple[Mapping[str, str], _Packages]:
    """Sources inside a wheel (.whl, a zip), read without unpacking it."""
    archive = zipfile.ZipFile(path)
    names = set(archive.namelist())

    def read(rel: str) -> str | None:
        return archive.read(rel).decode("utf-8") if rel in names else None

    return _Sources(read), _Packages(lambda rel: rel in names)


def tree_texts(base: Path) -> Iterator[tuple[str, str]]:
    """(path, text) of every sglang/**/*.py under `base` (for the direct env reads)."""
    for path in sorted((base / "sglang").rglob("*.py")):
        try:
            yield str(path.relative_to(base)), path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue


def wheel_texts(path: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("sglang/") and name.endswith(".py"):
                yield name, archive.read(name).decode("utf-8", "replace")


def find_installed_sglang() -> InstalledSglang | None:
    """The installed `sglang` package, found without importing it (None when absent)."""
    try:
        spec = importlib.util.find_spec("sglang")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))).parent
    try:
        version: str | None = importlib.metadata.version("sglang")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return InstalledSglang(version, base)


def _fingerprint(base: Path) -> str:
    parts = []
    for rel in FINGERPRINT_FILES:
        try:
            st = (base / rel).stat()
            parts.append(f"{rel}:{st.st_size}:{int(st.st_mtime)}")
        except OSError:
            parts.append(f"{rel}:missing")
    return ";".join(parts)


def bundled_versions() -> list[str]:
    """The SGLang versions with a bundled table (src/dsv4_tui/data/sglang-<version>.json), oldest first."""
    folder = resources.files("dsv4_tui") / "data"
    names = [
        p.name[7:-5]
        for p in folder.iterdir()
        if p.name.startswith("sglang-") and p.name[7:8].isdigit() and p.name.endswith(".json")
    ]
    return sorted(names, key=version_key)


def bundled_table(version: str | None = None) -> dict[str, Any]:
    """The bundled table of `version`, else the newest (KeyError for a version not bundled)."""
    versions = bundled_versions()
    if not versions:
        raise FileNotFoundError("no bundled SGLang table in dsv4_tui/data")
    if version is not None and version not in versions:
        raise KeyError(version)
    name = f"sglang-{version or versions[-1]}.json"
    return json.loads((resources.files("dsv4_tui") / "data" / name).read_text(encoding="utf-8"))


def parser_rules() -> dict[str, Any]:
    """What SGLang's launchers check around argparse (data/sglang-parser-rules.json)."""
    text = (resources.files("dsv4_tui") / "data" / "sglang-parser-rules.json").read_text(encoding="utf-8")
    return json.loads(text)


def with_parser_rules(table: dict[str, Any]) -> dict[str, Any]:
    """The table with the launcher rules beside it (a table may carry its own)."""
    if "parser_rules" in table:
        return table
    return {**table, "parser_rules": parser_rules()}


def dump_table(table: Mapping[str, Any]) -> str:
    """The table as deterministic JSON text (sorted keys, one key per line)."""
    return json.dumps(table, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _cached(path: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and data.get("schema") == TABLE_SCHEMA
        and data.get("sglang", {}).get("fingerprint") == fingerprint
    )
    return data if ok else None


def installed_table(installed: InstalledSglang, cache_dir: Path | None, reference: Mapping[str, Any]) -> dict[str, Any]:
    """The installed SGLang's table: from the cache, else extracted (then cached)."""
    version = installed.version or "unknown"
    fingerprint = _fingerprint(installed.base)
    path = cache_dir / f"sglang-{version}.json" if cache_dir is not None else None
    if path is not None:
        hit = _cached(path, fingerprint)
        if hit is not None:
            return hit
    sources, packages = tree_sources(installed.base)
    table = extract_table(
        sources, version, packages=packages, source=str(installed.base / "sglang"), scan=tree_texts(installed.base)
    )
    if not table["flags"] or len(table["flags"]) < 10:
        raise ExtractError(f"found only {len(table['flags'])} flags in {installed.base / 'sglang'}")
    table = inherit_history(table, reference)
    table["sglang"]["fingerprint"] = fingerprint
    if path is not None:
        try:
            atomic_write(path, dump_table(table), mode=0o644)
        except OSError:
            pass  # a read-only cache folder only costs a re-extraction next time
    return table


def choose_table(cache_dir: Path | None = None, *, use_installed: bool = True) -> TableChoice:
    """The installed SGLang's table when there is one (cached per version), else the bundled one."""
    bundled = bundled_table()
    bundled_label = f"bundled table for SGLang {bundled.get('sglang', {}).get('version', '?')}"
    installed = find_installed_sglang() if use_installed else None
    if installed is None:
        return TableChoice(bundled, bundled_label)
    try:
        data = installed_table(installed, cache_dir, bundled)
    except (ExtractError, OSError, SyntaxError, ValueError) as exc:
        notice = f"could not read the SGLang installed at {installed.base}: {exc}; using the {bundled_label}"
        return TableChoice(bundled, bundled_label, installed.version, notice)
    version = installed.version or "(unknown version)"
    return TableChoice(data, f"SGLang {version} installed here", installed.version)
