#!/usr/bin/env python3
"""Regenerate rules/cells.toml (the verified matrix) from the cookbook's JSON.

This is a maintenance tool: the app never reads the JSON, only rules/. The cells are the
bulk of the facts and change most, so they are generated; model.toml and playground.toml
carry facts the JSON does not (architectures, "pick this when" lines, flag names of each
Playground card, notes, model sizes) and are kept by hand. tests/test_rules_facts.py
checks that the three files agree with the JSON.

    python tools/convert_cookbook.py ../shared/reference/deepseek-v4-cookbook.json rules/cells.toml
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HEADER = [
    "# The verified DeepSeek-V4 cells: one per (hw, variant, quant, strategy, nodes), in the",
    "# page's order (the first matching cell wins ties). env is KEY=VALUE in order; flags are",
    "# rendered one per line in order. {{KEY}} is an Env placeholder, {{MODEL_NAME}} the repo.",
    "# A cell derived from a neighbour and not re-run says verified = false and",
    '# derived_from = "hw/variant/quant/strategy/nodes".',
    "",
]


def q(s: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML for these texts)."""
    return json.dumps(s, ensure_ascii=False)


def ml(s: str) -> str:
    """A TOML literal multi-line string when possible (keeps backslashes readable)."""
    return "'''\n" + s + "'''" if "'''" not in s else q(s)


def arr(items: list) -> str:
    if not items:
        return "[]"
    return "[\n" + "".join(f"  {q(x)},\n" for x in items) + "]"


def role_lines(r: dict) -> list[str]:
    out = ["[[cell.role]]", f"title = {q(r['title'])}"]
    workers = re.search(r"(\d+) workers", r["title"])  # "2 workers × 2 nodes each"
    if workers:
        out.append(f"replicas = {workers.group(1)}")
    if r.get("notes"):
        out.append(f"notes = {arr(r['notes'])}")
    if "raw" in r:
        out.append(f"raw = {ml(r['raw'])}")
    else:
        out += [f"env = {arr(r.get('env', []))}", f"flags = {arr(r.get('flags', []))}"]
    return [*out, ""]


def cells_toml(cells: list) -> str:
    out = list(HEADER)
    last_hw = None
    for c in cells:
        m = c["match"]
        if m["hw"] != last_hw:
            out.append(f"# ---- {m['hw']} " + "-" * 60)
            last_hw = m["hw"]
        out += ["[[cell]]", *(f"{d} = {q(m[d])}" for d in ("hw", "variant", "quant", "strategy", "nodes"))]
        out.append(f"verified = {'true' if c['verified'] else 'false'}")
        if "roles" in c:
            out.append("")
            for r in c["roles"]:
                out += role_lines(r)
        else:
            out += [f"env = {arr(c['env'])}", f"flags = {arr(c['flags'])}", ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = Path(argv[1]), Path(argv[2])
    data = json.loads(src.read_text(encoding="utf-8"))
    dst.write_text(cells_toml(data["cells"]), encoding="utf-8")
    print(f"wrote {dst} ({len(data['cells'])} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
