"""Every example query of the docs and the YASGUI page answers the same wherever people run it (issue 18 item 6):
on the endpoint, and on the dump loaded into a plain pyoxigraph Store and a plain rdflib Dataset, given the
project's prefixes and a default graph that is the union of the named graphs (as the dataset description says)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kb.model.paths import Home
from kb.store import prefix_header
from kb.store.querydoc import queries_in, query_text

EXAMPLES = sorted(p.stem for p in queries_in("examples"))


@pytest.fixture(scope="module")
def dump(built_home: Home) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built_home.dist / "kb.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def rdflib_dump(built_home: Home):
    from rdflib import Dataset

    data = Dataset(default_union=True)
    data.parse(str(built_home.dist / "kb.nq"), format="nquads")
    return data


@pytest.fixture(scope="module")
def endpoint(built_home: Home) -> FlaskClient:
    from tests.webapp_support import make_app

    return make_app(built_home).test_client()


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_answers_alike_on_the_endpoint_and_on_the_dump(
    name: str, endpoint: FlaskClient, dump: ox.Store, rdflib_dump: object
) -> None:
    text = query_text(name)
    graph = "CONSTRUCT" in text.split("#")[-1] or "\nCONSTRUCT" in text
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    answer = endpoint.get("/sparql", query_string={"query": text}, headers={"Accept": accept})
    assert answer.status_code == 200, answer.data[:300]
    if graph:
        served = len({line for line in answer.get_data(as_text=True).splitlines() if line.strip()})
    else:
        body = json.loads(answer.data)
        served = len(body["results"]["bindings"]) if "results" in body else int(body["boolean"])
    assert served > 0, name
    full = prefix_header() + text
    here = dump.query(full, use_default_graph_as_union=True)
    if isinstance(here, ox.QueryTriples):
        mine = len({str(t) for t in here})
    elif isinstance(here, ox.QueryBoolean):
        mine = int(bool(here))
    else:
        mine = len(list(here))
    assert mine == served, name
    there = rdflib_dump.query(full)  # type: ignore[attr-defined]
    if there.type == "ASK":
        count = int(bool(there.askAnswer))
    elif there.type == "CONSTRUCT":
        count = len(there.graph)
    else:
        count = len(list(there))
    assert count == served, name
