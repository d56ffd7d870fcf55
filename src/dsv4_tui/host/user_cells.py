"""Saving a Playground result as the user's own cell (`rules/cells.toml` in the config folder).

The cell says `verified = false` and `derived_from = "<base key>"`; it loads as an overlay
on the bundled rules (`load_rules(overlays=[folder])`) and replaces that selection's cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.rules import Rules
from ..core.selection import Selection
from ..core.submit import USER_CELLS, combination, user_cell, with_user_cell
from .files import ReadProblem, atomic_write, read_text


def save_user_cell(rules: Rules, sel: Selection, env: Sequence[str], flags: Sequence[str], folder: Path | str) -> Path:
    """Save (env, flags) as the user's own cell for `sel` in `<folder>/cells.toml` (created).

    Raises ValueError when there are no flags (nothing to save, e.g. no base) or the
    existing file cannot be used (it is left alone).
    """
    if not flags:
        raise ValueError(f"nothing to save for {combination(sel)}: the command has no flags")
    path = Path(folder) / USER_CELLS
    try:
        old_text = read_text(path)
    except FileNotFoundError:
        old_text = ""
    except ReadProblem as exc:
        raise ValueError(f"{exc}; not changed") from None
    text = with_user_cell(old_text, user_cell(sel, rules.cell(sel), env, flags), str(path))
    atomic_write(path, text, mode=0o644, links="follow")
    return path
