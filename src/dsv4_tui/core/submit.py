"""Submit ↗ (a pre-filled GitHub issue proposing the Playground result as a verified cell)
and the text of the user's own cells file with a Playground result added.

The issue URL matches the cookbook page byte for byte: the repository and template come
from `[model]` in model.toml; the fields are form-encoded like the browser's
URLSearchParams (spaces as `+`; only `A-Z a-z 0-9 * - . _` left as is).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote_plus

from .rules import DIMS, Cell, Rules
from .selection import Selection
from .tomlloc import TomlProblem, parse_toml

SGLANG_VERSION_EXAMPLE = "sglang==0.5.23"  # how the Submit form and --submit-url show a version
USER_CELLS = "cells.toml"
USER_CELLS_HEADER = (
    "# Your own cells, saved from the dsv4 Playground. dsv4 lays them over the bundled rules:\n"
    "# a cell here with the same selection replaces the bundled one.\n"
)


def combination(sel: Selection) -> str:
    """`hw / variant / quant / strategy / nodes` (ids)."""
    return " / ".join(sel[d] for d in DIMS)


def _js_list(name: str, items: Sequence[str]) -> list[str]:
    if not items:
        return [f"      {name}: [],"]
    return [f"      {name}: [", *(f"        {json.dumps(x, ensure_ascii=False)}," for x in items), "      ],"]


def cell_snippet(sel: Selection, env: Sequence[str], flags: Sequence[str], verified: bool = True) -> str:
    """A cell as the cookbook's config source writes it (what the issue form asks for)."""
    match = ", ".join(f"{d}: {json.dumps(sel[d])}" for d in DIMS)
    return "\n".join(
        [
            "    {",
            f"      match: {{ {match} }},",
            f"      verified: {'true' if verified else 'false'},",
            *_js_list("env", env),
            *_js_list("flags", flags),
            "    },",
        ]
    )


def form_encode(pairs: Sequence[tuple[str, str]]) -> str:
    """application/x-www-form-urlencoded exactly like URLSearchParams.toString()."""
    return "&".join(f"{_enc(k)}={_enc(v)}" for k, v in pairs)


def _enc(s: str) -> str:
    # quote_plus leaves "~" as is; URLSearchParams encodes it and leaves "*".
    return quote_plus(s, safe="*").replace("~", "%7E")


def submit_url(
    rules: Rules,
    sel: Selection,
    base: Cell,
    env: Sequence[str],
    flags: Sequence[str],
    sglang_version: str,
    bench_result: str = "",
    notes: str = "",
) -> str:
    """The pre-filled issue URL proposing (env, flags) as the verified cell for `sel`.

    `sglang_version` goes in as written (the page's examples use `sglang==0.5.4`).
    """
    info = rules.model.model
    combo = combination(sel)
    pairs = [
        ("template", info.issue_template),
        ("title", f"[Playground] Verified cell: {combo}"),
        ("model", info.cookbook),
        ("combination", combo),
        ("cell-snippet", cell_snippet(sel, env, flags, verified=True)),
        ("existing-cell", cell_snippet(sel, base.env, base.flags, verified=base.verified)),
        ("sglang-version", sglang_version),
        ("bench-result", bench_result),
        ("notes", notes),
    ]
    return f"https://github.com/{info.issue_repo}/issues/new?{form_encode(pairs)}"


# --------------------------------------------------------------------------- the user's cells


def user_cell(sel: Selection, base: Cell | None, env: Sequence[str], flags: Sequence[str]) -> dict:
    """The TOML table of a user cell: not verified, derived from the base cell."""
    table: dict = {d: sel[d] for d in DIMS}
    table["verified"] = False
    table["derived_from"] = base.key_text if base is not None else "/".join(sel[d] for d in DIMS)
    table["env"] = list(env)
    table["flags"] = list(flags)
    return table


def with_user_cell(old_text: str, table: dict, source: str) -> str:
    """The user's cells file text with `table` added, or replacing the cell with the same
    selection (then the file is rewritten from its data, without comments). Raises
    ValueError when `old_text` is not valid TOML (the caller leaves the file alone)."""
    import tomli_w  # lazy: only when saving

    try:
        data = parse_toml(old_text)
    except TomlProblem as exc:
        raise ValueError(f"{source}: not valid TOML, not changed: {exc}") from None
    key = tuple(table[d] for d in DIMS)
    cells = data.get("cell", [])
    same = [i for i, c in enumerate(cells) if isinstance(c, dict) and tuple(c.get(d) for d in DIMS) == key]
    if same:
        cells[same[0]] = table
        return USER_CELLS_HEADER + "\n" + tomli_w.dumps({**data, "cell": cells})
    block = tomli_w.dumps({"cell": [table]})
    if not old_text.strip():
        return USER_CELLS_HEADER + "\n" + block
    return old_text.rstrip("\n") + "\n\n" + block
