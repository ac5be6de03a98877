"""Writing a dataset out for others: reproducible dumps, their checksums, and a VoID and DCAT description.

The same statements always give the same bytes: blank nodes get their canonical labels (W3C RDF Dataset
Canonicalization, RDFC-1.0, as pyoxigraph implements it) and statements are written sorted. Only the quads that
mention a blank node are canonicalised: the labels RDFC-1.0 gives depend on those quads alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kb.model.dataset import (
    ATTRIBUTION,
    DATA_LICENCE,
    DATASET_IRI,
    DESCRIPTION,
    DUMPS,
    ENTITY_SPACE,
    EXAMPLE_RESOURCE,
    SPARQL_ENDPOINT,
    TITLE,
    DumpFormat,
    version_iri,
)
from kb.model.namespace import AK, PREFIXES
from kb.store.serialize import jsonld

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
VOID_PREFIXES = {
    "void": VOID,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "spdx": SPDX,
    "xsd": XSD,
    "owl": OWL,
    "rdfs": RDFS,
    "ak": str(AK._NS),
    "kb": ENTITY_SPACE,
}


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank node labels, sorted by their N-Quads text."""
    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for quad in quads:
        mentions = isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
        (blank if mentions or isinstance(quad.graph_name, ox.BlankNode) else plain).append(quad)
    if blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        plain.extend(dataset)
    plain.sort(key=str)
    return plain


@dataclass(frozen=True)
class Written:
    """A file written for download: its format, size in bytes and SHA-256."""

    format: DumpFormat
    size: int
    sha256: str


@dataclass(frozen=True)
class Counts:
    """What the VoID description counts, over the statements merged into one graph."""

    triples: int
    entities: int  # distinct subjects under https://w3id.org/alignkb/id/
    classes: int  # distinct objects of rdf:type
    properties: int  # distinct predicates
    subjects: int
    objects: int
    per_class: dict[str, int]  # ak: class → distinct entities typed with it (implied types included)
    example: str | None = None  # the entity to show first: the one preferred if it is there, else the first by IRI


def file_digest(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return path.stat().st_size, h.hexdigest()


def write_dumps(quads: Sequence[ox.Quad], folder: Path) -> tuple[list[Written], list[ox.Triple]]:
    """Write every dump of :data:`kb.model.dataset.DUMPS` from canonical, sorted ``quads``; return what was
    written and the statements merged into the default graph (sorted, each once)."""
    by_graph = sorted(quads, key=lambda q: str(q.graph_name))  # stable: sorted by statement within each graph
    union = merged(quads)
    writers = {
        "kb.nq": lambda path: ox.serialize(quads, str(path), format=ox.RdfFormat.N_QUADS),
        "kb.trig": lambda path: ox.serialize(by_graph, str(path), format=ox.RdfFormat.TRIG, prefixes=PREFIXES),
        "kb.ttl": lambda path: ox.serialize(union, str(path), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES),
        "kb.jsonld": lambda path: path.write_bytes(jsonld(by_graph, indent=None)),
    }
    written = []
    for dump in DUMPS:
        path = folder / dump.file
        writers[dump.file](path)
        written.append(Written(dump, *file_digest(path)))
    return written, union


def merged(quads: Sequence[ox.Quad]) -> list[ox.Triple]:
    """The statements of sorted quads merged into one graph, each once, still sorted. A statement said in several
    graphs comes in adjacent quads: the N-Quads text of a quad is its statement's text, a space and its graph,
    and no other statement's text begins with that statement's text and a space."""
    out: list[ox.Triple] = []
    last: ox.Triple | None = None
    for quad in quads:
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if triple != last:
            out.append(triple)
            last = triple
    return out


def counts(union: Iterable[ox.Triple], prefer: str | None = EXAMPLE_RESOURCE) -> Counts:
    subjects: set[str] = set()
    objects: set[str] = set()
    classes: set[str] = set()
    predicates: set[str] = set()
    typed: dict[str, set[str]] = {}
    triples = 0
    for triple in union:
        triples += 1
        subject, obj = str(triple.subject), str(triple.object)
        subjects.add(subject)
        objects.add(obj)
        predicates.add(triple.predicate.value)
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            classes.add(triple.object.value)
            if triple.object.value.startswith(str(AK._NS)) and subject.startswith("<" + ENTITY_SPACE):
                typed.setdefault(triple.object.value, set()).add(subject)
    entities = sorted(s[1:-1] for s in subjects if s.startswith("<" + ENTITY_SPACE))
    example = prefer if prefer is not None and f"<{prefer}>" in subjects else (entities[0] if entities else None)
    return Counts(
        triples,
        len(entities),
        len(classes),
        len(predicates),
        len(subjects),
        len(objects),
        {cls: len(members) for cls, members in sorted(typed.items())},
        example,
    )


def void_description(
    version: str,
    dumps: Sequence[Written],
    numbers: Counts,
    *,
    downloads: str,
    dataset: str = DATASET_IRI,
) -> bytes:
    """The VoID and DCAT description of a dataset as Turtle: its title, licence and attribution, version, counts
    (with one partition per class), the SPARQL endpoint, an example resource and each dump with its download
    address (``downloads`` + file name), media type, size and SHA-256. No date: the same data gives the same
    description."""
    d = ox.NamedNode(dataset)

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def count(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    def en(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    t: list[ox.Triple] = [
        ox.Triple(d, n(RDF_TYPE), n(VOID + "Dataset")),
        ox.Triple(d, n(RDF_TYPE), n(DCAT + "Dataset")),
        ox.Triple(d, n(DCTERMS + "title"), en(TITLE)),
        ox.Triple(d, n(DCTERMS + "description"), en(DESCRIPTION)),
        ox.Triple(d, n(DCTERMS + "license"), n(DATA_LICENCE)),
        ox.Triple(d, n(DCTERMS + "rights"), en(ATTRIBUTION)),
        ox.Triple(d, n(DCTERMS + "creator"), ox.Literal("alignkb contributors")),
        ox.Triple(d, n(DCAT + "version"), ox.Literal(version)),
        ox.Triple(d, n(OWL + "versionInfo"), ox.Literal(version)),
        ox.Triple(d, n(OWL + "versionIRI"), n(version_iri(version))),
        ox.Triple(d, n(DCAT + "landingPage"), n(dataset)),
        ox.Triple(d, n(VOID + "vocabulary"), n(str(AK._NS))),
        ox.Triple(d, n(VOID + "uriSpace"), ox.Literal(ENTITY_SPACE)),
        ox.Triple(d, n(VOID + "sparqlEndpoint"), n(SPARQL_ENDPOINT)),
        ox.Triple(d, n(VOID + "triples"), count(numbers.triples)),
        ox.Triple(d, n(VOID + "entities"), count(numbers.entities)),
        ox.Triple(d, n(VOID + "classes"), count(numbers.classes)),
        ox.Triple(d, n(VOID + "properties"), count(numbers.properties)),
        ox.Triple(d, n(VOID + "distinctSubjects"), count(numbers.subjects)),
        ox.Triple(d, n(VOID + "distinctObjects"), count(numbers.objects)),
    ]
    if numbers.example:
        t.append(ox.Triple(d, n(VOID + "exampleResource"), n(numbers.example)))
    for written in dumps:
        url = n(downloads + written.format.file)
        dist = n(f"{dataset}#{written.format.file}")
        checksum = ox.BlankNode("sha256-" + written.format.file.replace(".", "-"))
        t += [
            ox.Triple(d, n(VOID + "dataDump"), url),
            ox.Triple(d, n(DCAT + "distribution"), dist),
            ox.Triple(dist, n(RDF_TYPE), n(DCAT + "Distribution")),
            ox.Triple(dist, n(DCTERMS + "title"), en(written.format.title)),
            ox.Triple(dist, n(DCTERMS + "description"), en(written.format.note)),
            ox.Triple(dist, n(DCAT + "downloadURL"), url),
            ox.Triple(dist, n(DCAT + "accessURL"), url),
            ox.Triple(
                dist,
                n(DCAT + "mediaType"),
                n(f"https://www.iana.org/assignments/media-types/{written.format.media_type}"),
            ),
            ox.Triple(
                dist, n(DCAT + "byteSize"), ox.Literal(str(written.size), datatype=n(XSD + "nonNegativeInteger"))
            ),
            ox.Triple(dist, n(DCTERMS + "license"), n(DATA_LICENCE)),
            ox.Triple(dist, n(SPDX + "checksum"), checksum),
            ox.Triple(checksum, n(RDF_TYPE), n(SPDX + "Checksum")),
            ox.Triple(checksum, n(SPDX + "algorithm"), n(SPDX + "checksumAlgorithm_sha256")),
            ox.Triple(checksum, n(SPDX + "checksumValue"), ox.Literal(written.sha256, datatype=n(XSD + "hexBinary"))),
        ]
    for cls, entities in numbers.per_class.items():
        part = ox.BlankNode("class-" + cls.rsplit("#", 1)[-1])
        t += [
            ox.Triple(d, n(VOID + "classPartition"), part),
            ox.Triple(part, n(VOID + "class"), n(cls)),
            ox.Triple(part, n(VOID + "entities"), count(entities)),
        ]
    first: dict[str, int] = {}
    for triple in t:
        first.setdefault(str(triple.subject), len(first))
    t.sort(key=lambda triple: first[str(triple.subject)])  # each subject's statements together, in order
    header = (
        "# The VoID and DCAT description of the alignkb dataset, written by the build (kb/store/dumps.py).\n"
        f"# {ATTRIBUTION}\n"
    ).encode()
    return header + (ox.serialize(t, format=ox.RdfFormat.TURTLE, prefixes=VOID_PREFIXES) or b"")


def sums_text(files: Iterable[tuple[str, str]]) -> str:
    """A SHA256SUMS file (``sha256sum -c SHA256SUMS`` checks it) for (name, sha256) pairs."""
    return "".join(f"{sha}  {name}\n" for name, sha in sorted(files))
