"""OWL consistency check with owlready2 and HermiT.

HermiT rejects ``xsd:date`` literals and owlready2 does not read Turtle, so the model and the data are handed
over as N-Triples with dates turned into ``xsd:dateTime`` (midnight) and other non-OWL datatypes turned into
plain strings. The meaning checked (classes, disjointness, domains and ranges) is unchanged.

HermiT is first given a *summary* of the instance data (kb/checks/abox_summary.py;
docs/decisions/20261124-summary-abox.md): individuals with the same asserted types and the same properties are
merged into one. If the summary is consistent, so is the full data (the summary maps onto it); only when the
summary is inconsistent does HermiT check the full data, which decides. The summary is not used when the ontology
uses a construct outside the fragment for which this holds (nominals, restrictions, …).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kb.checks.abox_summary import summary_triples
from kb.memory import collector_paused
from kb.model.problems import Problem

XSD = "http://www.w3.org/2001/XMLSchema#"
OWL_DATATYPES_KEPT = {
    XSD + t
    for t in (
        "string",
        "boolean",
        "integer",
        "decimal",
        "dateTime",
        "anyURI",
        "int",
        "nonNegativeInteger",
        "double",
    )
}
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class ReasonerResult:
    consistent: bool
    seconds: float
    problems: list[Problem]
    summary: int = 0  # triples in the summary HermiT checked first (0: not summarised)


def _owl_safe(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, ox.NamedNode) and term.value == XSD + "date":
        return ox.NamedNode(XSD + "dateTime")
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    if datatype == XSD + "date":
        return ox.Literal(term.value[:10] + "T00:00:00", datatype=ox.NamedNode(XSD + "dateTime"))
    if datatype in OWL_DATATYPES_KEPT or datatype == RDF_LANG:
        return term
    return ox.Literal(term.value)


def owl_ntriples(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    safe = set()
    for t in triples:
        subject, obj = t.subject, t.object
        if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
            continue  # RDF-star terms say nothing OWL can read
        safe_subject = _owl_safe(subject)
        assert not isinstance(safe_subject, ox.Literal)
        safe.add(ox.Triple(safe_subject, t.predicate, _owl_safe(obj)))
    return ox.serialize(safe, format=ox.RdfFormat.N_TRIPLES) or b""


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    results = store.query(query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions), "a SELECT query"
    return results


def check_consistency(store: ox.Store, *, summarise: bool = True) -> ReasonerResult:
    """Run HermiT over the model and the instance data (their summary first, see the module's docstring); a
    problem is returned when they are inconsistent."""
    start = time.perf_counter()
    with collector_paused():
        summary = summary_triples(store) if summarise else None
    if summary is not None and _hermit_consistent(owl_ntriples(summary)):
        return ReasonerResult(True, time.perf_counter() - start, [], summary=len(summary))
    with collector_paused():
        full = owl_ntriples(store.quads_for_pattern(None, None, None, None))
    if _hermit_consistent(full):
        return ReasonerResult(True, time.perf_counter() - start, [], summary=len(summary or ()))
    return ReasonerResult(False, time.perf_counter() - start, [_explain(store)], summary=len(summary or ()))


def _hermit_consistent(data: bytes) -> bool:
    import owlready2  # type: ignore[import-untyped]

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kb.nt")
        with open(path, "wb") as handle:
            handle.write(data)
        world = owlready2.World()
        onto = world.get_ontology("file://" + path).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return False
        finally:
            world.close()
    return True


def _explain(store: ox.Store) -> Problem:
    """HermiT gives no explanation; find entities typed (directly or via domain/range) in disjoint classes."""
    query = """
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    SELECT DISTINCT ?x ?a ?b WHERE {
      { ?x rdf:type/rdfs:subClassOf* ?a } UNION { ?x ?p ?v . ?p rdfs:domain/rdfs:subClassOf* ?a }
        UNION { ?v ?p ?x . ?p rdfs:range/rdfs:subClassOf* ?a }
      { ?x rdf:type/rdfs:subClassOf* ?b } UNION { ?x ?q ?w . ?q rdfs:domain/rdfs:subClassOf* ?b }
        UNION { ?w ?q ?x . ?q rdfs:range/rdfs:subClassOf* ?b }
      { ?a owl:disjointWith ?b } UNION { ?d a owl:AllDisjointClasses ; owl:members ?m .
        ?m rdf:rest*/rdf:first ?a . ?m rdf:rest*/rdf:first ?b . FILTER (?a != ?b) }
      FILTER (isIRI(?x))
    } LIMIT 5
    """
    clashes = [
        f"<{r['x'].value}> is both {r['a'].value.rsplit('#', 1)[-1]} and {r['b'].value.rsplit('#', 1)[-1]}"
        for r in _solutions(store, query)
    ]
    datatype_query = """
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    SELECT DISTINCT ?x ?p ?v ?range WHERE {
      ?p rdfs:range ?range . ?x ?p ?v .
      FILTER (isLiteral(?v) && STRSTARTS(STR(?range), STR(xsd:)) && DATATYPE(?v) != ?range)
      FILTER (!(?range = xsd:decimal && DATATYPE(?v) = xsd:integer))
    } LIMIT 5
    """
    clashes += [
        f"<{r['x'].value}> has {r['p'].value.rsplit('#', 1)[-1]} {r['v']}, outside its range {r['range'].value}"
        for r in _solutions(store, datatype_query)
    ]
    detail = "; ".join(clashes) if clashes else "no disjointness or datatype clash found by the explainer"
    return Problem(
        rule="owl-consistency",
        message=f"HermiT finds the ontology and data inconsistent: {detail}",
        hint="an entity is typed, directly or through a property's domain or range, with two disjoint classes, "
        "or a value does not fit its property's datatype",
    )
