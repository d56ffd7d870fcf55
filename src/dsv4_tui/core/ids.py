"""Turning what a user typed into an option id: ids and labels, in any case.

`--hw H200`, `--hw "RTX PRO 6000"` and `--override speculative=NGRAM` all name an option.
An unknown word gets the closest id as a suggestion, then the valid list.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from .visible import visible_line


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


class UnknownId(ValueError):
    """`word` names none of `valid`; `suggestion` is the closest id, if any."""

    def __init__(self, what: str, word: str, valid: Sequence[str], suggestion: str | None):
        self.what, self.word, self.valid, self.suggestion = what, word, tuple(valid), suggestion
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        super().__init__(f"unknown {what} '{visible_line(word)}'{hint}; valid: {', '.join(self.valid)}")


def find_id(word: str, options: Sequence[tuple[str, str]], what: str) -> str:
    """The id among (id, label) pairs that `word` names (id or label, any case)."""
    for oid, _ in options:
        if word == oid:
            return oid
    wanted = _norm(word)
    for oid, label in options:
        if wanted in (_norm(oid), _norm(label)):
            return oid
    ids = list(dict.fromkeys(oid for oid, _ in options))
    pool = {_norm(oid): oid for oid, _ in options} | {_norm(label): oid for oid, label in options}
    close = difflib.get_close_matches(wanted, list(pool), n=1, cutoff=0.5)
    raise UnknownId(what, word, tuple(ids), pool[close[0]] if close else None)
