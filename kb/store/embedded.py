"""The embedded store: Oxigraph in memory, loaded from a built dataset."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from kb.model.namespace import PREFIXES
from kb.store import QueryError, Table, Term, with_values
from kb.store.serialize import jsonld


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

    def solutions(
        self, query: str, bindings: Mapping[str, Term] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query over the union of all graphs and return Oxigraph's own result (the fast paths in
        :mod:`kb.store.fast` read it without building a :class:`Table`)."""
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
        results = self.solutions(query, bindings)
        if not isinstance(results, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        columns = [v.value for v in results.variables]
        rows = [{c: row[c] for c in columns} for row in results]
        return Table(columns, rows)

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        result = self.solutions(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def raw(self, query: str, result_format: str) -> tuple[bytes, str]:
        """Run any query and serialize it: ``json``/``xml``/``csv``/``tsv`` for SELECT and ASK,
        ``turtle``/``ntriples``/``jsonld`` for CONSTRUCT and DESCRIBE. Returns (bytes, media type)."""
        result = self.solutions(query, None)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            results_format = {
                "json": ox.QueryResultsFormat.JSON,
                "xml": ox.QueryResultsFormat.XML,
                "csv": ox.QueryResultsFormat.CSV,
                "tsv": ox.QueryResultsFormat.TSV,
            }.get(result_format, ox.QueryResultsFormat.JSON)
            return result.serialize(format=results_format) or b"", results_format.media_type
        triples = list(result)
        if result_format == "jsonld":
            return jsonld(triples), "application/ld+json"
        rdf_format = ox.RdfFormat.N_TRIPLES if result_format == "ntriples" else ox.RdfFormat.TURTLE
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES) or b"", rdf_format.media_type
