"""Versioned releases: never-edited artefacts of a build, and a readable diff against the previous release.

``alignkb release 1.0.0`` writes ``releases/1.0.0/``: the dataset as TriG and N-Quads, the union as Turtle and
JSON-LD, a CSV per main class, a ``release.json`` manifest with the dated version IRI, and ``diff.md`` against the
newest earlier release. An existing release is never overwritten.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyoxigraph as ox

from kb.model.namespace import AK, BASE, ONTOLOGY_IRI, PREFIXES
from kb.model.paths import Home
from kb.store import OxigraphStore
from kb.store.serialize import jsonld

VERSION = re.compile(r"^\d+\.\d+\.\d+$")
MAIN_CLASSES = (
    "LegalInstrument",
    "Provision",
    "PolicyFramework",
    "Outcome",
    "Indicator",
    "Requirement",
    "Plan",
    "Body",
    "Area",
    "Service",
    "DelegationArrangement",
    "PopulationGroup",
    "Finding",
    "Conflict",
)


class ReleaseError(ValueError):
    """A release that cannot be made (bad version, already released, no build)."""


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split("."))


def releases_dir(home: Home) -> Path:
    return home.root / "releases"


def previous_release(home: Home, version: str) -> Path | None:
    folder = releases_dir(home)
    if not folder.is_dir():
        return None
    earlier = [p for p in folder.iterdir() if VERSION.match(p.name) and _version_key(p.name) < _version_key(version)]
    return max(earlier, key=lambda p: _version_key(p.name)) if earlier else None


def _entities(store: ox.Store) -> dict[str, dict[str, set[str]]]:
    """Every typed kb: entity with its statements (predicate → values), ignoring which graph says them."""
    query = """
    SELECT ?s ?p ?o WHERE {
      GRAPH ?g { ?s ?p ?o }
      FILTER (STRSTARTS(STR(?g), "https://w3id.org/alignkb/evidence/"))
      FILTER (STRSTARTS(STR(?s), "https://w3id.org/alignkb/id/"))
    }"""
    found: dict[str, dict[str, set[str]]] = {}
    results = store.query(query, use_default_graph_as_union=True)
    assert isinstance(results, ox.QuerySolutions)
    for row in results:
        found.setdefault(row["s"].value, {}).setdefault(row["p"].value, set()).add(str(row["o"]))
    return found


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    requirements: set[str] = field(default_factory=set)

    def markdown(self, version: str, previous: str | None) -> str:
        lines = [f"# alignkb {version}: changes since {previous or 'nothing (first release)'}", ""]
        lines.append(f"{len(self.added)} entities added, {len(self.removed)} removed, {len(self.changed)} changed.")
        req_changes = [e for e in [*self.added, *self.removed, *self.changed] if e in self.requirements]
        lines += ["", f"## Requirements ({len(req_changes)} touched)", ""]
        lines += [f"- {_short(e)}: {self._what(e)}" for e in sorted(req_changes)] or ["- none"]
        for title, items in (("Added", self.added), ("Removed", self.removed)):
            lines += ["", f"## {title} ({len(items)})", ""]
            lines += [f"- {_short(e)}" for e in sorted(items)] or ["- none"]
        lines += ["", f"## Changed ({len(self.changed)})", ""]
        for entity in sorted(self.changed):
            lines.append(f"- {_short(entity)}: " + "; ".join(self.changed[entity]))
        if not self.changed:
            lines.append("- none")
        return "\n".join(lines) + "\n"

    def _what(self, entity: str) -> str:
        if entity in self.added:
            return "added"
        if entity in self.removed:
            return "removed"
        return "changed (" + "; ".join(self.changed[entity]) + ")"


def diff(old: ox.Store | None, new: ox.Store) -> Diff:
    before = _entities(old) if old is not None else {}
    after = _entities(new)
    result = Diff()
    result.added = sorted(set(after) - set(before))
    result.removed = sorted(set(before) - set(after))
    req_types = {str(AK._NS) + t for t in ("PlanRequirement", "ReportRequirement", "Requirement")}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for entity, props in [*after.items(), *before.items()]:
        if {v.strip("<>") for v in props.get(rdf_type, set())} & req_types:
            result.requirements.add(entity)
    for entity in set(after) & set(before):
        notes = []
        for prop in sorted(set(after[entity]) | set(before[entity])):
            gained = after[entity].get(prop, set()) - before[entity].get(prop, set())
            lost = before[entity].get(prop, set()) - after[entity].get(prop, set())
            if gained or lost:
                notes.append(f"{_short(prop)} +{len(gained)}/-{len(lost)}")
        if notes:
            result.changed[entity] = notes
    return result


def _write_csvs(store: OxigraphStore, folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    folder.mkdir()
    query = """
    SELECT ?entity ?label ?type ?definition WHERE {
      ?entity a ?type . ?type rdfs:subClassOf* ?class .
      FILTER (STRSTARTS(STR(?entity), "https://w3id.org/alignkb/id/"))
      OPTIONAL { ?entity rdfs:label ?label } OPTIONAL { ?entity skos:definition ?definition }
    } ORDER BY ?entity"""
    for name in MAIN_CLASSES:
        table = store.select(query, {"class": ox.NamedNode(str(AK._NS) + name)})
        rows: dict[str | None, dict[str, str | None]] = {}
        for record in table.records():
            rows.setdefault(record["entity"], record)
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["entity", "label", "type", "definition"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows.values())
        counts[name] = len(rows)
    return counts


def make_release(home: Home, version: str, today: date | None = None) -> Path:
    """Write releases/VERSION from the current build; refuse to overwrite an existing release."""
    if not VERSION.match(version):
        raise ReleaseError(f"version '{version}' must look like 1.2.3")
    target = releases_dir(home) / version
    if target.exists():
        raise ReleaseError(f"release {version} already exists and is never edited; choose a new version")
    built = OxigraphStore.from_dist(home.dist)
    stamp = (today or datetime.now(UTC).date()).isoformat()
    version_iri = f"{ONTOLOGY_IRI}/{stamp}"
    previous = previous_release(home, version)
    old_store = None
    if previous is not None:
        old_store = ox.Store()
        old_store.bulk_load(path=str(previous / "alignkb.nq"), format=ox.RdfFormat.N_QUADS)
    staging = target.with_name(f".{version}.partial")
    staging.mkdir(parents=True)
    store = built.store
    store.dump(str(staging / "alignkb.nq"), format=ox.RdfFormat.N_QUADS)
    store.dump(str(staging / "alignkb.trig"), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in store}
    ox.serialize(union, str(staging / "alignkb.ttl"), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    (staging / "alignkb.jsonld").write_bytes(jsonld(union))
    counts = _write_csvs(built, staging / "csv")
    changes = diff(old_store, store)
    (staging / "diff.md").write_text(changes.markdown(version, previous.name if previous else None))
    manifest = {
        "version": version,
        "version_iri": version_iri,
        "released": stamp,
        "previous": previous.name if previous else None,
        "quads": len(store),
        "entities_per_class": counts,
        "added": len(changes.added),
        "removed": len(changes.removed),
        "changed": len(changes.changed),
        "base": BASE,
    }
    (staging / "release.json").write_text(json.dumps(manifest, indent=2) + "\n")
    for path in staging.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    staging.rename(target)
    _record_in_changes(home, version, stamp, changes, previous.name if previous else None)
    return target


def _record_in_changes(home: Home, version: str, stamp: str, changes: Diff, previous: str | None) -> None:
    path = home.root / "CHANGES.md"
    text = path.read_text() if path.exists() else "# Changes\n\n## Unreleased\n"
    entry = (
        f"\n## {version} ({stamp})\n\nRelease in `releases/{version}/` (version IRI {ONTOLOGY_IRI}/{stamp}). "
        f"Since {previous or 'the start'}: {len(changes.added)} entities added, {len(changes.removed)} removed, "
        f"{len(changes.changed)} changed; see `releases/{version}/diff.md`.\n"
    )
    marker = "## Unreleased"
    if marker in text:
        head, tail = text.split(marker, 1)
        nxt = tail.find("\n## ")
        if nxt == -1:
            text = head + marker + tail.rstrip("\n") + "\n" + entry
        else:
            text = head + marker + tail[:nxt] + "\n" + entry.strip("\n") + "\n" + tail[nxt:]
    else:
        text += entry
    path.write_text(text)
