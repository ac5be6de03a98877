"""SHACL validation (pySHACL) and violation queries, reported as Problems that name the rule and the file."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import RDFS, SH

from .paths import Home, queries_dir
from .problems import Problem
from .querydoc import QueryDoc


def to_rdflib(store: ox.Store) -> rdflib.Graph:
    """The union of all graphs of an Oxigraph store as an rdflib graph (via N-Triples)."""
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    union = rdflib.Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
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


def run_shacl(data: rdflib.Graph, shapes_path: Path, home: Home, files: dict[str, str]) -> list[Problem]:
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    problems: list[Problem] = []
    assert isinstance(report, rdflib.Graph)
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        rule = _shape_name(report, shapes, shape)
        text = str(message) if message else f"violates {rule}"
        if path is not None and value is not None:
            text += f" (found {_short(value)} on {_short(path)})"
        problems.append(
            Problem(
                rule=rule,
                message=text,
                file=files.get(str(focus)) if focus is not None else None,
                focus=str(focus) if isinstance(focus, rdflib.URIRef) else None,
                hint=_hint(shapes, shape),
            )
        )
    return sorted(problems, key=lambda p: (p.file or "", p.rule, p.focus or ""))


def _short(term: rdflib.term.Node) -> str:
    text = str(term)
    for base, prefix in (
        ("https://w3id.org/alignkb/ontology#", "ak:"),
        ("https://w3id.org/alignkb/id/", "kb:"),
    ):
        if text.startswith(base):
            return prefix + text[len(base) :]
    return text


def _shape_name(report: rdflib.Graph, shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str:
    """The named NodeShape a result comes from (property shapes are blank nodes inside one)."""
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
    return [QueryDoc.load(p) for p in sorted(queries_dir().glob("*-violation.rq"))]


def run_violation_queries(store: ox.Store, files: dict[str, str], graph_files: dict[str, str]) -> list[Problem]:
    """Run every ``*-violation.rq``; each row is a problem. Rows bind ?focus and may bind ?graph and ?message."""
    problems: list[Problem] = []
    for doc in violation_queries():
        results = store.query(doc.text, use_default_graph_as_union=True)
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
