"""The validated rules, cached: a warm start skips validation (and never imports pydantic).

Validating the rules (three TOML files and the checks, with pydantic in strict mode) is most
of what `dsv4` would do before its first frame. The result depends only on the texts of the
files and on dsv4's own code, so it is kept in `<config dir>/cache/rules-<key>.json`, where
the key is a hash of:

- every rules text read (each file's name and content, or why it could not be read);
- dsv4's version and the name, size and modification time of every module in `dsv4_tui/core`
  (the schema and the checks live there: an edited checkout validates again);
- the Python version.

A text that changes by one byte is a new key, so the rules are validated again; rules with
problems are never cached (the same problems are reported every time). `dsv4 check` always
validates. Old entries are removed when a new one is written.

The file is JSON of plain data (`encode` / `decode`): reading it can only build the rules'
own dataclasses from strings, numbers, lists and dicts, never run code (a pickle would).
Still, a cache another user could write would let them choose the rules, so the cache is used
only when the config folder and `cache/` in it are folders this user owns that nobody else
can write, and the file is a regular file this user owns that nobody else can write. Each is
checked on the descriptor that is then used (`fstat` of the opened folder, then of the file
opened inside it with `O_NOFOLLOW`), so swapping a path between the check and the read
changes nothing. A folder that fails is reported once (a notice on the rules) and the rules
are validated as if there were no cache; a file that fails is ignored and written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.pydantic_hooks import Strict, record_field_names
from ..core.rules import Rules, RulesText

PREFIX = "rules-"
SUFFIX = ".json"
FORMAT = 1
MAX_CACHE_BYTES = 32 * 1024 * 1024  # the bundled rules take well under 1 MB
_OLD_SUFFIXES = (SUFFIX, ".pickle")  # a pickle left by an older dsv4 is removed, never read


def code_fingerprint() -> bytes:
    """dsv4's version and its core modules as they are on disk (name, size, mtime). With
    os.walk, not pathlib: this runs at every start."""
    core = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "core")
    parts = [__version__, f"{sys.version_info[0]}.{sys.version_info[1]}", f"format {FORMAT}"]
    found = []
    with contextlib.suppress(OSError):
        for folder, subfolders, names in os.walk(core):
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            for name in names:
                if name.endswith(".py"):
                    st = os.stat(os.path.join(folder, name))
                    found.append(f"{os.path.relpath(os.path.join(folder, name), core)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts + sorted(found)).encode()


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


# --------------------------------------------------------------------------- the format
#
# A JSON array is a list; every JSON object is tagged by its "$" key: {"$": "tuple", "v": [...]},
# {"$": "dict", "v": [[key, value], ...]} (so no key from the rules is ever a JSON object's key),
# {"$": "<rules class>", "v": {field: value, ...}}. Only the rules' own dataclasses (`Rules`
# and every `Strict` subclass) can be named; anything else is a broken file.


def _rules_classes() -> dict[str, type]:
    found: dict[str, type] = {"Rules": Rules}
    seen: set[str] = set()
    todo = list(Strict.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        name = cls.__qualname__
        if name in seen or name in ("dict", "tuple"):
            found.pop(name, None)  # two classes of one name: neither is cached (encode refuses)
            continue
        seen.add(name)
        found[name] = cls
    return found


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        # A rules record's names without making it a dataclass (core/pydantic_hooks.py).
        names = _FIELDS[cls] = (
            record_field_names(cls) if issubclass(cls, Strict) else tuple(f.name for f in fields(cls))
        )
    return names


_FIELD_SETS: dict[type, frozenset[str]] = {}


def _field_set(cls: type) -> frozenset[str]:
    names = _FIELD_SETS.get(cls)
    if names is None:
        names = _FIELD_SETS[cls] = frozenset(_field_names(cls))
    return names


def encode(rules: Rules) -> bytes:
    """The rules as JSON of plain data; TypeError for a value the format cannot hold."""
    classes = _rules_classes()

    def enc(value: Any) -> Any:
        if value is None or type(value) in (str, int, float, bool):
            return value
        if type(value) is list:
            return [enc(v) for v in value]
        if type(value) is tuple:
            return {"$": "tuple", "v": [enc(v) for v in value]}
        if type(value) is dict:
            return {"$": "dict", "v": [[enc(k), enc(v)] for k, v in value.items()]}
        cls = type(value)
        if classes.get(cls.__qualname__) is cls:
            return {"$": cls.__qualname__, "v": {n: enc(getattr(value, n)) for n in _field_names(cls)}}
        raise TypeError(f"the rules cache cannot hold a {cls.__name__}")

    body = {"format": FORMAT, "rules": enc(rules)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


class _Broken(ValueError):
    pass


def decode(data: bytes) -> Rules:
    """The rules back from `encode`'s bytes; ValueError for anything else."""
    classes = _rules_classes()

    def hook(obj: dict) -> Any:
        tag = obj.get("$")
        if tag is None:
            return obj  # a dataclass's fields, inside its tagged object
        value = obj.get("v")
        cls = classes.get(tag) if type(tag) is str else None
        if cls is not None and type(value) is dict and len(obj) == 2:
            if value.keys() != _field_set(cls):
                raise _Broken(f"{tag}: fields do not match")
            if cls is Rules:
                return Rules(**value)
            made = object.__new__(cls)  # validated when it was written: no __post_init__ again
            made.__dict__.update(value)
            return made
        if len(obj) != 2 or type(value) is not list:
            raise _Broken(f"not a rules value: {tag!r}")
        if tag == "tuple":
            return tuple(value)
        if tag == "dict":
            try:
                return {k: v for k, v in value}  # noqa: C416 - pairs, checked by the unpacking
            except (TypeError, ValueError):
                raise _Broken("a dict entry is not a pair") from None
        raise _Broken(f"not a rules value: {tag!r}")

    try:
        body = json.loads(data.decode("utf-8", "surrogatepass"), object_hook=hook)
    except (UnicodeDecodeError, RecursionError, TypeError) as exc:
        raise _Broken(str(exc)) from None
    if type(body) is not dict or body.get("format") != FORMAT or type(body.get("rules")) is not Rules:
        raise _Broken("not a rules cache of this format")
    return body["rules"]


# --------------------------------------------------------------------------- trusted folders and files


_SUPPORTED = hasattr(os, "getuid") and os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW")
_O_DIR = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class Untrusted(Exception):
    """Why a folder or a file is not used for the cache (a sentence)."""


def _owned_and_private(st: os.stat_result, what: str) -> None:
    if st.st_uid != os.getuid():
        raise Untrusted(f"{what} belongs to another user (uid {st.st_uid})")
    if st.st_mode & 0o022:
        raise Untrusted(f"{what} can be written by other users (mode {stat.S_IMODE(st.st_mode):04o})")


def _open_dir(name: str | Path, dir_fd: int | None, *, follow: bool) -> int:
    """The folder opened, checked on its descriptor: a directory this user owns, private."""
    flags = os.O_RDONLY | _O_DIR | _O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(name, flags, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode):
            raise Untrusted(f"{name} is not a folder")
        _owned_and_private(st, str(name))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_cache_dir(folder: Path, *, create: bool) -> int:
    """`folder` (the cache) opened inside its parent (the config folder), both checked on
    their descriptors; the cache folder is never a symlink. FileNotFoundError when it (or,
    with `create`, the config folder) is missing; Untrusted when either is not private."""
    parent = _open_dir(folder.parent, None, follow=True)  # a symlinked config folder is fine
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder.name, 0o700, dir_fd=parent)
        try:
            return _open_dir(folder.name, parent, follow=False)
        except Untrusted as exc:
            raise Untrusted(str(exc).replace(folder.name, str(folder), 1)) from None
        except OSError as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise Untrusted(f"{folder} is a symlink or not a folder") from None
    finally:
        os.close(parent)


def _read_file(dir_fd: int, name: str) -> bytes | None:
    """The file's bytes, when it is a regular file this user owns that nobody else can
    write (checked on the opened descriptor); None otherwise."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | _O_CLOEXEC | getattr(os, "O_NONBLOCK", 0), dir_fd=dir_fd)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return None
        _owned_and_private(st, name)
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_CACHE_BYTES:
                return None
        return b"".join(chunks)
    except (OSError, Untrusted):
        return None
    finally:
        os.close(fd)


def _write_file(dir_fd: int, name: str, data: bytes) -> None:
    import secrets  # only when the cache is written, not on a warm start

    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _O_CLOEXEC, 0o600, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def _remove_others(dir_fd: int, keep: str) -> None:
    for entry in os.listdir(dir_fd):
        if entry != keep and (
            (entry.startswith(PREFIX) and entry.endswith(_OLD_SUFFIXES))
            or (entry.startswith(f".{PREFIX}") and entry.endswith(".tmp"))
        ):
            with contextlib.suppress(OSError):
                os.unlink(entry, dir_fd=dir_fd)


# --------------------------------------------------------------------------- the cache


def read_cached(folder: Path, key: str) -> Rules | None:
    """The cached rules for `key`, or None (no entry, or one that cannot be trusted or read).
    Raises Untrusted when the folder itself must not be used."""
    try:
        dir_fd = _open_cache_dir(folder, create=False)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Untrusted(f"{folder}: {exc.strerror}") from None
    try:
        data = _read_file(dir_fd, f"{PREFIX}{key}{SUFFIX}")
    finally:
        os.close(dir_fd)
    if data is None:
        return None
    try:
        return decode(data)
    except ValueError:  # truncated, from another dsv4, garbage: validate again
        return None


def write_cached(folder: Path, key: str, rules: Rules) -> None:
    """Best effort: a cache that cannot be written costs the next start its time, no more."""
    name = f"{PREFIX}{key}{SUFFIX}"
    try:
        data = encode(rules)
    except (TypeError, ValueError, RecursionError):
        return
    try:
        os.makedirs(folder.parent, mode=0o700, exist_ok=True)
        dir_fd = _open_cache_dir(folder, create=True)
    except (OSError, Untrusted):
        return
    try:
        _write_file(dir_fd, name, data)
        _remove_others(dir_fd, name)
    except OSError:
        return
    finally:
        os.close(dir_fd)


_SAID: set[str] = set()


def cached_rules(folder: Path, texts: Sequence[RulesText | None], build: Callable[[], Rules]) -> Rules:
    """The rules built from `texts`: from the cache in `folder`, else `build()` (which raises
    RulesError for broken rules, never cached) and cached. A folder that is not private to
    this user is not used: the rules are validated, and a notice says why (once a process)."""
    if not _SUPPORTED:
        return build()
    key = cache_key(texts)
    try:
        rules = read_cached(folder, key)
    except Untrusted as exc:
        rules = build()
        reason = f"rules cache not used: {exc}"
        if reason not in _SAID:
            _SAID.add(reason)
            rules.notices.append(reason)
        return rules
    if rules is None:
        rules = build()
        write_cached(folder, key, rules)
    return rules
