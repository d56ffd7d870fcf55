"""Command text (as in the rules, placeholders substituted like `dsv4 print`) into `Role`s.

Which flags hold the launcher's values (node count, rank, head node, the router's peers)
and the port comes from the rules (`engine_names`)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from .deployment_types import HEAD, NNODES, PD_ROLES, PEER, RANK, SECRET, Flag, Role, Slot, Token
from .engine_names import EngineNames
from .subst import Subst, substitute

_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)(\[[^\]]*\]|[^:/]*)(.*)", re.S)


def _words(text: str) -> list[str]:
    """Shell words of `text` as bash reads them (line continuations removed)."""
    if "\0" in text:
        raise ValueError("a value cannot contain a NUL character")
    return shlex.split(_join_continuations(text))


def _join_continuations(text: str) -> str:
    """`text` with its line continuations removed as bash removes them: a backslash-newline
    outside quotes or inside "…", never inside '…' (where both characters are the value's)."""
    if "\\\n" not in text:
        return text
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote != "'":
            if text.startswith("\\\n", i):
                i += 2  # a continuation: both characters go
                continue
            out.append(text[i : i + 2])  # an escape keeps the next character as it is
            i += 2
            continue
        if ch in "'\"" and quote in (None, ch):
            quote = None if quote else ch
        out.append(ch)
        i += 1
    return "".join(out)


def _secret_marker(name: str) -> str:
    return f"DSV4SECRET{name}DSV4SECRET"


_MARKER = re.compile(r"DSV4SECRET([A-Z0-9_]+)DSV4SECRET")


def _hide_secrets(text: str, secret: Sequence[str]) -> str:
    """`text` with every secret placeholder ({{HF_TOKEN}}) replaced by a marker, so its
    value is never substituted into an export (see `_secret_value`)."""
    for name in secret:
        text = text.replace("{{" + name + "}}", _secret_marker(name))
    return text


def _shown(text: str) -> str:
    return _MARKER.sub(r"{{\1}}", text)


def _secret_value(value: str) -> Token:
    """A value holding a secret marker as a SECRET slot (shown as `{{NAME}}`)."""
    m = _MARKER.search(value)
    if m is None:
        return value
    if _MARKER.search(value, m.end()):
        raise ValueError(f"one value holds two secrets: {_shown(value)!r}")
    return Slot(SECRET, "{{" + m[1] + "}}", prefix=value[: m.start()], suffix=value[m.end() :], role=m[1])


def _env(entries: Sequence[str], subst: Subst, secret: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for entry in entries:
        hidden = _hide_secrets(entry, secret)
        if hidden != entry and not hidden.startswith(tuple(f"{n}=" for n in secret)):
            raise ValueError(
                f"env entry {entry!r} holds a secret: an export never writes it (set it in the environment)"
            )
        words = _words(substitute(hidden, subst))
        if len(words) != 1 or "=" not in words[0]:
            raise ValueError(f"env entry {entry!r} is not one NAME=VALUE word")
        name, _, value = words[0].partition("=")
        if name not in secret:
            out.append((name, value))
    return tuple(out)


def _head(value: str, names: EngineNames) -> Slot:
    prefix = names.head_prefix if names.head_prefix and value.startswith(names.head_prefix) else ""
    rest = value[len(prefix) :]
    if names.head_separator:
        host, sep, tail = rest.rpartition(names.head_separator)
        if sep:
            return Slot(HEAD, host, prefix=prefix, suffix=sep + tail)
    return Slot(HEAD, rest, prefix=prefix)


def _launcher_value(name: str, value: str, names: EngineNames) -> Token:
    if name == names.node_rank:
        return Slot(RANK, value)
    if name == names.nnodes:
        return Slot(NNODES, value)
    if name == names.dist_init_addr:
        return _head(value, names)
    return value


def _group(words: Sequence[str]) -> list[tuple[str, list[str], bool]]:
    """Words into (flag name, values, inline) from the first `--` word on."""
    groups: list[tuple[str, list[str], bool]] = []
    for w in words:
        if w.startswith("--"):
            name, eq, value = w.partition("=")
            groups.append((name, [value] if eq else [], bool(eq)))
        elif groups and not groups[-1][2]:
            groups[-1][1].append(w)
        else:
            raise ValueError(f"argument {w!r} belongs to no flag")
    return groups


def _serve_flags(
    flags: Sequence[str], subst: Subst, names: EngineNames, secret: Sequence[str] = ()
) -> tuple[Flag, ...]:
    words = [w for f in flags for w in _words(substitute(_hide_secrets(f, secret), subst))]
    out = []
    for name, values, inline in _group(words):
        if _MARKER.search(name):
            raise ValueError(f"a flag name holds a secret: {_shown(name)!r}")
        tokens = (_secret_value(v) if _MARKER.search(v) else _launcher_value(name, v, names) for v in values)
        out.append(Flag(name, tuple(tokens), inline))
    return tuple(out)


def _peer(url: str, role: str, replica: int) -> Slot:
    m = _URL.fullmatch(url)
    if m is None:
        return Slot(PEER, url, role=role, replica=replica)
    return Slot(PEER, m.group(2), prefix=m.group(1), suffix=m.group(3), role=role, replica=replica)


def _number(flags: Sequence[Flag], name: str) -> int | None:
    """The first value of flag `name` when it is a plain number (else None)."""
    f = next((f for f in flags if f.name == name), None)
    v = f.values[0] if f is not None and f.values else None
    return int(v) if isinstance(v, str) and v.isascii() and v.isdigit() else None


def _nodes(flags: Sequence[Flag], names: EngineNames) -> int:
    f = next((f for f in flags if f.name == names.nnodes), None)
    if f is None or not f.values:
        return 1
    text = f.values[0].text if isinstance(f.values[0], Slot) else f.values[0]
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(f"{names.nnodes} must be a number of nodes, got {text!r}")
    return int(text)


def serve_role(
    names: EngineNames,
    name: str,
    title: str,
    env: Sequence[str],
    flags: Sequence[str],
    subst: Subst,
    secret: Sequence[str],
    **kw,
) -> Role:
    """A GPU role from (env, flags) as in the rules; `name` "" takes the role from the PD
    mode flag (else "serve"); `kw`: replicas, notes."""
    parsed = _serve_flags(flags, subst, names, secret)
    if name == "":
        mode = next((f for f in parsed if f.name == names.pd_mode and f.values), None)
        name = str(mode.values[0]) if mode and mode.values[0] in PD_ROLES else "serve"
    bootstrap = None
    if name == "prefill":
        bootstrap = _number(parsed, names.bootstrap_port) or names.default_bootstrap_port
    return Role(
        name=name,
        title=title,
        replicas=kw.get("replicas", 1),
        nodes=_nodes(parsed, names),
        gpus=True,
        env=_env(env, subst, secret),
        program=names.program,
        flags=parsed,
        notes=tuple(kw.get("notes", ())),
        port=_number(parsed, names.port),
        bootstrap_port=bootstrap,
    )


def router_role(names: EngineNames, title: str, text: str, subst: Subst, notes: Sequence[str] = ()) -> Role:
    """The PD router from its command text; the URLs of its peer flags become peers."""
    words = _words(substitute(text, subst))
    start = next((i for i, w in enumerate(words) if w.startswith("--")), len(words))
    peers = dict(names.router_peers)
    seen: dict[str, int] = {}
    flags = []
    for name, values, inline in _group(words[start:]):
        role = peers.get(name)
        if role and values:
            index = seen.get(role, 0)
            seen[role] = index + 1
            values = [_peer(values[0], role, index), *values[1:]]
        flags.append(Flag(name, tuple(values), inline))
    parsed = tuple(flags)
    port = _number(parsed, names.router_port)
    return Role("router", title, 1, 1, False, (), tuple(words[:start]), parsed, tuple(notes), port=port)
