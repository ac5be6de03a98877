"""Published like a dataset (issue 18, item 5): dumps with checksums, a VoID and DCAT description served and in
releases, a licence for the code and for the data with its attribution, a published JSON-LD context, one version
for the package, the ontology and releases, and a tested plan for resolving https://w3id.org/alignkb/."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import kb
from kb.build import build
from kb.model.dataset import ATTRIBUTION, DATA_LICENCE, DUMPS
from kb.model.namespace import ONTOLOGY_IRI, PREFIXES
from kb.model.paths import Home
from kb.release import make_release
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DCTERMS = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, repo_home: Home) -> Home:
    """A copy of the real knowledge base, built (without HermiT) and released at the package's version."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(repo_home.ontology, root / "ontology")
    shutil.copytree(repo_home.sources, root / "sources")
    home = Home(root)
    build(home, reason=False, shacl=False)
    make_release(home, kb.__version__)
    return home


@pytest.fixture(scope="module")
def client(published: Home) -> FlaskClient:
    return create_app({"ALIGNKB_HOME": str(published.root), "TESTING": True}).test_client()


def fetch(client: FlaskClient, url: str, **options: object) -> TestResponse:
    """GET ``url``, read the body and close the response (a file sent stays open until then)."""
    response = client.get(url, **options)
    response.get_data()
    response.close()
    return response


def quads_of(path: Path, fmt: ox.RdfFormat) -> set[str]:
    dataset = ox.Dataset(ox.parse(path=str(path), format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_the_dumps_hold_the_same_statements_and_their_checksums_are_right(published: Home) -> None:
    dist = published.dist
    nq = quads_of(dist / "kb.nq", ox.RdfFormat.N_QUADS)
    assert quads_of(dist / "kb.trig", ox.RdfFormat.TRIG) == nq
    assert quads_of(dist / "kb.jsonld", ox.RdfFormat.JSON_LD) == nq
    merged = {str(t) for t in ox.parse(path=str(dist / "kb.ttl"), format=ox.RdfFormat.TURTLE)}
    assert len(merged) == len(
        {
            str(ox.Triple(q.subject, q.predicate, q.object))
            for q in ox.parse(path=str(dist / "kb.nq"), format=ox.RdfFormat.N_QUADS)
        }
    )
    sums = dict(reversed(line.split("  ", 1)) for line in (dist / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {d.file for d in DUMPS} | {"void.ttl", "context.jsonld"}
    for name, sha in sums.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == sha, name


def test_the_json_ld_dump_is_compacted_with_the_published_context_and_reads_in_rdflib(published: Home) -> None:
    document = json.loads((published.dist / "kb.jsonld").read_text())
    assert document["@context"] == PREFIXES == json.loads((published.dist / "context.jsonld").read_text())["@context"]
    graphs = {g["@id"]: g for g in document["@graph"]}
    assert "https://w3id.org/alignkb/graph/ontology" in graphs
    some = graphs["https://w3id.org/alignkb/graph/sources"]["@graph"][0]
    assert "rdfs:label" in some or "dcterms:title" in some  # keys compacted, identifiers full
    dataset = rdflib.Dataset()
    dataset.parse(published.dist / "kb.jsonld", format="json-ld")
    assert len(list(dataset.quads((None, None, None, None)))) == len(
        (published.dist / "kb.nq").read_text().splitlines()
    )


def void_graph(data: bytes) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format="turtle")


def test_the_void_description_counts_licenses_versions_and_lists_every_dump(published: Home) -> None:
    graph = void_graph((published.dist / "void.ttl").read_bytes())
    dataset = rdflib.URIRef("https://w3id.org/alignkb/dataset")
    value = lambda p: graph.value(dataset, rdflib.URIRef(p))  # noqa: E731
    assert (dataset, rdflib.RDF.type, rdflib.URIRef(VOID + "Dataset")) in graph
    assert (dataset, rdflib.RDF.type, rdflib.URIRef(DCAT + "Dataset")) in graph
    assert str(value(DCTERMS + "license")) == DATA_LICENCE
    assert str(value(DCTERMS + "rights")) == ATTRIBUTION
    assert str(value(DCAT + "version")) == kb.__version__
    assert str(value(VOID + "sparqlEndpoint")) == "https://w3id.org/alignkb/sparql"
    assert str(value(VOID + "exampleResource")) == "https://w3id.org/alignkb/id/inverclyde"
    report = json.loads((published.dist / "report.json").read_text())
    assert int(value(VOID + "triples")) == report["dataset"]["triples"] > 1000
    assert int(value(VOID + "entities")) == report["dataset"]["entities"] > 100
    assert int(value(VOID + "classes")) > 10
    dumps = set(graph.objects(dataset, rdflib.URIRef(VOID + "dataDump")))
    assert {str(d) for d in dumps} == {f"https://w3id.org/alignkb/downloads/{d.file}" for d in DUMPS}
    for distribution in graph.objects(dataset, rdflib.URIRef(DCAT + "distribution")):
        url = graph.value(distribution, rdflib.URIRef(DCAT + "downloadURL"))
        file = published.dist / str(url).rsplit("/", 1)[-1]
        assert int(graph.value(distribution, rdflib.URIRef(DCAT + "byteSize"))) == file.stat().st_size
        checksum = graph.value(distribution, rdflib.URIRef(SPDX + "checksum"))
        sha = graph.value(checksum, rdflib.URIRef(SPDX + "checksumValue"))
        assert str(sha) == hashlib.sha256(file.read_bytes()).hexdigest()
    areas = [
        p
        for p in graph.objects(dataset, rdflib.URIRef(VOID + "classPartition"))
        if str(graph.value(p, rdflib.URIRef(VOID + "class"))).endswith("#CouncilArea")
    ]
    assert int(graph.value(areas[0], rdflib.URIRef(VOID + "entities"))) == 32


def test_the_description_and_the_dumps_are_served(client: FlaskClient, published: Home) -> None:
    void = fetch(client, "/.well-known/void")
    assert void.status_code == 200 and void.mimetype == "text/turtle"
    assert void.data == (published.dist / "void.ttl").read_bytes()
    assert void.headers["Access-Control-Allow-Origin"] == "*"
    assert fetch(client, "/dataset.ttl").data == void.data
    for dump in DUMPS:
        response = fetch(client, f"/downloads/{dump.file}")
        assert response.status_code == 200 and response.mimetype == dump.media_type, dump.file
        assert response.data == (published.dist / dump.file).read_bytes()
        again = fetch(client, f"/downloads/{dump.file}", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    assert fetch(client, "/downloads/SHA256SUMS").data == (published.dist / "SHA256SUMS").read_bytes()
    assert fetch(client, "/downloads/report.json").status_code == 404
    assert fetch(client, "/downloads/..%2Fkb.nq").status_code == 404
    described = fetch(client, "/dataset.jsonld")
    assert described.status_code == 200 and json.loads(described.data)["@context"].endswith("/context.jsonld")


def test_the_dataset_page_says_it_in_words(client: FlaskClient) -> None:
    html = client.get("/dataset").get_data(as_text=True)
    assert ATTRIBUTION in html and "Open Government Licence v3.0" in html
    for dump in DUMPS:
        assert f'href="/downloads/{dump.file}"' in html
    assert "Council area" in html and "merges all statements into one" in html
    assert "ak:" not in html.split('id="what-it-is"', 1)[1].split("</main>")[0]  # words, not machinery
    data = client.get("/dataset.json").get_json()
    assert data["version"] == kb.__version__ and data["licence"]["attribution"] == ATTRIBUTION
    assert all(d["sha256"] and d["bytes"] for d in data["dumps"])
    assert 'id="data-licence"' in client.get("/about").get_data(as_text=True)  # on every page's footer


def test_the_context_is_published_and_entity_json_ld_refers_to_it(client: FlaskClient) -> None:
    context = client.get("/context.jsonld")
    assert context.status_code == 200 and context.mimetype == "application/ld+json"
    assert json.loads(context.data) == {"@context": PREFIXES}
    entity = json.loads(client.get("/id/inverclyde.jsonld").data)
    assert entity["@context"] == "http://localhost/context.jsonld"
    node = next(n for n in entity["@graph"] if n["@id"] == "https://w3id.org/alignkb/id/inverclyde")
    assert "ak:CouncilArea" in node["@type"]
    expanded = json.loads(client.get("/id/inverclyde.jsonld").data)
    expanded["@context"] = PREFIXES  # what a processor gets when it fetches the context
    triples = {str(t) for t in ox.parse(json.dumps(expanded).encode(), format=ox.RdfFormat.JSON_LD)}
    assert any("<https://w3id.org/alignkb/ontology#CouncilArea>" in t for t in triples)


def test_one_version_for_the_package_the_ontology_and_releases(published: Home) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert kb.__version__ == pyproject["project"]["version"]
    iri = f"{ONTOLOGY_IRI}/{kb.__version__}"
    assert (
        f"<{ONTOLOGY_IRI}> <http://www.w3.org/2002/07/owl#versionIRI> <{iri}>" in (published.dist / "kb.nq").read_text()
    )
    release = published.root / "releases" / kb.__version__
    manifest = json.loads((release / "release.json").read_text())
    assert manifest["version"] == kb.__version__ and manifest["version_iri"] == iri
    assert manifest["licence"] == DATA_LICENCE and manifest["attribution"] == ATTRIBUTION
    assert ATTRIBUTION in (release / "LICENSE-DATA.md").read_text()
    assert (release / "alignkb.nq").read_bytes() == (published.dist / "kb.nq").read_bytes()
    void = void_graph((release / "void.ttl").read_bytes())
    assert f"https://w3id.org/alignkb/releases/{kb.__version__}/alignkb.nq" in {str(o) for o in void.objects()}
    for line in (release / "SHA256SUMS").read_text().splitlines():
        sha, name = line.split("  ", 1)
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == sha, name


def test_the_code_and_the_data_each_have_a_licence_that_agrees_everywhere() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert json.loads((ROOT / "package.json").read_text())["license"] == "MIT"
    licence = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert licence in ("MIT", {"text": "MIT"})
    data = (ROOT / "LICENSE-DATA.md").read_text()
    assert ATTRIBUTION in data and DATA_LICENCE in data


def htaccess_rules() -> list[tuple[str, str, str, list[str]]]:
    """(pattern, target, flags, samples) of every RewriteRule in docs/w3id.htaccess."""
    rules, samples = [], []
    for line in (ROOT / "docs" / "w3id.htaccess").read_text().splitlines():
        if line.startswith("# sample:"):
            samples.append(line.removeprefix("# sample:").strip())
        elif line.startswith("RewriteRule "):
            _, pattern, target, flags = line.split()
            rules.append((pattern, target, flags, samples))
            samples = []
    return rules


def test_every_w3id_rule_leads_to_a_route_that_answers_for_a_sample_iri(client: FlaskClient) -> None:
    rules = htaccess_rules()
    assert len(rules) >= 10
    deployment = "https://alignkb.example.org/"
    for pattern, target, flags, samples in rules:
        assert samples, f"the rule {pattern} has no '# sample:' line"
        assert target.startswith(deployment) and re.fullmatch(r"\[R=30[237],L\]", flags), pattern
        for sample in samples:
            path = sample.replace("{version}", kb.__version__)
            match = re.search(pattern, path)
            assert match, f"{path} does not match {pattern}"
            app_path = "/" + match.expand(target.replace("$", "\\")).removeprefix(deployment)
            response = fetch(client, app_path, headers={"Accept": "text/html"})
            assert response.status_code in (200, 303), f"{sample} → {app_path}: {response.status_code}"
    documented = (ROOT / "docs" / "iri-resolution.md").read_text()
    assert "w3id.htaccess" in documented
