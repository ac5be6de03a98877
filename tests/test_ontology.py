"""The ontology parses, is consistent under HermiT, documents every term, and matches the typed namespace."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kb.checks.reasoning import check_consistency
from kb.inputs.sources import read_ontology
from kb.model.namespace import AK, ONTOLOGY_IRI
from kb.model.paths import Home

DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")


def ontology_graph(home: Home) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in home.ontology_files():
        graph.parse(path, format="turtle")
    return graph


def test_ontology_has_an_iri_title_licence_and_the_packages_version_iri(repo_home: Home, kb_store) -> None:
    graph = ontology_graph(repo_home)
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) is None  # one version: the build stamps pyproject.toml's
    import kb

    stated = kb_store.select(
        "SELECT ?v ?i WHERE { <https://w3id.org/alignkb/ontology> owl:versionIRI ?v ; owl:versionInfo ?i }"
    )
    assert stated.records() == [{"v": f"{ONTOLOGY_IRI}/{kb.__version__}", "i": kb.__version__}]
    assert graph.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) is not None


def test_ontology_is_consistent_under_hermit(repo_home: Home) -> None:
    problems: list = []
    store = ox.Store()
    store.extend(read_ontology(repo_home, problems))
    assert not problems
    result = check_consistency(store)
    assert result.consistent, result.problems


def test_every_class_and_property_has_label_definition_and_source_or_rationale(repo_home: Home) -> None:
    graph = ontology_graph(repo_home)
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]
    missing = []
    for kind in kinds:
        for term in graph.subjects(RDF.type, kind):
            if not isinstance(term, rdflib.URIRef) or not str(term).startswith(str(AK._NS)):
                continue
            has_label = graph.value(term, RDFS.label) is not None
            has_def = graph.value(term, SKOS.definition) is not None
            has_why = graph.value(term, DCTERMS.source) is not None or graph.value(term, AK.rationale) is not None
            if not (has_label and has_def and has_why):
                missing.append(str(term))
    assert missing == []


def test_every_reused_external_term_is_documented_too(repo_home: Home) -> None:
    graph = ontology_graph(repo_home)
    undocumented = [
        str(t)
        for kind in (OWL.Class, OWL.ObjectProperty)
        for t in graph.subjects(RDF.type, kind)
        if isinstance(t, rdflib.URIRef) and graph.value(t, SKOS.definition) is None
    ]
    assert undocumented == []


def test_typed_namespace_lists_exactly_the_ontology_terms(repo_home: Home) -> None:
    graph = ontology_graph(repo_home)
    in_ontology = {
        str(s)[len(str(AK._NS)) :]
        for s in graph.subjects()
        if isinstance(s, rdflib.URIRef) and str(s).startswith(str(AK._NS))
    }
    in_namespace = set(AK.__annotations__) | set(AK._extras)
    assert in_ontology == in_namespace


def test_ontology_loads_in_owlready2(repo_home: Home, tmp_path) -> None:
    import owlready2

    graph = ontology_graph(repo_home)
    path = tmp_path / "onto.owl"
    graph.serialize(path, format="xml")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    names = {c.name for c in onto.classes()}
    assert {"Requirement", "DelegationArrangement", "Assertion", "Indicator"} <= names
    world.close()
