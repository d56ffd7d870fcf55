"""Find the `sglang serve` commands in a shell text, pure (no shell is run).

Handles: comments and blank lines; backslash continuations and quotes over several lines;
`NAME=VALUE` prefixes and earlier `export NAME=VALUE` lines; `sudo` / `env` / `exec` / `nohup`
/ `time` / `uv run` in front; `sglang serve …` (a leading model path and `--model-type` as its
wrapper reads them); `python3 -m sglang.launch_server …`; `docker run … IMAGE <one of those>`
(its `--env` / `-e` values are the container's env); `bash -c '…'`; several commands per file
(`;`, `&&`, `|` or lines), each with the line it starts on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .docker import docker_options, env_from_options, split_run

_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_SEPARATORS = {";", "&&", "||", "|", "&"}
_WRAPPERS = {"sudo", "exec", "nohup", "time", "command"}


@dataclass(frozen=True)
class ParsedCommand:
    line: int
    launcher: str  # "sglang serve" or "python -m sglang.launch_server"
    env: tuple[str, ...]
    argv: tuple[str, ...]
    framing: Literal["python", "docker"] = "python"
    docker_args: tuple[str, ...] = ()
    docker_image: str | None = None
    model_type: str | None = None


@dataclass(frozen=True)
class TextProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


# One physical line, read from the quote open at its start. Outside quotes one match takes, in
# C, everything bash reads as plain: runs of other characters, a backslash and the character
# it escapes, '…' and "…" strings closed on this line, a `#` inside a word. It stops at a `#`
# that starts a word (a comment), at a quote this line does not close, or at the end. Each
# alternative starts with a different character, "…" is unrolled and nothing follows the
# repetition: the only failing try is an unclosed "…" (linear), and it ends the match.
_UNQUOTED = re.compile(r"""(?:[^\\'"#]+|\\.?|'[^']*'|"[^"\\]*(?:\\.[^"\\]*)*"|(?<=\S)#)*""", re.DOTALL)
# The rest of a quote opened on an earlier line, up to its closing quote.
_CLOSING = {"'": re.compile("[^']*'"), '"': re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)}


def _scan_line(line: str, quote: str | None) -> tuple[str | None, int]:
    """(the quote still open at the end of one physical line given the one open at its start,
    the column of the `#` that starts its comment, or -1). A `#` that starts a word outside
    quotes (at the line's start or after a space) makes the rest of the line a comment."""
    pos = 0
    if quote is not None:
        closed = _CLOSING[quote].match(line)
        if closed is None:
            return quote, -1
        pos = closed.end()
    end = _UNQUOTED.match(line, pos).end()
    if end == len(line):
        return None, -1
    return (None, end) if line[end] == "#" else (line[end], -1)  # a comment, or a quote left open


# (the line as written, the quote open at its start, the quote open at its end, its comment column)
Scanned = list[tuple[str, str | None, str | None, int]]


def _scan(text: str) -> Scanned:
    """Each physical line (only "\\n" ends one; a CR stays in it), read once for both
    line_problems and logical_lines. The CR never changes what the line reads as."""
    out: Scanned = []
    quote: str | None = None
    for raw in text.split("\n"):
        after, comment = _scan_line(raw, quote)
        out.append((raw, quote, after, comment))
        quote = after
    return out


MAX_LINE_PROBLEMS = 20


def line_problems(text: str, lines: Scanned | None = None) -> list[TextProblem]:
    """Lines bash reads differently from how they look: a backslash followed by spaces at the
    end of a line (bash reads an escaped space and ends the command there), and CRLF line
    endings (the carriage return becomes part of the last word, and `\\` + CR continues
    nothing). Each is reported with its physical line number (not inside quotes or comments)."""
    out: list[TextProblem] = []
    spaced = 0
    crlf: list[int] = []
    for n, (raw, quote, after, comment) in enumerate(_scan(text) if lines is None else lines, 1):
        if quote is not None or after is not None or comment >= 0:
            continue
        body = raw
        if raw.endswith("\r"):
            crlf.append(n)
            body = raw[:-1]
        if body.endswith((" ", "\t")):  # an unescaped backslash, then spaces or tabs
            kept = body.rstrip(" \t")
            if (len(kept) - len(kept.rstrip("\\"))) % 2 == 1:
                spaced += 1
                if spaced <= MAX_LINE_PROBLEMS:
                    out.append(
                        TextProblem(
                            n,
                            "a space follows the line-continuation backslash: bash reads `\\ ` as an escaped "
                            "space and ends the command at this line; the next lines run as a separate "
                            "command. Remove the trailing spaces after the backslash",
                        )
                    )
    if spaced > MAX_LINE_PROBLEMS:
        out.append(TextProblem(None, f"{spaced - MAX_LINE_PROBLEMS:,} more lines with a space after the backslash"))
    if crlf:
        more = f" (and {len(crlf) - 1} more line{'s' if len(crlf) > 2 else ''})" if len(crlf) > 1 else ""
        out.append(
            TextProblem(
                crlf[0],
                f"the line ends with CRLF (Windows line endings){more}: bash reads the carriage return as "
                "part of the last word, so a continuation backslash does not continue and the last value "
                "gains a stray \\r. Convert the file to LF endings (dos2unix)",
            )
        )
    return out


def logical_lines(text: str, lines: Scanned | None = None) -> list[tuple[int, str]]:
    """(first line number, joined text) of each logical shell line, without its comments (a
    `#` that starts a word outside quotes, to the end of its line: `a#b` is one word; shlex
    would cut it). Only "\\n" ends a line (as in bash); a value still quoted at the end of a
    line keeps its trailing spaces."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, (raw, quote, after, comment) in enumerate(_scan(text) if lines is None else lines, 1):
        line = raw.removesuffix("\r") if after else raw.rstrip()
        if not buf:
            if not line or line.lstrip().startswith("#"):
                continue
            start = n
        elif quote is None and line.lstrip().startswith("#"):
            continue  # a comment inside a pasted continuation: skipped, leniently
        if after is None and (len(line) - len(line.rstrip("\\"))) % 2 == 1:
            line = line[:-1]  # a continuation: the next line joins this one
            buf.append(line[:comment] if comment >= 0 else line)
            continue
        buf.append(line[:comment] if comment >= 0 else line)
        if after is None:
            out.append((start, "\n".join(buf)))
            buf = []
    if buf:
        out.append((start, "\n".join(buf)))
    return out


# A word as shlex (posix) reads it: unquoted characters, backslash escapes, '…' and "…"
# strings, up to unquoted whitespace (shlex's: space, tab, CR, LF). Each alternative starts
# with a different character and the "…" one is unrolled, so matching is linear.
_BLANK = " \t\r\n"
_WORD = re.compile(
    r"""(?:[^ \t\r\n'"\\]+|\\.|'[^']*'|"[^"\\]*(?:\\.[^"\\]*)*")+|[ \t\r\n]+""",
    re.DOTALL,
)
_PART = re.compile(r"""'([^']*)'|"([^"\\]*(?:\\.[^"\\]*)*)"|\\(.)""", re.DOTALL)
_PIECES = re.compile(r"""([^'"\\]+)|'([^']*)'|"([^"\\]*)"|\\(.)""", re.DOTALL)  # "…" without a backslash
_QUOTING = re.compile(r"""['"\\]""")
_PLAIN_WORDS = re.compile(r"[^ \t\r\n]+")


def _part_text(m: re.Match[str]) -> str:
    single, double, escaped = m.groups()
    if single is not None:
        return single
    if double is not None:  # inside "…", a backslash escapes only a backslash and a quote
        if "\\" not in double:
            return double
        # Every backslash here starts a pair, so `\\` splits at pairs; then `\"` is one too.
        return "\\".join([piece.replace('\\"', '"') for piece in double.split("\\\\")])
    return escaped


def split_words(text: str) -> list[str]:
    """`shlex.split(text)` (posix, no comments) in linear time: shlex grows each word one
    character at a time, which is quadratic on a long word. ValueError like shlex's."""
    if _QUOTING.search(text) is None:
        return _PLAIN_WORDS.findall(text)
    tokens = _WORD.findall(text)  # words and the blanks between them, in turn, unless unreadable
    if sum(map(len, tokens)) != len(text):
        _unreadable(text, tokens)
    words = tokens[1::2] if tokens[0][0] in _BLANK else tokens[::2]
    return [_read_word(word) if _QUOTING.search(word) else word for word in words]


def _read_word(word: str) -> str:
    """One word without its quotes and escapes. Unless a backslash may stand inside "…", each
    piece is one group of one findall, joined in C (no Python call per piece)."""
    if '"' in word and "\\" in word:
        return _PART.sub(_part_text, word)
    return "".join(map("".join, _PIECES.findall(word)))


def _unreadable(text: str, tokens: list[str]) -> None:
    """shlex's ValueError for the first token not where the one before it ended (the first
    place `text` cannot be read as words: a token that matched later would match there too)."""
    pos = 0
    for token in tokens:
        if not text.startswith(token, pos):
            break
        pos += len(token)
    rest = text[pos:]
    odd = (len(rest) - len(rest.rstrip("\\"))) % 2 == 1
    raise ValueError("No escaped character" if rest[0] != "'" and odd else "No closing quotation")


def _statements(tokens: list[str]) -> list[list[str]]:
    if _SEPARATORS.isdisjoint(tokens) and ";\0" not in "\0".join(tokens) + "\0":
        return [tokens] if tokens else []  # one statement (no token is or ends with a separator)
    out: list[list[str]] = [[]]
    for tok in tokens:
        if tok in _SEPARATORS:
            out.append([])
        elif tok.endswith(";") and len(tok) > 1 and not tok.endswith("\\;"):
            out[-1].append(tok[:-1])
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


_REDIRECT_ALONE = {">", ">>", "<", "1>", "1>>", "2>", "2>>", "&>", "&>>"}
_REDIRECT_JOINED = re.compile(r"^(?:[12&]?>>?|<)\S+$")
_PLACEHOLDER = re.compile(r"^<[A-Za-z0-9_.-]+>")


def strip_redirections(tokens: list[str]) -> list[str]:
    """Drop `> log`, `2>&1`, `>>log`, `< in`; keep placeholders such as `<node-rank>`."""
    joined = "".join(tokens)
    if "<" not in joined and ">" not in joined:
        return list(tokens)
    out: list[str] = []
    skip = False
    for tok in tokens:
        if skip:
            skip = False
        elif _PLACEHOLDER.match(tok):
            out.append(tok)
        elif tok in _REDIRECT_ALONE:
            skip = True
        elif not _REDIRECT_JOINED.match(tok):
            out.append(tok)
    return out


def normalize_serve_argv(argv: list[str]) -> tuple[list[str], str | None]:
    """As `sglang serve` does: drop `--model-type X`, read a leading positional as --model-path."""
    model_type = None
    out: list[str] = []
    i = 0
    if "--model-type" not in "\0".join(argv):  # nothing to drop: a long argv is not walked
        out, i = list(argv), len(argv)
    while i < len(argv):
        if argv[i] == "--model-type" and i + 1 < len(argv):
            model_type, i = argv[i + 1], i + 2
            continue
        if argv[i].startswith("--model-type="):
            model_type, i = argv[i].split("=", 1)[1], i + 1
            continue
        out.append(argv[i])
        i += 1
    if out and not out[0].startswith("-"):
        out = ["--model-path", *out]
    return out, model_type


def _strip_wrappers(tokens: list[str], env: list[str]) -> list[str]:
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _ENV.match(tok):
            env.append(tok)
        elif tok in _WRAPPERS or (tok == "env" and i + 1 < len(tokens)):
            pass
        elif tok.startswith("-") and i > 0 and tokens[i - 1] in ("sudo", "env", "time"):
            pass  # sudo -E, env -i, …
        elif tok == "uv" and tokens[i + 1 : i + 2] == ["run"]:
            i += 1
        else:
            break
        i += 1
    return tokens[i:]


def _launch(rest: list[str]) -> tuple[str, list[str]] | None:
    """(launcher, argv) when `rest` starts an SGLang server."""
    if len(rest) >= 2 and rest[0].rsplit("/", 1)[-1] == "sglang" and rest[1] == "serve":
        return "sglang serve", rest[2:]
    if rest and _PYTHON.match(rest[0].rsplit("/", 1)[-1]):
        i = 1
        while i < len(rest) and rest[i].startswith("-") and rest[i] != "-m":
            i += 1
        if rest[i : i + 2] == ["-m", "sglang.launch_server"]:
            return "python -m sglang.launch_server", rest[i + 2 :]
    return None


class _Exported(dict[str, str]):
    """The variables exported so far. Their NAME=VALUE tuple is built once per change and
    shared by the commands after it: a script of many exports and many commands stays linear."""

    _env: tuple[str, ...] | None = None

    def __setitem__(self, name: str, value: str) -> None:
        self._env = None
        super().__setitem__(name, value)

    def env(self, prefix: list[str]) -> tuple[str, ...]:
        if self._env is None:
            self._env = tuple(f"{k}={v}" for k, v in self.items())
        return (*self._env, *prefix) if prefix else self._env


def _command(tokens: list[str], exported: _Exported, line: int, docker: tuple | None = None) -> list[ParsedCommand]:
    if tokens[0] == "export":
        for tok in tokens[1:]:
            if _ENV.match(tok):
                name, value = tok.split("=", 1)
                exported[name] = value
        return []
    prefix: list[str] = []
    rest = _strip_wrappers(tokens, prefix)
    if len(rest) >= 2 and rest[0] in ("bash", "sh") and rest[1] == "-c" and len(rest) > 2:
        found, _ = _parse(rest[2], _Exported(exported), line, docker)
        return [
            ParsedCommand(
                line, c.launcher, (*prefix, *c.env), c.argv, c.framing, c.docker_args, c.docker_image, c.model_type
            )
            for c in found
        ]
    if docker is None and (rest[:2] == ["docker", "run"] or rest[:3] == ["docker", "container", "run"]):
        options, image, inner = split_run(rest[3:] if rest[1] == "container" else rest[2:])
        if image is None or not inner:
            return []
        env = env_from_options(docker_options(options))
        inner_env = _Exported(e.split("=", 1) for e in env)
        return _command(inner, inner_env, line, (tuple(options), image))
    launch = _launch(rest)
    if launch is None:
        return []
    launcher, argv = launch
    model_type = None
    if launcher == "sglang serve":
        argv, model_type = normalize_serve_argv(list(argv))
    env = exported.env(prefix)
    if docker is not None:
        return [ParsedCommand(line, launcher, env, tuple(argv), "docker", docker[0], docker[1], model_type)]
    return [ParsedCommand(line, launcher, env, tuple(argv), "python", (), None, model_type)]


def _parse(
    text: str, exported: _Exported, line_offset: int | None, docker: tuple | None, lines: Scanned | None = None
) -> tuple[list[ParsedCommand], list[TextProblem]]:
    commands: list[ParsedCommand] = []
    problems: list[TextProblem] = []
    for start, logical in logical_lines(text, lines):
        line = line_offset if line_offset is not None else start
        try:
            tokens = split_words(logical)
        except ValueError as exc:
            problems.append(TextProblem(line, f"cannot read this as shell text: {exc}"))
            continue
        for statement in _statements(tokens):
            statement = strip_redirections(statement)
            if statement:
                commands += _command(statement, exported, line, docker)
    return commands, problems


MAX_TEXT = 1024 * 1024  # characters: far above any launch script; keeps every path below linear
MAX_LINES = 100_000  # lines: each costs a few µs of Python; a launch script has a few hundred


def parse_commands(text: str) -> tuple[list[ParsedCommand], list[TextProblem]]:
    """The SGLang server commands in `text`, and what could not be read (never raises); not
    read over MAX_TEXT characters or MAX_LINES lines (one problem says so)."""
    count = text.count("\n")
    if len(text) > MAX_TEXT or count >= MAX_LINES:
        size = f"{len(text):,} characters" if len(text) > MAX_TEXT else f"{count:,} lines"
        limit = f"{MAX_TEXT:,} characters" if len(text) > MAX_TEXT else f"{MAX_LINES:,} lines"
        return [], [TextProblem(None, f"the text has {size}, over the lint's limit of {limit}; not read")]
    lines = _scan(text)  # read once, for the commands and for the lines bash reads otherwise
    commands, problems = _parse(text, _Exported(), None, None, lines)
    return commands, sorted([*line_problems(text, lines), *problems], key=lambda p: p.line or 0)
