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

from . import __version__
from .garbage import collector_paused
from .paths import Home
from .problems import BuildFailed, Problem
from .reasoning import check_consistency
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


def check(
    home: Home,
    *,
    only: Iterable[Path] | None = None,
    shacl: bool = True,
    reason: bool = True,
    progress: Progress = _quiet,
) -> Checked:
    """Read and check everything; never writes. Problems are collected, not raised."""
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
        progress("validating SHACL shapes …")
        with collector_paused():
            data = to_rdflib(store)
        checked.problems.extend(run_shacl(data, home.shapes, files))
        del data
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
    progress: Progress = _quiet,
) -> dict[str, object]:
    """Build ``dist/`` from ``home``; raise BuildFailed (leaving ``dist/`` untouched) on any problem."""
    checked = check(home, shacl=shacl, reason=reason, progress=progress)
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
