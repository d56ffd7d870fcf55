"""Env placeholders (HOST_IP, PORT, HF_TOKEN, …): values, validation, the Env TOML text.

Pure: reading and writing the Env file is the host's job (`host/envfile.py`). Values are
validated against tight grammars (ports, ranks, host names, IP addresses) and never hold a
control character; user values are shell-quoted where they land (`render.Subst`).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import field

from .frozen import frozen
from .render import Subst
from .schema import Placeholder
from .tomlloc import TomlProblem, parse_toml
from .visible import has_control, visible_line

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() accepts '²' and '٣'
_HOSTNAME = re.compile(r"(?=.{1,253}\Z)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")
_SCOPE_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")  # an interface name or number after '%'


class EnvError(ValueError):
    """A bad Env value or file. `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def is_host(value: str) -> bool:
    """A host name, an IPv4 address, or an IPv6 address (bare or in brackets)."""
    if has_control(value):
        return False
    v = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    address, pct, scope = v.partition("%")
    if pct and not _SCOPE_ID.fullmatch(scope):
        return False
    try:
        ipaddress.ip_address(address if not pct else v)
        return True
    except ValueError:
        return _HOSTNAME.fullmatch(value) is not None


def validate_value(key: str, value: str, ph: Placeholder) -> str | None:
    """None if fine, else why. Defaults (e.g. `<node0-ip>`) are always accepted."""
    if value == ph.default:
        return None
    shown = visible_line(value)
    if ph.kind == "port":
        if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= 65535:
            return f"{key} must be a port number 1-65535, got '{shown}'"
    elif ph.kind == "rank":
        if not _DIGITS.fullmatch(value):
            return f"{key} must be an integer >= 0, got '{shown}'"
    elif ph.kind in ("host", "bind"):
        if not is_host(value):
            return f"{key} must be a hostname or an IP address, got '{shown}'"
        if ph.kind == "host" and ":" in value and not value.startswith("["):
            return f"{key}: write an IPv6 address in brackets (it is followed by a port), e.g. [{shown}]"
    elif has_control(value):
        return f"{key} must be one line of printable characters"
    return None


def suggest(word: str, known: list[str]) -> str:
    """' (did you mean X?)' for the closest known word, else ''."""
    close = difflib.get_close_matches(word.upper(), known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def mask(value: str) -> str:
    if len(value) <= 4:
        return "•" * len(value)
    return value[:3] + "•" * min(12, len(value) - 3)


@frozen
class Env:
    """Placeholder values layered over the rules' defaults."""

    placeholders: Mapping[str, Placeholder]
    overrides: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def defaults(cls, rules) -> Env:
        """Every placeholder at its default (`rules` is a loaded `Rules`)."""
        return cls(rules.model.placeholders, {})

    def get(self, key: str) -> str:
        if key in self.overrides:
            return self.overrides[key]
        leader = self.placeholders[key].follows
        if leader and leader in self.overrides:
            return self.overrides[leader]
        return self.placeholders[key].default

    def followed(self, key: str) -> str | None:
        """The placeholder whose value `key` takes right now (`follows`), if any."""
        leader = self.placeholders[key].follows
        return leader if key not in self.overrides and leader and leader in self.overrides else None

    def is_default(self, key: str) -> bool:
        return self.get(key) == self.placeholders[key].default

    def values(self) -> dict[str, str]:
        return {k: self.get(k) for k in self.placeholders}

    def with_values(self, new: Mapping[str, str]) -> Env:
        """A copy with `new` applied; raises EnvError naming every bad key."""
        problems = []
        for k, v in new.items():
            if k not in self.placeholders:
                known = list(self.placeholders)
                problems.append(f"unknown Env key '{visible_line(k)}'{suggest(k, known)}; known: {', '.join(known)}")
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

    def secrets(self) -> dict[str, str]:
        """The masked form of every secret the user set (for display)."""
        return {k: mask(self.get(k)) for k, ph in self.placeholders.items() if ph.secret and not self.is_default(k)}

    def masked(self, key: str) -> str:
        return self.secrets().get(key, self.get(key))

    def probe_target(self) -> tuple[str, str, str | None]:
        """(host, port, the placeholder the port follows) of the cURL probe: the placeholders
        whose target is the cURL, of kind host and port."""
        host = next((k for k, p in self.placeholders.items() if p.target == "curl" and p.kind == "host"), None)
        port = next((k for k, p in self.placeholders.items() if p.target == "curl" and p.kind == "port"), None)
        return (
            self.get(host) if host else "localhost",
            self.get(port) if port else "",
            self.followed(port) if port else None,
        )

    def to_toml(self, saved_to: str = "", reveal_secrets: bool = True) -> str:
        """The editable TOML text: every key with a comment naming its label."""
        lines = ["# dsv4 Env: placeholders shared by the command and the cURL."]
        if saved_to:
            lines.append(f"# Saved to {saved_to} (mode 0600).")
        lines.append("")
        for k, ph in self.placeholders.items():
            v = self.overrides.get(k, ph.default)  # its own value, not the one it follows
            if ph.secret and not reveal_secrets and k in self.overrides:
                v = mask(v)
            where = "cURL" if ph.target == "curl" else "command"
            if ph.follows and k not in self.overrides:  # absent: it follows; a value set here wins
                lines.append(f"# {ph.label} ({where}; follows {ph.follows} while unset; remove the # to set it)")
                lines.append(f"# {k} = {json.dumps(v, ensure_ascii=False)}")
                continue
            lines.append(f"# {ph.label} ({where}; default {ph.default})")
            lines.append(f"{k} = {json.dumps(v, ensure_ascii=False)}")
        return "\n".join(lines) + "\n"


MAX_ENV_KEYS = 100  # the Env has a handful of keys; a file with more is not an Env file
MAX_ENV_PROBLEMS = 20  # problems listed; the rest are counted
_KEY_AT_LINE = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def _key_lines(lines: list[str]) -> dict[str, int]:
    """The first line of each top-level `key =`: one pass over the text (not one per key)."""
    found: dict[str, int] = {}
    for i, line in enumerate(lines, 1):
        m = _KEY_AT_LINE.match(line)
        if m:
            found.setdefault(next(g for g in m.groups() if g is not None), i)
    return found


def parse_env_toml(text: str, placeholders: Mapping[str, Placeholder], source: str = "Env") -> dict[str, str]:
    """Parse Env TOML text into overrides; raise EnvError with file, line and key. Linear in
    the text; more than MAX_ENV_KEYS keys is one problem, not one per key."""
    try:
        data = parse_toml(text)
    except TomlProblem as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        raise EnvError([f"{where}: {exc}"]) from None
    known = list(placeholders)
    if len(data) > MAX_ENV_KEYS:
        raise EnvError(
            [f"{source}: {len(data)} keys; an Env file has at most {MAX_ENV_KEYS} (known: {', '.join(known)})"]
        )
    key_lines = _key_lines(text.splitlines())
    problems = []
    out: dict[str, str] = {}
    for k, v in data.items():
        where = f"{source}:{key_lines[k]}" if k in key_lines else source
        if k not in placeholders:
            problems.append(f"{where}: unknown key '{visible_line(k)}'{suggest(k, known)}; known: {', '.join(known)}")
            continue
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            problems.append(f"{where}: {k} must be a string, got {type(v).__name__}")
            continue
        v = str(v)
        why = validate_value(k, v, placeholders[k])
        if why:
            problems.append(f"{where}: {why}")
        elif v != placeholders[k].default or placeholders[k].follows:
            out[k] = v  # a follower set explicitly keeps its value, even the default one
    if len(problems) > MAX_ENV_PROBLEMS:
        problems = [*problems[:MAX_ENV_PROBLEMS], f"… and {len(problems) - MAX_ENV_PROBLEMS} more problems"]
    if problems:
        raise EnvError(problems)
    return out


def parse_assignments(items: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings (from --set) into a dict; EnvError on a missing '='."""
    out = {}
    bad = []
    for item in items:
        if "=" not in item:
            bad.append(f"--set '{visible_line(item)}': expected KEY=VALUE")
            continue
        k, v = item.split("=", 1)
        out[k.strip()] = v
    if bad:
        raise EnvError(bad)
    return out
