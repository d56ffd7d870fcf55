"""The remembered selection and framing (`state.toml` in the config folder)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..core.tomlloc import TomlProblem, parse_toml
from .files import ReadProblem, atomic_write, read_text
from .paths import state_path


def load_state(path: Path | None = None) -> tuple[dict, str | None]:
    """The remembered state ({} when there is none), plus a problem text if it is broken."""
    path = path or state_path()
    try:
        return parse_toml(read_text(path)), None
    except FileNotFoundError:
        return {}, None
    except ReadProblem as exc:
        return {}, str(exc)
    except TomlProblem as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        return {}, f"{where}: {exc}"


def save_state(state: Mapping[str, str], path: Path | None = None) -> None:
    import tomli_w  # lazy

    atomic_write(path or state_path(), tomli_w.dumps(dict(state)), mode=0o600, links="follow")
