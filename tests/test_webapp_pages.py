"""The browser's pages and their JSON twins, linked data and content negotiation, on the fixture knowledge base."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kb.analyses.labels import search as search_names
from webapp.kbase import get_store

PAYLOAD = "<script>alert('xss')</script>"


PAGES = [
    "/",
    "/search?q=inverclyde",
    "/types",
    "/types/ak:CouncilArea",
    "/id/inverclyde",
    "/id/req-childrens-services-plan",
    "/id/xss-probe",
    "/source/web-fixture-local",
    "/evidence/web-fixture-local/inverclyde",
    "/sources",
    "/analyses",
    "/analyses/obligations?area=Inverclyde&service=health+visiting",
    "/pictures",
    "/pictures/alignment",
    "/pictures/alignment?area=inverclyde",
    "/pictures/burden",
    "/id/req-childrens-services-plan/network",
    "/ontology",
    "/about",
    "/coverage",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_the_design_system_and_a_skip_link(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.data[:500]
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    assert "/vendor/sgds/css/design-system.min.css" in html
    assert "<main" in html and 'role="banner"' in html and "<footer" in html


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_json_twin_by_suffix_and_by_parameter(client: FlaskClient, path: str) -> None:
    base, _, query = path.partition("?")
    suffixed = (base.rstrip("/") or "/index") + ".json" + (f"?{query}" if query else "")
    if base == "/":
        suffixed = "/?format=json"
    by_param = path + ("&" if "?" in path else "?") + "format=json"
    for url in (suffixed, by_param):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json", url
        assert isinstance(response.get_json(), dict)


def test_home_counts_what_is_in_the_knowledge_base(client: FlaskClient) -> None:
    data = client.get("/?format=json").get_json()
    assert data["totals"]["assertions"] == 4
    assert any(a["name"] == "obligations" for a in data["analyses"])
    counts = {c["curie"]: c["count"] for c in client.get("/types.json").get_json()["classes"]}  # moved off home
    assert counts["ak:CouncilArea"] == 1 and counts["ak:PlanRequirement"] == 2


def test_search_finds_an_area_by_its_misspelt_alternative_label(client: FlaskClient) -> None:
    results = client.get("/search.json?q=Invercive").get_json()["results"]
    assert results[0]["iri"] == "https://w3id.org/alignkb/id/inverclyde"
    assert results[0]["href"] == "/id/inverclyde"


def test_search_matches_definitions(client: FlaskClient) -> None:
    results = client.get("/search.json?q=school age").get_json()["results"]
    assert "https://w3id.org/alignkb/id/svc-health-visiting" in [r["iri"] for r in results]


def test_a_misspelt_name_has_no_exact_result_but_near_matches_said_to_be_near(client: FlaskClient) -> None:
    data = client.get("/search.json?q=Inverclide").get_json()
    assert data["exact"] is False and not any(r["exact"] for r in data["results"])
    assert "https://w3id.org/alignkb/id/inverclyde" in [r["iri"] for r in data["results"]]
    areas = client.get("/search.json?q=Inverclide&type=ak:CouncilArea").get_json()
    assert areas["results"][0]["iri"] == "https://w3id.org/alignkb/id/inverclyde"
    assert areas["exact"] is False and 0 < areas["results"][0]["score"] < 1
    assert 'id="near-matches"' in client.get("/search?q=Inverclide").get_data(as_text=True)
    exact = client.get("/search.json?q=inverclyde").get_json()
    assert exact["exact"] is True and exact["results"][0]["exact"] is True
    assert 'id="near-matches"' not in client.get("/search?q=inverclyde").get_data(as_text=True)


def test_an_unknown_slug_suggests_entities_by_the_analyses_name_matching(client: FlaskClient) -> None:
    data = client.get("/id/health-visitng.json").get_json()
    suggested = [s["iri"] for s in data["suggestions"]]
    assert suggested[0] == "https://w3id.org/alignkb/id/svc-health-visiting"
    with client.application.app_context():
        engine = [m.iri for m in search_names(get_store(), "health visitng", limit=20)]
    assert suggested == engine[: len(suggested)]


def test_browse_by_type_lists_members(client: FlaskClient) -> None:
    data = client.get("/types/ak:Act.json").get_json()
    assert {m["label"] for m in data["members"]} >= {"Children and Young People (Scotland) Act 2014"}


def test_entity_page_groups_outgoing_and_incoming_relations_with_sources(client: FlaskClient) -> None:
    data = client.get("/id/req-childrens-services-plan.json").get_json()
    assert data["label"] == "Children's services plan"
    assert data["definition"].startswith("A three-year plan")
    outgoing = {g["property"]["curie"]: g for g in data["outgoing"]}
    basis = outgoing["ak:legalBasis"]["values"][0]
    assert basis["value"]["href"] == "/id/cyp-act-2014-s8"
    source = basis["sources"][0]
    assert source["source"] == "https://w3id.org/alignkb/source/web-fixture-law"
    assert source["locator"] == "section 8" and source["confidence"] == "Confirmed"
    assert source["quote"].startswith("A local authority")
    assert source["graph_href"] == "/evidence/web-fixture-law/act"
    incoming = {g["property"]["curie"]: g for g in data["incoming"]}
    assert [v["value"]["href"] for v in incoming["ak:realises"]["values"]] == ["/id/plan-inverclyde-csp-2023"]
    assert [v["value"]["href"] for v in incoming["ak:reportsOn"]["values"]] == [
        "/id/req-childrens-services-plan-annual-report"
    ]


def test_entity_page_shows_status_and_dates(client: FlaskClient) -> None:
    data = client.get("/id/cyp-act-2014.json").get_json()
    facts = {g["property"]["curie"]: [v["value"] for v in g["values"]] for g in data["facts"]}
    assert facts["ak:status"][0]["href"] == "/ontology#InForce"
    assert facts["ak:enactedOn"][0]["value"] == "2014-03-27"


def test_a_statement_supported_by_two_sources_lists_both(client: FlaskClient) -> None:
    data = client.get("/id/sc-childrens-health-services.json").get_json()
    incoming = {g["property"]["curie"]: g for g in data["incoming"]}
    assert incoming["ak:coversService"]["values"]
    outgoing = {g["property"]["curie"]: g for g in data["outgoing"]}
    graphs = {s["graph"] for v in outgoing["rdf:type"]["values"] for s in v["sources"]}
    assert graphs == {"https://w3id.org/alignkb/evidence/web-fixture-law/act"}


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
    ],
)
def test_entity_iri_negotiates_html_turtle_and_json_ld(client: FlaskClient, accept: str, media: str) -> None:
    response = client.get("/id/inverclyde", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("url", "media"),
    [
        ("/id/inverclyde.ttl", "text/turtle"),
        ("/id/inverclyde?format=ttl", "text/turtle"),
        ("/id/inverclyde.jsonld", "application/ld+json"),
        ("/id/inverclyde?format=jsonld", "application/ld+json"),
    ],
)
def test_entity_formats_by_suffix_and_parameter(client: FlaskClient, url: str, media: str) -> None:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == media


def test_turtle_of_an_entity_parses_and_holds_its_statements_both_ways(client: FlaskClient) -> None:
    body = client.get("/id/inverclyde.ttl").data
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    area = ox.NamedNode("https://w3id.org/alignkb/id/inverclyde")
    assert any(t.subject == area for t in triples)
    assert any(t.object == area for t in triples)


def test_json_ld_of_an_entity_parses(client: FlaskClient) -> None:
    data = json.loads(client.get("/id/inverclyde.jsonld").data)
    ids = {node.get("@id") for node in (data if isinstance(data, list) else data.get("@graph", [data]))}
    assert "https://w3id.org/alignkb/id/inverclyde" in ids


def test_source_and_evidence_iris_resolve(client: FlaskClient) -> None:
    source = client.get("/source/web-fixture-law.json").get_json()
    assert source["label"] == "Web fixture: statutory requirements (test data)"
    assert {e["graph"]["href"] for e in source["evidence"]} == {
        "/evidence/web-fixture-law/act",
        "/evidence/web-fixture-law/ijb",
    }
    evidence = client.get("/evidence/web-fixture-law/ijb.json").get_json()
    assert evidence["provenance"]["confidence"] == "Secondary"
    assert evidence["provenance"]["locator"] == "Part 2 summary"
    assert any(s["subject"]["href"] == "/id/req-strategic-plan" for s in evidence["statements"])
    assert client.get("/evidence/web-fixture-law/ijb.ttl").mimetype == "text/turtle"
    assert client.get("/source/web-fixture-law", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"


def test_unknown_entity_is_a_404_page_suggesting_near_matches(client: FlaskClient) -> None:
    response = client.get("/id/invercyde")
    assert response.status_code == 404
    assert 'href="/id/inverclyde"' in response.get_data(as_text=True)
    data = client.get("/id/invercyde.json").get_json()
    assert "https://w3id.org/alignkb/id/inverclyde" in [s["iri"] for s in data["suggestions"]]


def test_unknown_source_evidence_and_type_are_404(client: FlaskClient) -> None:
    for url in ("/source/nope", "/evidence/web-fixture-law/nope", "/types/ak:Nope", "/no/such/page"):
        assert client.get(url).status_code == 404, url


def test_ontology_documentation_is_generated_from_the_ontology(client: FlaskClient) -> None:
    data = client.get("/ontology.json").get_json()
    sections = {s["key"]: s["terms"] for s in data["sections"]}
    plan = next(t for t in sections["classes"] if t["curie"] == "ak:PlanRequirement")
    assert plan["definition"] and [r["curie"] for r in plan["superclasses"]] == ["ak:Requirement"]
    legal = next(t for t in sections["object_properties"] if t["curie"] == "ak:legalBasis")
    assert [r["curie"] for r in legal["range"]] == ["ak:Provision"]
    assert any(t["curie"] == "ak:InForce" for t in sections["individuals"])
    html = client.get("/ontology").get_data(as_text=True)
    assert 'id="PlanRequirement"' in html
    ttl = client.get("/ontology.ttl")
    assert ttl.mimetype == "text/turtle" and b"ak:PlanRequirement" in ttl.data


def test_vendor_files_are_served_from_node_modules_and_nothing_else(client: FlaskClient) -> None:
    for url, status in [
        ("/vendor/sgds/css/design-system.min.css", 200),
        ("/vendor/yasgui/yasgui.min.js", 200),
        ("/vendor/cytoscape/cytoscape.min.js", 200),
        ("/vendor/other/package.json", 404),
        ("/vendor/sgds/../../../package.json", 404),
    ]:
        response = client.get(url)
        response.close()
        assert response.status_code == status, url


def test_health_is_kept(client: FlaskClient) -> None:
    assert client.get("/health").get_json()["status"] == "ok"


# --- escaping: a <script> payload in user input and in the data never reaches a page unescaped ----------------

ESCAPE_PAGES = [
    "/search?q=" + PAYLOAD,
    "/search?q=probe",
    "/id/xss-probe",
    "/id/sc-childrens-health-services",
    "/id/xss-probe/network",
    "/source/web-fixture-local",
    "/evidence/web-fixture-local/payload",
    "/evidence/web-fixture-local/inverclyde",
    "/sources",
    "/types/ak:PopulationGroup",
    "/id/" + PAYLOAD,
    "/analyses/obligations?area=" + PAYLOAD + "&service=health+visiting",
    "/analyses/" + PAYLOAD,
    "/pictures/alignment?area=" + PAYLOAD,
    "/pictures/burden?area=" + PAYLOAD,
    "/sparql?format=html&query=" + "SELECT ?x WHERE { ?x rdfs:label ?l FILTER CONTAINS(?l, 'Probe') }",
    "/sparql?format=html&query=SELECT " + PAYLOAD,
    "/ontology?x=" + PAYLOAD,
]


@pytest.mark.parametrize("path", ESCAPE_PAGES)
def test_script_payloads_are_escaped_everywhere(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert "<script>alert(" not in html
    for script in html.split("<script")[1:]:
        assert "alert(" not in script.split("</script>")[0] or "\\u003c" in script


def test_the_payload_is_shown_as_text(client: FlaskClient) -> None:
    html = client.get("/id/xss-probe").get_data(as_text=True)
    assert "Probe group &lt;script&gt;alert(" in html
    assert "&lt;b&gt;markup&lt;/b&gt; &amp;" in html


def test_coverage_page_says_how_much_of_each_set_is_held(client: FlaskClient) -> None:
    html = client.get("/coverage").get_data(as_text=True)
    assert "Fixture indicator set" in html and "held in part" in html
    assert "SHANARRI wellbeing indicators" in html and "not stated" in html
    assert "ak:" not in html.split('id="main-content"', 1)[1].split("<footer", 1)[0]
    data = client.get("/coverage.json").get_json()
    fixture = next(s for s in data["sets"] if s["label"] == "Fixture indicator set")
    assert fixture["declared"] == 40 and fixture["completeness"] == "partial"
