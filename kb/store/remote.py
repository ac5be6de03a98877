"""A remote store: any SPARQL 1.1 Protocol endpoint, offering exactly the :class:`~kb.store.Store` protocol."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

import pyoxigraph as ox

from kb.model.namespace import BASE, GRAPH
from kb.store import RESULT_MEDIA_TYPES, QueryError, Table, Term, prefix_header, with_values

ALL_GRAPH = str(GRAPH["all"])
"""The whole knowledge base merged into one graph, for stores whose default graph is not the union of its graphs."""
_BASE = f'"{BASE}"'


class RemoteStore:
    """A SPARQL 1.1 Protocol endpoint. Bindings become a VALUES block (terms serialized, never raw text).

    The analyses read the knowledge base as one graph: the union of the build's named graphs. At connect time the
    store decides, once, where that graph is (:meth:`ensure_dataset`): the endpoint's own default graph when it is
    exactly that union (Oxigraph's server with ``--union-default-graph``), otherwise the merged graph
    :data:`ALL_GRAPH` that ``alignkb publish --merged`` writes, named in every request with the protocol's
    ``default-graph-uri`` (Virtuoso, whose default graph also holds its own system graphs). Neither: a clear error.
    """

    def __init__(self, endpoint: str, timeout: float = 30.0, check_union: bool = True) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._checked = not check_union
        self.default_graph: str | None = None  # set by ensure_dataset when the merged graph is used

    def ensure_dataset(self) -> None:
        """Decide where the knowledge base's union is, or fail with what to do (see the class's description).

        A sample triple from a named graph must be in the default graph, and the default graph must hold nothing
        that is outside the build's graphs (a server's own system graphs, or another dataset's); failing that, the
        merged graph must exist and the named graphs must still be visible beside it."""
        if self._checked:
            return
        self._checked = True
        sample = self._select_raw(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?o) && STRSTARTS(STR(?g), {_BASE})) }}"
            " LIMIT 1"
        )
        if not sample.rows:
            return  # nothing of the knowledge base in named graphs: nothing to check (an empty store)
        row = sample.rows[0]
        triple = " ".join(_term_text(row[k]) for k in ("s", "p", "o"))
        foreign = (
            f"ASK {{ ?s ?p ?o FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {_BASE})) }} }}"
        )
        if self._ask_raw(f"ASK {{ {triple} }}") and not self._ask_raw(foreign):
            return
        if self._ask_raw(f"ASK {{ GRAPH <{ALL_GRAPH}> {{ {triple} }} }}"):
            self.default_graph = ALL_GRAPH
            if self._ask_raw(f"ASK {{ GRAPH ?g {{ {triple} }} FILTER(?g != <{ALL_GRAPH}>) }}"):
                return
            self.default_graph = None
            raise QueryError(
                f"the endpoint {self.endpoint} hides its named graphs when a query names the merged graph "
                f"<{ALL_GRAPH}> as its default graph, so the sources of each fact cannot be read: start the "
                "server with a default graph that is the union of the knowledge base's graphs instead"
            )
        raise QueryError(
            f"the endpoint {self.endpoint} does not read its default graph as the union of the knowledge base's "
            "named graphs, which the analyses need (every fact is kept in the named graph of its evidence): "
            "load the build with `alignkb publish --merged` (it adds the whole knowledge base as one graph, which "
            "alignkb then names in each query), or start Oxigraph with --union-default-graph"
        )

    def _post(self, query: str, accept: str, own_dataset: bool = False, whole: bool = True) -> bytes:
        """POST the query; the merged graph is named as the default graph unless the query names its own. With
        ``whole`` (the analyses' queries), an answer the server cut at its row limit is an error."""
        fields = [("query", query)]
        if self.default_graph and not own_dataset:
            fields.append(("default-graph-uri", self.default_graph))
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=data,
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                cut = response.headers.get("X-SPARQL-MaxRows")
                if response.headers.get("X-Alignkb-Truncated") == "true":  # alignkb's own endpoint
                    cut = response.headers.get("X-Alignkb-Row-Cap") or "its row cap"
                body: bytes = response.read()
        except urllib.error.HTTPError as err:
            raise QueryError(err.read().decode(errors="replace") or str(err)) from err
        if cut and whole:
            raise QueryError(
                f"the endpoint {self.endpoint} cut an answer at {cut} rows, so it would be incomplete: raise the "
                "server's row limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini; "
                "alignkb serve: SPARQL_ROW_CAP)"
            )
        return body

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
        return _boolean(self._post(query, "application/sparql-results+json"))

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Table:
        self.ensure_dataset()
        body = self._post(prefix_header() + self._bind(query, bindings), "application/sparql-results+json")
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in results.variables]
        return Table(columns, [{c: _canonical(row[c]) for c in columns} for row in results])

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        self.ensure_dataset()
        body = self._post(prefix_header() + self._bind(query, bindings), "application/sparql-results+json")
        return _boolean(body)

    def raw(self, query: str, result_format: str, own_dataset: bool = False) -> tuple[bytes, str]:
        """A visitor's query as the endpoint answers it (``own_dataset`` when it has FROM or FROM NAMED); a
        visitor's answer may be cut, as the local endpoint's own are, so a cut by the server is not an error."""
        self.ensure_dataset()
        accept = RESULT_MEDIA_TYPES.get(result_format, RESULT_MEDIA_TYPES["json"])
        return self._post(prefix_header() + query, accept, own_dataset, whole=False), accept

    def __len__(self) -> int:
        table = self.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {_BASE})"
            f" && ?g != <{ALL_GRAPH}>) }}"
        )
        return int(table.values("n")[0] or 0)


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


def _canonical(term: Term | None) -> Term | None:
    """A term in its canonical form: Virtuoso answers xsd:boolean values as "1" and "0", which are valid lexical
    forms of true and false but not the ones the build wrote or the embedded store gives back."""
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN and term.value in _CANONICAL_BOOLEAN:
        return ox.Literal(_CANONICAL_BOOLEAN[term.value], datatype=_BOOLEAN)
    return term


def _boolean(body: bytes) -> bool:
    """The answer to an ASK query: the standard ``boolean`` member, or the single value of a one-row table, which is
    how Virtuoso answers ASK in some configurations (a column ``__ASK_RETVAL`` holding 1 or 0)."""
    data = json.loads(body)
    if "boolean" in data:
        return bool(data["boolean"])
    rows = data.get("results", {}).get("bindings", [])
    if len(rows) == 1 and len(rows[0]) == 1:
        return next(iter(rows[0].values())).get("value") in ("1", "true")
    if not rows and data.get("head", {}).get("vars"):
        return False
    raise QueryError(f"the endpoint's answer to an ASK query has no boolean: {body[:200]!r}")


def _term_text(term: Term | None) -> str:
    """A term as SPARQL text (IRIs in angle brackets, literals quoted with their datatype or language)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return str(term)
    return "[]"


def publish(dataset_path: str, store_url: str, timeout: float = 60.0, merged: bool = False) -> int:
    """Load a build's N-Quads into a remote store with the SPARQL 1.1 Graph Store Protocol: each named graph is
    PUT to ``store_url?graph=<IRI>`` as N-Triples (replacing what the store held under that name), and with
    ``merged`` the whole knowledge base once more as :data:`ALL_GRAPH`. Returns how many graphs were sent."""
    store = ox.Store()
    store.load(path=dataset_path, format=ox.RdfFormat.N_QUADS)
    graphs = sorted({q.graph_name.value for q in store if isinstance(q.graph_name, ox.NamedNode)})
    sent = 0
    for graph in graphs:
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        _put(store_url, graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", timeout)
        sent += 1
    if merged:
        union = sorted({str(q.triple) for q in store})
        _put(store_url, ALL_GRAPH, "".join(f"{t} .\n" for t in union).encode(), timeout)
        sent += 1
    return sent


def _put(store_url: str, graph: str, body: bytes, timeout: float) -> None:
    url = store_url + ("&" if "?" in store_url else "?") + urllib.parse.urlencode({"graph": graph})
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        raise QueryError(f"the store refused graph {graph}: {err.read().decode(errors='replace') or err}") from err
    except urllib.error.URLError as err:
        raise QueryError(f"cannot reach the store at {store_url}: {err.reason}") from err
