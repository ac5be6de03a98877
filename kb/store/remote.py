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
        return self._post(prefix_header() + query, accept), accept

    def __len__(self) -> int:
        table = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(table.values("n")[0] or 0)
