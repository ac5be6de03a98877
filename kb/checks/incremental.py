"""Incremental SHACL: after a good build, validate again only what a change can affect.

A successful build that ran SHACL leaves ``dist/validated.json``: a fingerprint of the model and, per source
folder, a fingerprint of its files and the IRIs it makes statements about, and the SHACL results it let through
(warnings, information: see kb/checks/catalogue.py). The model's fingerprint covers everything besides the source
files that decides what SHACL finds: the ontology files and the shapes, the source text of the code that turns
files into quads and checks them (kb/inputs, kb/checks and kb/model, which names the IRIs; :func:`code_digest`),
and the versions of alignkb, pySHACL, rdflib and pyoxigraph. The next build compares. Nothing changed: SHACL is not
run again (the data it would see is the data it passed) and the results recorded are reported again. The model
changed, or the shapes use a construct the scope below cannot bound: everything is validated. Otherwise only the
focus nodes whose result can differ are validated, by pySHACL, on the part of the knowledge base they can read,
and the recorded results about the other focus nodes are kept (docs/decisions/20261124-incremental-shacl.md).

Why the scope is enough. SHACL reads a focus node's result from the triples whose subject is the focus node or a
node its shapes' paths reach from it (and those nodes' types, for ``sh:class``). If a result differs, one of those
triples was added or removed; its subject ``a`` is a subject of a statement of a changed folder (before or after
the change), and the focus node reaches ``a`` along path predicates through unchanged triples, so it is in the
*inbound closure* of the changed subjects: at most ``depth`` steps along path predicates (the most non-repeated
steps of any path), any number along predicates of ``sh:oneOrMorePath``/``sh:zeroOrMorePath``. pySHACL then sees
every triple of every node reachable from those focus nodes in the same way (the *outbound closure*) and the
model, and only its results about those focus nodes are kept (others, seen partially, are not judged).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kb import __version__
from kb.inputs.sources import Inputs
from kb.model.namespace import ONTOLOGY_GRAPH
from kb.model.paths import Home
from kb.model.problems import Problem

RECORD = "validated.json"
# Core SHACL terms whose reach the scope accounts for; a shapes graph using any other sh: term is validated whole.
_BOUNDED_NAMES = (
    "NodeShape",
    "PropertyShape",
    "targetClass",
    "targetSubjectsOf",
    "targetNode",
    "property",
    "path",
    "oneOrMorePath",
    "zeroOrMorePath",
    "zeroOrOnePath",
    "minCount",
    "maxCount",
    "class",
    "datatype",
    "nodeKind",
    "in",
    "hasValue",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "uniqueLang",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "or",
    "and",
    "not",
    "xone",
    "message",
    "severity",
    "name",
    "description",
    "order",
    "group",
    "deactivated",
    "declare",
    "prefix",
    "namespace",
    "IRI",
    "Literal",
    "BlankNode",
    "BlankNodeOrIRI",
    "IRIOrLiteral",
    "BlankNodeOrLiteral",
    "Violation",
    "Warning",
    "Info",
)
_BOUNDED = {SH[name] for name in _BOUNDED_NAMES}
_LOGICAL = (SH["or"], SH["and"], SH["not"], SH.xone)


@dataclass(frozen=True)
class Reach:
    """How far the shapes read from a focus node: the path predicates, those repeated without bound, and the
    most steps along the others; and the predicates of their sh:targetSubjectsOf targets."""

    predicates: frozenset[str]
    repeated: frozenset[str]
    depth: int
    targets: frozenset[str] = frozenset()

    @property
    def read(self) -> frozenset[str]:
        """Every predicate whose statements can change a result: those of paths and targets, and the types and
        subclass axioms that sh:targetClass and sh:class look at."""
        return self.predicates | self.targets | {str(rdflib.RDF.type), str(rdflib.RDFS.subClassOf)}


@dataclass
class Record:
    model: str
    folders: dict[str, dict[str, object]] = field(default_factory=dict)  # id → {"hash": …, "subjects": […]}
    results: list[Problem] = field(default_factory=list)  # the SHACL results of this data (none blocked the build)

    def to_json(self) -> str:
        results = [p.to_dict() for p in self.results]
        return json.dumps({"model": self.model, "folders": self.folders, "results": results}, sort_keys=True)

    @property
    def scoped(self) -> bool:
        """Whether every recorded result names its focus node (so that those a change can affect are known)."""
        return all(p.focus for p in self.results)

    @classmethod
    def load(cls, dist: Path) -> Record | None:
        try:
            data = json.loads((dist / RECORD).read_text())
            results = [Problem.from_dict(dict(p)) for p in data.get("results", [])]
            return cls(str(data["model"]), dict(data["folders"]), results)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass
class Scope:
    """What an incremental validation covers: the focus nodes judged, and every node whose triples it sees."""

    changed: list[str]
    focus: set[ox.NamedNode | ox.BlankNode]
    seen: set[ox.NamedNode | ox.BlankNode]


def _digest(paths: Iterable[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


_KB = Path(__file__).resolve().parent.parent
# The code whose behaviour decides which quads a source file becomes and what SHACL finds in them: the readers,
# the checks (this module, the shapes runner, the scope) and the model (namespaces and IRIs the readers use).
CODE: tuple[Path, ...] = (_KB / "inputs", _KB / "checks", _KB / "model")


def code_digest(roots: Iterable[Path] | None = None) -> str:
    """A digest of the source text of every file under ``roots`` (:data:`CODE` by default), by relative path.
    Editing a template's column mapping, a reader or a check changes it, so the next build validates whole."""
    h = hashlib.sha256()
    for root in CODE if roots is None else roots:
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            name = f"{root.name}/{path.relative_to(root).as_posix()}"
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def model_fingerprint(home: Home) -> str:
    """The fingerprint of everything but the source folders that SHACL's results depend on."""
    versions = "; ".join(
        [f"alignkb {__version__}", *(f"{name} {version(name)}" for name in ("pyshacl", "rdflib", "pyoxigraph"))]
    )
    return _digest([*home.ontology_files(), home.shapes], f"{versions}; code {code_digest()}")


def record_of(home: Home, inputs: Inputs) -> Record:
    """The fingerprints of what was just read (the model and each source folder)."""
    record = Record(model_fingerprint(home))
    for folder in inputs.folders:
        subjects = sorted({q.subject.value for q in folder.quads if isinstance(q.subject, ox.NamedNode)})
        record.folders[folder.source_id] = {"hash": _digest(folder.files), "subjects": subjects}
    return record


def reach(shapes: rdflib.Graph) -> Reach | None:
    """How far the shapes read, or None when they use a construct the scope cannot bound."""
    for _s, p, o in shapes:
        for term in (p, o):
            if isinstance(term, rdflib.URIRef) and str(term).startswith(str(SH)) and term not in _BOUNDED:
                return None
    for logical in _LOGICAL:  # a logical constraint inside a property shape applies shapes to value nodes
        for subject in shapes.subjects(logical, None):
            if (subject, SH.path, None) in shapes:
                return None
    predicates: set[str] = set()
    repeated: set[str] = set()
    depth = 0
    for path in set(shapes.objects(None, SH.path)):
        steps = list(rdflib.collection.Collection(shapes, path)) if (path, rdflib.RDF.first, None) in shapes else [path]
        plain = 0
        for step in steps:
            star = shapes.value(step, SH.oneOrMorePath) or shapes.value(step, SH.zeroOrMorePath)
            star = star or shapes.value(step, SH.zeroOrOnePath)
            if star is not None:
                repeated.add(str(star))
                predicates.add(str(star))
            elif isinstance(step, rdflib.URIRef):
                predicates.add(str(step))
                plain += 1
            else:
                return None
        depth = max(depth, plain)
    targets = frozenset(str(p) for p in shapes.objects(None, SH.targetSubjectsOf))
    return Reach(frozenset(predicates), frozenset(repeated), max(depth, 1), targets)


def changes(before: Record, after: Record, inputs: Inputs) -> tuple[list[str], set[ox.NamedNode | ox.BlankNode]]:
    """The folders whose files changed, and the subjects of their statements before and after the change (taken
    from the quads as read, before the store is loaded and they are released)."""
    changed = sorted(
        name
        for name in set(before.folders) | set(after.folders)
        if before.folders.get(name, {}).get("hash") != after.folders.get(name, {}).get("hash")
    )
    start: set[ox.NamedNode | ox.BlankNode] = set()
    for name in changed:
        subjects = before.folders.get(name, {}).get("subjects", [])
        assert isinstance(subjects, list)
        start.update(ox.NamedNode(iri) for iri in subjects)
    for folder in inputs.folders:
        if folder.source_id in changed:
            start.update(q.subject for q in folder.quads if isinstance(q.subject, ox.NamedNode | ox.BlankNode))
    return changed, start


def scope(store: ox.Store, changed: list[str], start: set[ox.NamedNode | ox.BlankNode], how_far: Reach) -> Scope:
    """The focus nodes a change can affect and the nodes whose triples their validation reads."""
    focus = _closure(store, start, how_far, inbound=True)
    seen = _closure(store, focus, how_far, inbound=False)
    return Scope(changed, focus, seen)


def _closure(
    store: ox.Store, start: set[ox.NamedNode | ox.BlankNode], how_far: Reach, *, inbound: bool
) -> set[ox.NamedNode | ox.BlankNode]:
    """Nodes reaching (inbound) or reached from (outbound) ``start`` along path predicates: at most ``depth``
    steps along any of them, interleaved with any number of steps along repeated ones."""
    found = set(start)
    frontier = found | _repeat(store, start, how_far.repeated, found, inbound)
    for _ in range(how_far.depth):
        step = {
            neighbour
            for node in frontier
            for neighbour, predicate in _neighbours(store, node, inbound)
            if predicate in how_far.predicates and neighbour not in found
        }
        found |= step
        frontier = step | _repeat(store, step, how_far.repeated, found, inbound)
    return found


def _repeat(
    store: ox.Store,
    frontier: set[ox.NamedNode | ox.BlankNode],
    repeated: frozenset[str],
    found: set[ox.NamedNode | ox.BlankNode],
    inbound: bool,
) -> set[ox.NamedNode | ox.BlankNode]:
    todo = list(frontier)
    added: set[ox.NamedNode | ox.BlankNode] = set()
    while todo and repeated:
        node = todo.pop()
        for neighbour, predicate in _neighbours(store, node, inbound):
            if predicate in repeated and neighbour not in found:
                found.add(neighbour)
                added.add(neighbour)
                todo.append(neighbour)
    return added


def _neighbours(
    store: ox.Store, node: ox.NamedNode | ox.BlankNode, inbound: bool
) -> Iterable[tuple[ox.NamedNode | ox.BlankNode, str]]:
    quads = store.quads_for_pattern(None, None, node) if inbound else store.quads_for_pattern(node, None, None)
    for quad in quads:
        other = quad.subject if inbound else quad.object
        if isinstance(other, ox.NamedNode | ox.BlankNode):
            yield other, quad.predicate.value


def subgraph(store: ox.Store, seen: set[ox.NamedNode | ox.BlankNode]) -> Iterable[ox.Quad]:
    """Every statement about the nodes seen, and the model."""
    yield from store.quads_for_pattern(None, None, None, ox.NamedNode(str(ONTOLOGY_GRAPH)))
    for node in seen:
        yield from store.quads_for_pattern(node, None, None)


def readable(
    store: ox.Store, how_far: Reach | None, seen: set[ox.NamedNode | ox.BlankNode] | None = None
) -> Iterable[ox.Quad]:
    """The statements a validation can read: about the nodes ``seen`` and the model (everything when None),
    only with the predicates the shapes read when they are bounded. A statement with any other predicate is
    on no path, target or type, so no result depends on it (≈ 20 % of the synthetic KB at 10^6 triples)."""
    if how_far is None:
        yield from store.quads_for_pattern(None, None, None, None) if seen is None else subgraph(store, seen)
    elif seen is None:
        for predicate in sorted(how_far.read):
            yield from store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)
    else:
        read = how_far.read
        yield from (quad for quad in subgraph(store, seen) if quad.predicate.value in read)
