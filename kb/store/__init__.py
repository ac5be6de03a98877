"""The query store: Oxigraph embedded (the default) or a remote SPARQL 1.1 endpoint, behind one interface.

Queries run over the union of all graphs (every evidence graph plus the ontology and provenance graphs);
``GRAPH ?g { … }`` still reaches the evidence graph of a statement. Parameters are bound by substitution,
never formatted into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kb.model.namespace import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class Table:
    """The result of a SELECT: column names and rows (a row maps each column to a term or None)."""

    columns: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)

    def values(self, column: str) -> list[str | None]:
        return [term_text(row.get(column)) for row in self.rows]

    def records(self) -> list[dict[str, str | None]]:
        return [{c: term_text(row.get(c)) for c in self.columns} for row in self.rows]


def term_text(term: Term | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


def with_values(query: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables by a VALUES block at the start of the WHERE group. Terms are serialized RDF terms
    (escaped by pyoxigraph), never user text, so this is binding, not string formatting."""
    if not bindings:
        return query
    names = list(bindings)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(bindings[n]) for n in names)}) }}"
    match = re.search(r"\bWHERE\s*\{", query, flags=re.IGNORECASE)
    if match is None:
        match = re.search(r"\b(SELECT|ASK)\b[^{]*\{", query, flags=re.IGNORECASE)
    if match is None:
        raise QueryError("cannot bind parameters: no WHERE group found")
    return query[: match.end()] + " " + block + " " + query[match.end() :]


def prefix_header() -> str:
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


RESULT_MEDIA_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
}


class Store(Protocol):
    """What the analyses, the CLI and the web app need from a store."""

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Table: ...

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool: ...

    def raw(self, query: str, result_format: str) -> tuple[bytes, str]: ...

    def __len__(self) -> int: ...


class QueryError(ValueError):
    """A query that cannot be parsed or run; the message is the engine's."""


from kb.store.embedded import OxigraphStore  # noqa: E402  (they build on the names above)
from kb.store.remote import RemoteStore  # noqa: E402


def open_store(dist: Path | None = None, endpoint: str | None = None) -> Store:
    """Open the built knowledge base, or a remote endpoint when one is given."""
    if endpoint:
        return RemoteStore(endpoint)
    assert dist is not None
    return OxigraphStore.from_dist(dist)
