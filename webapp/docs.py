"""Docs blueprint: the ontology's documentation, generated from the ontology graph itself, and an about page.

pyLODE was tried first: 3.4.1 (the newest for Python 3.11) fails to import, 3.3.4 works offline on our
ontology but produces a standalone page that would have to be embedded unescaped. The documentation is
therefore rendered here from the ontology graph with the site's own template, which also gives it the design
system, a JSON twin, and Turtle/JSON-LD at ``/ontology``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, Response

from kb.model.namespace import PREFIXES, curie

from .kbase import get_store, query_doc, select
from .negotiate import page, requested_format
from .rdf import MEDIA_TYPES
from .terms import local_href

bp = Blueprint("docs", __name__)
AK = PREFIXES["ak"]
OWL = PREFIXES["owl"]
KINDS = [
    (OWL + "Class", "classes", "Classes"),
    (OWL + "ObjectProperty", "object_properties", "Object properties"),
    (OWL + "DatatypeProperty", "datatype_properties", "Data properties"),
    (OWL + "AnnotationProperty", "annotation_properties", "Annotation properties"),
    (OWL + "NamedIndividual", "individuals", "Controlled-list values"),
]
AXIOMS = {
    PREFIXES["rdfs"] + "subClassOf": "superclasses",
    PREFIXES["rdfs"] + "domain": "domain",
    PREFIXES["rdfs"] + "range": "range",
    PREFIXES["rdfs"] + "subPropertyOf": "superproperties",
    PREFIXES["owl"] + "inverseOf": "inverse",
    PREFIXES["owl"] + "disjointWith": "disjoint",
    PREFIXES["rdf"] + "type": "types",
}


def _ref(iri: str, labels: dict[str, str]) -> dict[str, str | None]:
    return {
        "iri": iri,
        "label": labels.get(iri) or curie(iri) or iri,
        "href": local_href(iri) or iri,
        "curie": curie(iri),
    }


def documentation() -> dict[str, Any]:
    header = {
        (r["p"] or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1]: r["value"] for r in select("ontology-header").records()
    }
    terms: dict[str, dict[str, Any]] = {}
    kind_of: dict[str, str] = {}
    for r in select("ontology-terms").records():
        iri = r["term"] or ""
        if not iri.startswith(AK):
            continue
        kind = next((key for k, key, _ in KINDS if k == r["kind"]), None)
        if kind is None or (iri in kind_of and kind_of[iri] != "individuals"):
            continue
        kind_of[iri] = kind
        terms[iri] = {
            "iri": iri,
            "curie": curie(iri),
            "anchor": iri[len(AK) :],
            "label": r["label"] or iri[len(AK) :],
            "definition": r["definition"],
            "source": r["source"],
            "rationale": r["rationale"],
            "example": r["example"],
            "comment": r["comment"],
        }
    labels = {iri: t["label"] for iri, t in terms.items()}
    relations: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in select("ontology-axioms").records():
        name = AXIOMS.get(r["p"] or "")
        if name and (r["term"] or "") in terms:
            relations[r["term"] or ""][name].append(r["value"] or "")
    for iri, term in terms.items():
        for name in AXIOMS.values():
            values = [v for v in relations[iri].get(name, []) if not (name == "types" and v.startswith(OWL))]
            term[name] = [_ref(v, labels) for v in sorted(values, key=lambda v: (labels.get(v) or v).lower())]
    for iri, term in terms.items():
        term["subclasses"] = [_ref(o, labels) for o, rel in relations.items() if iri in rel.get("superclasses", [])]
        term["domain_of"] = [_ref(o, labels) for o, rel in relations.items() if iri in rel.get("domain", [])]
        term["range_of"] = [_ref(o, labels) for o, rel in relations.items() if iri in rel.get("range", [])]
        term["members"] = [
            _ref(o, labels)
            for o, rel in relations.items()
            if kind_of.get(o) == "individuals" and iri in rel.get("types", [])
        ]
    sections = []
    for _k, key, title in KINDS:
        items = sorted((t for i, t in terms.items() if kind_of[i] == key), key=lambda t: t["label"].lower())
        sections.append({"key": key, "title": title, "terms": items})
    return {"title": header.get("title") or "alignkb ontology", "header": header, "sections": sections, "prefix": AK}


@bp.get("/ontology")
def ontology() -> Response:
    fmt = requested_format(("html", "json", "ttl", "jsonld"))
    if fmt in MEDIA_TYPES:
        source = "turtle" if fmt == "ttl" else "jsonld"
        body, _ = get_store().raw(query_doc("ontology-graph").text, source)
        response = Response(body, mimetype=MEDIA_TYPES[fmt])
        response.headers["Vary"] = "Accept"
        return response
    return page("ontology.html", documentation())


@bp.get("/ontology/diagram.svg")
def diagram() -> Response:
    """The core classes and the properties between them, drawn from the ontology files (kb.diagram)."""
    from flask import current_app

    from kb.diagram import ontology_graph, svg

    home = current_app.extensions["alignkb_home"]
    return Response(svg(ontology_graph(home)), mimetype="image/svg+xml")


@bp.get("/about")
def about() -> Response:
    data = {
        "title": "About alignkb and its interfaces",
        "interfaces": [
            {
                "name": "Entity pages",
                "path": "/id/<slug>",
                "text": "Every knowledge-base IRI https://w3id.org/alignkb/id/<slug> resolves here. Add .ttl, .jsonld "
                "or .json (or send an Accept header) for Turtle, JSON-LD or the page's JSON.",
            },
            {
                "name": "Sources and evidence",
                "path": "/source/<id>, /evidence/<source>/<id>",
                "text": "Each source's citation record and each evidence passage with its locator, quote and "
                "confidence.",
            },
            {
                "name": "Analyses",
                "path": "/analyses/<name>",
                "text": "Named analyses with a form; the URL is a permalink; add .csv or .json to download.",
            },
            {
                "name": "SPARQL endpoint",
                "path": "/sparql",
                "text": "SPARQL 1.1 Protocol, read-only, with a timeout and a row cap (header X-Alignkb-Truncated).",
            },
            {
                "name": "JSON twins",
                "path": "<any page>.json",
                "text": "Every HTML page has a JSON twin: add .json to the path or ?format=json.",
            },
            {
                "name": "Ontology",
                "path": "/ontology",
                "text": "The model's documentation, generated from the ontology; .ttl and .jsonld give the ontology.",
            },
        ],
    }
    return page("about.html", data)
