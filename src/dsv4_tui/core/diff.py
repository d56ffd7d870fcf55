"""Line diff (longest common subsequence) of the base command vs the Playground command.

`line_diff` gives (op, line) pairs: " " unchanged, "+" added (green), "-" removed (red,
struck through). Where a line is both removed and added at one spot, the removals come
first, like the cookbook page. `diff_lines` renders them as the page's text: op, a space,
the line (so an unchanged line starts with two spaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

DiffLine = tuple[str, str]
SAME, ADDED, REMOVED = " ", "+", "-"


def lcs_diff(a: Sequence[str], b: Sequence[str]) -> list[DiffLine]:
    """The LCS diff of two line lists."""
    n, m = len(a), len(b)
    # suffix[i][j] = length of the LCS of a[i:] and b[j:]
    suffix = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = suffix[i], suffix[i + 1]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if a[i] == b[j] else max(below[j], row[j + 1])
    out: list[DiffLine] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.append((SAME, a[i]))
            i += 1
            j += 1
        elif suffix[i + 1][j] >= suffix[i][j + 1]:
            out.append((REMOVED, a[i]))
            i += 1
        else:
            out.append((ADDED, b[j]))
            j += 1
    out += [(REMOVED, x) for x in a[i:]]
    out += [(ADDED, x) for x in b[j:]]
    return out


def line_diff(base_text: str, new_text: str) -> list[DiffLine]:
    """The LCS diff of two texts, line by line (empty texts have no lines)."""
    return lcs_diff(_lines(base_text), _lines(new_text))


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def diff_lines(diff: Iterable[DiffLine]) -> list[str]:
    """The page's text form: `"+ line"`, `"- line"`, `"  line"`."""
    return [f"{op} {line}" for op, line in diff]
