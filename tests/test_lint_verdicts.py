"""The lint agrees with SGLang itself: tests/data/sglang-verdicts.json holds the verdicts of
SGLang 0.5.23's own parser and DeepSeek-V4 start-up hooks on a corpus of commands (the cells,
every single Playground override, seeded combinations, mutations), recorded by
tools/sglang_verdicts.py (`make sglang-verdicts`). No SGLang is needed here.

A lint error "refuses" a command when it names something SGLang stops on at start-up. Errors
about what the harness cannot see are left out of the comparison, each with its reason
(NOT_SEEN_BY_THE_HARNESS); commands the harness could not judge ("unknown": a value SGLang
resolves from GPU memory or weights was missing) are counted apart.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache

import pytest

from dsv4_tui.core.checks_view import command_checks
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules
from test_lint_support import DATA, ROOT, linter

VERDICTS = DATA / "sglang-verdicts.json"

NOT_SEEN_BY_THE_HARNESS = {
    "gpus-fit": "GPU count of the box: the harness has no GPUs",
    "gpus-fit-dp-attention": "GPU count of the box: the harness has no GPUs",
    "rtx6000-flash-only": "the model does not fit in memory: fails at load, not at start-up",
    "rtx6000-no-hicache": "the page's hardware note: no SGLang start-up check",
    "rtx6000-no-megamoe": "the page's hardware note: no SGLang start-up check",
    "rtx6000-docker-image": "the Docker image: outside SGLang",
    "deepep-dispatch-per-rank": "DeepEP's buffer overflows at steady load (deep_ep.cpp), not at start-up",
    "megamoe-decode-tokens-per-rank": "validate_mega_moe_token_budget runs after the weights load: not in the harness",
    "megamoe-chunked-prefill": "validate_mega_moe_token_budget runs after the weights load: not in the harness",
}


@lru_cache(maxsize=1)
def _records() -> list[dict]:
    return json.loads(VERDICTS.read_text(encoding="utf-8"))["records"]


@lru_cache(maxsize=1)
def _rules():
    return load_rules(ROOT / "rules", cache=False)


def _lint_refuses(record: dict) -> tuple[bool, list[str]]:
    checks = command_checks(linter(), _rules(), Selection(*record["sel"]), record["text"])
    report = checks.reports[record["index"]]
    errors = [f.id for f in report.findings if f.level == "error" and f.id not in NOT_SEEN_BY_THE_HARNESS]
    return bool(errors), errors


def confusion() -> tuple[Counter, list[tuple[str, dict, list[str]]]]:
    counts: Counter = Counter()
    wrong = []
    for record in _records():
        if record["verdict"] == "unknown":
            counts["unknown"] += 1
            continue
        refuses, errors = _lint_refuses(record)
        sglang = record["verdict"] == "reject"
        key = {(True, True): "both reject", (False, False): "both accept", (True, False): "missed"}.get(
            (sglang, refuses), "false alarm"
        )
        counts[key] += 1
        if key in ("missed", "false alarm"):
            wrong.append((key, record, errors))
    return counts, wrong


def test_the_corpus_covers_cells_overrides_combinations_and_mutations():
    kinds = Counter(r["origin"].split()[0] for r in _records())
    assert (
        kinds["cell"] >= 60 and kinds["override"] >= 1000 and kinds["combination"] >= 150 and kinds["mutation"] >= 300
    )


def test_the_lint_agrees_with_every_recorded_verdict():
    counts, wrong = confusion()
    shown = [
        f"{kind}: {r['origin']} | SGLang {r['stage']}: {r['message'][:120]} | lint: {errors} | {r['text'][-160:]!r}"
        for kind, r, errors in wrong[:15]
    ]
    assert not wrong, f"{dict(counts)}\n" + "\n".join(shown)


@pytest.mark.parametrize("check_id", sorted(NOT_SEEN_BY_THE_HARNESS))
def test_every_exception_is_a_rule_that_exists(check_id):
    ids = {c.id for c in _rules().checks.check}
    assert check_id in ids
