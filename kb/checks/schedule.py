"""SHACL for one build: decide how much to validate, run pySHACL (in a forked child at scale), collect problems.

Three modes (kb/checks/incremental.py): ``unchanged`` (the last good build saw exactly these sources and model: nothing
to do), ``incremental`` (only the focus nodes a change can affect, on the part of the store they can read) and
``full``. Either way pySHACL is given only the statements the shapes can read. A full validation of a large
knowledge base runs in a child process forked once the store is loaded, beside the violation queries, HermiT and
the writing of ``dist/`` (docs/decisions/20261124-shapes-for-speed.md).

The life of one: made once the sources are read (the fingerprints and what changed are taken from the quads, which
the build then releases), ``start`` once the store is loaded, ``settle`` for the problems.

Every SHACL result is returned, whatever its severity; the build judges which block it (kb/checks/catalogue.py).
The results of the data a build passed are kept in its record (warnings, information), so that a build that does
not validate again (``unchanged``) or validates only part (``incremental``) reports them again rather than
dropping them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from kb.checks.incremental import Reach, Record, changes, reach, readable, record_of, scope
from kb.checks.shacl import locate, run_shacl, to_rdflib
from kb.checks.worker import Background
from kb.inputs.sources import Inputs
from kb.memory import collector_paused
from kb.model.paths import Home
from kb.model.problems import Problem

# Below this many quads a full validation runs in this process: forking and sending results back cost more.
FORK_FROM = 100_000


def shacl_problems(quads: Iterable[ox.Quad], shapes: rdflib.Graph, judged: set[str] | None) -> list[Problem]:
    """pySHACL over ``quads`` (their union); results about focus nodes outside ``judged`` are dropped."""
    with collector_paused():  # ~10^6 rdflib terms and index dicts, none in a cycle (kb/memory.py)
        return run_shacl(to_rdflib(quads), shapes, judged)


class Validation:
    """SHACL for one build."""

    def __init__(self, home: Home, inputs: Inputs, previous: Record | None) -> None:
        self.mode: dict[str, object] = {"mode": "full"}
        self.after = record_of(home, inputs)  # what the next build compares with, if this one passes
        self.record: Record | None = None  # set once settled: the fingerprints and the results found
        self._kept: list[Problem] = []  # results of the previous build that this one does not validate again
        self._fork = len(inputs.quads) >= FORK_FROM
        self._changed: list[str] = []
        self._start: set[ox.NamedNode | ox.BlankNode] | None = None  # None: validate everything
        self._job: Background[list[Problem]] | None = None
        self._shapes: rdflib.Graph | None = None
        self._reach: Reach | None = None
        comparable = previous is not None and previous.model == self.after.model
        if previous is not None and comparable and _hashes(previous) == _hashes(self.after):
            self.mode = {"mode": "unchanged"}
            self.after.results = list(previous.results)
            self.record = self.after
            return
        self._shapes = rdflib.Graph().parse(home.shapes, format="turtle")
        self._reach = reach(self._shapes)
        if previous is not None and comparable and self._reach is not None and previous.scoped:
            self._changed, self._start = changes(previous, self.after, inputs)
            self._kept = list(previous.results)
            self.mode = {"mode": "incremental"}

    @property
    def forked(self) -> bool:
        return self._job is not None and self._job.forked

    @property
    def seconds(self) -> float:
        """How long the validation itself took (0 until settled)."""
        return self._job.seconds if self._job is not None else 0.0

    def start(self, store: ox.Store) -> None:
        """Begin a full validation of the loaded store: in a child process when it is large."""
        if self.mode["mode"] == "full":
            assert self._shapes is not None
            quads = readable(store, self._reach)
            self._job = Background(shacl_problems, quads, self._shapes, None, inline=not self._fork)

    def cancel(self) -> None:
        """Stop a forked validation whose result will not be asked for."""
        if self._job is not None:
            self._job.cancel()

    def settle(self, store: ox.Store, files: dict[str, str]) -> list[Problem]:
        """The results (waiting for a forked validation to finish), with the file of each focus node: those found
        now, and those of the previous build about focus nodes not validated again."""
        if self.mode["mode"] == "unchanged":
            return locate(self.after.results, files)
        assert self._shapes is not None
        judged: set[str] | None = None
        if self._job is None and self._start is not None and self._reach is not None:
            with collector_paused():
                part = scope(store, self._changed, self._start, self._reach)
            self.mode = {"mode": "incremental", "changed": part.changed, "judged": len(part.focus)}
            judged = {node.value for node in part.focus}
            quads = readable(store, self._reach, part.seen)
            self._job = Background(shacl_problems, quads, self._shapes, judged, inline=True)
        assert self._job is not None, "a full validation is begun with start()"
        problems = self._job.result()
        if self._job.forked:
            self.mode = {**self.mode, "process": {"seconds": round(self._job.seconds, 2), "peak_mb": self._job.peak_mb}}
        if judged is not None:
            problems = [p for p in self._kept if p.focus not in judged] + problems
        self.after.results = problems
        self.record = self.after  # written by the build only if nothing it found blocks it
        return locate(problems, files)


def _hashes(record: Record) -> dict[str, object]:
    return {name: folder["hash"] for name, folder in record.folders.items()}
