"""Problems found while building or validating: what rule was broken, where, how badly, and how to fix it.

A problem's severity (``error``, ``warning`` or ``info``) is its rule's, from the catalogue of checks
(kb/checks/catalogue.py), unless it carries its own (a SHACL result's ``sh:resultSeverity``) or the home's
profile overrides it. Which severities block a build is the ``--fail-on`` level, as ROBOT's: by default errors do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

Severity = Literal["error", "warning", "info"]
FailOn = Literal["error", "warning", "info", "none"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)  # most severe first
FAIL_ON: tuple[FailOn, ...] = get_args(FailOn)


def blocks(severity: Severity, fail_on: FailOn) -> bool:
    """Whether a problem of ``severity`` fails a build run with ``--fail-on fail_on``: it is at least as severe."""
    if fail_on == "none":
        return False
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


@dataclass(frozen=True)
class Problem:
    """One violation, phrased for the curator who has to fix it."""

    rule: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    focus: str | None = None
    graph: str | None = None
    hint: str | None = None
    severity: Severity | None = None  # None: the rule's catalogued severity (set when the build judges it)

    @property
    def location(self) -> str:
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            return where
        if self.graph:
            return f"graph <{self.graph}>"
        return "knowledge base"

    def __str__(self) -> str:
        level = f"{self.severity} " if self.severity not in (None, "error") else ""
        text = f"{self.location}: {level}[{self.rule}] {self.message}"
        if self.focus:
            text += f" (entity <{self.focus}>)"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Problem:
        return cls(**data)  # type: ignore[arg-type]


@dataclass
class BuildFailed(Exception):
    """Raised when a build or validation finds problems that block it; nothing in ``dist/`` has been touched.
    ``notes`` are the problems found beside them that do not block (warnings, information)."""

    problems: list[Problem] = field(default_factory=list)
    stage: str = "build"
    notes: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.stage} failed with {len(self.problems)} problem(s):"
        lines = [head, *(f"  {p}" for p in self.problems)]
        if self.notes:
            lines.append(f"also found, not blocking ({len(self.notes)}):")
            lines += [f"  {p}" for p in self.notes]
        return "\n".join(lines)
