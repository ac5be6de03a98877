"""The SPARQL 1.1 Protocol endpoint: methods, result formats, read-only, dataset parameters, CORS, row cap,
errors — through the Flask test client and through real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) on
loopback — and its isolation: queries run in worker processes that are killed at the deadline or when they need
too much memory, that cannot open a socket, and whose crash the server survives (webapp/sandbox.py)."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from kb.build import build
from kb.model.paths import Home
from kb.store import prefix_header
from tests.webapp_support import ROOT, live_server, make_app, web_home
from webapp.sparql import examples, measure
from webapp.sparql import pool as sparql_pool

AREAS = "SELECT ?area ?label WHERE { ?area a ak:CouncilArea ; rdfs:label ?label }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JOIN_30 = "SELECT * WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(30)) + " } LIMIT 1"
PREFIXES = prefix_header()


@contextmanager
def listener() -> Iterator[tuple[int, list[object]]]:
    """A TCP listener on loopback that records every connection made to it."""
    connections: list[object] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connections.append(conn)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], connections
    finally:
        time.sleep(0.2)
        stop.set()
        thread.join(timeout=2)
        server.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    return web_home(tmp_path_factory)


@pytest.fixture(scope="module")
def app(home: Home) -> Flask:
    return make_app(home)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def live_url(app: Flask) -> Iterator[str]:
    with live_server(app) as url:
        yield url + "/sparql"


def test_get_select_defaults_to_sparql_json(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": AREAS})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    bindings = response.get_json()["results"]["bindings"]
    assert [b["label"]["value"] for b in bindings] == ["Inverclyde"]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_results_format_follows_the_accept_header(client: FlaskClient, accept: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": AREAS}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media
    assert b"Inverclyde" in response.data


def test_xml_and_csv_results_are_well_formed(client: FlaskClient) -> None:
    xml = client.get("/sparql", query_string={"query": AREAS}, headers={"Accept": "application/sparql-results+xml"})
    root = ElementTree.fromstring(xml.data)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/sparql", query_string={"query": AREAS, "format": "csv"}).get_data(as_text=True))
        )
    )
    assert rows == [{"area": "https://w3id.org/alignkb/id/inverclyde", "label": "Inverclyde"}]


def test_post_form_encoded_and_direct_query_bodies(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": AREAS})
    direct = client.post("/sparql", data=AREAS.encode(), content_type="application/sparql-query")
    assert form.status_code == direct.status_code == 200
    assert form.get_json() == direct.get_json()


def test_ask_returns_a_boolean(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "ASK { kb:cyp-act-2014 ak:status ak:InForce }"})
    assert response.get_json() == {"head": {}, "boolean": True}
    xml = client.post(
        "/sparql", data={"query": "ASK { kb:nothing ?p ?o }"}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert b"<boolean>false</boolean>" in xml.data


@pytest.mark.parametrize(
    ("accept", "media"),
    [("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"), ("*/*", "text/turtle")],
)
def test_construct_and_describe_return_rdf(client: FlaskClient, accept: str, media: str) -> None:
    for query in ("CONSTRUCT { kb:inverclyde ?p ?o } WHERE { kb:inverclyde ?p ?o }", "DESCRIBE kb:inverclyde"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == media
        graph = rdflib.Graph().parse(data=response.data, format="json-ld" if "json" in media else "turtle")
        assert (rdflib.URIRef("https://w3id.org/alignkb/id/inverclyde"), None, None) in graph


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { kb:x rdfs:label 'x' }",
        "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <https://w3id.org/alignkb/graph/provenance>",
        "# comment\nWITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_with_400(client: FlaskClient, update: str) -> None:
    """An update is not a query (SPARQL 1.1 Protocol §2.1.4: 400); found by parsing, in every transport."""
    for response in (
        client.get("/sparql", query_string={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", data=update.encode(), content_type="application/sparql-update"),
    ):
        assert response.status_code == 400, update
        assert "read-only" in response.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": "ASK { kb:x rdfs:label 'x' }"}).get_json()["boolean"] is False


def test_a_query_mentioning_insert_in_a_string_is_not_an_update(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s rdfs:label 'INSERT DATA { }' }"})
    assert response.status_code == 200


def test_malformed_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("Malformed query:") and len(text) > len("Malformed query: ") + 5


def test_missing_query_gives_the_service_description_to_clients_and_the_query_page_to_browsers(
    client: FlaskClient,
) -> None:
    """SPARQL 1.1 Service Description: a GET without a query returns the description; a POST without one is 400."""
    described = client.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert described.status_code == 200 and described.mimetype == "text/turtle"
    assert (
        client.post("/sparql", data={"default-graph-uri": "https://w3id.org/alignkb/graph/ontology"}).status_code == 400
    )
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b'id="yasgui"' in page.data and b'name="query"' in page.data


def test_query_page_preloads_prefixes_and_examples(client: FlaskClient) -> None:
    data = client.get("/sparql?format=json").get_json()
    assert data["prefixes"]["ak"] == "https://w3id.org/alignkb/ontology#"
    assert len(data["examples"]) >= 5
    html = client.get("/sparql").get_data(as_text=True)
    assert "/vendor/yasgui/yasgui.min.js" in html and "sparql-config" in html


def test_html_results_without_javascript(client: FlaskClient) -> None:
    html = client.get("/sparql", query_string={"query": AREAS, "format": "html"}).get_data(as_text=True)
    assert "<td>Inverclyde</td>" in html


def test_rows_beyond_the_cap_are_cut_and_the_cut_is_said(home: Home) -> None:
    client = make_app(home, SPARQL_ROW_CAP=5).test_client()
    query = "SELECT * WHERE { ?s ?p ?o }"
    response = client.get("/sparql", query_string={"query": query})
    assert response.headers["X-Alignkb-Truncated"] == "true"
    data = response.get_json()
    assert data["truncated"] is True and len(data["results"]["bindings"]) == 5
    csv_response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert csv_response.headers["X-Alignkb-Truncated"] == "true"
    assert len(csv_response.get_data(as_text=True).strip().splitlines()) == 6
    small = client.get("/sparql", query_string={"query": AREAS})
    assert "X-Alignkb-Truncated" not in small.headers and "truncated" not in small.get_json()
    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.headers["X-Alignkb-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=graph.data, format="turtle")) == 5
    page = client.get("/sparql", query_string={"query": query, "format": "html"})
    assert page.headers["X-Alignkb-Truncated"] == "true"
    assert "The result was cut: only the first 5 rows are shown" in page.get_data(as_text=True)
    assert page.get_data(as_text=True).count("<tr>") == 6


def test_every_example_query_runs(client: FlaskClient) -> None:
    for example in examples():
        assert example["question"] and example["title"] != example["name"], example["name"]
        response = client.get("/sparql", query_string={"query": example["text"]})
        assert response.status_code == 200, (example["name"], response.data[:300])


# --- the Protocol's edges -----------------------------------------------------------------------------------


def test_several_query_parameters_are_400(client: FlaskClient) -> None:
    two = [("query", AREAS), ("query", "ASK {}")]
    assert client.get("/sparql", query_string=two).status_code == 400
    assert client.post("/sparql", data=MultiDict(two)).status_code == 400
    direct = client.post(
        "/sparql", query_string={"query": "ASK {}"}, data=AREAS.encode(), content_type="application/sparql-query"
    )
    assert direct.status_code == 400
    assert "Several 'query' parameters" in direct.get_data(as_text=True)


def test_dataset_parameters_and_from_are_honoured(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(response: TestResponse) -> int:
        assert response.status_code == 200, response.data
        return int(response.get_json()["results"]["bindings"][0]["n"]["value"])

    everything = n(client.get("/sparql", query_string={"query": count}))
    graphs = client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    graph = graphs.get_json()["results"]["bindings"][0]["g"]["value"]
    in_graph = n(client.get("/sparql", query_string={"query": count.replace("WHERE", f"FROM <{graph}> WHERE")}))
    assert 0 < in_graph < everything
    nothing = {"query": count, "default-graph-uri": "http://nothing.example/"}
    assert n(client.get("/sparql", query_string=nothing)) == 0
    assert n(client.get("/sparql", query_string={"query": count, "default-graph-uri": graph})) == in_graph
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(client.post("/sparql", data={"query": named, "named-graph-uri": graph})) == in_graph
    assert (
        n(
            client.get(
                "/sparql",
                query_string={"query": "SELECT (COUNT(*) AS ?n) FROM <http://nothing.example/> WHERE { ?s ?p ?o }"},
            )
        )
        == 0
    )
    bad = client.get("/sparql", query_string={"query": count, "default-graph-uri": "not an iri"})
    assert bad.status_code == 400 and "default-graph-uri" in bad.get_data(as_text=True)


def test_cors_allows_any_origin_with_a_preflight(client: FlaskClient) -> None:
    preflight = client.open(
        "/sparql",
        method="OPTIONS",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    for response in (
        client.get("/sparql", query_string={"query": AREAS}),
        client.post("/sparql", data={"query": AREAS}),
        client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x }"}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/about").headers


def test_a_query_larger_than_the_limit_is_413(client: FlaskClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * (70 << 10)
    assert client.get("/sparql", query_string={"query": big}).status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    raw = client.post("/sparql", data=big.encode(), content_type="application/sparql-query")
    assert raw.status_code == 413 and "64 KB" in raw.get_data(as_text=True)
    huge = client.post("/sparql", data=b"x" * (1 << 20), content_type="application/sparql-query")
    assert huge.status_code == 413


@pytest.mark.parametrize(
    "payload",
    [
        "SELECT * WHERE { " + "<a" * 30_000,  # backtracked quadratically in the old update check
        "SELECT * WHERE { ?s ?p ?o } ?INSERT" + " " * 60_000 + "{",
        "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000,  # segfaulted the server
        "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o"] * 10_000) + ") }",  # segfaulted the engine
    ],
    ids=["lt-run", "insert-spaces", "nested-braces", "or-chain"],
)
def test_hostile_shapes_are_refused_cheaply_before_any_worker(client: FlaskClient, payload: str) -> None:
    start = time.perf_counter()
    response = client.post("/sparql", data=payload.encode(), content_type="application/sparql-query")
    took = time.perf_counter() - start
    assert response.status_code == 400, response.data[:200]
    assert took < 1.0, took


def test_measure_skips_strings_iris_and_comments() -> None:
    """Depth counts { ( [ << outside strings, IRIs and comments; operators count SELECT, *, /, |, <, ||, ! …"""
    assert measure("SELECT * WHERE { ?s ?p ?o }") == (1, 2)
    assert measure("SELECT * { { { ?s ?p '{{{{' } } } # {{{{{{") == (3, 2)
    assert measure('ASK { <http://x/(((> ?p """a " {{ \\""" """ }') == (1, 0)
    assert measure("SELECT * { ?s <p>/<q>|<r> ?o FILTER(?o < 3 || !?x) }") == (2, 9)
    assert measure("SELECT * { << << ?a ?b ?c >> ?d ?e >> ?f ?g }") == (3, 2)
    start = time.perf_counter()
    measure("<a" * 60_000)
    measure("'" + "\\'" * 30_000)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/amp> { ?s ?p ?o } } } LIMIT 1",
        "ASK { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
        "SELECT * WHERE { OPTIONAL { { SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } } }",
        "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:{port}/var> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { sErViCe <http://localhost:{port}/> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:{port}/> SELECT * WHERE { SERVICE x:y { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_and_nothing_goes_out(client: FlaskClient, query: str) -> None:
    with listener() as (port, connections):
        text = query.replace("{port}", str(port))
        for response in (
            client.get("/sparql", query_string={"query": text}),
            client.post("/sparql", data={"query": text}),
            client.post("/sparql", data=text.encode(), content_type="application/sparql-query"),
        ):
            assert response.status_code == 400, response.data[:300]
            assert "SERVICE is not allowed" in response.get_data(as_text=True)
    assert connections == []


def test_an_allow_listed_service_is_called(home: Home, live_url: str) -> None:
    """The allow-list (empty by default) lets a named endpoint through, and only that one."""
    app = make_app(home, SPARQL_SERVICE_ALLOWLIST=[live_url])
    client = app.test_client()
    query = f"SELECT ?label WHERE {{ SERVICE <{live_url}> {{ ?area a ak:CouncilArea ; rdfs:label ?label }} }}"
    response = client.get("/sparql", query_string={"query": PREFIXES + query})
    assert response.status_code == 200, response.data[:300]
    assert [b["label"]["value"] for b in response.get_json()["results"]["bindings"]] == ["Inverclyde"]
    other = client.get("/sparql", query_string={"query": query.replace(live_url, live_url + "/other")})
    assert other.status_code == 400


# --- isolation ----------------------------------------------------------------------------------------------


def workers(app: Flask) -> set[int]:
    """The process ids of the app's query workers."""
    with app.test_request_context():
        return set(sparql_pool().pids())


def test_a_runaway_query_is_stopped_at_the_deadline_and_its_worker_killed(home: Home) -> None:
    app = make_app(home, SPARQL_TIMEOUT=1.0)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": AREAS}).status_code == 200
    before = workers(app)
    start = time.perf_counter()
    response = client.get("/sparql", query_string={"query": RUNAWAY})
    took = time.perf_counter() - start
    assert response.status_code == 503
    assert "took longer than 1 s and was stopped" in response.get_data(as_text=True)
    assert 1.0 <= took < 3.0, took
    killed = before - workers(app)
    assert killed, "the worker that ran the query is gone"
    start = time.perf_counter()
    assert client.get("/sparql", query_string={"query": AREAS}).status_code == 200
    assert time.perf_counter() - start < 3.0


def test_a_query_that_needs_too_much_memory_is_stopped(home: Home) -> None:
    client = make_app(home, SPARQL_MEMORY_MB=256, SPARQL_TIMEOUT=30.0).test_client()
    server_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = client.get("/sparql", query_string={"query": JOIN_30})
    assert response.status_code == 503, response.data[:300]
    assert "more than the 256 MB of memory" in response.get_data(as_text=True)
    assert (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - server_before < 100 * 1024
    )  # KB: the server grew <100 MB
    assert client.get("/sparql", query_string={"query": AREAS}).status_code == 200


def test_the_server_survives_a_crashing_worker(home: Home) -> None:
    """A segfault in the engine (simulated: SIGSEGV to the worker while it runs a query) ends only the worker; a
    worker killed while idle is replaced without the next query noticing."""
    app = make_app(home, SPARQL_TIMEOUT=20.0)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": AREAS}).status_code == 200
    with app.test_request_context():
        pool = sparql_pool()
    idle = set(pool.worker_pids())
    results: list[TestResponse] = []
    thread = threading.Thread(target=lambda: results.append(client.get("/sparql", query_string={"query": RUNAWAY})))
    thread.start()
    time.sleep(1.0)
    busy = idle - set(pool.worker_pids())
    assert len(busy) == 1
    os.kill(busy.pop(), signal.SIGSEGV)
    thread.join(timeout=30)
    assert results and results[0].status_code == 503
    assert "stopped while running this query" in results[0].get_data(as_text=True)
    for pid in pool.worker_pids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert client.get("/sparql", query_string={"query": AREAS}).status_code == 200


def test_a_busy_pool_answers_503_with_retry_after(home: Home) -> None:
    app = make_app(home, SPARQL_WORKERS=1, SPARQL_QUEUE_WAIT=0.3, SPARQL_TIMEOUT=2.0, SPARQL_MEMORY_MB=900)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": AREAS}).status_code == 200
    slow: list[TestResponse] = []
    thread = threading.Thread(target=lambda: slow.append(client.get("/sparql", query_string={"query": RUNAWAY})))
    thread.start()
    time.sleep(0.5)
    busy = client.get("/sparql", query_string={"query": AREAS})
    thread.join(timeout=10)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
    assert "busy" in busy.get_data(as_text=True)
    assert slow[0].status_code == 503


def test_a_worker_can_open_no_socket_or_file() -> None:
    """The backstop behind the parser's SERVICE check: after close_the_door() no descriptor can be opened."""
    probe = (
        "import socket, sys\n"
        "from webapp.sandbox import close_the_door\n"
        "close_the_door()\n"
        "for attempt in (lambda: socket.create_connection(('127.0.0.1', 9), timeout=1), lambda: open('/etc/hosts')):\n"
        "    try:\n"
        "        attempt()\n"
        "    except OSError as err:\n"
        "        print(err.errno)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.stdout.split() == [str(errno.EMFILE)] * 2, done.stderr


def test_a_refusal_is_shown_on_the_page(client: FlaskClient) -> None:
    nested = "SELECT * WHERE " + "{" * 100 + " ?s ?p ?o " + "}" * 100
    page = client.get("/sparql", query_string={"query": nested, "format": "html"})
    assert page.status_code == 400
    assert "nested 100 levels deep" in page.get_data(as_text=True)
    service = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://x/> { } }", "format": "html"})
    assert service.status_code == 400 and "SERVICE is not allowed" in service.get_data(as_text=True)


def test_after_a_rebuild_the_workers_answer_from_the_new_build(tmp_path: Path, home: Home) -> None:
    """The workers load the build the request is served from; a new build retires them between queries."""
    fresh = Home(tmp_path / "home")
    shutil.copytree(home.root / "ontology", fresh.root / "ontology")
    shutil.copytree(home.root / "sources", fresh.root / "sources")
    build(fresh, reason=False)
    client = make_app(fresh).test_client()
    ask = {"query": "ASK { kb:inverclyde skos:altLabel 'Inverklyde'@en }"}
    assert client.get("/sparql", query_string=ask).get_json()["boolean"] is False
    trig = fresh.root / "sources" / "web-fixture-local" / "local.trig"
    old = 'skos:altLabel "Invercive"@en'
    trig.write_text(trig.read_text(encoding="utf-8").replace(old, old + ', "Inverklyde"@en'), encoding="utf-8")
    build(fresh, reason=False)
    assert client.get("/sparql", query_string=ask).get_json()["boolean"] is True


# --- real clients over HTTP on 127.0.0.1 ---------------------------------------------------------------------


def test_sparqlwrapper_select_ask_and_construct(live_url: str) -> None:
    client = SPARQLWrapper(live_url)
    client.setQuery(
        "PREFIX ak: <https://w3id.org/alignkb/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + AREAS
    )
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"][0]["label"]["value"] == "Inverclyde"
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("literal")[0].firstChild.data == "Inverclyde"
    client.setReturnFormat(CSV)
    assert b"Inverclyde" in client.query().convert()
    client.setMethod("POST")
    client.setReturnFormat(JSON)
    client.setQuery("ASK { <https://w3id.org/alignkb/id/inverclyde> ?p ?o }")
    assert client.query().convert()["boolean"] is True
    client.setQuery(
        "CONSTRUCT { <https://w3id.org/alignkb/id/inverclyde> ?p ?o } "
        "WHERE { <https://w3id.org/alignkb/id/inverclyde> ?p ?o }"
    )
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) >= 3


def test_sparqlwrapper_sees_a_bad_query_as_bad_formed(live_url: str) -> None:
    client = SPARQLWrapper(live_url)
    client.setQuery("SELECT ?x WHERE { ?x }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.query()


def test_rdflib_sparqlstore_queries_the_endpoint(live_url: str) -> None:
    store = SPARQLStore(query_endpoint=live_url)
    try:
        rows = list(store.query(AREAS))
        assert [str(r[1]) for r in rows] == ["Inverclyde"]
        dataset = rdflib.Dataset(store, default_union=True)
        labels = set(dataset.objects(rdflib.URIRef("https://w3id.org/alignkb/id/inverclyde"), rdflib.RDFS.label))
        assert rdflib.Literal("Inverclyde", lang="en") in labels
    finally:
        store.close()


def test_the_endpoint_accepts_a_json_accept_list_like_sparqlwrapper_sends(client: FlaskClient) -> None:
    accept = "application/sparql-results+json,application/json,text/javascript,application/javascript"
    response = client.get("/sparql", query_string={"query": AREAS}, headers={"Accept": accept})
    assert response.mimetype == "application/sparql-results+json"
    assert json.loads(response.data)["head"]["vars"] == ["area", "label"]


def test_get_without_a_query_gives_the_service_description(client: FlaskClient) -> None:
    """Issue 18: a SPARQL 1.1 Service Description on GET /sparql without a query (the page for browsers)."""
    import rdflib

    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.mimetype == "text/turtle"
    assert answer.headers.get("Access-Control-Allow-Origin") == "*"
    graph = rdflib.Graph().parse(data=answer.get_data(as_text=True), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.BasicFederatedQuery) not in graph  # SERVICE is refused
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
