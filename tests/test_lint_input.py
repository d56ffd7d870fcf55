"""The lint reads shell text as bash does (issue 17 item 4 / issue 18 item 6) and stays bounded
and linear on pathological input (issue 19 item 9). Times are in benchmarks/, not here."""

from __future__ import annotations

import io
import random
import shlex

import pytest

from dsv4_tui.cli import main
from dsv4_tui.core.lint import format_text, parse_commands
from dsv4_tui.core.lint.argv import parse_argv
from dsv4_tui.core.lint.flagchecks import argv_findings
from dsv4_tui.core.lint.linter import MAX_COMMANDS, MAX_PER_KIND, MAX_WORDS
from dsv4_tui.core.lint.shell import MAX_LINES, MAX_TEXT, split_words
from dsv4_tui.core.lint.table import SUGGESTIONS_MAX
from test_lint_support import linter, table


def _problem_lines(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parse_commands(text)[1]]


def test_a_space_after_the_continuation_backslash_is_reported_on_its_line():
    text = "# launch\nsglang serve \\\n  --model-path m \\ \n  --tp 4\n"
    problems = _problem_lines(text)
    assert [line for line, _ in problems] == [3]
    assert "space follows the line-continuation backslash" in problems[0][1]
    _, found = linter().lint_text(text)
    assert found and found[0].line == 3  # the lint is no longer "clean"


@pytest.mark.parametrize(
    "text",
    [
        "sglang serve --model-path m \\\n  --tp 4\n",  # a plain continuation
        "sglang serve --model-path 'a \\ \n b' --tp 4\n",  # inside single quotes: literal
        "sglang serve --model-path m --tp 4  # done \\ \n",  # inside a comment
        "sglang serve --model-path m\\\\ \n",  # an escaped backslash, then a space
    ],
)
def test_no_false_alarm_for_backslashes_bash_reads_as_written(text):
    assert _problem_lines(text) == []


def test_crlf_line_endings_are_reported_with_the_first_line():
    text = "#!/bin/bash\nexport A=1\r\nsglang serve \\\r\n  --model-path m \\\r\n  --tp 4\r\n"
    problems = _problem_lines(text)
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 2 and "CRLF" in message and "and 3 more lines" in message


def test_a_carriage_return_inside_a_comment_is_harmless():
    assert _problem_lines("sglang serve --model-path m --tp 4  # note\r\n") == []


def test_split_words_reads_like_shlex_on_random_text():
    rng = random.Random(17)
    alphabet = ["a", "b", " ", "\t", "\n", "\r", "'", '"', "\\", "$", "#", "\x0c", "\u2028"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        try:
            expected: object = shlex.split(text)
        except ValueError as exc:
            expected = ("error", str(exc))
        try:
            got: object = split_words(text)
        except ValueError as exc:
            got = ("error", str(exc))
        assert got == expected, repr(text)


def test_a_word_of_a_megabyte_is_read():
    word = "a" * (MAX_TEXT - 100)
    (cmd,), problems = parse_commands(f"sglang serve --model-path '{word}'")
    assert problems == [] and cmd.argv == ("--model-path", word)


def test_text_over_the_limit_is_refused_with_a_message():
    commands, problems = parse_commands("sglang serve --model-path m " + "a" * MAX_TEXT)
    assert commands == [] and len(problems) == 1 and "over the lint's limit" in problems[0].message


def test_text_over_the_line_limit_is_refused_with_a_message():
    """Each line costs a few µs of Python: 1 MB of tiny lines (5·10⁵) took seconds."""
    commands, problems = parse_commands("sglang serve --tp 1\n" + "'\n" * MAX_LINES)
    assert commands == []
    assert [p.message for p in problems] == [
        f"the text has {MAX_LINES + 1:,} lines, over the lint's limit of {MAX_LINES:,} lines; not read"
    ]
    (cmd,), _ = parse_commands("sglang serve --tp 1\n" + "#\n" * (MAX_LINES - 2))  # just under: read
    assert cmd.argv == ("--tp", "1")


def test_findings_per_kind_are_capped_and_counted():
    (report,), problems = linter().lint_text("sglang serve --model-path m " + "--=x " * 100_000)
    assert [p.message for p in problems] == [f"100,002 words in one command: only the first {MAX_WORDS:,} are checked"]
    ambiguous = [f for f in report.findings if f.id == "ambiguous-flag"]
    assert len(ambiguous) == MAX_PER_KIND
    more = [f for f in report.findings if f.id == "more-findings"]
    assert len(more) == 1 and f"{MAX_WORDS - 2 - MAX_PER_KIND:,} more ambiguous-flag" in more[0].message
    assert all(f.message.count("--") < 20 for f in ambiguous)  # `--` matches every option: a few are named
    assert len(format_text([report])) < 20_000


def test_only_the_listed_unknown_flags_get_a_did_you_mean():
    argv = tuple(t for i in range(SUGGESTIONS_MAX + 30) for t in (f"--tp-sise{i}", "1"))
    found, _ = argv_findings(table(), parse_argv(table(), ("--model-path", "m", *argv)))
    unknown = [f for f in found if f.id == "unknown-flag"]
    assert len(unknown) == MAX_PER_KIND and all("did you mean" in f.message for f in unknown)
    (more,) = [f for f in found if f.id == "more-findings"]
    assert f"{SUGGESTIONS_MAX + 30 - MAX_PER_KIND} more unknown-flag findings" in more.message


class _Endless:
    """stdin that never ends (like /dev/zero): read(n) must be given a bound."""

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            raise AssertionError("stdin read without a bound")
        return b"\0" * n


def test_cli_caps_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", type("S", (), {"buffer": _Endless(), "isatty": lambda self: False})())
    assert main(["lint", "--bundled", "-"]) == 2
    assert "larger than the lint's limit of 1 MB" in capsys.readouterr().err


def test_cli_refuses_a_device_and_a_big_file(tmp_path, capsys):
    assert main(["lint", "--bundled", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err
    big = tmp_path / "big.sh"
    big.write_text("sglang serve --model-path " + "a" * (4 * MAX_TEXT), encoding="utf-8")
    assert main(["lint", "--bundled", str(big)]) == 2
    assert "larger than 1 MB" in capsys.readouterr().err


def test_cli_reads_a_small_stdin(monkeypatch, capsys):
    monkeypatch.setattr(
        "sys.stdin",
        type("S", (), {"buffer": io.BytesIO(b"sglang serve --model-path m\n"), "isatty": lambda self: False})(),
    )
    assert main(["lint", "--bundled", "-"]) == 0


def test_commands_per_text_and_backslash_lines_are_capped():
    text = "sglang serve --model-path m\n" * (MAX_COMMANDS + 50) + "echo \\ \n" * 40
    reports, problems = linter().lint_text(text)
    assert len(reports) == MAX_COMMANDS
    assert any(f"only the first {MAX_COMMANDS} are checked" in p.message for p in problems)
    assert sum("space follows the line-continuation backslash" in p.message for p in problems) == 20
    assert any("more lines with a space after the backslash" in p.message for p in problems)


def test_many_exports_then_many_commands_share_one_env_tuple():
    """Each command carries every exported NAME=VALUE: built per command, 30k exports then 30k
    commands (1 MB) made 9·10⁸ strings. The tuple is built once per change and shared."""
    text = (
        "".join(f"export A{i}=1\n" for i in range(300)) + "sglang serve --tp 1\n" * 300 + "export B=2\nsglang serve\n"
    )
    commands, problems = parse_commands(text)
    assert problems == [] and len(commands) == 301
    assert commands[0].env == tuple(f"A{i}=1" for i in range(300))
    assert all(c.env is commands[0].env for c in commands[:300])  # one tuple, not 300 copies
    assert commands[-1].env == (*commands[0].env, "B=2")
    (prefixed,) = parse_commands("export A=1\nX=2 sglang serve")[0]
    assert prefixed.env == ("A=1", "X=2")
