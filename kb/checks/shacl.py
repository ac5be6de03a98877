"""SHACL validation (pySHACL) and violation queries, reported as Problems that name the rule and the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import RDFS, SH

from kb.checks.catalogue import SHACL_SEVERITY
from kb.model.namespace import PREFIXES, compact
from kb.model.problems import Problem
from kb.store.querydoc import QueryDoc, queries_in

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The union of the quads' graphs (e.g. all of an Oxigraph store's) as an rdflib graph, converted term by
    term (each distinct term once; about 2.5× faster than dumping N-Quads and parsing them with rdflib). Plain
    strings carry no datatype, as rdflib's parsers give them."""
    union = rdflib.Graph()
    memo: dict[object, rdflib.term.Node] = {}

    def conv(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
        node = memo.get(t)
        if node is None:
            if isinstance(t, ox.NamedNode):
                node = rdflib.URIRef(t.value)
            elif isinstance(t, ox.BlankNode):
                node = rdflib.BNode(t.value)
            elif t.language:
                node = rdflib.Literal(t.value, lang=t.language)
            elif t.datatype.value == XSD_STRING:
                node = rdflib.Literal(t.value)
            else:
                node = rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
            memo[t] = node
        return node

    add = union.add
    for quad in quads:
        add((conv(quad.subject), conv(quad.predicate), conv(quad.object)))  # type: ignore[arg-type]
    return union


def entity_files(store: ox.Store, graph_files: dict[str, str]) -> dict[str, str]:
    """Map each subject IRI to the first file that makes statements about it (for error messages)."""
    found: dict[str, str] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.graph_name, ox.NamedNode):
            file = graph_files.get(quad.graph_name.value)
            if file and quad.subject.value not in found:
                found[quad.subject.value] = file
    return found


def run_shacl(data: rdflib.Graph, shapes: Path | rdflib.Graph, judged: set[str] | None = None) -> list[Problem]:
    """Validate ``data`` with pySHACL against the shapes (a Turtle file or a parsed graph); each result is a
    problem with the severity of its ``sh:resultSeverity`` (``locate`` adds the files). With ``judged``, only
    results about those focus nodes are kept (kb/checks/incremental.py: the others were seen only in part)."""
    if isinstance(shapes, Path):
        shapes = rdflib.Graph().parse(shapes, format="turtle")
    # inplace: the data graph is ours to use (no rules change it), so pySHACL need not copy it first. Every result
    # is read, whatever its severity (pySHACL's "conforms" ignores warnings with allow_warnings, and counts them as
    # failures without): which ones block is the build's policy (kb/checks/catalogue.py).
    _conforms, report, _text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True, inplace=True)
    problems: list[Problem] = []
    assert isinstance(report, rdflib.Graph)
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if judged is not None and str(focus) not in judged:
            continue
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        rule = _shape_name(report, shapes, shape)
        text = str(message) if message else f"violates {rule}"
        if path is not None and value is not None:
            text += f" (found {compact(str(value))} on {compact(str(path))})"
        problems.append(
            Problem(
                rule=rule,
                message=text,
                focus=str(focus) if isinstance(focus, rdflib.URIRef) else None,
                hint=_hint(shapes, shape),
                severity=SHACL_SEVERITY.get(str(report.value(result, SH.resultSeverity)), "error"),
            )
        )
    return problems


def locate(problems: Iterable[Problem], files: dict[str, str]) -> list[Problem]:
    """The problems with the file that defines each focus node, sorted by file, rule, focus and message."""
    located = [replace(p, file=files.get(p.focus)) if p.focus and not p.file else p for p in problems]
    return sorted(located, key=lambda p: (p.file or "", p.rule, p.focus or "", p.message))


def _shape_name(report: rdflib.Graph, shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str:
    """The rule a result comes from: its named shape, or the named node shape holding its (blank) property shape."""
    if isinstance(shape, rdflib.URIRef):
        return str(shape).rsplit("#", 1)[-1]
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, rdflib.URIRef):
            return str(parent).rsplit("#", 1)[-1]
    return "shacl"


def _hint(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    if shape is None:
        return None
    owner = shape
    if not isinstance(shape, rdflib.URIRef):
        owner = next(iter(shapes.subjects(SH.property, shape)), shape)
    label = shapes.value(owner, RDFS.label)
    return f"rule: {label}" if label else None


def violation_queries() -> list[QueryDoc]:
    return [QueryDoc.load(p) for p in queries_in("checks")]


def run_violation_queries(store: ox.Store, files: dict[str, str], graph_files: dict[str, str]) -> list[Problem]:
    """Run every ``*-violation.rq``; each row is a problem. Rows bind ?focus and may bind ?graph and ?message. The
    severity is the query's (its ``# severity:`` header, kb/checks/catalogue.py)."""
    problems: list[Problem] = []
    for doc in violation_queries():
        results = store.query(doc.text, use_default_graph_as_union=True, prefixes=PREFIXES)
        if not isinstance(results, ox.QuerySolutions):
            raise TypeError(f"{doc.path.name} must be a SELECT query")
        names = [v.value for v in results.variables]
        for row in results:
            values = {name: row[name] for name in names}
            focus = values.get("focus")
            graph = values.get("graph")
            message = values.get("message")
            focus_text = focus.value if focus is not None else None
            file = graph_files.get(graph.value) if graph is not None else None
            problems.append(
                Problem(
                    rule=doc.name,
                    message=message.value if message is not None else doc.question,
                    file=file or (files.get(focus_text) if focus_text else None),
                    focus=focus_text,
                    hint=doc.meta.get("hint"),
                )
            )
    return problems
