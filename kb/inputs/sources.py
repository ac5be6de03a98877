"""Reading the hand-edited inputs: ontology modules and source folders, with their structural rules.

A source folder holds ``source.ttl`` (one ``ak:Source``) and ``*.trig`` files. Each named graph in a TriG file
is one evidence passage; the file's default graph may only describe those graphs (see sources/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kb.inputs.templates import read_template, template_kind
from kb.model.namespace import AK, EVIDENCE, ONTOLOGY_GRAPH, PROVENANCE_GRAPH, SOURCES_GRAPH, SRC
from kb.model.paths import Home
from kb.model.problems import Problem

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
AK_ASSERTION = ox.NamedNode(str(AK.Assertion))
AK_SOURCE = ox.NamedNode(str(AK.Source))
AK_LOCATOR = ox.NamedNode(str(AK.locator))
AK_CONFIDENCE = ox.NamedNode(str(AK.confidence))


@dataclass
class SourceFolder:
    """What one ``sources/<id>/`` folder contributes."""

    source_id: str
    path: Path
    quads: list[ox.Quad] = field(default_factory=list)
    graphs: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


@dataclass
class Inputs:
    """Everything read from a home, as quads in their target graphs, plus the problems found reading it."""

    quads: list[ox.Quad] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    folders: list[SourceFolder] = field(default_factory=list)
    graph_files: dict[str, str] = field(default_factory=dict)

    def release(self) -> None:
        """Drop the quads once a store holds them: as Python objects they take ≈ 0.5 KB each (≈ 470 MB at 10^6
        triples), more than the store itself."""
        self.quads = []
        for folder in self.folders:
            folder.quads = []


def relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return path.name


def _parse(path: Path, fmt: ox.RdfFormat, root: Path, problems: list[Problem]) -> list[ox.Quad] | None:
    try:
        return list(ox.parse(path=str(path), format=fmt))
    except SyntaxError as err:
        message = str(err).split(" (", 1)[0] if "(" in str(err) else str(err)
        problems.append(
            Problem(
                rule="syntax",
                message=message,
                file=relative(path, root),
                line=err.lineno,
                column=err.offset,
                hint="fix the Turtle/TriG syntax at this place; nothing was built",
            )
        )
    except (OSError, ValueError) as err:
        problems.append(Problem(rule="unreadable", message=str(err), file=relative(path, root)))
    return None


def read_ontology(home: Home, problems: list[Problem]) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    for path in home.ontology_files():
        parsed = _parse(path, ox.RdfFormat.TURTLE, home.root, problems)
        if parsed:
            quads.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
    return quads


def read_source_folder(folder: Path, root: Path, problems: list[Problem]) -> SourceFolder:
    """Read one source folder and check the rules that only make sense per file."""
    source_id = folder.name
    result = SourceFolder(source_id=source_id, path=folder)
    source_iri = ox.NamedNode(str(SRC[source_id]))
    evidence_base = f"{EVIDENCE}{source_id}/"
    record = folder / "source.ttl"
    if not record.is_file():
        problems.append(
            Problem(
                rule="source-record",
                message=f"source folder '{source_id}' has no source.ttl citation record",
                file=relative(folder, root),
                hint="create source.ttl describing the source (alignkb new-source, or copy one from another folder)",
            )
        )
    else:
        parsed = _parse(record, ox.RdfFormat.TURTLE, root, problems)
        if parsed is not None:
            typed = any(q.subject == source_iri and q.predicate == RDF_TYPE and q.object == AK_SOURCE for q in parsed)
            if not typed:
                problems.append(
                    Problem(
                        rule="source-record",
                        message=f"source.ttl must describe <{source_iri.value}> as an ak:Source",
                        file=relative(record, root),
                        hint="the source IRI is https://w3id.org/alignkb/source/ followed by the folder name",
                    )
                )
            sources_graph = ox.NamedNode(str(SOURCES_GRAPH))
            result.quads.extend(ox.Quad(q.subject, q.predicate, q.object, sources_graph) for q in parsed)
        result.files.append(record)
    for trig in sorted(folder.glob("*.trig")):
        result.files.append(trig)
        parsed = _parse(trig, ox.RdfFormat.TRIG, root, problems)
        if parsed is None:
            continue
        _check_trig(trig, parsed, source_iri, evidence_base, root, problems, result)
    for table in sorted(folder.glob("*.csv")):
        if template_kind(table) is None:
            problems.append(
                Problem(
                    rule="template-name",
                    message=f"{table.name} is not a known template (name it <name>.<kind>.csv)",
                    file=relative(table, root),
                    hint="kinds: indicators, outcomes, sets, delegation, requirements, plans",
                )
            )
            continue
        result.files.append(table)
        quads, graphs = read_template(table, source_id, relative(table, root), problems)
        result.quads.extend(quads)
        for graph, where in graphs.items():
            _claim_graph(result.graphs, graph, where, problems)
    return result


def _claim_graph(claimed: dict[str, str], graph: str, where: str, problems: list[Problem]) -> None:
    """Record in ``claimed`` (graph → file) that ``where`` defines ``graph``; a second definition is a problem."""
    if graph in claimed:
        problems.append(
            Problem(
                rule="graph-name",
                message=f"graph <{graph}> is also defined in {claimed[graph]}",
                file=where,
                graph=graph,
            )
        )
    claimed[graph] = where


def _check_trig(
    trig: Path,
    quads: list[ox.Quad],
    source_iri: ox.NamedNode,
    evidence_base: str,
    root: Path,
    problems: list[Problem],
    result: SourceFolder,
) -> None:
    where = relative(trig, root)
    provenance = ox.NamedNode(str(PROVENANCE_GRAPH))
    # one pass sorts the quads by graph (10^6 of them in a large folder): facts, descriptions, blank-named graphs
    facts: list[ox.Quad] = []
    descriptions: list[ox.Quad] = []
    named: set[str] = set()
    blank = False
    for q in quads:
        graph_name = q.graph_name
        if type(graph_name) is ox.NamedNode:
            facts.append(q)
            named.add(graph_name.value)
        elif type(graph_name) is ox.DefaultGraph:
            descriptions.append(q)
        else:
            blank = True
    if blank:
        problems.append(Problem(rule="graph-name", message="a named graph has a blank-node name", file=where))
    described: dict[str, set[ox.NamedNode]] = {}
    stray: set[str] = set()
    for q in descriptions:
        subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else None
        if subject not in named:
            key = str(q.subject)
            if key not in stray:
                stray.add(key)
                if subject and subject.startswith(EVIDENCE):
                    message = f"the default graph describes graph <{subject}>, but this file defines no such graph"
                    hint = "check the spelling of the graph name in its description and in its { … } block"
                else:
                    message = (
                        f"the default graph may only describe this file's named graphs; found statements about {key}"
                    )
                    hint = "put facts inside a named graph (one per evidence passage) and describe that graph"
                problems.append(Problem(rule="default-graph", message=message, file=where, hint=hint))
            continue
        described.setdefault(subject, set()).add(q.predicate)
        if q.predicate == PROV_DERIVED and q.object != source_iri:
            problems.append(
                Problem(
                    rule="assertion-source",
                    message=f"graph <{subject}> is derived from {q.object}, but this folder is <{source_iri.value}>",
                    file=where,
                    graph=subject,
                    hint="assertions live in the folder of the source they cite",
                )
            )
        result.quads.append(ox.Quad(q.subject, q.predicate, q.object, provenance))
    for graph in sorted(named):
        if not graph.startswith(evidence_base):
            problems.append(
                Problem(
                    rule="graph-name",
                    message=f"graph <{graph}> should be named under <{evidence_base}>",
                    file=where,
                    graph=graph,
                    hint=f"declare @prefix ev: <{evidence_base}> and name graphs ev:...",
                )
            )
        predicates = described.get(graph, set())
        if RDF_TYPE not in predicates or PROV_DERIVED not in predicates:
            problems.append(
                Problem(
                    rule="assertion-record",
                    message=f"graph <{graph}> is not described as an ak:Assertion with prov:wasDerivedFrom",
                    file=where,
                    graph=graph,
                    hint="add to the default graph: ev:x a ak:Assertion ; prov:wasDerivedFrom src:<folder> ; "
                    'ak:locator "…" ; ak:confidence ak:Confirmed .',
                )
            )
        _claim_graph(result.graphs, graph, where, problems)
    result.quads.extend(facts)


def source_folders(home: Home) -> list[Path]:
    if not home.sources.is_dir():
        return []
    return sorted(p for p in home.sources.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def read_inputs(home: Home, only: Iterable[Path] | None = None) -> Inputs:
    """Read the ontology and the source folders (all of them, or only those given)."""
    inputs = Inputs()
    inputs.quads.extend(read_ontology(home, inputs.problems))
    folders = list(only) if only is not None else source_folders(home)
    for folder in folders:
        sf = read_source_folder(folder, home.root, inputs.problems)
        for graph, file in sf.graphs.items():
            _claim_graph(inputs.graph_files, graph, file, inputs.problems)
        inputs.quads.extend(sf.quads)
        inputs.folders.append(sf)
    return inputs
