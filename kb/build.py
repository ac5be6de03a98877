"""Assemble the ontology and every source into a checked dataset in ``dist/``, atomically.

Stages: read (syntax and structure per file) → load into Oxigraph → violation queries → SHACL → HermiT →
write ``kb.nq`` and ``report.json`` into a fresh folder → swap it in for ``dist/``. Any problem that blocks (an
error, or what ``fail_on`` and the home's profile say: kb/checks/catalogue.py) stops the build before the swap, so
the previous ``dist/`` is left exactly as it was; the others (warnings, information) are listed in ``report.json``
under ``checks``. A full SHACL validation of a large knowledge base runs in a child process from the load on, and
is waited for once the rest is written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kb import __version__
from kb.checks.catalogue import Policy, policy_for
from kb.checks.incremental import RECORD, Record
from kb.checks.reasoning import check_consistency
from kb.checks.schedule import Validation
from kb.checks.shacl import entity_files, run_violation_queries
from kb.inputs.sources import Inputs, read_inputs
from kb.memory import collector_paused, trim_heap
from kb.model.namespace import BASE
from kb.model.paths import Home
from kb.model.problems import BuildFailed, FailOn, Problem
from kb.stats import compute
from kb.store import OxigraphStore

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


def build(
    home: Home,
    *,
    shacl: bool = True,
    reason: bool = True,
    full: bool = False,
    progress: Progress = _quiet,
    fail_on: FailOn = "error",
) -> dict[str, object]:
    """Build ``dist/`` from ``home``; raise BuildFailed (leaving ``dist/`` untouched) on any problem that blocks
    (at least as severe as ``fail_on``, after the home's checks-profile.tsv); the others are listed in the report
    (``checks``). SHACL validates only what changed since the last good build unless ``full``
    (kb/checks/incremental.py). The dataset is written into a fresh folder while a forked SHACL validation
    finishes, and swapped in only if it passes."""
    previous = None if full else Record.load(home.dist)
    dist = home.dist
    dist.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dist-", dir=dist.parent))
    written: dict[str, object] = {}

    def write(checked: Checked) -> None:
        t = time.perf_counter()
        written.update(_report(checked))
        written["inferred_types"] = materialise_types(checked.store)
        checked.store.dump(str(staging / "kb.nq"), format=ox.RdfFormat.N_QUADS)
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
        if checked.record is not None:
            (staging / RECORD).write_text(checked.record.to_json())
        (staging / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        _swap(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress(f"wrote {dist.name}/kb.nq ({report['quads']:,} quads) and {dist.name}/report.json")
    return report


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


def _swap(staging: Path, dist: Path) -> None:
    """Replace ``dist`` by ``staging`` with renames only, so a reader never sees a half-written build."""
    old = None
    if dist.exists():
        old = dist.with_name(f".{dist.name}-old-{os.getpid()}")
        os.replace(dist, old)
    os.replace(staging, dist)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
        "alignkb_version": __version__,
        "quads": len(checked.store),
        "source_folders": len(checked.inputs.folders),
        "files": sum(len(f.files) for f in checked.inputs.folders),
        **stats.to_dict(),
    }
