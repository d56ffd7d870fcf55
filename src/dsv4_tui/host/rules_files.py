"""Loading a rules folder from disk: the host reads the files, the core validates them."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.problems import Problem, RulesError
from ..core.rules import Rules, RulesText, build_rules
from .files import ReadProblem, read_text
from .paths import bundled_rules_dir, cache_dir, user_rules_dir
from .rules_cache import cached_rules

FILES = ("model.toml", "cells.toml", "playground.toml")
CHECKS = "checks.toml"
# Made by tools/sync_cookbook.py from the upstream cookbook, laid over model.toml when present.
GENERATED = ("cookbook.toml", "benchmarks.toml", "srt_slurm.toml")
RUN = "run.toml"  # optional, like checks.toml: phases and metrics of a running server
FAILURES = "failures.toml"  # optional: known failure signatures of a server log


def _text(path: Path) -> RulesText:
    try:
        return RulesText(str(path), read_text(path))
    except FileNotFoundError:
        return RulesText(str(path), None, "file not found")
    except ReadProblem as exc:
        return RulesText(str(path), None, str(exc).removeprefix(f"{path}: "))


def user_overlays() -> list[Path]:
    """The user's own cells folder, when it has a cells.toml (whatever that file is: a
    folder or a FIFO in its place is reported by the loader, not ignored)."""
    folder = user_rules_dir()
    return [folder] if os.path.lexists(folder / "cells.toml") else []


def load_rules(rules_dir: Path | str | None = None, overlays: list[Path] | None = None, *, cache: bool = True) -> Rules:
    """Load and validate a rules folder; raise RulesError listing every problem.

    With `cache`, rules validated before with the same texts come from the cache instead
    (`rules_cache.py`); `dsv4 check` passes cache=False.

    `rules_dir` defaults to $DSV4_RULES, else the bundled rules. A folder with only a
    `cells.toml` (a user's own cells) is laid over the bundled rules instead of replacing
    them. Each folder in `overlays` adds its `cells.toml` the same way; an overlay cell with
    the same selection as an earlier one replaces it (a notice says so).
    """
    if rules_dir is None:
        env_dir = os.environ.get("DSV4_RULES")
        rules_dir = Path(env_dir) if env_dir else bundled_rules_dir()
    rules_dir = Path(rules_dir)
    overlays = [Path(p) for p in (overlays or []) if os.path.lexists(Path(p) / "cells.toml")]
    if not rules_dir.is_dir():
        raise RulesError([Problem(str(rules_dir), None, "", "rules folder not found")])
    own = [(rules_dir / name).exists() for name in FILES]
    if own[1] and not (own[0] or own[2]):  # only cells.toml: an overlay on the bundled rules
        overlays = [rules_dir, *overlays]
        rules_dir = bundled_rules_dir()
    cells = [_text(rules_dir / "cells.toml")] + [_text(folder / "cells.toml") for folder in overlays]
    sources = [str(rules_dir)] + [str(folder) for folder in overlays]
    checks_path = rules_dir / CHECKS
    checks = _text(checks_path) if os.path.lexists(checks_path) else None  # optional: no lint rules
    run, failures = (_text(rules_dir / n) if os.path.lexists(rules_dir / n) else None for n in (RUN, FAILURES))
    model, playground = _text(rules_dir / "model.toml"), _text(rules_dir / "playground.toml")
    generated = [_text(rules_dir / name) for name in GENERATED if os.path.lexists(rules_dir / name)]

    def build() -> Rules:
        return build_rules(model, cells, playground, sources, checks, generated, run, failures)

    if not cache:
        return build()
    return cached_rules(cache_dir(), [model, *generated, *cells, playground, checks, run, failures], build)


def is_bundled(source: str) -> bool:
    return Path(source).resolve() == bundled_rules_dir().resolve()
