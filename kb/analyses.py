"""The named analyses: each defined once, by ``kb/queries/cq-<name>.rq`` (header + SPARQL) and, where SPARQL
cannot do it well, a small Python step (kb/obligations.py, kb/overlap.py, …). The CLI, the web app and the
tests all call :func:`run`.

Header keys read here: ``title``, ``question``, ``rule``, ``returns`` (columns), ``params`` (names, ``?`` =
optional) and, per parameter, ``param_<name>: <kind> [types or choices] [default=<v>] | <description>``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from . import changes, crosswalk, evidence, gaps, impact, obligations, overlap  # noqa: F401  (register steps)
from .context import STEPS, RunContext
from .garbage import collector_paused
from .labels import ParameterError, normalise, resolve
from .paths import queries_dir
from .querydoc import QueryDoc
from .store import Store, term_text

__all__ = ["Analysis", "AnalysisResult", "Param", "ParameterError", "UnknownAnalysis", "analyses", "run"]


@dataclass(frozen=True)
class Param:
    name: str
    optional: bool
    kind: str  # "entity" | "date" | "text" | "number" | "choice"
    description: str
    choices: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class Analysis:
    name: str
    title: str
    question: str
    rule: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    query: str = field(repr=False, default="")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass
class AnalysisResult:
    analysis: str
    params: dict[str, str]
    columns: list[str]
    rows: list[dict[str, Any]]
    as_at: date = field(default_factory=date.today)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "analysis": self.analysis,
            "params": self.params,
            "as_at": self.as_at.isoformat(),
            "columns": self.columns,
            "rows": self.rows,
        }
        if self.notes:
            data["notes"] = self.notes
        return data


class UnknownAnalysis(KeyError):
    """No analysis of that name; ``suggestions`` holds the nearest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = suggestions

    def __str__(self) -> str:
        text = f"no analysis called '{self.name}'"
        return text + ("; did you mean: " + ", ".join(self.suggestions) if self.suggestions else "")


def _param(spec: str, name: str, optional: bool) -> Param:
    head, _, description = spec.partition("|")
    words = head.split()
    kind = words[0] if words else "text"
    default = None
    extra: list[str] = []
    for word in words[1:]:
        if word.startswith("default="):
            default = word[len("default=") :]
        else:
            extra.append(word)
    choices = tuple(extra) if kind == "choice" else ()
    types = tuple(extra) if kind == "entity" else ()
    return Param(name, optional, kind, description.strip(), choices, types, default)


def load(path_name: str) -> Analysis:
    doc = QueryDoc.load(queries_dir() / f"cq-{path_name}.rq")
    meta = doc.meta
    params = []
    for token in meta.get("params", "").split():
        name = token.rstrip("?")
        spec = meta.get(f"param_{name.replace('-', '_')}", "text")
        params.append(_param(spec, name, token.endswith("?")))
    return Analysis(
        name=doc.name,
        title=meta.get("title", doc.name),
        question=meta.get("question", ""),
        rule=meta.get("rule", ""),
        params=tuple(params),
        columns=tuple(meta.get("returns", "").split()),
        query=doc.text,
    )


@cache
def analyses() -> dict[str, Analysis]:
    """Every named analysis, by name, in file-name order."""
    names = sorted(p.stem[len("cq-") :] for p in queries_dir().glob("cq-*.rq"))
    return {a.name: a for a in (load(n) for n in names)}


def parse_date(value: str, param: str = "as-at") -> date:
    text = value.strip().lower()
    if text == "today":
        return date.today()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            param, value, f"{param}: '{value}' is not a date (use YYYY-MM-DD)", ["2024-04-01", "today"]
        ) from None


def _resolve(store: Store, p: Param, value: str) -> Any:
    if p.kind == "entity":
        return resolve(store, value, p.types or None, param=p.name)
    if p.kind == "date":
        return parse_date(value, p.name)
    if p.kind == "number":
        try:
            return float(value)
        except ValueError:
            raise ParameterError(p.name, value, f"{p.name}: '{value}' is not a number") from None
    if p.kind == "choice":
        key = normalise(value).replace(" ", "-")
        for choice in p.choices:
            if key == choice or key == normalise(choice).replace(" ", "-"):
                return choice
        near = difflib.get_close_matches(key, list(p.choices), n=3, cutoff=0.3) or list(p.choices)
        raise ParameterError(p.name, value, f"{p.name}: '{value}' is not one of {', '.join(p.choices)}", near)
    return value


def run(store: Store, name: str, params: Mapping[str, str], as_at: date | None = None) -> AnalysisResult:
    """Run the named analysis with parameters as people type them (labels or IRIs)."""
    catalogue = analyses()
    if name not in catalogue:
        raise UnknownAnalysis(name, difflib.get_close_matches(name, list(catalogue), n=3, cutoff=0.4))
    analysis = catalogue[name]
    given = {k.replace("_", "-"): v for k, v in params.items() if v not in (None, "")}
    if "as-at" in given:
        as_at = parse_date(str(given.pop("as-at")))
    known = {p.name for p in analysis.params}
    for key in given:
        if key not in known:
            raise ParameterError(
                key, str(given[key]), f"'{name}' has no parameter '{key}'", sorted(known) or ["(none)"]
            )
    resolved: dict[str, Any] = {}
    for p in analysis.params:
        value = given.get(p.name, p.default)
        if value is None:
            if not p.optional:
                raise ParameterError(p.name, "", f"'{name}' needs --{p.name}: {p.description}")
            resolved[p.name] = None
            continue
        resolved[p.name] = _resolve(store, p, str(value))
    ctx = RunContext(store, name, analysis.query, resolved, as_at or date.today())
    with collector_paused():
        rows = STEPS[name](ctx) if name in STEPS else _plain(ctx)
    shown = {k: str(v) for k, v in given.items()}
    for key, value in resolved.items():
        if value is not None and key in given and isinstance(value, str) and value != given[key]:
            shown[key] = value
    return AnalysisResult(name, shown, list(analysis.columns), rows, ctx.as_at, ctx.notes)


def _plain(ctx: RunContext) -> list[dict[str, Any]]:
    from pyoxigraph import NamedNode

    bindings = {k.replace("-", "_"): NamedNode(v) for k, v in ctx.params.items() if isinstance(v, str)}
    return [{c: term_text(r.get(c)) for c in ctx.select(bindings).columns} for r in ctx.select(bindings).rows]
