"""The core-class diagram is generated from the ontology: every arrow is a real property between real classes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import rdflib
from rdflib.namespace import OWL, RDF

from kb.diagram import DRAWN_AS, GRID, edges, ontology_graph, svg
from kb.model.namespace import AK
from kb.model.paths import Home


def test_every_box_and_arrow_names_a_term_of_the_ontology(repo_home: Home) -> None:
    graph = ontology_graph(repo_home)
    for name in GRID:
        assert (rdflib.URIRef(str(AK._NS) + name), RDF.type, OWL.Class) in graph, name
    props = {str(p).rsplit("#", 1)[-1] for p in graph.subjects(RDF.type, OWL.ObjectProperty)}
    assert set(DRAWN_AS) - {"wasDerivedFrom"} <= props
    drawn = edges(graph)
    assert len(drawn) >= 25
    assert {("legalBasis", "Requirement", "Provision"), ("realises", "Plan", "Requirement")} <= {
        (e.prop, e.source, e.target) for e in drawn
    }


def test_diagram_is_well_formed_accessible_svg(repo_home: Home) -> None:
    root = ET.fromstring(svg(ontology_graph(repo_home)))
    assert root.tag.endswith("svg") and root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}title") is not None
