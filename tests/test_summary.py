"""The summary HermiT checks first: individuals merged by kind, exact for the ontology's fragment, and never the
last word on an inconsistency (the full data decides)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kb.checks.abox_summary import SUMMARY, summary_triples
from kb.checks.reasoning import check_consistency
from kb.inputs.sources import read_ontology
from kb.model.namespace import ONTOLOGY_GRAPH
from kb.model.paths import Home

PREFIXES = """
@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix kb: <https://w3id.org/alignkb/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
AK = "https://w3id.org/alignkb/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DATA = ox.NamedNode("https://w3id.org/alignkb/evidence/test/a")

AREAS = """
kb:a1 a ak:CouncilArea ; rdfs:label "Area one" ; ak:withinArea kb:hb .
kb:a2 a ak:CouncilArea ; rdfs:label "Area two" ; ak:withinArea kb:hb .
kb:a3 a ak:CouncilArea ; rdfs:label "Area three" ; ak:withinArea kb:hb .
kb:hb a ak:HealthBoardArea ; rdfs:label "Board area" .
"""


def store_with(home: Home, data: str, ontology_extra: str = "") -> ox.Store:
    problems: list = []
    store = ox.Store()
    store.extend(read_ontology(home, problems))
    assert not problems
    store.extend(_quads(ontology_extra, ox.NamedNode(str(ONTOLOGY_GRAPH))))
    store.extend(_quads(data, DATA))
    return store


def _quads(turtle: str, graph: ox.NamedNode) -> list[ox.Quad]:
    parsed = ox.parse(PREFIXES + turtle, format=ox.RdfFormat.TURTLE)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed]


def summary_nodes(triples: list[ox.Triple]) -> set[str]:
    return {t.subject.value for t in triples if t.subject.value.startswith(SUMMARY)}  # type: ignore[union-attr]


def test_individuals_of_the_same_kind_become_one_and_labels_are_left_out(repo_home: Home) -> None:
    triples = summary_triples(store_with(repo_home, AREAS))
    assert triples is not None
    assert len(summary_nodes(triples)) == 2  # the three council areas are one; the board area another
    assert not any(t.object == ox.Literal("Area one") for t in triples)
    assert not any("id/a1" in str(t) for t in triples)


def test_values_that_could_clash_are_kept_as_they_are(repo_home: Home) -> None:
    data = AREAS + 'kb:p a ak:Plan ; ak:periodStart "2020-13-45"^^xsd:date ; ak:periodEnd "2023-03-31"^^xsd:date .\n'
    triples = summary_triples(store_with(repo_home, data))
    assert triples is not None
    values = {t.object for t in triples if isinstance(t.object, ox.Literal)}
    assert ox.Literal("2020-13-45", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")) in values


@pytest.mark.parametrize(
    ("extra_ontology", "extra_data"),
    [
        ("ak:withinArea a owl:FunctionalProperty .", ""),
        (
            "ak:Plan rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ak:forArea ; owl:someValuesFrom ak:Area ] .",
            "",
        ),
        ("", "kb:a1 owl:sameAs kb:a2 ."),
        ("", "kb:a1 owl:differentFrom kb:a2 ."),
    ],
    ids=["functional-property", "restriction", "same-as", "different-from"],
)
def test_no_summary_outside_the_fragment_where_it_is_exact(
    repo_home: Home, extra_ontology: str, extra_data: str
) -> None:
    assert summary_triples(store_with(repo_home, AREAS + extra_data, extra_ontology)) is None


def test_the_summary_is_what_hermit_checks_when_the_data_is_consistent(repo_home: Home) -> None:
    result = check_consistency(store_with(repo_home, AREAS))
    assert result.consistent and result.summary > 0


def test_an_inconsistent_summary_is_settled_on_the_full_data(repo_home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_with(repo_home, AREAS)
    clash = ox.NamedNode(SUMMARY + "clash")
    spurious = [
        *(summary_triples(store) or []),
        ox.Triple(clash, ox.NamedNode(RDF_TYPE), ox.NamedNode(AK + "CouncilArea")),
        ox.Triple(clash, ox.NamedNode(RDF_TYPE), ox.NamedNode(AK + "Body")),
    ]
    monkeypatch.setattr("kb.checks.reasoning.summary_triples", lambda _store: spurious)
    result = check_consistency(store)
    assert result.consistent and result.summary == len(spurious)


def test_inconsistent_data_is_found_and_explained(repo_home: Home) -> None:
    result = check_consistency(store_with(repo_home, AREAS + "kb:c a ak:CouncilArea , ak:Body .\n"))
    assert not result.consistent
    assert "id/c> is both" in result.problems[0].message
