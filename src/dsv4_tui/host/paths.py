"""Where dsv4 keeps its files on this machine.

The config folder is `$DSV4_CONFIG_DIR`, else the user config folder (platformdirs, e.g.
`~/.config/dsv4`). It holds `env.toml` (the Env placeholders), `state.toml` (the last
selection and framing), `rules/cells.toml` (the user's own cells) and `cache/`.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_FILE = "env.toml"
STATE_FILE = "state.toml"


def config_dir() -> Path:
    env = os.environ.get("DSV4_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir  # lazy: only when no override

    return Path(user_config_dir("dsv4", appauthor=False))


def env_path() -> Path:
    return config_dir() / ENV_FILE


def state_path() -> Path:
    return config_dir() / STATE_FILE


def user_rules_dir() -> Path:
    """The user's own cells (`cells.toml` here is laid over the rules)."""
    return config_dir() / "rules"


def cache_dir() -> Path:
    return config_dir() / "cache"


def bundled_rules_dir() -> Path:
    """rules/ inside the installed package (wheel) or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "rules"
    if (packaged / "model.toml").is_file():
        return packaged
    return package.parent.parent / "rules"
