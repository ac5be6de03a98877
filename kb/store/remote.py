"""A remote store: any SPARQL 1.1 Protocol endpoint, offering exactly the :class:`~kb.store.Store` protocol."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

import pyoxigraph as ox

from kb.store import RESULT_MEDIA_TYPES, QueryError, Table, Term, prefix_header, with_values


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint. Bindings become a VALUES block (terms serialized, never raw text)."""

    def __init__(self, endpoint: str, timeout: float = 30.0, check_union: bool = True) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._union_checked = not check_union

    def ensure_union_default_graph(self) -> None:
        """The analyses read the default graph as the union of all graphs (every fact sits in the named graph of
        its evidence). Check once that the endpoint does so: take one triple from a named graph and ask for it in
        the default graph; fail with what to do when it is not there, instead of answering wrongly."""
        if self._union_checked:
            return
        self._union_checked = True
        sample = self._select_raw("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o)) } LIMIT 1")
        if not sample.rows:
            return  # nothing in named graphs: nothing to check (an empty store, or one with only a default graph)
        row = sample.rows[0]
        triple = " ".join(_term_text(row[k]) for k in ("s", "p", "o"))
        if not self._ask_raw(f"ASK {{ {triple} }}"):
            raise QueryError(
                f"the endpoint {self.endpoint} does not read its default graph as the union of its named graphs, "
                "which the analyses need (every fact is kept in the named graph of its evidence): start Oxigraph "
                "with --union-default-graph, or configure your server's default graph as the union of all graphs"
            )

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

    def _select_raw(self, query: str) -> Table:
        body = self._post(query, "application/sparql-results+json")
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in results.variables]
        return Table(columns, [{c: row[c] for c in columns} for row in results])

    def _ask_raw(self, query: str) -> bool:
        return bool(json.loads(self._post(query, "application/sparql-results+json"))["boolean"])

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Table:
        self.ensure_union_default_graph()
        body = self._post(prefix_header() + self._bind(query, bindings), "application/sparql-results+json")
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in results.variables]
        return Table(columns, [{c: row[c] for c in columns} for row in results])

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        self.ensure_union_default_graph()
        body = self._post(prefix_header() + self._bind(query, bindings), "application/sparql-results+json")
        return bool(json.loads(body)["boolean"])

    def raw(self, query: str, result_format: str) -> tuple[bytes, str]:
        self.ensure_union_default_graph()
        accept = RESULT_MEDIA_TYPES.get(result_format, RESULT_MEDIA_TYPES["json"])
        return self._post(prefix_header() + query, accept), accept

    def __len__(self) -> int:
        table = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(table.values("n")[0] or 0)


def _term_text(term: Term | None) -> str:
    """A term as SPARQL text (IRIs in angle brackets, literals quoted with their datatype or language)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return str(term)
    return "[]"


def publish(dataset_path: str, store_url: str, timeout: float = 60.0) -> int:
    """Load a build's N-Quads into a remote store with the SPARQL 1.1 Graph Store Protocol: each named graph is
    PUT to ``store_url?graph=<IRI>`` as N-Triples (replacing what the store held under that name). Returns how many
    graphs were sent."""
    store = ox.Store()
    store.load(path=dataset_path, format=ox.RdfFormat.N_QUADS)
    graphs = sorted({q.graph_name.value for q in store if isinstance(q.graph_name, ox.NamedNode)})
    for graph in graphs:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        url = store_url + ("&" if "?" in store_url else "?") + urllib.parse.urlencode({"graph": graph})
        request = urllib.request.Request(
            url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as err:
            raise QueryError(f"the store refused graph {graph}: {err.read().decode(errors='replace') or err}") from err
        except urllib.error.URLError as err:
            raise QueryError(f"cannot reach the store at {store_url}: {err.reason}") from err
    return len(graphs)
