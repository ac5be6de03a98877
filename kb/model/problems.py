"""Problems found while building or validating: what rule was broken, where, and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
        text = f"{self.location}: [{self.rule}] {self.message}"
        if self.focus:
            text += f" (entity <{self.focus}>)"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class BuildFailed(Exception):
    """Raised when a build or validation finds problems; nothing in ``dist/`` has been touched."""

    problems: list[Problem] = field(default_factory=list)
    stage: str = "build"

    def __str__(self) -> str:
        head = f"{self.stage} failed with {len(self.problems)} problem(s):"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
