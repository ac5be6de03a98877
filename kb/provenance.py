"""The sources behind a statement: every evidence graph holding the triple, with source, locator, quote and
confidence from the provenance graph."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .store import Store, term_text
from .timeline import query_text

PREDICATE_PREFIXES = {
    "https://w3id.org/alignkb/ontology#": "ak:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}


def _short(iri: str) -> str:
    for ns, prefix in PREDICATE_PREFIXES.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    if iri.startswith("https://w3id.org/alignkb/id/"):
        return "kb:" + iri[len("https://w3id.org/alignkb/id/"):]
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

    def of(self, s: str, p: str, o: str | ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
        """Sources of the triple (s p o); ``o`` is an IRI string or an Oxigraph term (for literals)."""
        obj = _term(o)
        key = (s, p, str(obj))
        if key not in self._cache:
            table = self.store.select(self._query, {"s": ox.NamedNode(s), "p": ox.NamedNode(p), "o": obj})
            statement = f"{_short(s)} {_short(p)} {_short(obj.value) if isinstance(obj, ox.NamedNode) else obj}"
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
                    out.append(src)
        return out
