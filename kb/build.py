"""Assemble the ontology and every source into a checked dataset in ``dist/``, atomically.

Stages: read (syntax and structure per file) → load into Oxigraph → violation queries → SHACL → HermiT →
write ``kb.nq`` and ``report.json`` into a fresh folder → swap it in for ``dist/``. Any problem stops the build
before the swap, so the previous ``dist/`` is left exactly as it was.
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
import rdflib

from . import __version__
from .garbage import collector_paused
from .paths import Home
from .problems import BuildFailed, Problem
from .reasoning import check_consistency
from .revalidation import RECORD, Record, reach, record_of, scope, subgraph
from .shapes import entity_files, run_shacl, run_violation_queries, to_rdflib
from .sources import Inputs, read_inputs
from .stats import compute
from .store import OxigraphStore

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


def _validate(home: Home, checked: Checked, files: dict[str, str], previous: Record | None, progress: Progress) -> None:
    """SHACL over everything, or (after a good build with the same model) over what the change can affect."""
    store, inputs = checked.store, checked.inputs
    after = record_of(home, inputs) if previous is not None else None
    quads: Iterable[ox.Quad] = store.quads_for_pattern(None, None, None, None)
    judged: set[str] | None = None
    checked.shacl = {"mode": "full"}
    if previous is not None and after is not None and previous.model == after.model:
        if {k: v["hash"] for k, v in previous.folders.items()} == {k: v["hash"] for k, v in after.folders.items()}:
            checked.shacl = {"mode": "unchanged"}
            progress("SHACL: nothing changed since the last good build")
            checked.record = after
            return
        how_far = reach(rdflib.Graph().parse(home.shapes, format="turtle"))
        if how_far is not None:
            with collector_paused():
                part = scope(store, previous, after, inputs, how_far)
            quads, judged = subgraph(store, part.seen), {node.value for node in part.focus}
            checked.shacl = {"mode": "incremental", "changed": part.changed, "judged": len(part.focus)}
    progress(f"validating SHACL shapes ({checked.shacl['mode']}) …")
    with collector_paused():
        data = to_rdflib(quads)
    problems = run_shacl(data, home.shapes, files, judged)
    checked.problems.extend(problems)
    if not problems:
        checked.record = after or record_of(home, inputs)


def check(
    home: Home,
    *,
    only: Iterable[Path] | None = None,
    shacl: bool = True,
    reason: bool = True,
    previous: Record | None = None,
    progress: Progress = _quiet,
) -> Checked:
    """Read and check everything; never writes. Problems are collected, not raised. With the ``previous``
    build's record (kb/revalidation.py), SHACL validates only what changed since."""
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
    t = time.perf_counter()
    store.bulk_extend(inputs.quads)
    timings["load"] = time.perf_counter() - t
    progress(f"loaded {len(store):,} quads from {len(inputs.folders)} source folders")
    with collector_paused():
        files = entity_files(store, inputs.graph_files)
    t = time.perf_counter()
    progress("running violation queries …")
    checked.problems.extend(run_violation_queries(store, files, inputs.graph_files))
    timings["violations"] = time.perf_counter() - t
    if shacl:
        t = time.perf_counter()
        _validate(home, checked, files, previous if only is None else None, progress)
        timings["shacl"] = time.perf_counter() - t
    if reason and not checked.problems:
        progress("checking OWL consistency with HermiT …")
        result = check_consistency(store)
        timings["reasoner"] = result.seconds
        checked.problems.extend(result.problems)
    timings["total"] = time.perf_counter() - start
    return checked


def build(
    home: Home,
    *,
    shacl: bool = True,
    reason: bool = True,
    full: bool = False,
    progress: Progress = _quiet,
) -> dict[str, object]:
    """Build ``dist/`` from ``home``; raise BuildFailed (leaving ``dist/`` untouched) on any problem. SHACL
    validates only what changed since the last good build unless ``full`` (kb/revalidation.py)."""
    previous = None if full else Record.load(home.dist)
    checked = check(home, shacl=shacl, reason=reason, previous=previous, progress=progress)
    if checked.problems:
        raise BuildFailed(checked.problems, stage="build")
    t = time.perf_counter()
    report = _report(checked)
    dist = home.dist
    dist.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dist-", dir=dist.parent))
    try:
        checked.store.dump(str(staging / "kb.nq"), format=ox.RdfFormat.N_QUADS)
        checked.timings["write"] = time.perf_counter() - t
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
