"""Hostile command-line values (issue 19, items 16, 17, 22): a usage error (exit 2) or a
clear message, never a traceback, and nothing raw in a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dsv4_tui import cli


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "flag,to,value",
    [
        ("--image", "lws", os.fsdecode(b"img\xff")),  # what bash passes for $'img\xff'
        ("--image", "lws", "img\u202e:latest"),
        ("--image", "srt-slurm", "img\x85x"),
        ("--model-dir", "srt-slurm", "/models/\u2066x"),
        ("--model-dir", "srt-slurm", "/models/\x9b2J"),
    ],
)
def test_export_text_options_must_be_printable(capsys, tmp_path, flag, to, value):
    out = tmp_path / "out.yaml"
    code, stdout, err = run(capsys, "export", "--to", to, flag, value, "-o", str(out))
    assert code == 2 and stdout == "" and "printable" in err and flag in err
    assert not out.exists()
    assert all(ch not in err for ch in value if not ch.isprintable() or ord(ch) >= 0xD800 and ord(ch) < 0xE000)


@pytest.mark.parametrize("value", ["nan", "-1", "0", "inf", "-inf", "soon"])
def test_probe_deadline_must_be_a_positive_finite_number(capsys, value):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--probe-deadline", value, "--version"])
    assert exit_.value.code == 2
    assert "--probe-deadline" in capsys.readouterr().err


def test_a_good_probe_deadline_is_taken(capsys):
    assert cli.seconds("2.5") == 2.5
    assert cli.main(["--probe-deadline", "2.5", "--version"]) == 0


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux /proc")
def test_lint_of_a_file_that_cannot_be_read_is_a_clear_message(capsys):
    code, out, err = run(capsys, "lint", "/proc/self/mem")  # open works, read gives EIO
    assert code == 2 and out == ""
    assert "/proc/self/mem: cannot read" in err and "Traceback" not in err
