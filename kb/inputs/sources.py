"""Reading the hand-edited inputs: ontology modules and source folders, with their structural rules.

A source folder holds ``source.ttl`` (one ``ak:Source``), ``*.trig`` files and CSV templates
``*.<kind>.csv``. Each named graph in a TriG file is one evidence passage; the file's default graph may only
describe those graphs (see sources/README.md). Which reader reads a file is decided by :data:`READERS`, one entry
per kind of file: a file that no entry names is a problem (``unknown-source-file``; a CSV file whose name names
no template kind: ``template-name``), not skipped in silence. Notes for curators (``*.md``, e.g. a README.md) are
allowed and not read; hidden files (``.*``: editors' and the system's) are not looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import pyoxigraph as ox

from kb.inputs.templates import TEMPLATES, read_template
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


@dataclass
class Reading:
    """One source folder being read: where the readers put what they find."""

    result: SourceFolder
    root: Path
    problems: list[Problem]

    @property
    def source_iri(self) -> ox.NamedNode:
        return ox.NamedNode(str(SRC[self.result.source_id]))


def _read_record(path: Path, reading: Reading) -> None:
    """``source.ttl``: the citation record, into the sources graph."""
    source_iri = reading.source_iri
    parsed = _parse(path, ox.RdfFormat.TURTLE, reading.root, reading.problems)
    if parsed is not None:
        typed = any(q.subject == source_iri and q.predicate == RDF_TYPE and q.object == AK_SOURCE for q in parsed)
        if not typed:
            reading.problems.append(
                Problem(
                    rule="source-record",
                    message=f"source.ttl must describe <{source_iri.value}> as an ak:Source",
                    file=relative(path, reading.root),
                    hint="the source IRI is https://w3id.org/alignkb/source/ followed by the folder name",
                )
            )
        sources_graph = ox.NamedNode(str(SOURCES_GRAPH))
        reading.result.quads.extend(ox.Quad(q.subject, q.predicate, q.object, sources_graph) for q in parsed)
    reading.result.files.append(path)


def _read_trig(path: Path, reading: Reading) -> None:
    """``*.trig``: assertion graphs, described in the file's default graph."""
    reading.result.files.append(path)
    parsed = _parse(path, ox.RdfFormat.TRIG, reading.root, reading.problems)
    if parsed is not None:
        evidence_base = f"{EVIDENCE}{reading.result.source_id}/"
        _check_trig(path, parsed, reading.source_iri, evidence_base, reading.root, reading.problems, reading.result)


def _read_template(path: Path, reading: Reading) -> None:
    """``*.<kind>.csv``: a template, one entity and evidence graph per row (kb/inputs/templates.py)."""
    result, problems = reading.result, reading.problems
    result.files.append(path)
    quads, graphs = read_template(path, result.source_id, relative(path, reading.root), problems)
    result.quads.extend(quads)
    for graph, where in graphs.items():
        _claim_graph(result.graphs, graph, where, problems)


@dataclass(frozen=True)
class Reader:
    """One kind of file a source folder may hold: a pattern over file names, what such a file holds, and the
    function that reads it (None: kept for people, not read)."""

    pattern: str
    holds: str
    read: Callable[[Path, Reading], None] | None


READERS: tuple[Reader, ...] = (
    Reader("source.ttl", "the citation record", _read_record),
    Reader("*.trig", "assertions, one named graph per passage", _read_trig),
    *(Reader(f"*.{kind}.csv", f"a CSV template of kind {kind}", _read_template) for kind in TEMPLATES),
    Reader("*.md", "notes for curators, not read", None),
)


def reader_for(name: str) -> Reader | None:
    """The reader of a file called ``name`` in a source folder: the first entry of READERS it matches."""
    return next((r for r in READERS if fnmatchcase(name, r.pattern)), None)


def _kinds() -> str:
    templates = ", ".join(TEMPLATES)
    return f"source.ttl (citation record), *.trig (assertions), *.<kind>.csv (templates: {templates}), *.md (notes)"


def _unknown(path: Path, reading: Reading) -> None:
    where = relative(path, reading.root)
    if path.is_file() and path.suffix == ".csv":
        problem = Problem(
            rule="template-name",
            message=f"{path.name} is not a known template (name it <name>.<kind>.csv)",
            file=where,
            hint="kinds: " + ", ".join(TEMPLATES),
        )
    else:
        what = "folder" if path.is_dir() else "file"
        hint = "rename it to one of those kinds, or move it out of sources/"
        if path.suffix == ".ttl":
            hint = "assertions go in a .trig file (one named graph per passage); " + hint
        problem = Problem(
            rule="unknown-source-file",
            message=f"the {what} {path.name} is not a kind the build reads; a source folder holds: {_kinds()}",
            file=where,
            hint=hint,
        )
    reading.problems.append(problem)


def read_source_folder(folder: Path, root: Path, problems: list[Problem]) -> SourceFolder:
    """Read one source folder, each file with the reader of its kind (READERS), and check the rules that only
    make sense per file."""
    source_id = folder.name
    result = SourceFolder(source_id=source_id, path=folder)
    reading = Reading(result, root, problems)
    if not (folder / "source.ttl").is_file():
        problems.append(
            Problem(
                rule="source-record",
                message=f"source folder '{source_id}' has no source.ttl citation record",
                file=relative(folder, root),
                hint="create source.ttl describing the source (alignkb new-source, or copy one from another folder)",
            )
        )
    found: dict[Reader, list[Path]] = {reader: [] for reader in READERS}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        reader = reader_for(path.name) if path.is_file() else None
        if reader is None:
            _unknown(path, reading)
        else:
            found[reader].append(path)
    for reader, paths in found.items():  # in the order of READERS: the record, then assertions, then templates
        for path in paths:
            if reader.read is not None:
                reader.read(path, reading)
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
