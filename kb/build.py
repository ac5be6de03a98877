"""Assemble the ontology and every source into a checked dataset in ``dist/``, atomically.

Stages: read (syntax and structure per file) → load into Oxigraph → violation queries → SHACL → HermiT →
write ``kb.nq`` and ``report.json`` into a fresh folder → swap it in for ``dist/``. Any problem that blocks (an
error, or what ``fail_on`` and the home's profile say: kb/checks/catalogue.py) stops the build before the swap, so
the previous ``dist/`` is left exactly as it was; the others (warnings, information) are listed in ``report.json``
under ``checks``. A full SHACL validation of a large knowledge base runs in a child process from the load on, and
is waited for once the rest is written.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

import kb
from kb.checks.catalogue import Policy, policy_for
from kb.checks.incremental import RECORD, Record
from kb.checks.reasoning import check_consistency
from kb.checks.schedule import Validation
from kb.checks.shacl import entity_files, run_violation_queries
from kb.inputs.sources import Inputs, read_inputs
from kb.memory import collector_paused, trim_heap
from kb.model.builds import REPORT, builds_dir, current_build, lock_path
from kb.model.dataset import (
    CONTEXT_FILE,
    DOWNLOADS,
    SUMS_FILE,
    VOID_FILE,
    jsonld_context,
    version_iri,
)
from kb.model.namespace import BASE, ONTOLOGY_GRAPH, ONTOLOGY_IRI
from kb.model.paths import Home
from kb.model.problems import BuildFailed, FailOn, Problem
from kb.stats import compute
from kb.store import OxigraphStore
from kb.store.dumps import canonical_quads, counts, file_digest, sums_text, void_description, write_dumps

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass
class Checked:
    """A store that passed (or failed) the checks, with what was found and how long each stage took."""

    store: ox.Store
    inputs: Inputs
    policy: Policy
    problems: list[Problem] = field(default_factory=list)  # everything found, each with its severity
    timings: dict[str, float] = field(default_factory=dict)
    shacl: dict[str, object] = field(default_factory=dict)  # how SHACL ran: mode, folders changed, nodes judged
    record: Record | None = None  # what SHACL saw and found, for the next build (None: not validated)

    @property
    def blocking(self) -> list[Problem]:
        """The problems that fail the build."""
        return [p for p in self.problems if self.policy.blocks(p)]

    @property
    def notes(self) -> list[Problem]:
        """The problems that do not fail it (warnings, information), to be shown and reported."""
        return [p for p in self.problems if not self.policy.blocks(p)]

    def add(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(self.policy.judge(problems))


def check(
    home: Home,
    *,
    only: Iterable[Path] | None = None,
    shacl: bool = True,
    reason: bool = True,
    previous: Record | None = None,
    progress: Progress = _quiet,
    meanwhile: Callable[[Checked], None] | None = None,
    fail_on: FailOn = "error",
) -> Checked:
    """Read and check everything; never writes. Problems are collected, not raised, each with its severity;
    those at least as severe as ``fail_on`` (or as the home's checks-profile.tsv makes them) block. With the
    ``previous`` build's record (kb/checks/incremental.py), SHACL validates only what changed since. A full SHACL
    validation of a large knowledge base runs in a child process beside the other checks (kb/checks/schedule.py);
    ``meanwhile`` is called once every other check has passed, before the result of SHACL is waited for (the
    build writes then)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    policy = policy_for(home, fail_on)
    progress("reading ontology and sources …")
    with collector_paused():  # ~10⁶ quad objects, none in a cycle (kb/memory.py)
        inputs = read_inputs(home, only=only)
    timings["read"] = time.perf_counter() - start
    store = ox.Store()
    checked = Checked(store, inputs, policy, timings=timings)
    checked.add([*policy.problems, *inputs.problems])
    if checked.blocking:
        return checked
    with collector_paused():  # the fingerprints collect every subject once
        validation = Validation(home, inputs, previous if only is None else None) if shacl else None
    t = time.perf_counter()
    store.bulk_extend(inputs.quads)
    inputs.release()
    trim_heap()
    timings["load"] = time.perf_counter() - t
    progress(f"loaded {len(store):,} quads from {len(inputs.folders)} source folders")
    if validation is not None:
        validation.start(store)
        if validation.forked:
            progress("validating SHACL shapes (full) in a separate process …")
    try:
        _check_loaded(checked, validation, reason, progress, meanwhile)
    except BaseException:
        if validation is not None:
            validation.cancel()
        raise
    timings["total"] = time.perf_counter() - start
    return checked


def _check_loaded(
    checked: Checked,
    validation: Validation | None,
    reason: bool,
    progress: Progress,
    meanwhile: Callable[[Checked], None] | None,
) -> None:
    """The checks of the loaded store: violation queries, SHACL (waited for last when forked), HermiT."""
    store, inputs, timings = checked.store, checked.inputs, checked.timings
    with collector_paused():
        files = entity_files(store, inputs.graph_files)
    t = time.perf_counter()
    progress("running violation queries …")
    checked.add(run_violation_queries(store, files, inputs.graph_files))
    timings["violations"] = time.perf_counter() - t
    if validation is not None and not validation.forked:
        _settle(checked, validation, files, progress)
    reasoned: list[Problem] = []
    if reason and not checked.blocking:
        progress("checking OWL consistency with HermiT …")
        result = check_consistency(store)
        timings["reasoner"] = result.seconds
        reasoned = checked.policy.judge(result.problems)
    if meanwhile is not None and not checked.blocking and not any(map(checked.policy.blocks, reasoned)):
        meanwhile(checked)
    if validation is not None and validation.forked:
        _settle(checked, validation, files, progress)
    if not checked.blocking:  # HermiT's findings count when every other check passed
        checked.problems.extend(reasoned)


def _settle(checked: Checked, validation: Validation, files: dict[str, str], progress: Progress) -> None:
    if validation.mode["mode"] == "unchanged":
        progress("SHACL: nothing changed since the last good build")
    elif validation.forked:
        progress("waiting for SHACL …")
    else:
        progress(f"validating SHACL shapes ({validation.mode['mode']}) …")
    t = time.perf_counter()
    checked.add(validation.settle(checked.store, files))
    checked.timings["shacl"] = validation.seconds if validation.forked else time.perf_counter() - t
    checked.shacl, checked.record = validation.mode, validation.record


class BuildBusy(BuildFailed):
    """Another build of the same folder kept its lock for longer than the build was told to wait."""

    def __init__(self, message: str) -> None:
        super().__init__([Problem("build-lock", message)], stage="build")
        self.message = message

    def __str__(self) -> str:
        return self.message


def build(
    home: Home,
    *,
    shacl: bool = True,
    reason: bool = True,
    full: bool = False,
    progress: Progress = _quiet,
    fail_on: FailOn = "error",
    wait: float | None = None,
) -> dict[str, object]:
    """Build ``dist/`` from ``home``; raise BuildFailed (leaving ``dist/`` untouched) on any problem that blocks
    (at least as severe as ``fail_on``, after the home's checks-profile.tsv); the others are listed in the report
    (``checks``). SHACL validates only what changed since the last good build unless ``full``
    (kb/checks/incremental.py). The dataset is written into a fresh build folder while a forked SHACL validation
    finishes, and made current only if it passes, in one atomic step (kb/model/builds.py).

    A build holds a lock on ``dist`` from start to end: a second build of the same folder waits for the first
    (saying so), or, after ``wait`` seconds, raises :class:`BuildBusy` with a one-line message. Leftovers of
    killed builds are removed at the start; the two newest builds are kept."""
    dist = home.dist
    dist.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(dist, progress, wait):
        _clean_leftovers(dist)
        return _build_locked(home, shacl, reason, full, progress, fail_on)


def _build_locked(
    home: Home, shacl: bool, reason: bool, full: bool, progress: Progress, fail_on: FailOn
) -> dict[str, object]:
    dist = home.dist
    previous = None if full else Record.load(dist)
    builds = builds_dir(dist)
    builds.mkdir(exist_ok=True)
    builds.chmod(0o755)
    started = datetime.now(UTC)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=builds))
    written: dict[str, object] = {}

    def write(checked: Checked) -> None:
        t = time.perf_counter()
        written.update(_report(checked))
        written["inferred_types"] = materialise_types(checked.store)
        stamp_version(checked.store, kb.__version__)
        written.update(write_dataset(checked.store, staging))
        checked.timings["write"] = time.perf_counter() - t

    try:
        checked = check(
            home, shacl=shacl, reason=reason, previous=previous, progress=progress, meanwhile=write, fail_on=fail_on
        )
        if checked.blocking:
            raise BuildFailed(checked.blocking, stage="build", notes=checked.notes)
        if not written:  # pragma: no cover - check() calls write whenever it finds nothing wrong
            write(checked)
        report = written
        report["timings_seconds"] = {k: round(v, 3) for k, v in checked.timings.items()}
        report["shacl"] = checked.shacl or {"mode": "not run"}
        report["checks"] = _checks(checked)
        final = builds / f"{started.strftime('%Y%m%dT%H%M%S.%fZ')}-{str(report['kb_sha256'])[:12]}"
        report["build_id"] = final.name
        if checked.record is not None:
            (staging / RECORD).write_text(checked.record.to_json())
        (staging / REPORT).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        _readable(staging)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point(dist, final)
    _prune(dist, keep=2)
    progress(
        f"wrote {dist.name}/kb.nq ({report['quads']:,} quads), its dumps and {dist.name}/{REPORT} (build {final.name})"
    )
    return report


@contextmanager
def build_lock(dist: Path, progress: Progress = _quiet, wait: float | None = None) -> Iterator[None]:
    """Hold the lock on builds of ``dist`` (an flock on ``.<dist>.lock`` beside it, released by the system if the
    process dies). When another build holds it, say so and wait for it: forever, or ``wait`` seconds before
    raising :class:`BuildBusy`."""
    path = lock_path(dist)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            progress(f"another build of {dist} is running (process {holder}): waiting for it to finish …")
            _wait_for_lock(fd, dist, holder, wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _wait_for_lock(fd: int, dist: Path, holder: str, wait: float | None) -> None:
    if wait is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise BuildBusy(
                    f"another build of {dist} (process {holder}) is still running after {wait:g} s: let it finish, "
                    "or stop it, then build again"
                ) from None
            time.sleep(0.1)


_LEGACY_STAGING = re.compile(r"^\.dist-[a-z0-9_]{8}$")  # tempfile.mkdtemp(prefix=".dist-") of earlier builds


def _clean_leftovers(dist: Path) -> None:
    """Remove what killed builds left behind (called with the lock held, so no build is using them): staging
    folders, a half-made link, and the folders of the layout before this one (``.dist-XXXXXXXX``,
    ``.dist-old-PID``)."""
    old = re.compile(rf"^\.{re.escape(dist.name)}-old-\d+$")
    for entry in dist.parent.iterdir():
        name = entry.name
        if name.startswith(f".{dist.name}.swap-") and entry.is_symlink():
            entry.unlink(missing_ok=True)
        elif (_LEGACY_STAGING.match(name) or old.match(name)) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
    builds = builds_dir(dist)
    if builds.is_dir():
        for entry in builds.iterdir():
            if entry.name.startswith(".staging-") and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)


def _readable(folder: Path) -> None:
    """Make a build readable by everyone whatever the umask: folders 0755, files 0644."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _point(dist: Path, target: Path) -> None:
    """Make ``target`` the current build: a new link under a temporary name, renamed over ``dist`` in one
    step. A ``dist`` that is a plain folder (the layout before this one) is first moved in with the builds."""
    link = dist.parent / f".{dist.name}.swap-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, dist.parent), link)
    if dist.is_dir() and not dist.is_symlink():
        moved = datetime.fromtimestamp(dist.stat().st_mtime, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        os.replace(dist, builds_dir(dist) / f"{moved}-folder")
    os.replace(link, dist)


def _prune(dist: Path, keep: int = 2) -> None:
    """Remove all but the ``keep`` newest builds, never the current one. A server still holding an older build
    has it in memory; a reader that opened a file of it keeps reading it."""
    current = current_build(dist)
    builds = sorted(
        (p for p in builds_dir(dist).iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
        reverse=True,
    )
    kept = [p for p in builds if current is not None and p.resolve() == current]
    for folder in builds:
        if folder in kept:
            continue
        if len(kept) < keep:
            kept.append(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def write_dataset(store: ox.Store, folder: Path) -> dict[str, object]:
    """Write the dataset into ``folder``: the dumps (canonical blank nodes, sorted: the same statements give the
    same bytes), their SHA256SUMS and the VoID/DCAT description (void.ttl). Returns what the report says of
    them: the quads written, the SHA-256 of kb.nq, each file's size and checksum, and the counts of the
    description."""
    with collector_paused():
        quads = canonical_quads(store)
        total = len(quads)
        dumps, union = write_dumps(quads, folder)
        numbers = counts(union)
        del quads, union
    (folder / VOID_FILE).write_bytes(void_description(kb.__version__, dumps, numbers, downloads=DOWNLOADS))
    (folder / CONTEXT_FILE).write_text(json.dumps(jsonld_context(), indent=2) + "\n")
    files = [(d.format.file, d.sha256) for d in dumps]
    files += [(name, file_digest(folder / name)[1]) for name in (VOID_FILE, CONTEXT_FILE)]
    (folder / SUMS_FILE).write_text(sums_text(files))
    trim_heap()
    return {
        "quads": total,
        "version": kb.__version__,
        "kb_sha256": dumps[0].sha256,
        "dumps": {d.format.file: {"bytes": d.size, "sha256": d.sha256} for d in dumps},
        "dataset": {
            "triples": numbers.triples,
            "entities": numbers.entities,
            "classes": numbers.classes,
            "properties": numbers.properties,
            "example": numbers.example,
        },
    }


OWL_VERSION_IRI = ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")
OWL_VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")


def stamp_version(store: ox.Store, version: str) -> None:
    """Give the ontology the one version (pyproject.toml's): ``owl:versionInfo`` and the version IRI
    ``https://w3id.org/alignkb/ontology/<version>``, replacing any the ontology file states."""
    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    ontology = ox.NamedNode(str(ONTOLOGY_IRI))
    if next(iter(store.quads_for_pattern(ontology, None, None, graph)), None) is None:
        return
    for predicate in (OWL_VERSION_IRI, OWL_VERSION_INFO):
        for quad in list(store.quads_for_pattern(ontology, predicate, None, graph)):
            store.remove(quad)
    store.add(ox.Quad(ontology, OWL_VERSION_IRI, ox.NamedNode(version_iri(version)), graph))
    store.add(ox.Quad(ontology, OWL_VERSION_INFO, ox.Literal(version), graph))


INFERRED_GRAPH = BASE + "graph/inferred"
IMPLIED_TYPES = f"""
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?super WHERE {{
  GRAPH ?g {{ ?x rdf:type ?class }}
  FILTER (STRSTARTS(STR(?g), "{BASE}evidence/"))
  ?class rdfs:subClassOf+ ?super .
  FILTER (isIRI(?super) && STRSTARTS(STR(?super), "{BASE}ontology#"))
  FILTER NOT EXISTS {{ ?x rdf:type ?super }}
}}"""
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def materialise_types(store: ox.Store) -> int:
    """Write the types the class hierarchy implies (a council area is an area) into their own graph, so that a
    plain ``?a a ak:Area`` finds every council area, here and in the dumps; the graph is
    <https://w3id.org/alignkb/graph/inferred> and holds nothing a source said. Returns how many were added."""
    graph = ox.NamedNode(INFERRED_GRAPH)
    found = store.query(IMPLIED_TYPES, use_default_graph_as_union=True)
    assert isinstance(found, ox.QuerySolutions)
    quads = [ox.Quad(row["x"], RDF_TYPE, row["super"], graph) for row in found]
    store.extend(quads)
    return len(quads)


def _checks(checked: Checked) -> dict[str, object]:
    """What the report says of the checks: the --fail-on level, the profile read, and every problem found that did
    not block the build, with its severity."""
    notes = checked.notes
    return {
        "fail_on": checked.policy.fail_on,
        "profile": checked.policy.profile,
        "counts": {severity: sum(p.severity == severity for p in notes) for severity in ("error", "warning", "info")},
        "problems": [p.to_dict() for p in notes],
    }


def _report(checked: Checked) -> dict[str, object]:
    stats = compute(OxigraphStore(checked.store))
    return {
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "alignkb_version": kb.__version__,
        "quads": len(checked.store),
        "source_folders": len(checked.inputs.folders),
        "files": sum(len(f.files) for f in checked.inputs.folders),
        **stats.to_dict(),
    }
