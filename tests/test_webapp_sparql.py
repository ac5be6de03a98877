"""The SPARQL 1.1 Protocol endpoint: methods, result formats, read-only, timeout, row cap, errors — through
the Flask test client and through real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) on loopback."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
import rdflib
from flask import Flask
from flask.testing import FlaskClient
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kb.model.paths import Home
from tests.webapp_support import live_server, make_app, web_home
from webapp.sparql import examples, query_form

AREAS = "SELECT ?area ?label WHERE { ?area a ak:CouncilArea ; rdfs:label ?label }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?k { 1 2 3 4 5 6 7 8 9 10 11 12 } }"


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
def test_updates_are_refused_with_403(client: FlaskClient, update: str) -> None:
    assert client.get("/sparql", query_string={"query": update}).status_code == 403
    assert client.post("/sparql", data={"query": update}).status_code == 403
    assert client.post("/sparql", data={"update": update}).status_code == 403
    assert client.post("/sparql", data=update.encode(), content_type="application/sparql-update").status_code == 403
    assert client.get("/sparql", query_string={"query": "ASK { kb:x rdfs:label 'x' }"}).get_json()["boolean"] is False


def test_a_query_mentioning_insert_in_a_string_is_not_an_update(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s rdfs:label 'INSERT DATA { }' }"})
    assert response.status_code == 200


def test_malformed_query_is_400_with_the_parser_message(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("Malformed query:") and len(text) > len("Malformed query: ") + 5


def test_missing_query_is_400_for_clients_and_the_query_page_for_browsers(client: FlaskClient) -> None:
    assert client.get("/sparql", headers={"Accept": "application/sparql-results+json"}).status_code == 400
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


def test_a_query_over_the_deadline_gets_503(home: Home) -> None:
    client = make_app(home, SPARQL_TIMEOUT=0.2).test_client()
    response = client.get("/sparql", query_string={"query": SLOW})
    assert response.status_code == 503
    assert "timed out" in response.get_data(as_text=True)


def test_every_example_query_runs(client: FlaskClient) -> None:
    for example in examples():
        assert example["question"] and example["title"] != example["name"], example["name"]
        response = client.get("/sparql", query_string={"query": example["text"]})
        assert response.status_code == 200, (example["name"], response.data[:300])


def test_query_form_skips_prologue_comments_and_strings() -> None:
    assert query_form("# x\nPREFIX a: <http://x/>\nBASE <http://y/>\n select * {}") == "SELECT"
    assert query_form("PREFIX : <http://x#> CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"


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
