"""Whether a flag, an env entry or a script from the rules reads as plain shell words.

The rules are pasted into a shell by the user. A flag such as `--foo 1; pwned` would run
`pwned`, so the rules schema accepts only text that the shell reads literally: words of
safe characters, 'single-quoted' text, and "double-quoted" text without `$`, backtick,
`\\` or `!`. The cookbook's placeholders (`{{PORT}}`, `<node-rank>`) are allowed: they are
filled in (and quoted) by the renderer, or meant to be replaced by hand.
"""

from __future__ import annotations

import re
from typing import Annotated

from .pydantic_hooks import After
from .visible import has_control

PLACEHOLDER_TOKEN = re.compile(r"\{\{[A-Z0-9_]+\}\}|<[a-z0-9][a-z0-9-]*>")
_SAFE = re.compile(r"[A-Za-z0-9_\-./:=,+@%^~]")
_FLAG_NAME = re.compile(r"--[A-Za-z0-9][A-Za-z0-9_.-]*")
_ENV = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)
_EXPANDED_IN_DOUBLE_QUOTES = "$`\\!"


def _quoted_end(text: str, i: int) -> tuple[int, str | None]:
    """The index after the quoted string starting at `i`, or a problem."""
    quote = text[i]
    j = text.find(quote, i + 1)
    if j < 0:
        return i, f"has an unclosed {quote} quote"
    if quote == '"':
        expanded = sorted(set(text[i + 1 : j]) & set(_EXPANDED_IN_DOUBLE_QUOTES))
        if expanded:
            return i, f"has {expanded[0]!r} inside double quotes, which the shell expands"
    return j + 1, None


def shell_problem(text: str, *, one_word: bool = False, newlines: bool = False) -> str | None:
    """Why `text` would not read literally in a shell; None when it does.

    `one_word`: spaces outside quotes are a problem too (an env value). `newlines`: a script,
    whose lines may end with a `\\` continuation.
    """
    if newlines:
        text = text.replace("\\\n", " ").replace("\n", " ")
    if has_control(text):
        return "has a control character (a newline, ESC, …)"
    text = PLACEHOLDER_TOKEN.sub("x", text)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            i, problem = _quoted_end(text, i)
            if problem:
                return problem
            continue
        if ch == " " and not one_word:
            i += 1
            continue
        if ch == " ":
            return "has a space outside quotes (quote the value)"
        if not (_SAFE.fullmatch(ch) or (ch.isalnum() and not ch.isascii())):
            return f"has {ch!r} outside quotes, which the shell reads as syntax"
        i += 1
    return None


def check_flag(value: str) -> str:
    """A pydantic validator: `--name`, then shell-safe text."""
    if not value.startswith("--"):
        raise ValueError(f"a flag must start with '--', got {value!r}")
    name = re.split(r"[ =]", value, maxsplit=1)[0]
    if not _FLAG_NAME.fullmatch(name):
        raise ValueError(f"a flag name is '--' then letters, digits and '-', got {name!r}")
    problem = shell_problem(value)
    if problem:
        raise ValueError(f"the flag {value!r} {problem}")
    return value


def check_env_entry(value: str) -> str:
    """A pydantic validator: NAME=VALUE, the value one shell-safe word."""
    m = _ENV.fullmatch(value)
    if m is None:
        raise ValueError(f"an env entry must be NAME=VALUE, got {value!r}")
    problem = shell_problem(m.group(2), one_word=True)
    if problem:
        raise ValueError(f"the env entry {value!r} {problem}")
    return value


def check_one_line(value: str) -> str:
    """A pydantic validator for text printed after `# `: one line, no control characters."""
    if has_control(value):
        raise ValueError(f"must be one line without control characters, got {value!r}")
    return value


def check_script(value: str) -> str:
    """A pydantic validator for a command text (lines joined by `\\` continuations)."""
    problem = shell_problem(value.strip("\n"), newlines=True)
    if problem:
        raise ValueError(f"the command text {problem}")
    return value


# The rules schema's texts (`schema.py`). Validated per element, so an error names the exact
# list item (and its line).
Flag = Annotated[str, After(check_flag)]
EnvEntry = Annotated[str, After(check_env_entry)]
Line = Annotated[str, After(check_one_line)]  # goes into a `# …` comment line
Script = Annotated[str, After(check_script)]  # a command text, pasted into a shell


def check_flag_name(value: str) -> str:
    """A pydantic validator: a flag name alone (`--port`), no value."""
    check_flag(value)
    if re.search(r"[\s=]", value):
        raise ValueError(f"a flag name alone, without a value (e.g. '--port'), got {value!r}")
    return value


FlagName = Annotated[str, After(check_flag_name)]
