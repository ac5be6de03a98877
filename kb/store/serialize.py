"""Results and triples written out for programs: CSV and JSON, and JSON-LD (with the published context) for
linked-data clients. Plain-text tables for people are the CLI's (kb/cli/render.py)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from kb.model.dataset import jsonld_context
from kb.model.namespace import compact


def csv_text(columns: Sequence[str], rows: Sequence[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
    return out.getvalue()


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def jsonld(statements: Iterable[ox.Triple | ox.Quad], context: str | None = None, *, indent: int | None = 1) -> bytes:
    """JSON-LD of triples (or quads, each named graph a node with its ``@graph``), compacted with the project's
    published context (kb/model/dataset.py): keys and types as ``prefix:name``, identifiers as full IRIs, values
    as ``{"@id"}``/``{"@value"}`` objects. ``context`` is the URL of the published context to refer to (the web
    app's /context.jsonld); without it the context is written inline, so the document reads offline. Nodes come
    in the order their first statement comes (sort the statements for a reproducible document)."""
    top: dict[str, dict[str, Any]] = {}  # the default graph's nodes, and the named graphs' nodes
    graphs: dict[str, dict[str, dict[str, Any]]] = {}
    keys: dict[str, str] = {}  # predicate and type IRIs, compacted once each
    for statement in statements:
        graph = getattr(statement, "graph_name", None)
        nodes = top if graph is None or isinstance(graph, ox.DefaultGraph) else graphs.setdefault(_id(graph), {})
        subject = _id(statement.subject)
        node = nodes.get(subject)
        if node is None:
            node = nodes[subject] = {"@id": subject}
        predicate, obj = statement.predicate.value, statement.object
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
            kind = keys.get(obj.value) or keys.setdefault(obj.value, compact(obj.value))
            node.setdefault("@type", []).append(kind)
        else:
            key = keys.get(predicate) or keys.setdefault(predicate, compact(predicate))
            node.setdefault(key, []).append(_value(obj))
    for name, nodes in graphs.items():
        holder = top.get(name)
        if holder is None:
            holder = top[name] = {"@id": name}
        holder["@graph"] = list(nodes.values())
    document = {"@context": context or jsonld_context()["@context"], "@graph": list(top.values())}
    separators = (",", ":") if indent is None else None
    return json.dumps(document, ensure_ascii=False, indent=indent, separators=separators).encode() + b"\n"


def _id(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    raise ValueError(f"JSON-LD cannot name {term!r} as a node")


def _value(term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return {"@id": _id(term)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype in (XSD_STRING, LANG_STRING):
            return {"@value": term.value}
        return {"@value": term.value, "@type": compact(datatype)}
    raise ValueError(f"JSON-LD here does not write quoted triples ({term!r})")
