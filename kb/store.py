"""The query store: Oxigraph embedded (the default) or a remote SPARQL 1.1 endpoint, behind one interface.

Queries run over the union of all graphs (every evidence graph plus the ontology and provenance graphs);
``GRAPH ?g { … }`` still reaches the evidence graph of a statement. Parameters are bound by substitution,
never formatted into the query text.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .namespace import PREFIXES

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


class OxigraphStore:
    """An in-memory Oxigraph store loaded from a built dataset (``dist/kb.nq``) or from quads."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self.store = store if store is not None else ox.Store()

    @classmethod
    def from_dist(cls, dist: Path) -> OxigraphStore:
        path = dist / "kb.nq"
        if not path.is_file():
            raise FileNotFoundError(f"no built knowledge base at {path}: run 'alignkb build' first")
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        return cls(store)

    def __len__(self) -> int:
        return len(self.store)

    def _run(self, query: str, bindings: Mapping[str, Term] | None):  # type: ignore[no-untyped-def]
        bound = {k: v for k, v in (bindings or {}).items() if v is not None}
        subs = {ox.Variable(k): v for k, v in bound.items()}
        try:
            try:
                return self.store.query(
                    query, use_default_graph_as_union=True, substitutions=subs or None, prefixes=PREFIXES
                )
            except RuntimeError as err:
                # Oxigraph substitutes only projected variables; bind the others with a VALUES block of terms.
                if "does not contains variable" not in str(err):
                    raise
                return self.store.query(with_values(query, bound), use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as err:
            raise QueryError(str(err)) from err
        except (OSError, ValueError, RuntimeError) as err:
            raise QueryError(str(err)) from err

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Table:
        results = self._run(query, bindings)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in results.variables]
        rows = [{c: row[c] for c in columns} for row in results]
        return Table(columns, rows)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def raw(self, query: str, result_format: str) -> tuple[bytes, str]:
        """Run any query and serialize it: ``json``/``xml``/``csv``/``tsv`` for SELECT and ASK,
        ``turtle``/``ntriples``/``jsonld`` for CONSTRUCT and DESCRIBE. Returns (bytes, media type)."""
        result = self._run(query, None)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            fmt = {
                "json": ox.QueryResultsFormat.JSON,
                "xml": ox.QueryResultsFormat.XML,
                "csv": ox.QueryResultsFormat.CSV,
                "tsv": ox.QueryResultsFormat.TSV,
            }.get(result_format, ox.QueryResultsFormat.JSON)
            return result.serialize(format=fmt), fmt.media_type
        triples = list(result)
        if result_format == "jsonld":
            return _jsonld(triples), "application/ld+json"
        fmt = ox.RdfFormat.N_TRIPLES if result_format == "ntriples" else ox.RdfFormat.TURTLE
        return ox.serialize(triples, format=fmt, prefixes=PREFIXES), fmt.media_type


def _jsonld(triples: list[ox.Triple]) -> bytes:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    return graph.serialize(format="json-ld").encode()


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint. Bindings become a VALUES block (terms serialized, never raw text)."""

    def __init__(self, endpoint: str, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    def _post(self, query: str, accept: str) -> bytes:
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=data,
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            raise QueryError(err.read().decode(errors="replace") or str(err)) from err

    @staticmethod
    def _bind(query: str, bindings: Mapping[str, Term] | None) -> str:
        return with_values(query, {k: v for k, v in (bindings or {}).items() if v is not None})

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Table:
        body = self._post(prefix_header() + self._bind(query, bindings), "application/sparql-results+json")
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in results.variables]
        return Table(columns, [{c: row[c] for c in columns} for row in results])

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        body = self._post(prefix_header() + self._bind(query, bindings), "application/sparql-results+json")
        return bool(json.loads(body)["boolean"])

    def raw(self, query: str, result_format: str) -> tuple[bytes, str]:
        accept = RESULT_MEDIA_TYPES.get(result_format, RESULT_MEDIA_TYPES["json"])
        return self._post(query, accept), accept

    def __len__(self) -> int:
        table = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(table.values("n")[0] or 0)


def open_store(dist: Path | None = None, endpoint: str | None = None) -> Store:
    """Open the built knowledge base, or a remote endpoint when one is given."""
    if endpoint:
        return RemoteStore(endpoint)
    assert dist is not None
    return OxigraphStore.from_dist(dist)
