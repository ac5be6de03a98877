"""The sources behind a statement: every evidence graph holding the triple, with source, locator, quote and
confidence from the provenance graph."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .querydoc import query_text
from .store import Store, term_text

AK = "https://w3id.org/alignkb/ontology#"
PREDICATE_PREFIXES = {
    "https://w3id.org/alignkb/ontology#": "ak:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}


def _short(iri: str) -> str:
    for ns, prefix in PREDICATE_PREFIXES.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    if iri.startswith("https://w3id.org/alignkb/id/"):
        return "kb:" + iri[len("https://w3id.org/alignkb/id/") :]
    return iri


def _term(value: str | ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    return ox.NamedNode(value)


class Provenance:
    """Looks up (and remembers, for one run) the sources of triples."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._query = query_text("fetch-triple-sources")
        self._records: dict[str, dict[str, Any] | None] = {}

    def _fast(self, s: str, p: str, obj: ox.NamedNode | ox.Literal, statement: str) -> list[dict[str, Any]] | None:
        """With an embedded Oxigraph store: the quads of the triple, joined to the provenance records."""
        inner = getattr(self.store, "store", None)
        if not isinstance(inner, ox.Store):
            return None
        out = []
        for quad in inner.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), obj, None):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode):
                continue
            record = self._record(inner, graph)
            if record is not None:
                out.append({"statement": statement, **record, "graph": graph.value})
        return out

    def _record(self, inner: ox.Store, graph: ox.NamedNode) -> dict[str, Any] | None:
        if graph.value not in self._records:
            prov = ox.NamedNode("https://w3id.org/alignkb/graph/provenance")

            def value(pred: str, where: ox.NamedNode | None = prov, subject: Any = graph) -> str | None:
                for q in inner.quads_for_pattern(subject, ox.NamedNode(pred), None, where):
                    return q.object.value
                return None

            source = value("http://www.w3.org/ns/prov#wasDerivedFrom")
            self._records[graph.value] = (
                None
                if source is None
                else {
                    "source": source,
                    "title": value("http://purl.org/dc/terms/title", None, ox.NamedNode(source)),
                    "locator": value(AK + "locator"),
                    "quote": value(AK + "quote"),
                    "confidence": (value(AK + "confidence") or "").rsplit("#", 1)[-1] or None,
                }
            )
        return self._records[graph.value]

    def of(self, s: str, p: str, o: str | ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
        """Sources of the triple (s p o); ``o`` is an IRI string or an Oxigraph term (for literals)."""
        obj = _term(o)
        key = (s, p, str(obj))
        if key not in self._cache:
            statement = f"{_short(s)} {_short(p)} {_short(obj.value) if isinstance(obj, ox.NamedNode) else obj}"
            fast = self._fast(s, p, obj, statement)
            if fast is not None:
                self._cache[key] = fast
                return fast
            table = self.store.select(self._query, {"s": ox.NamedNode(s), "p": ox.NamedNode(p), "o": obj})
            self._cache[key] = [
                {
                    "statement": statement,
                    "source": term_text(r["source"]),
                    "title": term_text(r["title"]),
                    "locator": term_text(r["locator"]),
                    "quote": term_text(r["quote"]),
                    "confidence": (term_text(r["confidence"]) or "").rsplit("#", 1)[-1] or None,
                    "graph": term_text(r["g"]),
                }
                for r in table.rows
            ]
        return self._cache[key]

    def many(self, triples: list[tuple[str, str, str | ox.NamedNode | ox.Literal]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[tuple[str | None, str]] = set()
        for s, p, o in triples:
            for src in self.of(s, p, o):
                key = (src["graph"], src["statement"])
                if key not in seen:
                    seen.add(key)
                    out.append(dict(src))
        return out
