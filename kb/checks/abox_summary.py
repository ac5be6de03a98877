"""A summary of the instance data for the OWL consistency check: one individual per kind of individual.

Individuals of the sources with the same asserted types, the same object properties out and the same object
properties in are merged into one summary individual; their property assertions become assertions of the
summary individuals. Annotation assertions (labels, notes, sources) are left out: under OWL's direct semantics
they mean nothing. Plain-string values of a data property are kept once per summary individual, property and
language-or-not; every other value (dates, numbers, IRIs, booleans) is kept as it is, so that an ill-formed or
ill-typed value still clashes.

Why a consistent summary means consistent data (Fokoue et al., "The Summary Abox: Cutting Ontologies Down to
Size", ISWC 2006): take a model of the ontology and the summary, and let each individual of the data denote what
its summary individual denotes. Every type, property assertion and (kept) value of an individual holds of its
summary individual, so this is a model of the data — provided the ontology names no individual (no nominals)
and constrains data values no further than by their datatype (no functional data properties, cardinalities,
facets or disjoint properties), and the data asserts no (in)equality of individuals. :func:`summary_triples`
checks that the model uses only constructs in that fragment and returns None otherwise (the caller then checks
the full data). The converse does not hold: merging may make a summary inconsistent when the data is not, so an
inconsistent summary is only a reason to check the full data.

Individuals named in the ontology (the controlled values of ontology/vocabularies.ttl) keep their own identity.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kb.model.namespace import ONTOLOGY_GRAPH, PREFIXES

OWL, RDF, RDFS = PREFIXES["owl"], PREFIXES["rdf"], PREFIXES["rdfs"]
XSD_STRING = PREFIXES["xsd"] + "string"
RDF_TYPE = ox.NamedNode(RDF + "type")
SUMMARY = "urn:alignkb:summary:"

# What the ontology may say for the summary to be exact: declarations, class and property hierarchies,
# domains and ranges (named), disjoint classes, inverse, transitive and symmetric properties, annotations.
_ALLOWED_PREDICATES = {
    RDF + "type",
    RDF + "first",
    RDF + "rest",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
    RDFS + "domain",
    RDFS + "range",
    RDFS + "label",
    RDFS + "comment",
    RDFS + "seeAlso",
    RDFS + "isDefinedBy",
    OWL + "disjointWith",
    OWL + "members",
    OWL + "inverseOf",
    OWL + "versionIRI",
    OWL + "versionInfo",
    OWL + "priorVersion",
    OWL + "imports",
}
_ALLOWED_TYPES = {
    OWL + t
    for t in (
        "Class",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "NamedIndividual",
        "Ontology",
        "TransitiveProperty",
        "SymmetricProperty",
        "AllDisjointClasses",
    )
} | {RDFS + "Class", RDF + "Property", RDF + "List"}
# Predicates whose objects must be IRIs (a blank node there would be a class or property expression).
_NAMED_OBJECTS = {RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range", OWL + "disjointWith"}
_EQUALITY = {OWL + "sameAs", OWL + "differentFrom", OWL + "AllDifferent", OWL + "NegativePropertyAssertion"}
_BUILT_IN_ANNOTATIONS = {RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy", OWL + "versionInfo"}

Node = ox.NamedNode | ox.BlankNode
Key = tuple[frozenset[str], frozenset[str], frozenset[str]]


def summary_triples(store: ox.Store) -> list[ox.Triple] | None:
    """The ontology's triples and the summary of the instance data, or None when the summary would not be exact
    (the ontology uses a construct outside the fragment, or the data asserts (in)equality of individuals)."""
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    model = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
    if not _in_fragment(model):
        return None
    named = {t.subject for t in model} | {t.object for t in model if not isinstance(t.object, ox.Literal)}
    declared: dict[str, str] = {}
    for t in model:
        if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
            kind = t.object.value  # type: ignore[union-attr]
            if kind in (OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty"):
                declared[t.subject.value] = kind
    annotations = {p for p, kind in declared.items() if kind == OWL + "AnnotationProperty"} | _BUILT_IN_ANNOTATIONS

    types: dict[Node, set[str]] = defaultdict(set)
    outgoing: dict[Node, set[str]] = defaultdict(set)
    incoming: dict[Node, set[str]] = defaultdict(set)
    statements: list[tuple[ox.NamedNode, list[tuple[Node, Node | ox.Literal]]]] = []
    # predicate by predicate (each quad's predicate and graph need not be read; ontology triples are mapped onto
    # themselves, as every individual they name keeps its identity)
    predicates = store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(predicates, ox.QuerySolutions)
    for (p,) in predicates:
        if p.value in _EQUALITY:
            return None
        if p.value in annotations:
            continue
        quads = store.quads_for_pattern(None, p, None, None)
        if p == RDF_TYPE:
            for quad in quads:
                types[quad.subject].add(quad.object.value)  # type: ignore[index, union-attr]
            continue
        pairs: list[tuple[Node, Node | ox.Literal]] = [
            (quad.subject, quad.object)
            for quad in quads
            if not isinstance(quad.subject, ox.Triple) and not isinstance(quad.object, ox.Triple)
        ]
        statements.append((p, pairs))
        for subject, _o in pairs:
            outgoing[subject].add(p.value)
        for _s, value in pairs:
            if not isinstance(value, ox.Literal):
                incoming[value].add(p.value)
    if any(t in _EQUALITY for classes in types.values() for t in classes):
        return None

    ids: dict[Key, ox.NamedNode] = {}
    mapped: dict[Node, Node] = {}
    none: frozenset[str] = frozenset()
    for node in {*types, *outgoing, *incoming}:
        if node in named:
            mapped[node] = node
            continue
        key = (
            frozenset(types.get(node, none)),
            frozenset(outgoing.get(node, none)),
            frozenset(incoming.get(node, none)),
        )
        found = ids.get(key)
        if found is None:
            found = ids[key] = ox.NamedNode(f"{SUMMARY}{len(ids) + 1}")
        mapped[node] = found

    out: set[ox.Triple] = set(model)
    for node, classes in types.items():
        out.update(ox.Triple(mapped[node], RDF_TYPE, ox.NamedNode(c)) for c in classes)
    for p, pairs in statements:
        data_property = declared.get(p.value) == OWL + "DatatypeProperty"
        edges: set[tuple[Node, Node | ox.Literal]] = set()
        strings: set[tuple[Node, str]] = set()
        for s, o in pairs:
            subject = mapped[s]
            if not isinstance(o, ox.Literal):
                edges.add((subject, mapped[o]))
            elif data_property and (o.language is not None or o.datatype.value == XSD_STRING):
                slot = (subject, o.language or "")
                if slot not in strings:
                    strings.add(slot)
                    edges.add((subject, o))
            else:
                edges.add((subject, o))
        out.update(ox.Triple(subject, p, o) for subject, o in edges)
    return list(out)


def _in_fragment(model: list[ox.Triple]) -> bool:
    for t in model:
        p = t.predicate.value
        if p.startswith((OWL, RDFS, RDF)) and p not in _ALLOWED_PREDICATES:
            return False
        if p in _NAMED_OBJECTS and not isinstance(t.object, ox.NamedNode):
            return False
        if t.predicate == RDF_TYPE:
            kind = t.object.value  # type: ignore[union-attr]
            if kind.startswith((OWL, RDFS, RDF)) and kind not in _ALLOWED_TYPES:
                return False
    return True
