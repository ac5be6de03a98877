"""Parity: every named analysis gives the same result on the embedded store (where kb/store/fast.py takes its
shortcuts and kb/store/cache.py remembers derived facts) and on a store that offers only the
:class:`~kb.store.Store` protocol, as a remote SPARQL endpoint does — also when that store returns rows in another
order (SPARQL gives no order without ORDER BY). And the remote store sends the predeclared prefixes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from kb.analyses import run
from kb.store import OxigraphStore, RemoteStore, Store, Table, Term, prefix_header

from .conftest import GoldenHome, golden_case, golden_names

NAMES = golden_names()


class ProtocolStore:
    """Only the Store protocol (select, ask, raw, __len__), answered by an embedded store it is not: no fast path
    or shared cache applies to it. With ``reverse``, the rows of every SELECT come in the opposite order."""

    def __init__(self, inner: OxigraphStore, reverse: bool = False) -> None:
        self._inner = inner
        self._reverse = reverse

    def select(self, query: str, bindings: Mapping[str, Term] | None = None) -> Table:
        table = self._inner.select(query, bindings)
        return Table(table.columns, table.rows[::-1]) if self._reverse else table

    def ask(self, query: str, bindings: Mapping[str, Term] | None = None) -> bool:
        return self._inner.ask(query, bindings)

    def raw(self, query: str, result_format: str) -> tuple[bytes, str]:
        return self._inner.raw(query, result_format)

    def __len__(self) -> int:
        return len(self._inner)


def _result(store: Store, name: str) -> dict[str, Any]:
    params, as_at = golden_case(name)
    data = run(store, name, params, as_at).to_json()
    return json.loads(json.dumps(data))  # tuples and lists alike, as a client sees them


def _first_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    rows_a, rows_b = a.get("rows", []), b.get("rows", [])
    if len(rows_a) != len(rows_b):
        return f"{len(rows_a)} rows against {len(rows_b)}"
    for i, (x, y) in enumerate(zip(rows_a, rows_b, strict=True)):
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                return f"row {i}, {key}:\n  embedded: {x.get(key)!r}\n  protocol: {y.get(key)!r}"
    return "outside the rows: " + ", ".join(k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))


@pytest.mark.parametrize("name", NAMES)
def test_embedded_and_protocol_only_stores_give_the_same_result(name: str, golden_home: GoldenHome) -> None:
    dist = golden_home(name).dist
    embedded = OxigraphStore.from_dist(dist)
    first = _result(embedded, name)
    assert first["rows"], f"{name}: the golden case returns no rows, so parity would prove nothing"
    again = _result(embedded, name)  # now from what the first run left in the shared cache
    assert again == first, f"{name}: a second run on the same store differs: {_first_difference(first, again)}"
    for reverse in (False, True):
        plain = ProtocolStore(OxigraphStore.from_dist(dist), reverse=reverse)
        assert not isinstance(plain, OxigraphStore)
        other = _result(plain, name)
        how = "protocol-only store" + (", rows reversed" if reverse else "")
        assert other == first, f"{name}: the {how} differs: {_first_difference(first, other)}"


def test_remote_store_sends_the_predeclared_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[str, str]] = []
    answers = {
        "application/sparql-results+json": b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}',
    }

    def post(self: RemoteStore, query: str, accept: str, own_dataset: bool = False, whole: bool = True) -> bytes:
        sent.append((query, accept))
        return answers.get(accept, b"")

    monkeypatch.setattr(RemoteStore, "_post", post)
    store = RemoteStore("http://example.invalid/sparql")
    header = prefix_header()
    assert header.startswith("PREFIX ") and "PREFIX ak: <" in header

    query = "SELECT ?x WHERE { ?x a ak:Requirement }"
    _body, media = store.raw(query, "csv")
    assert sent[-1] == (header + query, "text/csv") and media == "text/csv"
    store.raw(query, "json")
    assert sent[-1] == (header + query, "application/sparql-results+json")

    assert store.select(query).rows == []
    assert sent[-1][0].startswith(header) and sent[-1][0].endswith(query)

    answers["application/sparql-results+json"] = b'{"head": {}, "boolean": true}'
    assert store.ask("ASK { ?x a ak:Requirement }") is True
    assert sent[-1][0] == header + "ASK { ?x a ak:Requirement }"


def test_the_remote_store_reads_virtuosos_answers_in_their_standard_form() -> None:
    """Virtuoso writes booleans as 1/0 and, in some configurations, answers ASK with a one-row table: the remote
    store gives back what the embedded store would (tests/test_virtuoso.py runs the real thing)."""
    import pyoxigraph as ox

    from kb.store.remote import _boolean, _canonical

    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    assert _canonical(ox.Literal("1", datatype=boolean)) == ox.Literal("true", datatype=boolean)
    assert _canonical(ox.Literal("0", datatype=boolean)) == ox.Literal("false", datatype=boolean)
    assert _canonical(ox.Literal("1")) == ox.Literal("1")  # only booleans
    row = b'{"__ASK_RETVAL": {"type": "typed-literal", "value": "1"}}'
    table = b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [' + row + b"]}}"
    assert _boolean(table) is True
    assert _boolean(b'{"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}') is False
    assert _boolean(b'{"head": {}, "boolean": false}') is False
