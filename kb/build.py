"""Assemble the ontology and every source into a checked dataset in ``dist/``, atomically.

Stages: read (syntax and structure per file) → load into Oxigraph → violation queries → SHACL → HermiT →
write ``kb.nq`` and ``report.json`` into a fresh folder → swap it in for ``dist/``. Any problem stops the build
before the swap, so the previous ``dist/`` is left exactly as it was. A full SHACL validation of a large
knowledge base runs in a child process from the load on, and is waited for once the rest is written.
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
from kb.checks.incremental import RECORD, Record
from kb.checks.reasoning import check_consistency
from kb.checks.schedule import Validation
from kb.checks.shacl import entity_files, run_violation_queries
from kb.inputs.sources import Inputs, read_inputs
from kb.memory import collector_paused, trim_heap
from kb.model.paths import Home
from kb.model.problems import BuildFailed, Problem
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
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    shacl: dict[str, object] = field(default_factory=dict)  # how SHACL ran: mode, folders changed, nodes judged
    record: Record | None = None  # what SHACL passed, for the next build (None: not validated, or failed)


def check(
    home: Home,
    *,
    only: Iterable[Path] | None = None,
    shacl: bool = True,
    reason: bool = True,
    previous: Record | None = None,
    progress: Progress = _quiet,
    meanwhile: Callable[[Checked], None] | None = None,
) -> Checked:
    """Read and check everything; never writes. Problems are collected, not raised. With the ``previous``
    build's record (kb/revalidation.py), SHACL validates only what changed since. A full SHACL validation of a
    large knowledge base runs in a child process beside the other checks (kb/validation.py); ``meanwhile`` is
    called once every other check has passed, before the result of SHACL is waited for (the build writes then)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    progress("reading ontology and sources …")
    with collector_paused():  # ~10⁶ quad objects, none in a cycle (kb/garbage.py)
        inputs = read_inputs(home, only=only)
    timings["read"] = time.perf_counter() - start
    store = ox.Store()
    checked = Checked(store, inputs, list(inputs.problems), timings)
    if inputs.problems:
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
    checked.problems.extend(run_violation_queries(store, files, inputs.graph_files))
    timings["violations"] = time.perf_counter() - t
    if validation is not None and not validation.forked:
        _settle(checked, validation, files, progress)
    reasoned: list[Problem] = []
    if reason and not checked.problems:
        progress("checking OWL consistency with HermiT …")
        result = check_consistency(store)
        timings["reasoner"] = result.seconds
        reasoned = result.problems
    if meanwhile is not None and not checked.problems and not reasoned:
        meanwhile(checked)
    if validation is not None and validation.forked:
        _settle(checked, validation, files, progress)
    if not checked.problems:  # HermiT's findings count when every other check passed
        checked.problems.extend(reasoned)


def _settle(checked: Checked, validation: Validation, files: dict[str, str], progress: Progress) -> None:
    if validation.mode["mode"] == "unchanged":
        progress("SHACL: nothing changed since the last good build")
    elif validation.forked:
        progress("waiting for SHACL …")
    else:
        progress(f"validating SHACL shapes ({validation.mode['mode']}) …")
    t = time.perf_counter()
    checked.problems.extend(validation.settle(checked.store, files))
    checked.timings["shacl"] = validation.seconds if validation.forked else time.perf_counter() - t
    checked.shacl, checked.record = validation.mode, validation.record


def build(
    home: Home,
    *,
    shacl: bool = True,
    reason: bool = True,
    full: bool = False,
    progress: Progress = _quiet,
) -> dict[str, object]:
    """Build ``dist/`` from ``home``; raise BuildFailed (leaving ``dist/`` untouched) on any problem. SHACL
    validates only what changed since the last good build unless ``full`` (kb/revalidation.py). The dataset is
    written into a fresh folder while a forked SHACL validation finishes, and swapped in only if it passes."""
    previous = None if full else Record.load(home.dist)
    dist = home.dist
    dist.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dist-", dir=dist.parent))
    written: dict[str, object] = {}

    def write(checked: Checked) -> None:
        t = time.perf_counter()
        written.update(_report(checked))
        checked.store.dump(str(staging / "kb.nq"), format=ox.RdfFormat.N_QUADS)
        checked.timings["write"] = time.perf_counter() - t

    try:
        checked = check(home, shacl=shacl, reason=reason, previous=previous, progress=progress, meanwhile=write)
        if checked.problems:
            raise BuildFailed(checked.problems, stage="build")
        if not written:  # pragma: no cover - check() calls write whenever it finds nothing wrong
            write(checked)
        report = written
        report["timings_seconds"] = {k: round(v, 3) for k, v in checked.timings.items()}
        report["shacl"] = checked.shacl or {"mode": "not run"}
        if checked.record is not None:
            (staging / RECORD).write_text(checked.record.to_json())
        (staging / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        _swap(staging, dist)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress(f"wrote {dist.name}/kb.nq ({report['quads']:,} quads) and {dist.name}/report.json")
    return report


def _swap(staging: Path, dist: Path) -> None:
    """Replace ``dist`` by ``staging`` with renames only, so a reader never sees a half-written build."""
    old = None
    if dist.exists():
        old = dist.with_name(f".{dist.name}-old-{os.getpid()}")
        os.replace(dist, old)
    os.replace(staging, dist)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
