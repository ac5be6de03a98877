"""The sources behind a statement: every evidence graph holding the triple, with source, locator, quote and
confidence from the provenance graph, in one order whatever the store (by graph, then source, locator, quote,
confidence and title), so that the embedded shortcut and the plain query give the same list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from kb.model.namespace import compact
from kb.store import Store, term_text
from kb.store.cache import shared
from kb.store.fast import triple_graphs
from kb.store.querydoc import query_text


def _term(value: str | ox.NamedNode | ox.Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    return ox.NamedNode(value)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """A source record from a row of ``fetch-triple-sources`` or ``fetch-graph-records``."""
    return {
        "source": term_text(row["source"]),
        "title": term_text(row["title"]),
        "locator": term_text(row["locator"]),
        "quote": term_text(row["quote"]),
        "confidence": (term_text(row["confidence"]) or "").rsplit("#", 1)[-1] or None,
    }


def _order(record: dict[str, Any]) -> tuple[str, ...]:
    """The order of a statement's sources: not the store's (index or evaluation order differ between stores)."""
    keys = ("graph", "source", "locator", "quote", "confidence", "title")
    return tuple(record[k] or "" for k in keys)


def _sorted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct records in :func:`_order`."""
    out: list[dict[str, Any]] = []
    for record in sorted(records, key=_order):
        if not out or out[-1] != record:
            out.append(record)
    return out


class Provenance:
    """Looks up (and remembers, for one run) the sources of triples."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._query = query_text("fetch-triple-sources")

    def _records_by_graph(self) -> dict[str, list[dict[str, Any]]]:
        """Every evidence graph's provenance records (more than one where a graph has several locators, quotes,
        confidences or sources, as the plain ``fetch-triple-sources`` query gives them), read once per store
        through the store protocol."""

        def make() -> dict[str, list[dict[str, Any]]]:
            out: dict[str, list[dict[str, Any]]] = {}
            for r in self.store.select(query_text("fetch-graph-records")).rows:
                graph = term_text(r["g"])
                if graph:
                    out.setdefault(graph, []).append(_record(r))
            return out

        return shared(self.store, "graph-records", make)

    def of(self, s: str, p: str, o: str | ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
        """Sources of the triple (s p o); ``o`` is an IRI string or an Oxigraph term (for literals)."""
        obj = _term(o)
        key = (s, p, str(obj))
        if key not in self._cache:
            statement = f"{compact(s)} {compact(p)} {compact(obj.value) if isinstance(obj, ox.NamedNode) else obj}"
            graphs = triple_graphs(self.store, s, p, obj)
            if graphs is not None:
                records = self._records_by_graph()
                found = [{"statement": statement, **r, "graph": g} for g in graphs for r in records.get(g, ())]
            else:
                table = self.store.select(self._query, {"s": ox.NamedNode(s), "p": ox.NamedNode(p), "o": obj})
                found = [{"statement": statement, **_record(r), "graph": term_text(r["g"])} for r in table.rows]
            self._cache[key] = _sorted(found)
        return self._cache[key]

    def many(self, triples: Sequence[tuple[str, str, str | ox.NamedNode | ox.Literal]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[tuple[str | None, str]] = set()
        for s, p, o in triples:
            for src in self.of(s, p, o):
                key = (src["graph"], src["statement"])
                if key not in seen:
                    seen.add(key)
                    out.append(dict(src))
        return out
