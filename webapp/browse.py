"""Browse blueprint: home, search, browse by type, and the pages of entities, sources and evidence graphs.

Every knowledge-base IRI resolves here: ``/id/<slug>``, ``/source/<id>`` and ``/evidence/<source>/<id>`` serve
HTML, the page's JSON twin, Turtle or JSON-LD at the same URI (suffix, ``?format=`` or Accept header).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kb.model.namespace import EVIDENCE, KB, SRC, curie, expand
from kb.store.querydoc import query_text

from . import finder
from .analyses import summaries
from .entity import describe, describe_evidence, describe_source, public
from .kbase import get_store, select
from .negotiate import json_response, page, requested_format
from .rdf import MEDIA_TYPES
from .terms import local_href, show

bp = Blueprint("browse", __name__)
RDF_FORMATS = ("html", "json", "ttl", "jsonld")


def _int(value: str | None) -> int:
    return int(float(value)) if value else 0


def _class_counts() -> list[dict[str, Any]]:
    """Entities per class, with each class's label and CURIE (class-counts.rq)."""
    return [
        {
            "class": r["class"],
            "curie": curie(r["class"] or ""),
            "label": r["label"] or curie(r["class"] or ""),
            "count": _int(r["count"]),
        }
        for r in select("class-counts").records()
    ]


@bp.get("/")
def home() -> Response:
    """Start from what people come to do: what a service must feed, where plans and reports overlap or repeat, what
    changed or would change, when things are due, and each council area's page; what the knowledge base holds comes
    last, in words (the counts by type are at /types)."""
    from .areas import council_areas

    totals = get_store().select(query_text("stats-totals")).records()[0]
    known = {a["name"]: a for a in summaries()}

    def task(name: str, words: str) -> dict[str, str]:
        a = known.get(name)
        return {"name": name, "title": a["title"] if a else name, "href": f"/analyses/{name}", "words": words}

    data = {
        "title": "alignkb: how Scotland's children's and health & social care policy fits together",
        "areas": council_areas(),
        "overlap_tasks": [
            t
            for t in (
                task(
                    "overlaps",
                    "Which kinds of plan and report cover the same outcomes, people, services or preparers, "
                    "ranked by how much they share.",
                ),
                task(
                    "duplicate-reporting",
                    "Which measures are reported more than once, in different reports or to different bodies.",
                ),
            )
            if t["name"] in known
        ],
        "change_tasks": [
            t
            for t in (
                task("changes", "What changed in the law, the plans and the reports between two dates."),
                task("landscape-at", "What was in force, not yet in force or repealed on a date you choose."),
                task("impact", "What would be affected if a provision or a whole Act were repealed or amended."),
                task("merge", "What would go, and what would stand in the way, if two plans or reports were combined."),
            )
            if t["name"] in known
        ],
        "totals": {k: _int(v) for k, v in totals.items()},
        "analyses": summaries(),
    }
    return page("home.html", data)


@bp.get("/search")
def search() -> Response:
    """Search results grouped by what they are, with a facet per group (``?group=``), the next step for an area or
    a service, and "Did you mean" when nothing is called exactly what was typed."""
    text = request.args.get("q", "").strip()
    type_text = request.args.get("type", "").strip()
    type_iri = expand(type_text) if type_text else None
    group = request.args.get("group", "").strip() or None
    from .areas import council_areas

    found = finder.grouped(text, type_iri, group)
    services = any(r["service"] for g in found["groups"] for r in g["results"])
    type_words = None
    if type_iri:
        type_words = next((c["label"] for c in _class_counts() if c["class"] == type_iri), None) or type_text
    data = {
        "title": f"Search: {text}" if text else "Search",
        "q": text,
        "type": type_text,
        "type_words": type_words,
        **found,
        "areas": council_areas() if services else [],
    }
    return page("search.html", data)


@bp.get("/types")
def types() -> Response:
    return page("types.html", {"title": "Browse by type", "classes": _class_counts()})


@bp.get("/types/<name>")
def type_members(name: str) -> Response:
    iri = expand(name) or expand("ak:" + name)
    rows = select("type-members", type=ox.NamedNode(iri)).records() if iri else []
    if not rows and not (iri and _is_class(iri)):
        return not_found(name, "type")
    members = [
        {
            "iri": r["entity"],
            "href": local_href(r["entity"] or "") or r["entity"],
            "label": r["label"] or show(ox.NamedNode(r["entity"] or "")).label,
            "definition": r["definition"],
        }
        for r in rows
    ]
    label = show(ox.NamedNode(iri)).label if iri else name
    type_rows = select("class-counts").records()
    label = next((r["label"] for r in type_rows if r["class"] == iri and r["label"]), label)
    data = {
        "title": f"Type: {label}",
        "type": {"iri": iri, "curie": curie(iri or ""), "label": label, "href": local_href(iri or "")},
        "members": members,
    }
    return page("type.html", data)


def _is_class(iri: str) -> bool:
    """Whether the ontology defines ``iri`` as a class (a class with no members recorded is still a page)."""
    query = "ASK { GRAPH <https://w3id.org/alignkb/graph/ontology> { ?c a <http://www.w3.org/2002/07/owl#Class> } }"
    return bool(get_store().ask(query, {"c": ox.NamedNode(iri)}))


def _resource(iri: str, describer: Callable[[str], dict[str, Any] | None], template: str, kind: str) -> Response:
    fmt = requested_format(RDF_FORMATS)
    data = describer(iri)
    if data is None:
        return not_found(iri.rstrip("/").rsplit("/", 1)[-1], kind)
    if fmt in MEDIA_TYPES:
        response = Response(data["_triples"].serialize(fmt), mimetype=MEDIA_TYPES[fmt])
        response.headers["Vary"] = "Accept"
        return response
    data = public(data)
    return page(template, {"title": data["label"], **data}, alternates=_alternates(request.path))


def _alternates(path: str) -> list[dict[str, str]]:
    return [
        {"href": f"{path}.{ext}", "type": media, "label": label}
        for ext, media, label in (
            ("ttl", "text/turtle", "Turtle"),
            ("jsonld", "application/ld+json", "JSON-LD"),
            ("json", "application/json", "JSON"),
        )
    ]


@bp.get("/id/<slug>")
def entity(slug: str) -> Response:
    return _resource(str(KB) + slug, describe, "entity.html", "entity")


@bp.get("/source/<source_id>")
def source(source_id: str) -> Response:
    return _resource(str(SRC) + source_id, describe_source, "source.html", "source")


@bp.get("/evidence/<source_id>/<local>")
def evidence(source_id: str, local: str) -> Response:
    return _resource(f"{EVIDENCE}{source_id}/{local}", describe_evidence, "evidence.html", "evidence graph")


@bp.get("/sources")
def sources() -> Response:
    rows = [
        {
            "iri": r["source"],
            "href": local_href(r["source"] or ""),
            "title": r["title"] or r["source"],
            "assertions": _int(r["assertions"]),
        }
        for r in select("sources-list").records()
    ]
    return page("sources.html", {"title": "Sources", "sources": rows})


COMPLETENESS_WORDS = {
    "complete": "complete",
    "partial": "held in part",
    "size not declared": "size not stated by its source",
}


@bp.get("/coverage")
def coverage() -> Response:
    """What the knowledge base holds of each set its sources define, and what the sources leave open, so that a
    reader can tell an absence in an analysis from a set held only in part."""
    from kb.stats import coverage as set_coverage

    store = get_store()
    sets = [
        {
            **row,
            "href": local_href(str(row["set"] or "")),
            "completeness_words": COMPLETENESS_WORDS.get(str(row["completeness"]), str(row["completeness"])),
        }
        for row in set_coverage(store)
    ]
    open_rows = store.select(query_text("stats-unknown-aspects")).records()
    open_by_req: dict[str, dict[str, Any]] = {}
    for r in open_rows:
        entry = open_by_req.setdefault(
            r["requirement"] or "",
            {"href": local_href(r["requirement"] or ""), "label": r["label"] or "", "aspects": []},
        )
        entry["aspects"].append(r["aspect"])
    data = {
        "title": "What the knowledge base holds",
        "sets": sets,
        "summary": {
            words: sum(1 for s in sets if s["completeness"] == key) for key, words in COMPLETENESS_WORDS.items()
        },
        "open": sorted(open_by_req.values(), key=lambda e: str(e["label"]).lower()),
    }
    return page("coverage.html", data)


def not_found(name: str, kind: str) -> Response:
    data = {"title": "Page not found", "kind": kind, "name": name, "suggestions": finder.suggest(name)}
    if requested_format(RDF_FORMATS) in ("json", "ttl", "jsonld"):
        return json_response({"error": f"no {kind} called {name!r}", **data}, 404)
    return page("not_found.html", data, status=404)
