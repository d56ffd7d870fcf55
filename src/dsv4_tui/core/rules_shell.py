"""Every rules text that ends up in a printed command is shell-safe, checked when the rules load.

The cells' flags and env entries are checked by the schema (`shellsafe.py`). The other texts
of model.toml and playground.toml that the renderers paste into a command are checked here,
with the same check, so `dsv4 check` reports them as `file:line: key.path: …` instead of a
printed command running `$(…)` or `; …`:

- words: the engine program, Docker's `run` and `args`, the install commands — shell words,
  quoted text allowed (`shellsafe.shell_problem`);
- flag names: the engine's and the Playground's flags, inserted as they are;
- plain words: Docker images and the volume, model names (they also land inside the cURL's
  `-d '{ "model": "…" }'`, so no quote of either kind), placeholder defaults (printed as the
  cookbook shows them: `<node0-ip>`), ids (they name exported files and jobs) — letters,
  digits and `- _ . / : = , + @ % ^ ~` only;
- an env name for the token variable.

Every other rules text (labels, notes, names, messages) is sanitised on load instead
(`escape_rules_texts`): control and bidi characters are kept as visible escapes.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from .problems import Problem
from .pydantic_hooks import Strict
from .schema import PLACEHOLDER_RE, ModelFile, PlaygroundFile
from .shellsafe import PLACEHOLDER_TOKEN, check_flag, check_flag_name, shell_problem
from .tomlloc import find_line, format_loc, line_index
from .visible import visible

_PLAIN = re.compile(r"[A-Za-z0-9_\-./:=,+@%^~]+")
_PLACEHOLDER_NAME = re.compile(r"[A-Z0-9_]+")  # as {{NAME}} in PLACEHOLDER_RE
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PLAIN_CHARS = "letters, digits and - _ . / : = , + @ % ^ ~"


def words_problem(value: str) -> str | None:
    problem = shell_problem(value)
    return f"{value!r} {problem}" if problem else None


def plain_problem(value: str, *, placeholders: bool = False) -> str | None:
    text = PLACEHOLDER_TOKEN.sub("x", value) if placeholders else value
    if _PLAIN.fullmatch(text):
        return None
    if not text:
        return "is empty"
    bad = next(ch for ch in text if not _PLAIN.fullmatch(ch))
    return f"{value!r} has {bad!r}; a value pasted into a command takes only {PLAIN_CHARS}"


def flag_name_problem(value: str) -> str | None:
    try:
        check_flag_name(value)
    except ValueError as exc:
        return str(exc)
    return None


def flag_problem(value: str) -> str | None:
    """A flag, maybe with its value (`--reasoning-parser deepseek-v4`)."""
    try:
        check_flag(value)
    except ValueError as exc:
        return str(exc)
    return None


def env_name_problem(value: str) -> str | None:
    return None if _ENV_NAME.fullmatch(value) else f"an environment variable name, got {value!r}"


def _model_texts(model: ModelFile) -> Iterator[tuple[tuple, str | None]]:
    """(key path, problem) for every model.toml text that reaches a command."""
    yield ("model", "default_image"), plain_problem(model.model.default_image)
    yield ("engine", "program"), words_problem(model.engine.program) or plain_problem(model.engine.program.split()[0])
    for key in ("model_path_flag", "host_flag", "port_flag"):
        yield ("engine", key), flag_name_problem(getattr(model.engine, key))
    for i, flag in enumerate(model.multi_node.after):
        yield ("multi_node", "after", i), flag_name_problem(flag)
    for key, name in model.model_names.items():
        yield ("model_names", key), plain_problem(name)
    for key, placeholder in model.placeholders.items():
        named = _PLACEHOLDER_NAME.fullmatch(key)
        yield ("placeholders", key), None if named else f"a placeholder name is A-Z, 0-9 and _, got {key!r}"
        yield ("placeholders", key, "default"), plain_problem(placeholder.default, placeholders=True)
    docker = model.docker
    yield ("docker", "volume"), plain_problem(docker.volume)
    yield ("docker", "token_env"), env_name_problem(docker.token_env)
    for vendor, runtime in docker.runtime.items():
        yield ("docker", "runtime", vendor, "run"), words_problem(runtime.run)
        for i, arg in enumerate(runtime.args):
            yield ("docker", "runtime", vendor, "args", i), words_problem(arg)
    for key, image in docker.images.items():
        yield ("docker", "images", key), plain_problem(image)
    for i, line in enumerate(model.install.python):
        yield ("install", "python", i), words_problem(line)
    yield ("install", "docker"), words_problem(model.install.docker.replace("{image}", "image"))
    for dim, options in (
        ("hardware", model.hardware),
        ("variant", model.variant),
        ("quant", model.quant),
        ("strategy", model.strategy),
        ("nodes", model.nodes),
    ):
        for i, option in enumerate(options):
            yield (dim, i, "id"), plain_problem(option.id)


# Playground fields holding a flag (a name, maybe with a value) the Playground inserts or strips.
_PG_FLAG_FIELDS = frozenset(
    {
        "flag",
        "switch",
        "legacy_switch",
        "mode_flag",
        "transfer_flag",
        "ib_flag",
        "config_flag",
        "policy_flag",
        "backend_flag",
    }
)
_PG_FLAG_LISTS = frozenset({"required_flags", "strip", "after", "keep_on_resize", "legacy_size"})
_PG_PLAIN_FIELDS = frozenset({"default_policy", "strip_prefix", "prefix"})


def _pg_texts(pg: PlaygroundFile) -> Iterator[tuple[tuple, str | None]]:
    from .rules_checks import _walk  # the one walk over a rules dataclass

    for loc, value in _walk(pg, ()):
        key = loc[-1]
        if isinstance(value, str) and key in _PG_FLAG_FIELDS:
            yield loc, flag_problem(value)
        elif isinstance(value, str) and key in _PG_PLAIN_FIELDS:
            yield loc, plain_problem(value)
        elif isinstance(value, list) and key in _PG_FLAG_LISTS:
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*loc, i), flag_problem(item)


def _report(found: Iterator[tuple[tuple, str | None]], name: str, text: str, problems: list[Problem]) -> None:
    index = None
    for loc, problem in found:
        if problem is None:
            continue
        index = index if index is not None else line_index(text)
        problems.append(Problem(name, find_line(index, loc), format_loc(loc), problem))


def check_model_commands(model: ModelFile, name: str, text: str, problems: list[Problem]) -> None:
    """Problems of the model.toml texts that reach a command (see the module docstring)."""
    _report(_model_texts(model), name, text, problems)


def check_playground_commands(pg: PlaygroundFile, name: str, text: str, problems: list[Problem]) -> None:
    """Problems of the playground.toml texts that reach a command."""
    _report(_pg_texts(pg), name, text, problems)


# --------------------------------------------------------------------------- text shown on a terminal


def _escape_texts(obj: Any, loc: tuple, found: list[tuple]) -> Any:
    """`obj` with every string holding a control or bidi character made visible (in place
    for the rules' dataclasses, lists and dict values); the key paths changed go to `found`."""
    if isinstance(obj, str):
        shown = visible(obj)
        if shown != obj:
            found.append(loc)
        return shown
    if isinstance(obj, Strict):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            new = _escape_texts(value, (*loc, f.name), found)
            if new is not value:
                object.__setattr__(obj, f.name, new)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            obj[i] = _escape_texts(item, (*loc, i), found)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            obj[key] = _escape_texts(value, (*loc, key), found)
    return obj


def escape_rules_texts(obj: Any, name: str, text: str, notices: list[str], base: tuple = ()) -> None:
    """Sanitise on load: every rules text with a control character (ESC, C1, …) or a bidi
    mark is kept with those characters shown as escapes (`\\x1b`, `\\u202e`), so no label,
    note or name can write an OSC 52 sequence to a terminal (the TUI, `list`, `print`); a
    notice names each one (`dsv4 check` prints them). Command texts never get here: the
    schema and the checks above reject a control character in them."""
    found: list[tuple] = []
    _escape_texts(obj, base, found)
    if found:
        index = line_index(text)
        for loc in found:
            line = find_line(index, loc)
            place = f"{name}:{line}" if line else name
            notices.append(f"{place}: {format_loc(loc)}: control characters shown as escapes")


# --------------------------------------------------------------------------- secrets in flags


class Rules(Protocol):
    """What the secret-flag check reads of `rules.Rules` (a protocol: no import of `rules`,
    which imports this module)."""

    @property
    def model(self) -> ModelFile: ...

    @property
    def cells(self) -> Sequence[Any]: ...


def secret_flag_warnings(rules: Rules) -> list[str]:
    """`dsv4 check`'s warning for every cell flag, env entry or role script holding a secret
    placeholder (kind "secret" in model.toml): `dsv4 print` fills in its value; the exports
    refer to its environment variable (a Kubernetes Secret, the job's environment) instead."""
    from .rules_checks import _cell_texts

    secret = {key for key, p in rules.model.placeholders.items() if p.secret}
    out = []
    for cell in rules.cells if secret else ():
        for loc, value in _cell_texts(cell):
            held = sorted({ph for ph in PLACEHOLDER_RE.findall(value) if ph in secret})
            if not held or (loc[-2] == "env" and value.split("=", 1)[0] in held):
                continue  # none, or HF_TOKEN={{HF_TOKEN}}: the secret's own variable
            what = ", ".join("{{" + h + "}}" for h in held)
            out.append(
                f"{cell.source}: cell {cell.key_text}: {format_loc(loc)}: warning: holds the secret {what}; "
                f"dsv4 print fills in its value, exports refer to the environment variable {held[0]} instead"
            )
    return out
