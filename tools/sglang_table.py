"""Extract SGLang's `sglang serve` flag table and env table from a wheel or a source tree.

SGLang is never imported (it needs torch): its source is parsed with `ast` by the library code
in dsv4_tui.core.lint.extract. The output is deterministic JSON (sorted keys).

    # the bundled table (what src/dsv4_tui/data/sglang-0.5.23.json was made with):
    pip download --no-deps sglang==0.5.23 -d /tmp/sglang-wheel
    python tools/sglang_table.py /tmp/sglang-wheel/sglang-0.5.23-*.whl \\
        --history ../shared/reference/sglang/flags.json --history ../shared/reference/sglang/envs.json \\
        --renames src/dsv4_tui/data/sglang-renames.json -o src/dsv4_tui/data/sglang-0.5.23.json

    # what differs between two tables (either may be the older reference format):
    python tools/sglang_table.py src/dsv4_tui/data/sglang-0.5.23.json --compare ../shared/reference/sglang/flags.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dsv4_tui.core.lint.compare import compare_tables  # noqa: E402
from dsv4_tui.core.lint.extract import ExtractError, extract_table  # noqa: E402
from dsv4_tui.core.lint.history import merge_history  # noqa: E402
from dsv4_tui.host.files import atomic_write  # noqa: E402
from dsv4_tui.host.sglang_installed import (  # noqa: E402
    dump_table,
    tree_sources,
    tree_texts,
    wheel_sources,
    wheel_texts,
)

_VERSION_LINE = re.compile(r"^Version:\s*(\S+)", re.MULTILINE)
_VERSION_PY = re.compile(r"__version__\s*=\s*[\"']([^\"']+)[\"']")


def _wheel_version(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".dist-info/METADATA"):
                m = _VERSION_LINE.search(archive.read(name).decode("utf-8", "replace"))
                if m:
                    return m.group(1)
    return None


def _tree_version(base: Path) -> str | None:
    for meta in sorted(base.glob("sglang-*.dist-info/METADATA")):
        m = _VERSION_LINE.search(meta.read_text(encoding="utf-8", errors="replace"))
        if m:
            return m.group(1)
    version_py = base / "sglang" / "version.py"
    if version_py.is_file():
        m = _VERSION_PY.search(version_py.read_text(encoding="utf-8"))
        if m:
            return m.group(1)
    return None


def extract(source: Path, version: str | None) -> dict:
    """The table of a wheel (.whl) or a folder holding `sglang/` (or the `sglang/` folder itself)."""
    if not source.exists():
        raise ExtractError(f"{source}: no such file or folder")
    if source.is_file() and source.suffix == ".whl":
        sources, packages = wheel_sources(source)
        version = version or _wheel_version(source)
        label = source.name
        scan = wheel_texts(source)
    else:
        base = source.parent if source.name == "sglang" and (source / "__init__.py").is_file() else source
        sources, packages = tree_sources(base)
        version = version or _tree_version(base)
        label = f"source tree {base.name}/sglang"
        scan = tree_texts(base)
    if not version:
        raise ExtractError("cannot tell the SGLang version: pass --version")
    return extract_table(sources, version, packages=packages, source=label, scan=scan)


def _load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sglang_table.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source", type=Path, help="an SGLang wheel (.whl), source tree, or a table (.json) with --compare"
    )
    parser.add_argument("--version", help="the SGLang version (default: read from the wheel or tree)")
    parser.add_argument(
        "--history",
        type=Path,
        action="append",
        default=[],
        help="an older flag or env table to keep the deprecation history of",
    )
    parser.add_argument("--renames", type=Path, help='a JSON file {"renames": [{"old", "new", "source"}]}')
    parser.add_argument("-o", "--output", type=Path, help="write the table here (default: stdout)")
    parser.add_argument("--compare", type=Path, metavar="OLD.json", help="print what differs from OLD.json instead")
    args = parser.parse_args(argv)
    try:
        table = _load_json(args.source) if args.source.suffix == ".json" else extract(args.source, args.version)
    except (ExtractError, OSError, ValueError, zipfile.BadZipFile) as exc:
        print(f"sglang_table.py: {exc}", file=sys.stderr)
        return 1
    if args.history or args.renames:
        renames = _load_json(args.renames)["renames"] if args.renames else []
        table = merge_history(table, [_load_json(p) for p in args.history], renames)
    if args.compare:
        print("\n".join(compare_tables(_load_json(args.compare), table)))
        return 0
    text = dump_table(table)
    if args.output:
        atomic_write(args.output, text, mode=0o644)
        print(f"wrote {args.output}: {json.dumps(table['counts'], sort_keys=True)}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
