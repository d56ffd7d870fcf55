"""The Playground never builds a command SGLang refuses (issue 17).

An option whose pick, on the current Playground state, would bring a lint error that the
current command does not already have is greyed, with the rule's short `reason`
(rules/checks.toml) in the user's words. Nothing here knows a flag or a model: the rules
are the data, the lint is the judge.

Cost: one `apply` + one lint (without checking the fixes) per option shown (~35 per state).
That is too slow for a chip press (~40–100 ms), so the App runs a `Gate` in small steps after
the press and caches the result per state; `refusal` answers one pick at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from .checks_view import lint_context
from .playground.apply_cards import apply
from .playground.state import Overrides
from .playground.views import CardView, set_choice
from .rules import Rules
from .selection import Selection

if TYPE_CHECKING:
    from .lint import Linter

Refused = Mapping[tuple[str, str], str]  # (knob key, choice id) -> why it is greyed


def candidates(views: Iterable[CardView]) -> list[tuple[str, str]]:
    """The options the user can pick now: shown, not greyed, not the knob's selected one."""
    return [
        (knob.key, c.id)
        for card in views
        if not card.hidden
        for knob in card.knobs
        if not knob.hidden
        for c in knob.choices
        if not c.hidden and not c.disabled and c.id != knob.selected
    ]


def _value(flags: list[str], name: str) -> str | None:
    for f in flags:
        head, _, rest = f.partition(" ")
        if head == name:
            return rest.strip() or None
        if head.startswith(name + "="):
            return head.split("=", 1)[1]
    return None


def command_errors(
    linter: Linter, rules: Rules, sel: Selection, ov: Overrides
) -> tuple[dict[tuple[str, str], str], frozenset[str]]:
    """The lint errors of the Playground command for `ov` ((id, subject) -> short reason),
    and the command's words (env entries and flags as the rules write them)."""
    env, flags = apply(rules, sel, ov)
    if not flags:
        return {}, frozenset()
    ctx = lint_context(rules, sel)
    role = _value(flags, rules.playground.pd.mode_flag)
    nnodes = _value(flags, "--nnodes")
    ctx = replace(
        ctx,
        role=role if role in ("prefill", "decode") else None,  # type: ignore[arg-type]
        nodes=int(nnodes) if nnodes and nnodes.isdigit() else ctx.nodes,
    )
    from .lint import split_flags

    errors = {(f.id, f.subject): f.short for f in linter.errors(env, split_flags(flags), ctx)}
    return errors, frozenset((*env, *flags))


def _name(word: str) -> str:
    return word.split("=", 1)[0] if not word.startswith("-") else word.split(None, 1)[0].split("=", 1)[0]


class Gate:
    """The refusals of one state, computed one option per `step` (the App interleaves the
    steps with key presses)."""

    def __init__(self, rules: Rules, linter: Linter, sel: Selection, ov: Overrides, views: Iterable[CardView]):
        self.rules, self.linter, self.sel, self.ov = rules, linter, sel, ov
        self.todo = candidates(views)
        self.refused: dict[tuple[str, str], str] = {}
        self._before: tuple[dict[tuple[str, str], str], frozenset[str]] | None = None

    @property
    def done(self) -> bool:
        return not self.todo

    def step(self) -> None:
        if self._before is None:
            self._before = command_errors(self.linter, self.rules, self.sel, self.ov)
            return
        if not self.todo:
            return
        key, cid = self.todo.pop(0)
        why = self._refusal(key, cid)
        if why is not None:
            self.refused[(key, cid)] = why

    def _refusal(self, key: str, cid: str) -> str | None:
        return self.why(set_choice(self.rules, self.ov, key, cid))

    def why(self, picked: Overrides) -> str | None:
        """Why the state `picked` is refused: a lint error this gate's state does not have."""
        if picked == self.ov:
            return None
        if self._before is None:
            self._before = command_errors(self.linter, self.rules, self.sel, self.ov)
        before, words = self._before
        after, words_after = command_errors(self.linter, self.rules, self.sel, picked)
        new = [(k, why) for k, why in after.items() if k not in before]
        if not new:
            return None
        # The error about what the pick itself changes says it best (NGRAM: the algorithm,
        # not the DeepEP buffer its draft tokens also overflow).
        changed = {_name(w) for w in words ^ words_after}
        return next((why for (_, subject), why in new if subject in changed), new[0][1])

    def refusal(self, key: str, cid: str) -> str | None:
        """Why picking `cid` on `key` is refused (answered now, whatever the steps done)."""
        if (key, cid) in self.refused:
            return self.refused[(key, cid)]
        return self._refusal(key, cid)  # `why` works out the state's own errors first

    def run(self) -> dict[tuple[str, str], str]:
        """Every step at once (the CLI, the tests)."""
        self.step()
        while self.todo:
            self.step()
        return self.refused


def refusal(linter: Linter, rules: Rules, sel: Selection, ov: Overrides, key: str, cid: str) -> str | None:
    """Why picking `cid` on knob `key` is refused now (None: it is not)."""
    return Gate(rules, linter, sel, ov, ()).refusal(key, cid)


def refused_overrides(linter: Linter, rules: Rules, sel: Selection, ov: Overrides) -> str | None:
    """Why the overrides `ov` together are refused on the cell of `sel` (the CLI's --override):
    a lint error the cell's own command does not have. None: they are not."""
    return Gate(rules, linter, sel, Overrides(), ()).why(ov)


def refused_options(
    linter: Linter, rules: Rules, sel: Selection, ov: Overrides, views: Iterable[CardView]
) -> dict[tuple[str, str], str]:
    return Gate(rules, linter, sel, ov, views).run()


def gated_cards(views: tuple[CardView, ...], refused: Refused) -> tuple[CardView, ...]:
    """The cards with every refused option greyed, its reason said."""
    if not refused:
        return views
    out = []
    for card in views:
        knobs = tuple(
            replace(
                knob,
                choices=tuple(
                    replace(c, disabled=True, reason=refused[(knob.key, c.id)])
                    if (knob.key, c.id) in refused and not c.hidden
                    else c
                    for c in knob.choices
                ),
            )
            if any(k == knob.key for k, _ in refused)
            else knob
            for knob in card.knobs
        )
        out.append(replace(card, knobs=knobs))
    return tuple(out)
