"""The named analyses: each defined once, by ``kb/queries/analyses/cq-<name>.rq`` (header + SPARQL) and, where SPARQL
cannot do it well, a Python step in ``kb/analyses/steps/<name>.py`` registered with ``@step("<name>")``; an analysis
without a step says ``# step: plain`` in its header. Anything else is a :class:`DefinitionError` when this package
is imported. The CLI, the web app and the tests all call :func:`run`.

Header keys read here: ``title``, ``question``, ``how`` (how it is worked out, in words), ``rule``, ``step``,
``together`` (one command-line option filling several parameters), ``example`` (parameters that answer on the real
knowledge base), ``returns`` (columns), ``params`` (names, ``?`` = optional) and, per parameter,
``param_<name>: <kind> [types or choices] [default=<v>] | <description>``.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pyoxigraph as ox

from kb.analyses.context import STEP_PACKAGE, STEPS, DefinitionError, RunContext, Step, step_module
from kb.analyses.labels import ParameterError, SeveralNamed, index, normalise, resolve
from kb.memory import collector_paused
from kb.store import Store, term_text
from kb.store.querydoc import QueryDoc, queries_in, query_path

__all__ = [
    "Analysis",
    "AnalysisResult",
    "DefinitionError",
    "Param",
    "ParameterError",
    "SeveralNamed",
    "UnknownAnalysis",
    "analyses",
    "run",
]


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
    plain: bool = False
    example: dict[str, str] = field(default_factory=dict)  # parameters that answer on the real knowledge base
    how: str = ""  # ``# how:`` how the answer is worked out, in words (the formal ``rule`` stays for a disclosure)
    # ``# together: requirements first second``: one option that takes two values and fills two parameters
    together: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
    doc = QueryDoc.load(query_path(f"cq-{path_name}"))
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
        plain=meta.get("step", "").strip() == "plain",
        example=_example(meta.get("example", "")),
        together=_together(meta.get("together", "")),
        how=meta.get("how", ""),
    )


def _together(text: str) -> dict[str, tuple[str, ...]]:
    """``# together: requirements first second`` as {"requirements": ("first", "second")}."""
    words = text.split()
    return {words[0]: tuple(words[1:])} if len(words) > 2 else {}


def _example(text: str) -> dict[str, str]:
    """``# example: area=Inverclyde | service=health visiting`` as parameters."""
    pairs = (part.split("=", 1) for part in text.split("|") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs}


@cache
def analyses() -> dict[str, Analysis]:
    """Every named analysis, by name, in file-name order, each checked against its step (see :func:`steps`)."""
    names = [p.stem.removeprefix("cq-") for p in queries_in("analyses")]
    catalogue = {a.name: a for a in (load(n) for n in names)}
    steps(catalogue)
    return catalogue


def steps(catalogue: Mapping[str, Analysis]) -> dict[str, Step]:
    """The Python step of every analysis not declared plain (``# step: plain``), imported from
    ``kb/analyses/steps/<name>.py``. Raises :class:`DefinitionError` naming the file to write or fix when an
    analysis has no step and is not plain, a plain analysis has one, or a step module answers no ``cq-*.rq``."""
    for a in catalogue.values():
        module = step_module(a.name)
        exists = importlib.util.find_spec(module) is not None
        if a.plain and exists:
            raise DefinitionError(f"cq-{a.name}.rq is declared '# step: plain' but {module} exists; remove one")
        if a.plain:
            continue
        if not exists:
            raise DefinitionError(
                f"cq-{a.name}.rq has no step: write kb/analyses/steps/{a.name.replace('-', '_')}.py with "
                f"@step(\"{a.name}\"), or declare '# step: plain' in its header"
            )
        importlib.import_module(module)
        if a.name not in STEPS:
            raise DefinitionError(f'{module} registers no @step("{a.name}")')
    package = importlib.import_module(STEP_PACKAGE)
    expected = {step_module(a.name).rsplit(".", 1)[-1] for a in catalogue.values()}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in expected:
            raise DefinitionError(
                f"kb/analyses/steps/{info.name}.py answers no kb/queries/analyses/cq-*.rq; add one or remove it"
            )
    stray = sorted(set(STEPS) - set(catalogue))
    if stray:
        raise DefinitionError(f"steps registered for analyses that have no cq-*.rq: {', '.join(stray)}")
    return {name: STEPS[name] for name in catalogue if name in STEPS}


def parse_date_param(value: str, param: str = "as-at") -> date:
    """A date as a person types it (YYYY-MM-DD; DD/MM/YYYY as the design system's date picker writes it and as
    people in Scotland write it; a year; or 'today'); anything else is a ParameterError with examples. (Dates in the
    data are read by :func:`kb.analyses.timeline.parse_date`, which answers None for a bad one.)"""
    text = value.strip().lower()
    if text == "today":
        return date.today()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31)
    day_first = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            param,
            value,
            f"{_words(param)}: '{value}' is not a date (for example 01/04/2024 or 2024-04-01)",
            ["01/04/2024", "2024-04-01", "today"],
        ) from None


def _words(name: str) -> str:
    """A parameter's name as a person says it ("same-line" → "same line")."""
    return name.replace("-", " ").replace("_", " ")


def _resolve(store: Store, p: Param, value: str) -> Any:
    if p.kind == "entity":
        return resolve(store, value, p.types or None, param=p.name)
    if p.kind == "date":
        return parse_date_param(value, p.name)
    if p.kind == "number":
        try:
            return float(value)
        except ValueError:
            raise ParameterError(p.name, value, f"{_words(p.name)}: '{value}' is not a number") from None
    if p.kind == "choice":
        key = normalise(value).replace(" ", "-")
        for choice in p.choices:
            if key == choice or key == normalise(choice).replace(" ", "-"):
                return choice
        near = difflib.get_close_matches(key, list(p.choices), n=3, cutoff=0.3) or list(p.choices)
        raise ParameterError(p.name, value, f"{_words(p.name)}: '{value}' is not one of {', '.join(p.choices)}", near)
    return value


def run(store: Store, name: str, params: Mapping[str, str], as_at: date | None = None) -> AnalysisResult:
    """Run the named analysis with parameters as people type them (labels or IRIs)."""
    catalogue = analyses()
    if name not in catalogue:
        raise UnknownAnalysis(name, difflib.get_close_matches(name, list(catalogue), n=3, cutoff=0.4))
    analysis = catalogue[name]
    given = {k.replace("_", "-"): v for k, v in params.items() if v not in (None, "")}
    if "as-at" in given:
        as_at = parse_date_param(str(given.pop("as-at")))
    known = {p.name for p in analysis.params}
    for key in given:
        if key not in known:
            raise ParameterError(
                key, str(given[key]), f"'{name}' has no parameter '{key}'", sorted(known) or ["(none)"]
            )
    resolved: dict[str, Any] = {}
    several: SeveralNamed | None = None
    for p in analysis.params:
        value = given.get(p.name, p.default)
        if value is None:
            if not p.optional:
                raise ParameterError(p.name, "", f"this needs {_words(p.name)}: {p.description}")
            resolved[p.name] = None
            continue
        try:
            resolved[p.name] = _resolve(store, p, str(value))
        except SeveralNamed as e:
            if several is not None:
                raise
            several, resolved[p.name] = e, None
    if several is not None:
        return _for_each(store, name, analysis, given, several, as_at)
    ctx = RunContext(store, name, analysis.query, resolved, as_at or date.today())
    with collector_paused():
        rows = _plain(ctx) if analysis.plain else STEPS[name](ctx)
    if "timeline" in ctx.__dict__ and not ctx.says_unknown:  # the step asked which apply: say which it could not tell
        unknown = sorted(
            (r for r in ctx.timeline.unknown(ctx.as_at) if ctx.considered is None or r in ctx.considered),
            key=lambda r: ctx.label(r).lower(),
        )
        if unknown:
            ctx.notes.append(
                f"Not known whether {len(unknown)} requirement(s) applied on {ctx.as_at.isoformat()}, because a "
                "commencement or publication date is not recorded, so they are left out of this answer: "
                + "; ".join(ctx.label(r) for r in unknown)
            )
    shown = {k: str(v) for k, v in given.items()}
    for key, value in resolved.items():
        if value is not None and key in given and isinstance(value, str) and value != given[key]:
            shown[key] = value
    return AnalysisResult(name, shown, list(analysis.columns), rows, ctx.as_at, ctx.notes)


def _for_each(
    store: Store, name: str, analysis: Analysis, given: dict[str, Any], several: SeveralNamed, as_at: date | None
) -> AnalysisResult:
    """One answer for a value that names several entities (the seeds' "Clackmannanshire/Stirling"): the
    analysis run for each, rows marked with the one they answer for, notes kept once each."""
    param = several.param
    labels = index(store).display
    columns = list(analysis.columns)
    marked = param not in columns
    rows: list[dict[str, Any]] = []
    notes: list[str] = [
        f"'{several.value}' names {len(several.iris)} {param}s ({', '.join(labels(i) for i in several.iris)}); "
        "the answer covers each in turn."
    ]
    when = as_at
    for iri in several.iris:
        part = run(store, name, {**given, param: iri}, as_at)
        when = part.as_at
        rows += [{param: labels(iri), **row} if marked else row for row in part.rows]
        notes += [n for n in part.notes if n not in notes]
    shown = {k: str(v) for k, v in given.items()}
    return AnalysisResult(name, shown, [param, *columns] if marked else columns, rows, when or date.today(), notes)


def _plain(ctx: RunContext) -> list[dict[str, Any]]:
    """A plain analysis: its query's rows as texts, the entity parameters bound by the store."""
    bindings = {k.replace("-", "_"): ox.NamedNode(v) for k, v in ctx.params.items() if isinstance(v, str)}
    table = ctx.select(bindings)
    return [{c: term_text(r.get(c)) for c in table.columns} for r in table.rows]


analyses()  # an analysis defined wrongly is an error when kb.analyses is imported, not a silent fallback
