"""Queries that work where people run them (issue 18 item 6): the types the class hierarchy implies are written into
the build, so a plain query for a superclass finds its members in the served store and in the dump loaded elsewhere."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kb.model.paths import Home

AREAS = "PREFIX ak: <https://w3id.org/alignkb/ontology#> SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ak:Area }"
COUNCILS = (
    "PREFIX ak: <https://w3id.org/alignkb/ontology#> SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ak:CouncilArea }"
)


def _count(store: ox.Store, query: str) -> int:
    rows = list(store.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]
    return int(rows[0]["n"].value)


@pytest.fixture(scope="module")
def dump(built_home: Home) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built_home.dist / "kb.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def test_a_superclass_finds_every_member_in_the_dump(dump: ox.Store) -> None:
    councils = _count(dump, COUNCILS)
    assert councils == 32
    assert _count(dump, AREAS) >= councils + 14  # council areas and health board areas are areas


def test_every_ontology_class_finds_by_a_plain_type_what_the_class_hierarchy_finds(dump: ox.Store) -> None:
    """The analyses' queries write ``?x a ak:Requirement``, not ``?x a/rdfs:subClassOf* ak:Requirement`` (which
    Virtuoso answers with rows missing when it sits beside another path, tests/test_virtuoso.py): that is only
    right if the build has written every implied type, for every class of the ontology."""
    classes = dump.query(
        "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a <http://www.w3.org/2002/07/owl#Class> } "
        'FILTER(STRSTARTS(STR(?c), "https://w3id.org/alignkb/ontology#")) }'
    )
    checked = 0
    for row in classes:  # type: ignore[union-attr]
        c = row["c"]
        through = f"SELECT DISTINCT ?x WHERE {{ ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {c} }}"
        plain = f"SELECT DISTINCT ?x WHERE {{ ?x a {c} }}"
        found = {r["x"] for r in dump.query(through, use_default_graph_as_union=True)}  # type: ignore[union-attr]
        plainly = {r["x"] for r in dump.query(plain, use_default_graph_as_union=True)}  # type: ignore[union-attr]
        assert plainly == found, c
        checked += 1
    assert checked >= 40


def test_implied_types_live_in_their_own_graph_and_no_source_claims_them(dump: ox.Store) -> None:
    inferred = ox.NamedNode("https://w3id.org/alignkb/graph/inferred")
    provenance = ox.NamedNode("https://w3id.org/alignkb/graph/provenance")
    assert any(True for _ in dump.quads_for_pattern(None, None, None, inferred))
    described = list(dump.quads_for_pattern(inferred, None, None, provenance))
    assert not described  # not an evidence graph: nothing a source said


def test_the_dump_answers_in_rdflib_too(built_home: Home) -> None:
    from rdflib import Dataset

    data = Dataset(default_union=True)
    data.parse(str(built_home.dist / "kb.nq"), format="nquads")
    rows = list(data.query(COUNCILS))
    assert int(rows[0][0]) == 32
