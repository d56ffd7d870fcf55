"""A problem in a rules file, named by file, line and key path; and the error listing them."""

from __future__ import annotations

from .frozen import frozen


@frozen
class Problem:
    file: str
    line: int | None
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return f"{place}: {self.where}: {self.message}" if self.where else f"{place}: {self.message}"


class RulesError(Exception):
    """One or more problems in a rules folder. str() lists them, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
