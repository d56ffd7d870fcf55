"""Secrets in an Env TOML text: masked for the screen, put back for the file.

The editor never shows a secret (HF_TOKEN) in full: its value is replaced by its masked form
(`hf_••••••••••••`). A masked line left as it is keeps the saved secret when the text is
saved; revealing is a deliberate key press. Works on any Env text, also a broken one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .env import mask

MASK_CHAR = "•"


def _line(key: str) -> re.Pattern[str]:
    # KEY = "basic string" or KEY = 'literal string' (quoted keys too), keeping what surrounds it.
    return re.compile(rf'^(\s*"?{re.escape(key)}"?\s*=\s*)("(?:[^"\\]|\\.)*"|\'[^\']*\')', re.M)


def _value(literal: str) -> str:
    if literal.startswith("'"):
        return literal[1:-1]
    try:
        return json.loads(literal)
    except ValueError:
        return literal[1:-1]


@dataclass(frozen=True)
class MaskedText:
    """The text shown, and for each secret key the (masked, real) TOML string literals."""

    text: str
    secrets: dict[str, tuple[str, str]]

    def unmasked(self, edited: str) -> str:
        """`edited` with every masked literal still in place put back to the real one."""
        for key, (masked, real) in self.secrets.items():
            edited = _line(key).sub(
                lambda m, m_=masked, r_=real: m.group(1) + (r_ if m.group(2) == m_ else m.group(2)), edited
            )
        return edited

    def remasked(self, edited: str) -> str:
        """`edited` with every real literal masked again (after a reveal)."""
        for key, (masked, real) in self.secrets.items():
            edited = _line(key).sub(
                lambda m, m_=masked, r_=real: m.group(1) + (m_ if m.group(2) == r_ else m.group(2)), edited
            )
        return edited


def mask_secrets(text: str, secret_keys: Iterable[str], defaults: dict[str, str]) -> MaskedText:
    """Mask the value of every secret key set in `text` (a default is not a secret)."""
    secrets: dict[str, tuple[str, str]] = {}
    for key in secret_keys:
        found = _line(key).search(text)
        if not found:
            continue
        real_literal = found.group(2)
        value = _value(real_literal)
        if value == defaults.get(key) or not value:
            continue
        masked_literal = json.dumps(mask(value), ensure_ascii=False)
        secrets[key] = (masked_literal, real_literal)
    return MaskedText(MaskedText(text, secrets).remasked(text), secrets)


def still_masked(value: str) -> bool:
    """A secret typed over its masked form (it contains the mask character)."""
    return MASK_CHAR in value
