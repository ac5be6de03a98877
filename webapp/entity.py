"""What the knowledge base says about one resource (entity, source record or evidence graph), with sources.

Each statement is found with ``GRAPH ?g { s p o }``; the graph's description in the provenance graph gives the
source, locator, quote and confidence behind it. The functions return plain dicts: the HTML page and its JSON
twin are rendered from the same data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kb.analyses.labels import words_of
from kb.model.namespace import EVIDENCE, GRAPH, PREFIXES

from .kbase import select
from .rdf import Triples
from .terms import show
from .words import in_words, locator_of

AK = PREFIXES["ak"]
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
KEY_FACTS = [
    AK + p
    for p in (
        "status",
        "statusAsAt",
        "enactedOn",
        "introducedOn",
        "inForceFrom",
        "repealedOn",
        "validFrom",
        "validUntil",
        "periodStart",
        "periodEnd",
        "asAt",
    )
]
# What people call the properties the ontology borrows from other vocabularies (its own carry labels).
PROPERTY_WORDS = {
    RDF_TYPE: "is a",
    RDFS_LABEL: "name",
    PREFIXES["rdfs"] + "comment": "comment",
    PREFIXES["rdfs"] + "seeAlso": "see also",
    SKOS + "prefLabel": "name",
    SKOS + "altLabel": "also called",
    SKOS + "definition": "definition",
    SKOS + "scopeNote": "note on scope",
    SKOS + "editorialNote": "curators' note",
    SKOS + "historyNote": "history",
    SKOS + "changeNote": "note on a change",
    SKOS + "note": "note",
    SKOS + "hiddenLabel": "also matched as",
    SKOS + "notation": "code",
    SKOS + "exactMatch": "is the same as",
    SKOS + "closeMatch": "is nearly the same as",
    SKOS + "broadMatch": "is broader than",
    SKOS + "narrowMatch": "is narrower than",
    SKOS + "relatedMatch": "is related to",
    SKOS + "broader": "is part of",
    SKOS + "narrower": "includes",
    SKOS + "inScheme": "in the list",
    PREFIXES["dcterms"] + "title": "title",
    PREFIXES["dcterms"] + "publisher": "publisher",
    PREFIXES["dcterms"] + "issued": "issued",
    PREFIXES["dcterms"] + "source": "source",
    PREFIXES["prov"] + "wasDerivedFrom": "derived from",
    PREFIXES["owl"] + "sameAs": "the same as",
}
# Notes curators write in words but may name things by identifier in (shown with those named in words).
NOTES = {
    PREFIXES["rdfs"] + "comment",
    PREFIXES["skos"] + "definition",
    PREFIXES["skos"] + "scopeNote",
    PREFIXES["skos"] + "historyNote",
    PREFIXES["skos"] + "editorialNote",
    PREFIXES["skos"] + "changeNote",
    PREFIXES["skos"] + "note",
}
HIDDEN = {SKOS + "hiddenLabel"}  # misspellings kept for matching names, never shown as names
PLAIN_TYPES = {
    "xsd:date",
    "xsd:boolean",
    "xsd:integer",
    "xsd:decimal",
    "xsd:nonNegativeInteger",
    "xsd:gMonthDay",
    "xsd:anyURI",
    "xsd:double",
    "xsd:gYear",
}

ONTOLOGY_SOURCE = {
    "source": None,
    "title": "alignkb ontology",
    "href": "/ontology",
    "locator": None,
    "quote": None,
    "confidence": None,
}


def _text(term: Any) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _source(row: dict[str, Any]) -> dict[str, Any]:
    graph = _text(row.get("g"))
    if graph == str(GRAPH["ontology"]):
        return {**ONTOLOGY_SOURCE, "graph": graph}
    if graph == str(GRAPH["sources"]):
        return {
            "graph": graph,
            "source": None,
            "title": "source records",
            "href": "/sources",
            "locator": None,
            "quote": None,
            "confidence": None,
        }
    src = row.get("source")
    confidence = _text(row.get("confidence"))
    return {
        "graph": graph,
        "graph_href": show(row["g"]).href if isinstance(row.get("g"), ox.NamedNode) else None,
        "source": _text(src),
        "href": show(src).href if isinstance(src, ox.NamedNode) else None,
        "title": _text(row.get("sourceTitle")) or _text(src),
        "locator": _text(row.get("locator")),
        "quote": _text(row.get("quote")),
        "confidence": confidence.rsplit("#", 1)[-1] if confidence else None,
    }


def _group(rows: Iterable[dict[str, Any]], prop: str, value: str, value_label: str) -> list[dict[str, Any]]:
    """Group statement rows by property, then by value, collecting each value's sources."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        p, o = row[prop], row[value]
        key = _text(p) or str(p)
        if key in HIDDEN:
            continue
        words = PROPERTY_WORDS.get(key) or _text(row.get(prop + "Label"))
        group = groups.setdefault(key, {"property": show(p, words).to_dict(), "values": {}})
        okey = str(o)
        shown = _plain(show(o, _text(row.get(value_label))).to_dict())
        if key in NOTES and shown.get("kind") == "literal":
            words = in_words(str(shown["value"]), _text(row.get("g")))
            if words != shown["value"]:
                shown["words"] = words  # the note as people read it; "value" keeps the text as recorded
        entry = group["values"].setdefault(okey, {"value": shown, "sources": []})
        source = _source(row)
        if source not in entry["sources"]:
            entry["sources"].append(source)
    result = []
    for group in sorted(groups.values(), key=lambda g: (g["property"]["value"] != RDF_TYPE, g["property"]["label"])):
        values = sorted(group["values"].values(), key=lambda v: v["value"]["label"].lower())
        result.append({"property": group["property"], "values": values})
    return result


def _is_date(value: dict[str, Any]) -> bool:
    text = str(value.get("value") or "")
    return (
        value.get("kind") == "literal" and len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit()
    )


def describe(iri: str) -> dict[str, Any] | None:
    """Everything said about ``iri`` and everything that points at it, or None when nothing is known."""
    node = ox.NamedNode(iri)
    out_rows = select("entity-outgoing", entity=node).rows
    in_rows = select("entity-incoming", entity=node).rows
    if not out_rows and not in_rows:
        return None
    outgoing = _group(out_rows, "p", "o", "oLabel")
    incoming = _group(in_rows, "p", "s", "sLabel")
    by_property = {g["property"]["value"]: g["values"] for g in outgoing}

    def literals(prop: str) -> list[str]:
        return [v["value"]["value"] for v in by_property.get(prop, []) if v["value"]["kind"] == "literal"]

    labels = literals(RDFS_LABEL) or literals(PREFIXES["dcterms"] + "title")
    definitions = literals(SKOS + "definition") or literals(PREFIXES["dcterms"] + "description")
    facts = [g for g in outgoing if g["property"]["value"] in KEY_FACTS]
    facts += [
        g
        for g in outgoing
        if g not in facts and g["property"]["value"] != RDF_TYPE and all(_is_date(v["value"]) for v in g["values"])
    ]
    triples = Triples()
    for row in out_rows:
        triples.add(node, row["p"], row["o"])
    for row in in_rows:
        triples.add(row["s"], row["p"], node)
    types = [v["value"] for v in by_property.get(RDF_TYPE, [])]
    slug = iri.rsplit("/", 1)[-1]
    return {
        "iri": iri,
        "area_page": f"/areas/{slug}" if any(t.get("value") == AK + "CouncilArea" for t in types) else None,
        "label": labels[0] if labels else show(node).label,
        "types": types,
        "definition": in_words(definitions[0]) if definitions else None,
        "alt_labels": literals(SKOS + "altLabel"),
        "facts": facts,
        "outgoing": outgoing,
        "incoming": incoming,
        "_triples": triples,
    }


def describe_evidence(iri: str) -> dict[str, Any] | None:
    """One evidence graph: where it comes from, and the statements it holds."""
    node = ox.NamedNode(iri)
    about = select("evidence-about", graph=node).rows
    statements = select("evidence-graph", graph=node).rows
    if not about and not statements:
        return None
    row = about[0] if about else {}
    provenance = _source({**row, "g": node})
    triples = Triples()
    shown = []
    seen = set()
    for st in statements:
        key = (str(st["s"]), str(st["p"]), str(st["o"]))
        if key in seen:
            continue
        seen.add(key)
        triples.add(st["s"], st["p"], st["o"])
        prop = _text(st["p"]) or ""
        other = _text(st["o"]) or ""
        place = locator_of(other) if isinstance(st["o"], ox.NamedNode) and other.startswith(EVIDENCE) else None
        named = f"the record at \u201c{place}\u201d" if place else _text(st.get("oLabel"))
        value = _plain(show(st["o"], named).to_dict())
        if prop in NOTES and value.get("kind") == "literal":
            words = in_words(str(value["value"]), iri)
            if words != value["value"]:
                value["words"] = words
        shown.append(
            {
                "subject": show(st["s"], _text(st.get("sLabel"))).to_dict(),
                "property": show(
                    st["p"], PROPERTY_WORDS.get(prop) or _text(st.get("pLabel")) or words_of(prop)
                ).to_dict(),
                "value": value,
            }
        )
    recorded = _text(row.get("comment")) if row else None
    comment = in_words(recorded, iri) if recorded else None
    return {
        "iri": iri,
        "label": f"Evidence: {provenance['locator'] or iri}",
        "provenance": provenance,
        "comment": comment,
        "comment_as_recorded": recorded,
        "statements": shown,
        "_triples": triples,
    }


def describe_source(iri: str) -> dict[str, Any] | None:
    """A source's citation record and the evidence graphs derived from it."""
    node = ox.NamedNode(iri)
    record = select("source-record", source=node).rows
    if not record:
        return None
    fields = []
    triples = Triples()
    title = None
    for row in record:
        triples.add(node, row["p"], row["o"])
        p = show(row["p"], _text(row.get("pLabel")))
        if p.value == PREFIXES["dcterms"] + "title":
            title = _text(row["o"])
        fields.append({"property": p.to_dict(), "value": show(row["o"]).to_dict()})
    evidence = []
    for row in select("source-evidence", source=node).rows:
        confidence = _text(row.get("confidence"))
        evidence.append(
            {
                "graph": show(row["graph"]).to_dict(),
                "locator": _text(row.get("locator")),
                "quote": _text(row.get("quote")),
                "confidence": confidence.rsplit("#", 1)[-1] if confidence else None,
                "triples": int(_text(row.get("triples")) or 0),
            }
        )
    return {"iri": iri, "label": title or iri, "fields": fields, "evidence": evidence, "_triples": triples}


def public(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON twin: the page's data without private helpers."""
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _plain(shown: dict[str, Any]) -> dict[str, Any]:
    """A value as a person reads it: dates, numbers and yes/no without their datatype, true/false as yes/no."""
    if shown.get("kind") == "literal" and shown.get("datatype") in PLAIN_TYPES:
        if shown["datatype"] == "xsd:boolean":
            shown["label"] = shown["value"] = {"true": "yes", "false": "no"}.get(shown["value"], shown["value"])
        shown.pop("datatype", None)
    return shown
