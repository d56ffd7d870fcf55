"""The Env file (`env.toml` in the config folder): read it, and save what the user typed.

It is shared by Deploy, Playground and `dsv4 print`, written atomically with mode 0600, and
never overwritten by defaults: a broken file is reported and left alone until the user saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..core.env import EnvError, parse_env_toml
from ..core.schema import Placeholder
from .files import ReadProblem, atomic_write, read_text


def load_env_file(path: Path, placeholders: Mapping[str, Placeholder]) -> dict[str, str]:
    """Overrides from `path` ({} when it does not exist); EnvError when it is broken."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        return {}
    except ReadProblem as exc:
        raise EnvError([str(exc)]) from None
    return parse_env_toml(text, placeholders, str(path))


def save_env_text(path: Path, text: str, placeholders: Mapping[str, Placeholder]) -> dict[str, str]:
    """Validate the user's Env text and save it as written (atomically, mode 0600; through
    a symlink to its regular-file target, never a device node); return the overrides it means. EnvError: nothing is written."""
    overrides = parse_env_toml(text, placeholders, str(path))
    atomic_write(path, text, mode=0o600, links="follow")
    return overrides
