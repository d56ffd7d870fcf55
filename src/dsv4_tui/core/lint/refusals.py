"""Known refusals (rules/checks.toml [[known_refusal]]): a cookbook cell's flag value that the
released SGLang refuses because it exists only in the cell's own preview image.

The finding keeps its truth (SGLang 0.5.23 refuses the value) and gains the explanation. It
stays an error unless the command runs in that very image (Docker framing), which has the
value: there it is a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .argv import ParsedArgv
from .checks_model import KnownRefusal
from .findings import Finding, LintContext
from .table import SglangTable

IN_IMAGE = " This command runs in {image}, which has it: a warning here, not an error."


def _refused(
    table: SglangTable, parsed: ParsedArgv, finding: Finding, known: Sequence[KnownRefusal], ctx: LintContext
) -> KnownRefusal | None:
    for r in known:
        if r.check != finding.id or (ctx.hw is not None and ctx.hw not in r.hardware):
            continue
        primary = table.spec(r.subject)
        for occ in parsed.occurrences:
            same = primary is not None and occ.spec is not None and occ.spec.primary == primary.primary
            if same and occ.written == finding.subject and r.value in occ.values:
                return r
    return None


def explain_refusals(
    table: SglangTable, parsed: ParsedArgv, findings: list[Finding], known: Sequence[KnownRefusal], ctx: LintContext
) -> list[Finding]:
    """The findings, each known refusal with its `why` (and a warning in its own image)."""
    if not known:
        return findings
    out = []
    for f in findings:
        r = _refused(table, parsed, f, known, ctx) if f.level == "error" else None
        if r is None:
            out.append(f)
        elif ctx.framing == "docker" and ctx.docker_image == r.image:
            out.append(replace(f, level="warning", note=r.why + IN_IMAGE.format(image=r.image), note_short=r.short))
        else:
            out.append(replace(f, note=r.why, note_short=r.short))
    return out
