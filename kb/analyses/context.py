"""What an analysis step sees when it runs: the store, resolved parameters, the date, labels and sources.

Each named analysis is one ``kb/queries/analyses/cq-<name>.rq`` file; where SPARQL cannot do all of the work, a small
Python step in ``kb/analyses/steps/<name>.py``, registered with :func:`step`, takes the query's rows further (time
rules, scoring, graph paths).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from kb.analyses.labels import LabelIndex, index
from kb.analyses.provenance import Provenance
from kb.analyses.timeline import Timeline
from kb.store import Store, Table, Term
from kb.store.cache import shared
from kb.store.fast import select_texts
from kb.store.querydoc import query_text

Row = dict[str, Any]
Step = Callable[["RunContext"], list[Row]]
STEPS: dict[str, Step] = {}
STEP_PACKAGE = "kb.analyses.steps"


class DefinitionError(Exception):
    """An analysis is defined wrongly: a step registered twice, in the wrong module, or missing."""


def step_module(name: str) -> str:
    """The module that must hold the step of the analysis ``name`` (``kb/analyses/steps/<name>.py``)."""
    return f"{STEP_PACKAGE}.{name.replace('-', '_')}"


def step(name: str) -> Callable[[Step], Step]:
    """Register ``fn`` as the Python step of the analysis ``name``; it must live in :func:`step_module`."""

    def register(fn: Step) -> Step:
        if fn.__module__ != step_module(name):
            raise DefinitionError(
                f"the step of '{name}' is in {fn.__module__}; move it to {step_module(name)} "
                f"(kb/analyses/steps/{name.replace('-', '_')}.py)"
            )
        if name in STEPS:
            raise DefinitionError(
                f"the analysis '{name}' has two steps: {STEPS[name].__qualname__} and {fn.__qualname__}"
            )
        STEPS[name] = fn
        return fn

    return register


@dataclass
class RunContext:
    store: Store
    name: str
    query: str
    params: dict[str, Any]
    as_at: date
    notes: list[str] = field(default_factory=list)
    # a step that says itself which requirements' applicability is not known sets this, so that the registry does
    # not add its note that such requirements "are left out of this answer"
    says_unknown: bool = False
    # the requirements a step looked at, when narrower than all: the registry's "not known" note names only these
    considered: frozenset[str] | None = None

    def select(self, bindings: Mapping[str, Term | None] | None = None) -> Table:
        """Run this analysis's own query (``cq-<name>.rq``)."""
        return self.store.select(self.query, {k: v for k, v in (bindings or {}).items() if v is not None})

    def fetch(self, name: str, bindings: Mapping[str, Term | None] | None = None) -> Table:
        """Run a helper query (``fetch-*.rq``)."""
        return self.store.select(query_text(name), {k: v for k, v in (bindings or {}).items() if v is not None})

    def rows(
        self, columns: tuple[str, ...], name: str | None = None, bindings: Mapping[str, Term | None] | None = None
    ) -> tuple[tuple[str | None, ...], ...]:
        """The rows of this analysis's query (or of the helper ``name``) as texts in ``columns`` order, run once
        per store and bindings (see kb/cache.py)."""
        query = self.query if name is None else query_text(name)
        bound = {k: v for k, v in (bindings or {}).items() if v is not None}
        key = ("rows", query, columns, tuple(sorted((k, str(v)) for k, v in bound.items())))

        def make() -> tuple[tuple[str | None, ...], ...]:
            return tuple(select_texts(self.store, query, columns, bound))

        return shared(self.store, key, make)

    @cached_property
    def labels(self) -> LabelIndex:
        return index(self.store)

    def label(self, iri: str | None) -> str:
        if not iri:
            return ""
        return self.labels.display(iri)

    def labelled(self, iris: Iterable[str]) -> list[str]:
        return [self.label(i) for i in sorted(set(iris), key=lambda i: self.label(i).lower())]

    def name_of(self, iri: str) -> str:
        """How explanations name an entity: by its label, as a person reads it (identifiers belong in the sources
        and downloads, not in the reasons)."""
        return self.label(iri)

    @cached_property
    def timeline(self) -> Timeline:
        """Requirement applicability (legal states of legal bases only; see :attr:`full_timeline`)."""
        return shared(self.store, ("timeline", True), lambda: Timeline(self.store, only_bases=True))

    @cached_property
    def full_timeline(self) -> Timeline:
        """Every instrument and provision, for analyses that list them (landscape-at, changes)."""
        return shared(self.store, ("timeline", False), lambda: Timeline(self.store))

    @cached_property
    def provenance(self) -> Provenance:
        return shared(self.store, "provenance", lambda: Provenance(self.store))
