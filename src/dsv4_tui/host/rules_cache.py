"""The validated rules, cached: a warm start skips validation (and never imports pydantic).

Validating the rules (three TOML files and the checks, with pydantic in strict mode) is most
of what `dsv4` would do before its first frame. The result depends only on the texts of the
files and on dsv4's own code, so it is kept in `<config dir>/cache/rules-<key>.pickle`, where
the key is a hash of:

- every rules text read (each file's name and content, or why it could not be read);
- dsv4's version and the name, size and modification time of every module in `dsv4_tui/core`
  (the schema and the checks live there: an edited checkout validates again);
- the Python version (pickles are read by the interpreter that wrote them).

A text that changes by one byte is a new key, so the rules are validated again; rules with
problems are never cached (the same problems are reported every time). `dsv4 check` always
validates. Old entries are removed when a new one is written.

A pickle runs code when it is read, so only a file the user owns and nobody else can write
is read; a cache file that cannot be used for any reason is ignored and written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__
from ..core.rules import Rules, RulesText
from .files import atomic_write_bytes

PREFIX = "rules-"
SUFFIX = ".pickle"


def code_fingerprint() -> bytes:
    """dsv4's version and its core modules as they are on disk (name, size, mtime)."""
    core = Path(__file__).resolve().parent.parent / "core"
    parts = [__version__, f"{sys.version_info[0]}.{sys.version_info[1]}"]
    with contextlib.suppress(OSError):
        for path in sorted(core.rglob("*.py")):
            st = path.stat()
            parts.append(f"{path.relative_to(core)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def cache_key(texts: Sequence[RulesText | None]) -> str:
    h = hashlib.sha256(code_fingerprint())
    for t in texts:
        if t is None:
            h.update(b"\0none")
            continue
        for part in (t.name, t.text if t.text is not None else f"\0{t.problem}"):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()[:32]


def _trusted(path: Path) -> bool:
    """A regular file this user owns that no one else can write."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return path.is_file()
    return path.is_file() and not path.is_symlink() and st.st_uid == os.getuid() and not st.st_mode & 0o022


def read_cached(folder: Path, key: str) -> Rules | None:
    path = folder / f"{PREFIX}{key}{SUFFIX}"
    if not _trusted(path):
        return None
    try:
        rules = pickle.loads(path.read_bytes())
    except Exception:  # truncated, from another dsv4, garbage: validate again
        return None
    return rules if isinstance(rules, Rules) else None


def write_cached(folder: Path, key: str, rules: Rules) -> None:
    """Best effort: a cache that cannot be written costs the next start its time, no more."""
    name = f"{PREFIX}{key}{SUFFIX}"
    try:
        atomic_write_bytes(folder / name, pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return
    for old in folder.glob(f"{PREFIX}*{SUFFIX}"):
        if old.name != name:
            with contextlib.suppress(OSError):
                old.unlink()


def cached_rules(folder: Path, texts: Sequence[RulesText | None], build: Callable[[], Rules]) -> Rules:
    """The rules built from `texts`: from the cache in `folder`, else `build()` (which raises
    RulesError for broken rules, never cached) and cached."""
    key = cache_key(texts)
    rules = read_cached(folder, key)
    if rules is None:
        rules = build()
        write_cached(folder, key, rules)
    return rules
