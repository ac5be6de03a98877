"""Versioned releases: never-edited artefacts of a build, and a readable diff against the previous release.

``alignkb release 1.0.0`` writes ``releases/1.0.0/``: the build's dumps (N-Quads, TriG, JSON-LD with their named
graphs; Turtle with every statement merged into the default graph), a CSV per main class, a VoID/DCAT description
(``void.ttl``) with the dumps' sizes and checksums, the data licence (``LICENSE-DATA.md``: Open Government Licence
v3.0, with its attribution), ``SHA256SUMS``, a ``release.json`` manifest with the version IRI the data states, and
``diff.md`` against the newest earlier release. The version is the build's (pyproject.toml's): a release of another
version is refused. An existing release is never overwritten.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pyoxigraph as ox

from kb.model.builds import current_build
from kb.model.dataset import (
    ATTRIBUTION,
    DATA_LICENCE,
    DUMPS,
    RELEASES,
    SUMS_FILE,
    VOID_FILE,
    licence_text,
    version_iri,
)
from kb.model.namespace import AK, BASE, ONTOLOGY_IRI, PREFIXES
from kb.model.paths import Home
from kb.store import OxigraphStore
from kb.store.dumps import (
    Written,
    file_digest,
    sums_text,
    void_description,
)
from kb.store.dumps import counts as dump_counts

OWL_VERSION_IRI = ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")

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


def build_version(home: Home) -> str:
    """The version of the current build (pyproject.toml's when it was built), or a ReleaseError saying to build."""
    try:
        report = json.loads((home.dist / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReleaseError(f"no build at {home.dist}: run alignkb build first") from err
    version = report.get("version")
    if not isinstance(version, str):
        raise ReleaseError(f"the build at {home.dist} was made before builds carried their version: build again")
    return version


def data_version_iri(store: ox.Store) -> str | None:
    """The ontology's version IRI as the data states it."""
    found = [q.object for q in store.quads_for_pattern(ox.NamedNode(str(ONTOLOGY_IRI)), OWL_VERSION_IRI, None, None)]
    return found[0].value if found and isinstance(found[0], ox.NamedNode) else None


def make_release(home: Home, version: str, today: date | None = None) -> Path:
    """Write releases/VERSION from the current build; refuse to overwrite an existing release, and refuse a
    version other than the build's: one version, pyproject.toml's, names the package, the ontology (its version
    IRI, stamped by the build) and the release."""
    if not VERSION.match(version):
        raise ReleaseError(f"version '{version}' must look like 1.2.3")
    target = releases_dir(home) / version
    if target.exists():
        raise ReleaseError(f"release {version} already exists and is never edited; choose a new version")
    built_version = build_version(home)
    if built_version != version:
        raise ReleaseError(
            f"the current build is version {built_version} (pyproject.toml's version when it was built), not "
            f'{version}: set version = "{version}" in pyproject.toml, run alignkb build, then release'
        )
    built = OxigraphStore.from_dist(home.dist)
    folder = current_build(home.dist) or home.dist
    stamp = (today or datetime.now(UTC).date()).isoformat()
    store = built.store
    version_iri_in_data = data_version_iri(store)
    previous = previous_release(home, version)
    old_store = None
    if previous is not None:
        old_store = ox.Store()
        old_store.bulk_load(path=str(previous / "alignkb.nq"), format=ox.RdfFormat.N_QUADS)
    staging = target.with_name(f".{version}.partial")
    shutil.rmtree(staging, ignore_errors=True)  # left by a release that was stopped
    staging.mkdir(parents=True)
    written = _write_dumps(folder, staging)
    counts = _write_csvs(built, staging / "csv")
    changes = diff(old_store, store)
    (staging / "diff.md").write_text(changes.markdown(version, previous.name if previous else None))
    numbers = dump_counts({ox.Triple(q.subject, q.predicate, q.object) for q in store})
    (staging / VOID_FILE).write_bytes(void_description(version, written, numbers, downloads=f"{RELEASES}{version}/"))
    (staging / "LICENSE-DATA.md").write_text(licence_text(version))
    manifest = {
        "version": version,
        "version_iri": version_iri_in_data or version_iri(version),
        "released": stamp,
        "previous": previous.name if previous else None,
        "quads": len(store),
        "entities_per_class": counts,
        "added": len(changes.added),
        "removed": len(changes.removed),
        "changed": len(changes.changed),
        "base": BASE,
        "licence": DATA_LICENCE,
        "attribution": ATTRIBUTION,
        "dumps": {w.format.file: {"bytes": w.size, "sha256": w.sha256} for w in written},
    }
    (staging / "release.json").write_text(json.dumps(manifest, indent=2) + "\n")
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    (staging / SUMS_FILE).write_text(sums_text((p.relative_to(staging).as_posix(), file_digest(p)[1]) for p in files))
    for path in staging.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    staging.rename(target)
    iri = version_iri_in_data or version_iri(version)
    _record_in_changes(home, version, stamp, iri, changes, previous.name if previous else None)
    return target


def _write_dumps(build: Path, staging: Path) -> list[Written]:
    """The build's dumps, copied byte for byte under the release's names (alignkb.nq, …)."""
    written = []
    for dump in DUMPS:
        name = "alignkb" + Path(dump.file).suffix
        source = build / dump.file
        if not source.is_file():
            raise ReleaseError(f"the build at {build} has no {dump.file}: build again")
        shutil.copyfile(source, staging / name)
        written.append(Written(replace(dump, file=name), *file_digest(staging / name)))
    return written


def _record_in_changes(home: Home, version: str, stamp: str, iri: str, changes: Diff, previous: str | None) -> None:
    path = home.root / "CHANGES.md"
    text = path.read_text() if path.exists() else "# Changes\n\n## Unreleased\n"
    entry = (
        f"\n## {version} ({stamp})\n\nRelease in `releases/{version}/` (version IRI {iri}). "
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
