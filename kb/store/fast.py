"""Every shortcut the embedded store allows, in one place, each with the plain path that any
:class:`~kb.store.Store` (a remote endpoint included) takes. Both paths give the same rows: the parity test
(tests/test_parity.py) runs every analysis through a store that offers only the protocol.

* :func:`select_texts` reads solutions by position instead of building a :class:`~kb.store.Table`.
* :func:`csv_texts` reads Oxigraph's CSV serialisation (made without holding the GIL), for queries whose columns are
  IRIs or non-empty literals.
* :func:`prop_rows` answers a "properties of subjects" query from the quad index.
* :func:`triple_graphs` finds the evidence graphs of one triple from the quad index.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kb.model.namespace import PREFIXES
from kb.store import OxigraphStore, Store, Term, term_text

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


# A "properties of subjects" query: ``SELECT DISTINCT ?x ?p ?v WHERE { VALUES ?p { … } { SELECT DISTINCT ?x
# WHERE { … } } ?x ?p ?v . }``. On an embedded store the subjects are selected once and each one's properties
# are then read from the index (``quads_for_pattern``), instead of a join evaluated per subject and property.
_PROPS_SHAPE = re.compile(
    r"^\s*SELECT DISTINCT \?x \?p \?v WHERE \{\s*VALUES \?p \{(?P<preds>[^}]*)\}\s*"
    r"\{\s*(?P<subjects>SELECT DISTINCT \?x WHERE \{.*\})\s*\}\s*\?x \?p \?v \.?\s*\}\s*$",
    re.S,
)


def _expand(name: str) -> str:
    if name == "a":
        return RDF_TYPE
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local


def prop_rows(store: Store, query: str) -> Iterable[tuple[str, str, str]]:
    """The distinct (x, p, v) texts of a properties-of-subjects query (see ``_PROPS_SHAPE``)."""

    shape = _PROPS_SHAPE.match(_body(query))
    if not isinstance(store, OxigraphStore) or shape is None:
        for x, p, v in select_texts(store, query, ("x", "p", "v")):
            if x and p and v is not None:
                yield x, p, v
        return
    wanted = {ox.NamedNode(_expand(n)): _expand(n) for n in shape["preds"].split()}
    inner: ox.Store = store.store
    subjects = store.solutions(shape["subjects"], None)
    assert isinstance(subjects, ox.QuerySolutions)
    for solution in subjects:
        subject = solution[0]
        x = term_text(subject)
        if not x or not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        seen: set[tuple[ox.NamedNode, object]] = set()
        for quad in inner.quads_for_pattern(subject, None, None, None):
            p = wanted.get(quad.predicate)
            if p is None or (quad.predicate, quad.object) in seen:
                continue
            seen.add((quad.predicate, quad.object))
            v = _text(quad.object)
            if v is not None:
                yield x, p, v


def _text(term: object) -> str | None:
    """:func:`kb.store.term_text`, for the hot loops."""
    kind = type(term)
    if kind is ox.NamedNode or kind is ox.Literal:
        return term.value  # type: ignore[attr-defined]  # type checked by identity, the fast way
    return term_text(term)  # type: ignore[arg-type]


def select_texts(
    store: Store, query: str, columns: tuple[str, ...], bindings: Mapping[str, Term] | None = None
) -> list[tuple[str | None, ...]]:
    """The rows of a SELECT as texts in ``columns`` order. On an embedded store the solutions are read by
    position, without building a :class:`~kb.store.Table` of dicts (which costs more than the query for large
    results)."""

    if isinstance(store, OxigraphStore):
        results = store.solutions(query, bindings)
        if isinstance(results, ox.QuerySolutions):
            names = [v.value for v in results.variables]
            at = [names.index(c) if c in names else -1 for c in columns]
            if all(i >= 0 for i in at):
                return [tuple(_text(s[i]) for i in at) for s in results]
            return [tuple(_text(s[i]) if i >= 0 else None for i in at) for s in results]
    table = store.select(query, bindings)
    return [tuple(term_text(r.get(c)) for c in columns) for r in table.rows]


def _body(query: str) -> str:
    """The query without its comment and PREFIX lines."""
    return "\n".join(line for line in query.splitlines() if not line.lstrip().startswith(("#", "PREFIX", "prefix")))


def props_of(store: Store, query: str) -> dict[str, dict[str, list[str]]]:
    """x → property local name → values (sorted: the index path and the plain query read them in different
    orders, and callers may take the first), from a properties-of-subjects query."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for x, p, v in prop_rows(store, query):
        out[x][p.rsplit("#", 1)[-1]].append(v)
    for values in out.values():
        for vs in values.values():
            vs.sort()
    return out


def csv_texts(
    store: Store, query: str, columns: tuple[str, ...], bindings: Mapping[str, Term] | None = None
) -> Iterable[tuple[str | None, ...]]:
    """Like :func:`select_texts`, read from Oxigraph's CSV serialisation of the results (made without holding
    the GIL, and no term objects), an empty value read as unbound: only for queries whose columns are IRIs or
    non-empty literals."""
    if not isinstance(store, OxigraphStore):
        yield from select_texts(store, query, columns, bindings)
        return
    results = store.solutions(query, bindings)
    assert isinstance(results, ox.QuerySolutions)
    data = results.serialize(format=ox.QueryResultsFormat.CSV)
    assert data is not None
    reader = csv.reader(io.StringIO(data.decode()))
    header = next(reader, [])
    at = [header.index(c) if c in header else -1 for c in columns]
    for row in reader:
        yield tuple((row[i] or None) if i >= 0 else None for i in at)


def triple_graphs(store: Store, s: str, p: str, o: ox.NamedNode | ox.Literal) -> list[str] | None:
    """The named graphs holding the triple (s p o) on an embedded store, read from the quad index; ``None`` on any
    other store (the caller then runs its SPARQL query)."""
    if not isinstance(store, OxigraphStore):
        return None
    return [
        q.graph_name.value
        for q in store.store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), o, None)
        if isinstance(q.graph_name, ox.NamedNode)
    ]
