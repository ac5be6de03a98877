"""A step computed in a forked child process while this process goes on with other work.

The build uses it for SHACL at scale: pySHACL needs its own rdflib copy of the data and ≈ 20 s of CPU at 10^6
triples, while the violation queries, HermiT and the writing of ``dist/`` need the other core. ``fork`` lets the
child start from this process's memory as it is (the loaded store) without pickling it; only the result travels
back.
Where ``fork`` is not available, or ``inline`` is asked, the step runs in this process when its result is first
wanted.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import resource
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class WorkerDied(RuntimeError):
    """The child process ended without a result (killed, out of memory, or an error it reported)."""


def can_fork() -> bool:
    """Whether a child can be forked here (not on platforms without fork, nor from a daemonic process, which
    multiprocessing does not let have children)."""
    return "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


class Background(Generic[T]):
    """``step(*args)``, computed in a forked child (``forked``) or inline; ``result()`` waits for it."""

    def __init__(self, step: Callable[..., T], *args: Any, inline: bool = False) -> None:
        self.forked = not inline and can_fork()
        self.seconds = 0.0  # the step's own time (in the child: not counting the wait for it)
        self.peak_mb: float | None = None  # the child's own peak resident memory
        self._step, self._args = step, args
        self._done = False
        self._value: T | None = None
        if self.forked:
            ctx = mp.get_context("fork")
            self._conn, child = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_child, args=(child, step, args), daemon=True)
            # Objects that exist now are left alone by the child's garbage collector, so it does not write to
            # (and so copy) the pages it shares with this process.
            gc.freeze()
            try:
                self._proc.start()
            finally:
                gc.unfreeze()
            child.close()

    def result(self) -> T:
        if not self._done:
            self._value = self._receive() if self.forked else self._compute()
            self._done = True
        return self._value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop a child whose result is no longer wanted (the parent failed before asking for it)."""
        if self.forked and not self._done:
            self._proc.kill()
            self._proc.join()
            self._conn.close()
            self._done = True

    def _compute(self) -> T:
        start = time.perf_counter()
        value = self._step(*self._args)
        self.seconds = time.perf_counter() - start
        return value

    def _receive(self) -> T:
        try:
            status, payload, seconds, peak = self._conn.recv()
        except EOFError:
            self._proc.join()
            raise WorkerDied(
                f"the {self._step.__name__} process ended without a result (exit code {self._proc.exitcode}; "
                "a negative code is the signal that killed it, e.g. -9 when memory ran out)"
            ) from None
        finally:
            self._conn.close()
        self._proc.join()
        self.seconds, self.peak_mb = seconds, peak
        if status != "ok":
            raise WorkerDied(f"the {self._step.__name__} process failed:\n{payload}")
        return payload


def _child(conn: Connection, step: Callable[..., Any], args: tuple[Any, ...]) -> None:  # pragma: no cover - child
    start = time.perf_counter()
    try:
        status, payload = "ok", step(*args)
    except BaseException:  # report anything, the parent decides
        status, payload = "error", traceback.format_exc()
    conn.send((status, payload, time.perf_counter() - start, _peak_mb()))
    conn.close()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
