"""Env placeholders (HOST_IP, PORT, HF_TOKEN, …): values, validation, the Env TOML file.

The Env file lives in the user's config folder (`DSV4_CONFIG_DIR`, else platformdirs'
user config dir, e.g. ~/.config/dsv4/env.toml). It is shared by Deploy, Playground and
`dsv4 print`, written atomically (temp file + os.replace) with mode 0600, and never
overwritten by defaults: a broken file is reported and left alone until the user saves.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .render import Subst
from .rules import Placeholder, Rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ENV_FILE = "env.toml"
STATE_FILE = "state.toml"
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() accepts '²' and '٣'
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")


def config_dir() -> Path:
    env = os.environ.get("DSV4_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir  # lazy: only when no override

    return Path(user_config_dir("dsv4", appauthor=False))


def env_path() -> Path:
    return config_dir() / ENV_FILE


class EnvError(ValueError):
    """A bad Env value or file. `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def validate_value(key: str, value: str, ph: Placeholder) -> str | None:
    """None if fine, else why. Defaults (e.g. `<node0-ip>`) are always accepted."""
    if value == ph.default:
        return None
    if ph.kind == "port":
        if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= 65535:
            return f"{key} must be a port number 1-65535, got {value!r}"
    elif ph.kind == "rank":
        if not _DIGITS.fullmatch(value):
            return f"{key} must be an integer >= 0, got {value!r}"
    elif ph.kind in ("host", "bind"):
        if not is_host(value):
            return f"{key} must be a hostname or an IP address, got {value!r}"
        if ph.kind == "host" and ":" in value and not value.startswith("["):
            return f"{key}: write an IPv6 address in brackets (it is followed by a port), e.g. [{value}]"
    elif _CONTROL.search(value):
        return f"{key} must be one line of printable characters"
    return None


def is_host(value: str) -> bool:
    v = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(value))


@dataclass(frozen=True)
class Env:
    """Placeholder values layered over the rules' defaults."""

    placeholders: Mapping[str, Placeholder]
    overrides: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def defaults(cls, rules: Rules) -> "Env":
        return cls(rules.model.placeholders, {})

    def get(self, key: str) -> str:
        if key in self.overrides:
            return self.overrides[key]
        return self.placeholders[key].default

    def is_default(self, key: str) -> bool:
        return self.get(key) == self.placeholders[key].default

    def values(self) -> dict[str, str]:
        return {k: self.get(k) for k in self.placeholders}

    def with_values(self, new: Mapping[str, str]) -> "Env":
        """A copy with `new` applied; raises EnvError naming every bad key."""
        problems = []
        for k, v in new.items():
            if k not in self.placeholders:
                problems.append(f"unknown Env key {k!r}; known: {', '.join(self.placeholders)}")
                continue
            why = validate_value(k, v, self.placeholders[k])
            if why:
                problems.append(why)
        if problems:
            raise EnvError(problems)
        return Env(self.placeholders, {**self.overrides, **new})

    def subst(self) -> Subst:
        """Values for rendering: defaults print verbatim, user values are shell-quoted."""
        vals = self.values()
        return Subst(vals, frozenset(k for k in vals if self.is_default(k)))

    def masked(self, key: str) -> str:
        v = self.get(key)
        ph = self.placeholders[key]
        if (ph.secret or ph.kind == "secret") and not self.is_default(key):
            return mask(v)
        return v

    def to_toml(self, reveal_secrets: bool = True) -> str:
        """The editable TOML text: every key with a comment naming its label."""
        lines = [
            "# dsv4 Env: placeholders shared by the command and the cURL.",
            "# Saved to " + str(env_path()) + " (mode 0600).",
            "",
        ]
        for k, ph in self.placeholders.items():
            v = self.get(k) if reveal_secrets else self.masked(k)
            lines.append(f"# {ph.label} ({'cURL' if ph.target == 'curl' else 'command'}; default {ph.default})")
            lines.append(f"{k} = {_toml_str(v)}")
        return "\n".join(lines) + "\n"


def mask(value: str) -> str:
    if len(value) <= 4:
        return "•" * len(value)
    return value[:3] + "•" * min(12, len(value) - 3)


def _toml_str(v: str) -> str:
    import json

    return json.dumps(v, ensure_ascii=False)


def parse_env_toml(text: str, placeholders: Mapping[str, Placeholder], source: str = "Env") -> dict[str, str]:
    """Parse Env TOML text into overrides; raise EnvError with file, line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{source}:{m.group(1)}:{m.group(2)}" if m else source
        raise EnvError([f"{where}: TOML syntax error: {exc}"]) from None
    lines = text.splitlines()

    def line_of(key: str) -> str:
        for i, line in enumerate(lines, 1):
            if re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
                return f"{source}:{i}"
        return source

    problems = []
    out: dict[str, str] = {}
    for k, v in data.items():
        if k not in placeholders:
            problems.append(f"{line_of(k)}: unknown key {k!r}; known: {', '.join(placeholders)}")
            continue
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            problems.append(f"{line_of(k)}: {k} must be a string, got {type(v).__name__}")
            continue
        v = str(v)
        why = validate_value(k, v, placeholders[k])
        if why:
            problems.append(f"{line_of(k)}: {why}")
            continue
        if v != placeholders[k].default:
            out[k] = v
    if problems:
        raise EnvError(problems)
    return out


def load_env_file(path: Path, placeholders: Mapping[str, Placeholder]) -> dict[str, str]:
    """Overrides from `path` ({} when it does not exist); EnvError when it is broken."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvError([f"{path}: cannot read: {exc}"]) from None
    return parse_env_toml(text, placeholders, str(path))


def atomic_write(path: Path, text: str, mode: int = 0o600) -> None:
    """Write `text` to `path` via a temp file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save_env_text(path: Path, text: str, placeholders: Mapping[str, Placeholder]) -> dict[str, str]:
    """Validate the user's TOML text and save it as written; returns the overrides."""
    overrides = parse_env_toml(text, placeholders, str(path))
    atomic_write(path, text)
    return overrides


def parse_assignments(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (from --set) into a dict; EnvError on a missing '='."""
    out = {}
    bad = []
    for item in items:
        if "=" not in item:
            bad.append(f"--set {item!r}: expected KEY=VALUE")
            continue
        k, v = item.split("=", 1)
        out[k.strip()] = v
    if bad:
        raise EnvError(bad)
    return out


# --------------------------------------------------------------------------- UI state


def load_state(path: Path | None = None) -> tuple[dict, str | None]:
    """The remembered selection/framing ({}), plus a problem text if the file is broken."""
    path = path or config_dir() / STATE_FILE
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), None
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, f"{path}: {exc}"


def save_state(state: Mapping[str, str], path: Path | None = None) -> None:
    import tomli_w  # lazy

    path = path or config_dir() / STATE_FILE
    atomic_write(path, tomli_w.dumps(dict(state)), mode=0o600)
